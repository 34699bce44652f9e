-- 0001: renders table (Step 1).

-- One row per render request (sync, async, or answered from the content cache).
CREATE TABLE renders (
  id               TEXT PRIMARY KEY,                -- rnd_<ULID>
  account_id       TEXT,                            -- owner (accounts arrive in Step 2)
  type             TEXT NOT NULL CHECK (type IN ('image', 'pdf')),
  template         TEXT NOT NULL,
  template_version INTEGER NOT NULL,
  engine           TEXT NOT NULL CHECK (engine IN ('satori', 'takumi')),
  format           TEXT NOT NULL CHECK (format IN ('png', 'webp', 'svg')),
  width            INTEGER NOT NULL,                -- CSS pixels of the template
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
  completed_at     TEXT
);

CREATE INDEX renders_cache_key ON renders (cache_key);
CREATE INDEX renders_status_created ON renders (status, created_at);
