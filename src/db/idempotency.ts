/** Typed queries on `idempotency_keys`. */

export interface IdempotencyRow {
  scope: string;
  key_hash: string;
  fingerprint: string;
  status: 'in_progress' | 'complete';
  claim_token: string;
  locked_until: number | null;
  response_status: number | null;
  response_headers: string | null;
  response_body: string | null;
  created_at: string;
  expires_at: number;
}

export interface Claim {
  scope: string;
  keyHash: string;
  /** Random, per claim: completing or releasing it must name it (a stale holder cannot touch a takeover). */
  token: string;
  fingerprint: string;
  nowMs: number;
  lockMs: number;
  ttlMs: number;
}

/**
 * Claims a key for one request: a new key, an expired one, or one whose holder stopped without
 * finishing (its lock lapsed) for the same request. Exactly one of several concurrent claimers
 * gets true; the others read the row to see why not.
 */
export async function claimKey(db: D1Database, c: Claim): Promise<boolean> {
  const row = await db
    .prepare(
      `INSERT INTO idempotency_keys (scope, key_hash, fingerprint, status, claim_token, locked_until, created_at, expires_at)
       VALUES (?1, ?2, ?3, 'in_progress', ?8, ?4, ?5, ?6)
       ON CONFLICT (scope, key_hash) DO UPDATE SET
         fingerprint = excluded.fingerprint, status = 'in_progress', claim_token = excluded.claim_token, locked_until = excluded.locked_until,
         created_at = excluded.created_at, expires_at = excluded.expires_at,
         response_status = NULL, response_headers = NULL, response_body = NULL
       WHERE idempotency_keys.expires_at <= ?7
          OR (idempotency_keys.status = 'in_progress' AND idempotency_keys.locked_until <= ?7 AND idempotency_keys.fingerprint = excluded.fingerprint)
       RETURNING 1 AS claimed`,
    )
    .bind(c.scope, c.keyHash, c.fingerprint, c.nowMs + c.lockMs, new Date(c.nowMs).toISOString(), c.nowMs + c.ttlMs, c.nowMs, c.token)
    .first<{ claimed: number }>();
  return row !== null;
}

export function getKey(db: D1Database, scope: string, keyHash: string): Promise<IdempotencyRow | null> {
  return db.prepare('SELECT * FROM idempotency_keys WHERE scope = ?1 AND key_hash = ?2').bind(scope, keyHash).first<IdempotencyRow>();
}

export async function completeKey(db: D1Database, c: Pick<Claim, 'scope' | 'keyHash' | 'token'>, status: number, headers: string, body: string): Promise<void> {
  await db
    .prepare(
      `UPDATE idempotency_keys SET status = 'complete', locked_until = NULL, response_status = ?4, response_headers = ?5, response_body = ?6
       WHERE scope = ?1 AND key_hash = ?2 AND claim_token = ?3 AND status = 'in_progress'`,
    )
    .bind(c.scope, c.keyHash, c.token, status, headers, body)
    .run();
}

/** Gives a claim up (the request failed in a way worth retrying), so the same key may run again. */
export async function releaseKey(db: D1Database, c: Pick<Claim, 'scope' | 'keyHash' | 'token'>): Promise<void> {
  await db
    .prepare(`DELETE FROM idempotency_keys WHERE scope = ?1 AND key_hash = ?2 AND claim_token = ?3 AND status = 'in_progress'`)
    .bind(c.scope, c.keyHash, c.token)
    .run();
}

export async function deleteExpiredKeys(db: D1Database, nowMs: number): Promise<number> {
  const result = await db.prepare('DELETE FROM idempotency_keys WHERE expires_at <= ?1').bind(nowMs).run();
  return result.meta.changes;
}
