-- 0005: custom fonts (issue 7). An account's uploaded font faces, and which of them a render drew with.

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

ALTER TABLE renders ADD COLUMN font_faces TEXT;
