-- 0008: quota leases (issue 17). An isolate reserves a block of an account's monthly units from
-- `usage` in one statement and spends them without a round trip to D1; the renders it charges
-- name the lease. Settling a lease (its isolate, or the cron sweep once it has lapsed) gives back
-- what no render row charged: units minus the SUM of its renders' units.
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

-- The lease a render's units were spent from (null: reserved on its own, or nothing charged).
ALTER TABLE renders ADD COLUMN lease_id TEXT;
CREATE INDEX renders_lease ON renders (lease_id) WHERE lease_id IS NOT NULL;
