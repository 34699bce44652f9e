-- 0002: accounts, API keys, monthly usage and idempotency keys (Step 2); renders gain an owner.

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

-- Who asked for a render, and what it charged against the quota.
ALTER TABLE renders ADD COLUMN key_id TEXT;
ALTER TABLE renders ADD COLUMN mode TEXT CHECK (mode IN ('live', 'test'));
ALTER TABLE renders ADD COLUMN units INTEGER NOT NULL DEFAULT 0; -- units still charged (given back on failure)
ALTER TABLE renders ADD COLUMN quota_period TEXT; -- the usage period the units were charged to

CREATE INDEX renders_account_created ON renders (account_id, created_at);
