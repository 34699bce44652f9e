/**
 * Accounts and their API keys: sign-up (an account with a live and a test key), creating,
 * listing and revoking keys, and the account's usage this period. Keys leave this module in
 * plain text only once, in the result that creates them.
 */
import { forgetKey } from '../auth/key-cache';
import { generateKey, hashKey, type KeyMode, keyStart } from '../auth/keys';
import { type AccountRow, type ApiKeyRow, getAccount, insertAccountWithKeys, insertKeyWithin, listKeys, revokeKey } from '../db/accounts';
import { getUsed } from '../db/usage';
import { ProblemError } from '../errors/problem';
import { newId } from '../lib/ids';
import { isoNow } from '../lib/time';
import { unrecordedUnits } from '../quota/leases';
import { currentPeriod } from '../quota/period';
import { type Plan, planFor, SIGNUP_PLAN } from '../quota/plans';

/** Unrevoked keys an account may hold at once. */
export const MAX_ACTIVE_KEYS = 20;

export interface NewKey {
  row: ApiKeyRow;
  /** The key itself: shown once, never stored. */
  key: string;
}

async function newKey(accountId: string, name: string, mode: KeyMode, createdAt: string): Promise<NewKey> {
  const key = generateKey(mode);
  return {
    key,
    row: { id: newId('key'), account_id: accountId, name, mode, hash: await hashKey(key), start: keyStart(key), created_at: createdAt, revoked_at: null },
  };
}

export async function signUp(db: D1Database, email: string, plans: Record<string, Plan>): Promise<{ account: AccountRow; live: NewKey; test: NewKey }> {
  const createdAt = isoNow();
  const account: AccountRow = {
    id: newId('acc'),
    email: email.trim().toLowerCase(),
    plan: SIGNUP_PLAN,
    monthly_quota: planFor(plans, SIGNUP_PLAN).monthly_quota,
    created_at: createdAt,
  };
  const live = await newKey(account.id, 'Default live key', 'live', createdAt);
  const test = await newKey(account.id, 'Default test key', 'test', createdAt);
  if (!(await insertAccountWithKeys(db, account, [live.row, test.row]))) {
    throw new ProblemError('email_taken', 'An account with this email exists already.', { errors: [{ path: 'email', message: 'is already registered' }] });
  }
  return { account, live, test };
}

export async function createKey(db: D1Database, accountId: string, name: string, mode: KeyMode): Promise<NewKey> {
  const created = await newKey(accountId, name, mode, isoNow());
  const row = await insertKeyWithin(db, created.row, MAX_ACTIVE_KEYS);
  if (!row) throw new ProblemError('key_limit_reached', `An account may hold ${MAX_ACTIVE_KEYS} active keys; revoke one first.`);
  return { key: created.key, row };
}

export function accountKeys(db: D1Database, accountId: string): Promise<ApiKeyRow[]> {
  return listKeys(db, accountId);
}

/**
 * Revokes a key of the account: refused from the next request on in this isolate (its cached owner
 * is dropped), within 10 s in every other (auth/key-cache.ts). Another account's key is "not found".
 */
export async function revokeAccountKey(db: D1Database, accountId: string, keyId: string): Promise<ApiKeyRow> {
  const row = keyId.startsWith('key_') ? await revokeKey(db, accountId, keyId, isoNow()) : null;
  if (!row) throw new ProblemError('key_not_found', `No API key "${keyId}"`);
  forgetKey(row.hash);
  return row;
}

export async function accountById(db: D1Database, accountId: string): Promise<AccountRow> {
  const account = await getAccount(db, accountId);
  if (!account) throw new ProblemError('not_found', 'Account not found');
  return account;
}

export interface Usage {
  period: string;
  limit: number;
  used: number;
  remaining: number;
  resets_at: string;
}

export async function usageOf(db: D1Database, accountId: string, limit: number, at = Date.now()): Promise<Usage> {
  const { period, resetsAt } = currentPeriod(at);
  // D1's count, then what this isolate charged whose records have not landed yet (quota/leases.ts)
  const used = (await getUsed(db, accountId, period)) + unrecordedUnits(accountId, period);
  return { period, limit, used, remaining: Math.max(0, limit - used), resets_at: new Date(resetsAt).toISOString() };
}
