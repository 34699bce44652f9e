-- 0006: user templates (Step 6). An account's templates, every version of each (renders name the
-- version they drew, so a queued render still draws what was asked for after an update), and the
-- family a render's font_family named.

CREATE TABLE templates (
  id               TEXT PRIMARY KEY,                -- tpl_<ULID>
  account_id       TEXT NOT NULL,
  name             TEXT NOT NULL,
  description      TEXT NOT NULL DEFAULT '',
  version          INTEGER NOT NULL,                -- the current version (template_versions)
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  deleted_at       TEXT                             -- deleted: gone from the API; its versions stay for queued renders
);

CREATE INDEX templates_account ON templates (account_id, created_at);

CREATE TABLE template_versions (
  template_id      TEXT NOT NULL,
  version          INTEGER NOT NULL,                -- 1, 2, … one per change of the source
  source           TEXT NOT NULL,                   -- JSON: width, height, html, vars, example, engine
  created_at       TEXT NOT NULL,
  PRIMARY KEY (template_id, version)
) WITHOUT ROWID;

ALTER TABLE renders ADD COLUMN font_family TEXT;
