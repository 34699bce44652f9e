/** Typed queries on `accounts` and `api_keys`. */
import type { KeyMode } from '../auth/keys';
import { spentUnits } from './usage';

export interface AccountRow {
  id: string;
  email: string;
  plan: string;
  monthly_quota: number;
  created_at: string;
}

export interface ApiKeyRow {
  id: string;
  account_id: string;
  name: string;
  mode: KeyMode;
  hash: string;
  start: string;
  created_at: string;
  revoked_at: string | null;
}

/** What a request's key resolves to: the key, its account, and the account's usage this period. */
export interface KeyOwnerRow {
  key_id: string;
  mode: KeyMode;
  account_id: string;
  plan: string;
  monthly_quota: number;
  used: number;
}

function insertKeyStatement(db: D1Database, k: ApiKeyRow): D1PreparedStatement {
  return db
    .prepare('INSERT INTO api_keys (id, account_id, name, mode, hash, start, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)')
    .bind(k.id, k.account_id, k.name, k.mode, k.hash, k.start, k.created_at);
}

/**
 * Creates an account with its first keys in one transaction (a D1 batch): all rows or none.
 * Returns false when the email is taken.
 */
export async function insertAccountWithKeys(db: D1Database, account: AccountRow, keys: readonly ApiKeyRow[]): Promise<boolean> {
  try {
    await db.batch([
      db
        .prepare('INSERT INTO accounts (id, email, plan, monthly_quota, created_at) VALUES (?1, ?2, ?3, ?4, ?5)')
        .bind(account.id, account.email, account.plan, account.monthly_quota, account.created_at),
      ...keys.map((k) => insertKeyStatement(db, k)),
    ]);
    return true;
  } catch (err) {
    if (/UNIQUE constraint failed: accounts\.email/.test(String((err as Error).message))) return false;
    throw err;
  }
}

export function getAccount(db: D1Database, id: string): Promise<AccountRow | null> {
  return db.prepare('SELECT * FROM accounts WHERE id = ?1').bind(id).first<AccountRow>();
}

/** The live key with this hash, its account and that account's usage in `period` (less what its quota leases hold unspent, db/usage.ts); null if unknown or revoked. */
export function findKeyOwner(db: D1Database, hash: string, period: string): Promise<KeyOwnerRow | null> {
  return db
    .prepare(
      `SELECT k.id AS key_id, k.mode, k.account_id, a.plan, a.monthly_quota, ${spentUnits('k.account_id', '?2')} AS used
       FROM api_keys k
       JOIN accounts a ON a.id = k.account_id
       WHERE k.hash = ?1 AND k.revoked_at IS NULL`,
    )
    .bind(hash, period)
    .first<KeyOwnerRow>();
}

export async function listKeys(db: D1Database, accountId: string): Promise<ApiKeyRow[]> {
  const { results } = await db.prepare('SELECT * FROM api_keys WHERE account_id = ?1 ORDER BY created_at, id').bind(accountId).all<ApiKeyRow>();
  return results;
}

/** Adds a key unless the account already holds `maxActive` unrevoked keys; null when it does. */
export function insertKeyWithin(db: D1Database, k: ApiKeyRow, maxActive: number): Promise<ApiKeyRow | null> {
  return db
    .prepare(
      `INSERT INTO api_keys (id, account_id, name, mode, hash, start, created_at)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7
       WHERE (SELECT COUNT(*) FROM api_keys WHERE account_id = ?2 AND revoked_at IS NULL) < ?8
       RETURNING *`,
    )
    .bind(k.id, k.account_id, k.name, k.mode, k.hash, k.start, k.created_at, maxActive)
    .first<ApiKeyRow>();
}

/** Revokes one of the account's keys (a second revoke keeps the first time); null if it has no such key. */
export function revokeKey(db: D1Database, accountId: string, keyId: string, at: string): Promise<ApiKeyRow | null> {
  return db
    .prepare('UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?3) WHERE id = ?1 AND account_id = ?2 RETURNING *')
    .bind(keyId, accountId, at)
    .first<ApiKeyRow>();
}
