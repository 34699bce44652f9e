/** Typed queries on `url_signing_keys`: the keys an account signs its og:image URLs with (src/og/). */
import { spentUnits } from './usage';

export interface SigningKeyRow {
  id: string;
  account_id: string;
  name: string;
  secret: string;
  start: string;
  created_at: string;
  revoked_at: string | null;
}

/** What an og URL's `kid` resolves to: the secret that signs it, its account, and that account's plan and usage this period. */
export interface SigningKeyOwnerRow {
  key_id: string;
  secret: string;
  account_id: string;
  plan: string;
  monthly_quota: number;
  used: number;
}

/** Adds a key unless the account already holds `maxActive` unrevoked ones; null when it does. */
export function insertSigningKeyWithin(db: D1Database, k: SigningKeyRow, maxActive: number): Promise<SigningKeyRow | null> {
  return db
    .prepare(
      `INSERT INTO url_signing_keys (id, account_id, name, secret, start, created_at)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6
       WHERE (SELECT COUNT(*) FROM url_signing_keys WHERE account_id = ?2 AND revoked_at IS NULL) < ?7
       RETURNING *`,
    )
    .bind(k.id, k.account_id, k.name, k.secret, k.start, k.created_at, maxActive)
    .first<SigningKeyRow>();
}

export async function listSigningKeys(db: D1Database, accountId: string): Promise<SigningKeyRow[]> {
  const { results } = await db.prepare('SELECT * FROM url_signing_keys WHERE account_id = ?1 ORDER BY created_at, id').bind(accountId).all<SigningKeyRow>();
  return results;
}

/** Revokes one of the account's keys (a second revoke keeps the first time); null if it has no such key. */
export function revokeSigningKey(db: D1Database, accountId: string, id: string, at: string): Promise<SigningKeyRow | null> {
  return db
    .prepare('UPDATE url_signing_keys SET revoked_at = COALESCE(revoked_at, ?3) WHERE id = ?1 AND account_id = ?2 RETURNING *')
    .bind(id, accountId, at)
    .first<SigningKeyRow>();
}

/**
 * The unrevoked key `id` with its account and that account's spend in `period`; null if unknown or
 * revoked. Read from the nearest replica when the database has them (D1 read replication): an og
 * URL's first hit in a colo far from the primary waits for no primary round trip to learn its key.
 */
export function findSigningKeyOwner(db: D1Database, id: string, period: string): Promise<SigningKeyOwnerRow | null> {
  return db
    .withSession('first-unconstrained')
    .prepare(
      `SELECT s.id AS key_id, s.secret, s.account_id, a.plan, a.monthly_quota, ${spentUnits('s.account_id', '?2')} AS used
       FROM url_signing_keys s
       JOIN accounts a ON a.id = s.account_id
       WHERE s.id = ?1 AND s.revoked_at IS NULL`,
    )
    .bind(id, period)
    .first<SigningKeyOwnerRow>();
}
