-- 0009: URL-signing keys (issue 18). A site signs its own og:image URLs
-- (`/og/<template>.png?…&kid=usk_…&s=…`) with one of its account's keys; the server keeps the
-- secret to check the HMAC. Deleting a key revokes it (links signed with it stop working); the row
-- stays listed with `revoked_at`.
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
