/**
 * Who an API key belongs to, remembered per isolate (issue 17), so a warm key costs no D1 read.
 *
 * An entry is the owner row a D1 lookup (`findKeyOwner`) returned, with when that lookup started.
 * Stale-while-revalidate with a hard bound, by that age:
 * - under FRESH_MS (5 s): served as is;
 * - FRESH_MS to MAX_AGE_MS (5–10 s): served, and looked up again in the background (the caller hands
 *   `revalidate` to waitUntil), one lookup at a time per key; its answer replaces the entry, or
 *   removes it when the key is gone;
 * - past MAX_AGE_MS (10 s), or looked up for another quota period: not served; the request waits
 *   for D1. Until HINT_MS (5 min) after its lookup the entry still says two things that need no
 *   precision: the plan the limiter's policy starts from before D1 answers (the plan hint), and
 *   that the key authenticated here lately (the exception to the failed-auth throttle).
 *
 * Only live keys are kept: a lookup that finds no key (unknown, revoked) removes the entry. So a key
 * revoked anywhere is refused everywhere at most MAX_AGE_MS after the revocation (an entry is at
 * most that old when served, and was read before it), and at once in the isolate that revoked it:
 * the revoke path calls `forgetKey`. A lookup that was under way when a key was forgotten here may
 * have read it before the revocation, so it stores nothing: every forget bumps an epoch, and a
 * lookup that started under an older one only ever removes.
 *
 * Everything else an entry says is as old as its lookup, at most MAX_AGE_MS when served: the plan
 * (so the rate-limit policy) and the monthly quota after a plan change, and `used`, the account's
 * usage this period as it was at the lookup (headers may show it up to 10 s behind; a render's
 * quota unit is reserved in D1 whatever it says). Key ids, modes and accounts never change.
 *
 * The class is generic over what a lookup returns: the og route keeps its URL-signing keys in one
 * too (og/signing-keys.ts), keyed by `kid`, under the same rules.
 */
import type { KeyOwnerRow } from '../db/accounts';
import { BoundedMap } from '../lib/bounded-map';
import { ENTRY_OVERHEAD_BYTES, stringBytes } from '../lib/caches';

/** What an entry must say at least: the plan its rate-limit policy comes from. */
export interface Owner {
  plan: string;
}

/** Served as is while younger than this. */
export const FRESH_MS = 5_000;
/** Never served older than this: the bound on a revocation elsewhere, or a plan change. */
export const MAX_AGE_MS = 10_000;
/** Kept this long after its lookup for the plan hint and the failed-auth exception. */
export const HINT_MS = 5 * 60_000;

export interface KeyEntry<T extends Owner = KeyOwnerRow> {
  owner: T;
  /** The quota period `owner.used` counts. */
  period: string;
  /** When the lookup behind it started (epoch ms). */
  fetchedAt: number;
  /** A background lookup of this entry is under way. */
  revalidating: boolean;
}

/**
 * What the cache can say about a key: an owner to serve (and whether this caller revalidates it),
 * or none (wait for D1); and the plan the rate-limit check may start under, when it knows one.
 */
export type KeyLookup<T extends Owner = KeyOwnerRow> = { owner: T; revalidate: boolean; plan: string } | { owner: null; plan: string | undefined };

/** A lookup in progress: the epoch and time it started under. */
export interface LookupTicket {
  epoch: number;
  at: number;
}

export class KeyCache<T extends Owner = KeyOwnerRow> {
  private epoch = 0;

  constructor(private readonly entries: BoundedMap<string, KeyEntry<T>>) {}

  /**
   * The owner to serve for `hash` in `period` at `at`, or none (wait for D1) with the plan hint.
   * An answer with `revalidate` makes its caller the one to revalidate the entry.
   */
  lookup(hash: string, period: string, at = Date.now()): KeyLookup<T> {
    const entry = this.entries.get(hash, at);
    if (!entry) return { owner: null, plan: undefined };
    const age = at - entry.fetchedAt;
    if (entry.period !== period || age > MAX_AGE_MS || age < 0) return { owner: null, plan: entry.owner.plan };
    if (age < FRESH_MS || entry.revalidating) return { owner: entry.owner, revalidate: false, plan: entry.owner.plan };
    entry.revalidating = true;
    return { owner: entry.owner, revalidate: true, plan: entry.owner.plan };
  }

  /** Whether `hash` authenticated in this isolate within HINT_MS (and was not found gone since). */
  seen(hash: string, at = Date.now()): boolean {
    return this.entries.get(hash, at) !== undefined;
  }

  /** Call before a D1 lookup whose answer goes to `settle`. */
  begin(at = Date.now()): LookupTicket {
    return { epoch: this.epoch, at };
  }

  /** What a D1 lookup started with `ticket` found: the owner is kept, a key not found is dropped. */
  settle(hash: string, period: string, owner: T | null, ticket: LookupTicket): void {
    if (!owner) {
      this.entries.delete(hash);
      return;
    }
    // a key was forgotten here while this lookup was under way: it may have read it unrevoked
    if (ticket.epoch !== this.epoch) return;
    const current = this.entries.get(hash, ticket.at);
    // an answer older than the entry's own lookup says nothing newer
    if (current && current.fetchedAt > ticket.at) return;
    this.entries.set(hash, { owner, period, fetchedAt: ticket.at, revalidating: false }, ticket.at);
  }

  /**
   * Looks `hash` up again through `find` (after `lookup` answered `revalidate`). Never throws: a
   * failed lookup leaves the entry to age past MAX_AGE_MS, when a request waits for D1.
   */
  async revalidate(hash: string, period: string, find: () => Promise<T | null>, at = Date.now()): Promise<void> {
    const entry = this.entries.get(hash, at);
    const ticket = this.begin(at);
    try {
      this.settle(hash, period, await find(), ticket);
    } catch (err) {
      console.error('key cache: revalidating a key failed; the first request past its 10 s waits for D1', err);
    } finally {
      // an entry the answer replaced is gone anyway; one it left (a failure, a forget) may try again
      if (entry) entry.revalidating = false;
    }
  }

  /** Drops `hash` at once (it was revoked here), and keeps lookups under way from writing it back. */
  forget(hash: string): void {
    this.epoch += 1;
    this.entries.delete(hash);
  }
}

export const entryBytes = (hash: string, entry: KeyEntry<Owner>): number =>
  stringBytes(hash) + stringBytes(JSON.stringify(entry.owner)) + stringBytes(entry.period) + 16 + ENTRY_OVERHEAD_BYTES;

/** This isolate's key owners (~500 bytes a key: about 2,000 keys in its 1 MB). */
export const keyOwners = new KeyCache(new BoundedMap<string, KeyEntry>(10_000, HINT_MS, { name: 'API key owners', sizeOf: entryBytes }));

/** A key was revoked in this isolate: it is refused from the next request on. */
export function forgetKey(hash: string): void {
  keyOwners.forget(hash);
}
