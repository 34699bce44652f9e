/**
 * URL-signing keys: an account's secrets for signing its own og:image URLs (README "Signed og:image
 * URLs"). A key is `usk_<ULID>` (the URLs' `kid`) with a secret `usksec_<43 base64url>` (256 random
 * bits) shown once, when created. The server keeps the secret itself (an HMAC needs it, as webhook
 * secrets do). At most MAX_ACTIVE_SIGNING_KEYS unrevoked; rotating is creating a new key, moving
 * the site to it, and deleting the old one — old links keep working until that delete.
 *
 * What a `kid` resolves to is remembered per isolate by the API keys' own cache (auth/key-cache.ts:
 * served under 10 s old, revalidated in the background after 5 s), and read from the nearest D1
 * replica when it must be read, so an og hit waits for no round trip to the primary region. A key
 * deleted through this isolate is refused here at once (and for a minute without asking a replica,
 * which may not have seen the delete yet); elsewhere within 10 s of the replica seeing it.
 */
import { Buffer } from 'node:buffer';
import { entryBytes, HINT_MS, KeyCache, type Owner } from '../auth/key-cache';
import {
  findSigningKeyOwner,
  insertSigningKeyWithin,
  listSigningKeys,
  revokeSigningKey,
  type SigningKeyOwnerRow,
  type SigningKeyRow,
} from '../db/signing-keys';
import { ProblemError } from '../errors/problem';
import { BoundedMap } from '../lib/bounded-map';
import { newId } from '../lib/ids';
import { isoNow } from '../lib/time';

export const MAX_ACTIVE_SIGNING_KEYS = 10;

export interface NewSigningKey {
  row: SigningKeyRow;
  /** The secret, shown once. */
  secret: string;
}

export async function createSigningKey(db: D1Database, accountId: string, name: string): Promise<NewSigningKey> {
  const secret = `usksec_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')}`;
  const row = await insertSigningKeyWithin(
    db,
    { id: newId('usk'), account_id: accountId, name, secret, start: secret.slice(0, 11), created_at: isoNow(), revoked_at: null },
    MAX_ACTIVE_SIGNING_KEYS,
  );
  if (!row) throw new ProblemError('signing_key_limit_reached', `An account may hold ${MAX_ACTIVE_SIGNING_KEYS} active URL-signing keys; delete one first.`);
  return { row, secret };
}

export function accountSigningKeys(db: D1Database, accountId: string): Promise<SigningKeyRow[]> {
  return listSigningKeys(db, accountId);
}

/** Revokes one of the account's keys: its URLs are refused from the next request here, within 10 s everywhere. */
export async function deleteSigningKey(db: D1Database, accountId: string, id: string): Promise<SigningKeyRow> {
  const row = id.startsWith('usk_') ? await revokeSigningKey(db, accountId, id, isoNow()) : null;
  if (!row) throw new ProblemError('signing_key_not_found', `No URL-signing key "${id}"`);
  signingKeys.forget(id);
  // a replica may not have seen the delete yet: this isolate does not ask one about this key for a while
  if (deletedHere.size > 1000) deletedHere.clear();
  deletedHere.set(id, Date.now() + DELETED_KEPT_MS);
  return row;
}

/** How long a key deleted through this isolate is refused here without asking D1 (longer than a replica's lag). */
const DELETED_KEPT_MS = 60_000;
const deletedHere = new Map<string, number>();

type SigningKeyOwner = SigningKeyOwnerRow & Owner;

/** This isolate's signing keys by kid. */
const signingKeys = new KeyCache<SigningKeyOwner>(
  new BoundedMap<string, { owner: SigningKeyOwner; period: string; fetchedAt: number; revalidating: boolean }>(4_000, HINT_MS, {
    name: 'URL-signing keys',
    sizeOf: entryBytes,
  }),
);

/**
 * The unrevoked key `kid` with its account's plan and spend in `period`, or null. `background`
 * takes the revalidation of an entry 5–10 s old (the request does not wait for it).
 */
export async function signingKeyOwner(
  db: D1Database,
  kid: string,
  period: string,
  background: (work: () => Promise<unknown>) => void,
): Promise<SigningKeyOwnerRow | null> {
  const deleted = deletedHere.get(kid);
  if (deleted !== undefined && deleted > Date.now()) return null;
  const find = () => findSigningKeyOwner(db, kid, period);
  const known = signingKeys.lookup(kid, period);
  if (known.owner) {
    if (known.revalidate) background(() => signingKeys.revalidate(kid, period, find));
    return known.owner;
  }
  const ticket = signingKeys.begin();
  const owner = await find();
  signingKeys.settle(kid, period, owner, ticket);
  return owner;
}

/** Whether `kid` was found in this isolate lately (a throttled address may still use a key it has used). */
export function signingKeySeen(kid: string): boolean {
  return signingKeys.seen(kid);
}
