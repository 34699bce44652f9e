-- 0004: PDFs (Step 4). Renders may be PDFs (format 'pdf') and record their page count.
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt under the same name.

ALTER TABLE renders RENAME TO renders_before_0004;

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
  vars             TEXT NOT NULL,                   -- canonical JSON of the validated vars
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
  pages            INTEGER                          -- PDFs: page count (the units a fresh one charges)
);

INSERT INTO renders (id, account_id, type, template, template_version, engine, format, width, height, scale, vars, cache_key, status,
  attempts, lease_until, object_key, bytes, render_ms, cached, error_code, error_message, created_at, completed_at, key_id, mode, units,
  quota_period)
SELECT id, account_id, type, template, template_version, engine, format, width, height, scale, vars, cache_key, status,
  attempts, lease_until, object_key, bytes, render_ms, cached, error_code, error_message, created_at, completed_at, key_id, mode, units,
  quota_period
FROM renders_before_0004;

DROP TABLE renders_before_0004;

CREATE INDEX renders_cache_key ON renders (cache_key);
CREATE INDEX renders_status_created ON renders (status, created_at);
CREATE INDEX renders_account_created ON renders (account_id, created_at);
