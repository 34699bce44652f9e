-- 0003: webhook endpoints, deliveries and their attempts (Step 3).

-- Where an account wants render events sent.
CREATE TABLE webhook_endpoints (
  id                          TEXT PRIMARY KEY,        -- whe_<ULID>
  account_id                  TEXT NOT NULL REFERENCES accounts (id),
  url                         TEXT NOT NULL,
  description                 TEXT NOT NULL DEFAULT '',
  events                      TEXT NOT NULL,           -- JSON array of event names
  secret                      TEXT NOT NULL,           -- whsec_…: signs every delivery
  previous_secret             TEXT,                    -- the secret before the last rotation …
  previous_secret_expires_at  INTEGER,                 -- … which also signs until then (epoch ms)
  failing_since               INTEGER,                 -- epoch ms of the first failure in the current streak
  last_failure_at             INTEGER,                 -- epoch ms of the latest failure (a long quiet gap ends a streak)
  disabled_at                 TEXT,
  disabled_reason             TEXT,
  created_at                  TEXT NOT NULL,
  updated_at                  TEXT NOT NULL
);

CREATE INDEX webhook_endpoints_account ON webhook_endpoints (account_id, created_at);

-- One delivery per (endpoint, event, job): its id is the webhook-id, stable across attempts.
CREATE TABLE webhook_deliveries (
  id               TEXT PRIMARY KEY,                -- msg_<ULID>
  endpoint_id      TEXT NOT NULL,
  account_id       TEXT NOT NULL,
  event            TEXT NOT NULL,
  job_id           TEXT,                            -- the render (null for webhook.test)
  payload          TEXT NOT NULL,                   -- the JSON body, fixed at creation
  status           TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  attempts         INTEGER NOT NULL DEFAULT 0,      -- attempts made, all rounds
  round_start      INTEGER NOT NULL DEFAULT 0,      -- attempts made before the current round (a redelivery starts one)
  lease_until      INTEGER,                         -- epoch ms; an attempt in flight holds the delivery until then
  next_attempt_at  INTEGER,                         -- epoch ms; a pending delivery is not tried before then
  created_at       TEXT NOT NULL,
  completed_at     TEXT,
  UNIQUE (endpoint_id, event, job_id)
);

CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';

-- Every attempt: when, what came back, how long it took.
CREATE TABLE webhook_attempts (
  delivery_id      TEXT NOT NULL,
  attempt          INTEGER NOT NULL,                -- 1, 2, … across rounds
  attempted_at     TEXT NOT NULL,
  status_code      INTEGER,                         -- null when no response came
  duration_ms      INTEGER NOT NULL,
  error            TEXT,
  PRIMARY KEY (delivery_id, attempt)
) WITHOUT ROWID;
