-- PicStream schema: the whole current schema in one place.
-- migrations/ holds the same schema as numbered steps; test/db/schema-drift.test.ts proves they agree.

-- One row per render request (sync, async, or answered from the content cache).
CREATE TABLE renders (
  id               TEXT PRIMARY KEY,                -- rnd_<ULID>
  account_id       TEXT,                            -- owner (null only for rows made before Step 2)
  type             TEXT NOT NULL CHECK (type IN ('image', 'pdf')),
  template         TEXT NOT NULL,
  template_version INTEGER NOT NULL,
  engine           TEXT NOT NULL CHECK (engine IN ('satori', 'takumi')),
  format           TEXT NOT NULL CHECK (format IN ('png', 'webp', 'svg', 'pdf')),
  width            INTEGER NOT NULL,                -- CSS pixels of the template (PDFs: first page, points)
  height           INTEGER NOT NULL,
  scale            INTEGER NOT NULL DEFAULT 1,
  vars             TEXT NOT NULL,                   -- canonical JSON of the validated vars while open; '' once finished, and for cache hits
  cache_key        TEXT NOT NULL,                   -- content address of the output
  status           TEXT NOT NULL CHECK (status IN ('pending', 'running', 'complete', 'failed')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  lease_until      INTEGER,                         -- epoch ms; a running job's claim expires then
  object_key       TEXT,
  bytes            INTEGER,
  render_ms        INTEGER,
  cached           INTEGER CHECK (cached IN (0, 1)),
  error_code       TEXT,
  error_message    TEXT,
  created_at       TEXT NOT NULL,                   -- ISO-8601 UTC
  completed_at     TEXT,
  key_id           TEXT,                            -- the API key that asked for it
  mode             TEXT CHECK (mode IN ('live', 'test')),
  units            INTEGER NOT NULL DEFAULT 0,      -- units still charged (given back on failure)
  quota_period     TEXT,                            -- the usage period the units were charged to
  pages            INTEGER,                         -- PDFs: page count (the units a fresh one charges)
  font_faces       TEXT,                            -- JSON array of the custom font ids drawn with (font_family, user templates), or null
  font_family      TEXT,                            -- the font_family the request named, or null
  lease_id         TEXT                             -- the quota lease its units were spent from (quota_leases), or null
);

CREATE INDEX renders_cache_key ON renders (cache_key);
CREATE INDEX renders_status_created ON renders (status, created_at);
CREATE INDEX renders_account_created ON renders (account_id, created_at);
-- Test renders expire sooner (the sweep reads them oldest first without scanning live rows).
CREATE INDEX renders_test_created ON renders (created_at) WHERE mode = 'test';
CREATE INDEX renders_lease ON renders (lease_id) WHERE lease_id IS NOT NULL;

-- One row per customer.
CREATE TABLE accounts (
  id               TEXT PRIMARY KEY,                -- acc_<ULID>
  email            TEXT NOT NULL UNIQUE,            -- trimmed, lower-cased
  plan             TEXT NOT NULL DEFAULT 'free',
  monthly_quota    INTEGER NOT NULL,                -- images (PDF pages) per calendar month, UTC
  created_at       TEXT NOT NULL
);

-- API keys, stored only as a SHA-256 hash plus a short visible start.
CREATE TABLE api_keys (
  id               TEXT PRIMARY KEY,                -- key_<ULID>
  account_id       TEXT NOT NULL REFERENCES accounts (id),
  name             TEXT NOT NULL,
  mode             TEXT NOT NULL CHECK (mode IN ('live', 'test')),
  hash             TEXT NOT NULL UNIQUE,            -- hex SHA-256 of the whole key
  start            TEXT NOT NULL,                   -- e.g. pk_live_AbCd, for listings
  created_at       TEXT NOT NULL,
  revoked_at       TEXT
);

CREATE INDEX api_keys_account ON api_keys (account_id, created_at);

-- Units used per account and calendar month: the authority for the quota.
CREATE TABLE usage (
  account_id       TEXT NOT NULL REFERENCES accounts (id),
  period           TEXT NOT NULL,                   -- YYYY-MM, UTC
  used             INTEGER NOT NULL DEFAULT 0 CHECK (used >= 0),
  PRIMARY KEY (account_id, period)
) WITHOUT ROWID;

-- Quota leases: blocks of an account's units an isolate reserved in `usage` and spends locally
-- (src/quota/leases.ts). Settling one gives back what no render row charged.
CREATE TABLE quota_leases (
  id               TEXT PRIMARY KEY,                -- qls_<ULID>
  account_id       TEXT NOT NULL REFERENCES accounts (id),
  period           TEXT NOT NULL,                   -- YYYY-MM, UTC: the usage row the units came from
  units            INTEGER NOT NULL CHECK (units > 0),  -- reserved in usage.used when granted
  created_at       INTEGER NOT NULL,                -- epoch ms
  expires_at       INTEGER NOT NULL                 -- epoch ms; not spent from after this, settled by the sweep soon after
);

CREATE INDEX quota_leases_expires ON quota_leases (expires_at);
CREATE INDEX quota_leases_account ON quota_leases (account_id, period);

-- Idempotency-Key claims and the responses they replay (kept 24 h).
CREATE TABLE idempotency_keys (
  scope            TEXT NOT NULL,                   -- account id and key mode, or 'anonymous' for sign-up
  key_hash         TEXT NOT NULL,                   -- hex SHA-256 of scope and key
  fingerprint      TEXT NOT NULL,                   -- hex SHA-256 of method, path and body
  status           TEXT NOT NULL CHECK (status IN ('in_progress', 'complete')),
  claim_token      TEXT NOT NULL,                   -- random, per claim: only its holder may finish or release it
  locked_until     INTEGER,                         -- epoch ms; an in-progress claim lapses then
  response_status  INTEGER,
  response_headers TEXT,                            -- JSON of the replayed headers
  response_body    TEXT,                            -- AES-GCM sealed under a key derived from the Idempotency-Key (and IDEMPOTENCY_SECRET)
  created_at       TEXT NOT NULL,
  expires_at       INTEGER NOT NULL,                -- epoch ms
  PRIMARY KEY (scope, key_hash)
) WITHOUT ROWID;

CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);

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

-- An account's uploaded font faces (POST /api/v1/fonts); the files are in the FONTS bucket under custom/.
CREATE TABLE fonts (
  id               TEXT PRIMARY KEY,                -- fnt_<ULID>
  account_id       TEXT NOT NULL,
  family           TEXT NOT NULL COLLATE NOCASE,    -- the name requests use (font_family), case-insensitive
  weight           INTEGER NOT NULL,                -- 100–900
  style            TEXT NOT NULL CHECK (style IN ('normal', 'italic')),
  format           TEXT NOT NULL CHECK (format IN ('ttf', 'otf', 'woff')),  -- as uploaded
  bytes            INTEGER NOT NULL,                -- of the stored TrueType/OpenType file
  sha256           TEXT NOT NULL,                   -- of the stored file
  glyphs           INTEGER NOT NULL,
  created_at       TEXT NOT NULL,
  UNIQUE (account_id, family, weight, style)
);

-- An account's templates (POST /api/v1/templates): HTML with inline styles and {{var}} placeholders.
CREATE TABLE templates (
  id               TEXT PRIMARY KEY,                -- tpl_<ULID>
  account_id       TEXT NOT NULL,
  name             TEXT NOT NULL,
  description      TEXT NOT NULL DEFAULT '',
  version          INTEGER NOT NULL,                -- the current version (template_versions)
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  deleted_at       TEXT                             -- deleted: gone from the API; its versions stay while queued renders need them
);

CREATE INDEX templates_account ON templates (account_id, created_at);
-- Deleted templates waiting for the sweep to purge their versions.
CREATE INDEX templates_deleted ON templates (deleted_at) WHERE deleted_at IS NOT NULL;

-- Every version of a template: renders name the version they drew, so a queued render still draws
-- what was asked for after an update.
CREATE TABLE template_versions (
  template_id      TEXT NOT NULL,
  version          INTEGER NOT NULL,                -- 1, 2, … one per change of the source
  source           TEXT NOT NULL,                   -- JSON: width, height, html, vars, example, engine
  created_at       TEXT NOT NULL,
  last_pinned_at   TEXT,                            -- when a request last named this version pinned (tpl_…@3), to the day
  PRIMARY KEY (template_id, version)
) WITHOUT ROWID;

-- An account's URL-signing keys (issue 18): a site signs its own og:image URLs
-- (`/og/<template>.png?…&kid=usk_…&s=…`) with one; the server keeps the secret to check the HMAC.
-- Deleting a key revokes it (links signed with it stop working); the row stays with `revoked_at`.
CREATE TABLE url_signing_keys (
  id               TEXT PRIMARY KEY,                -- usk_<ULID>: the `kid` of the URLs it signs
  account_id       TEXT NOT NULL REFERENCES accounts (id),
  name             TEXT NOT NULL,                   -- the owner's label ("blog", "docs site")
  secret           TEXT NOT NULL,                   -- usksec_…: the HMAC-SHA256 key, shown once at creation
  start            TEXT NOT NULL,                   -- the secret's first characters, to tell keys apart
  created_at       TEXT NOT NULL,
  revoked_at       TEXT
);

CREATE INDEX url_signing_keys_account ON url_signing_keys (account_id, created_at);
