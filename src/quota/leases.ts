/**
 * Quota leases: how a sync image render charges its unit without waiting on D1 (issue 17).
 *
 * The monthly quota lives in D1 (`usage`), one region away from most callers. Instead of a
 * reservation per render, an isolate reserves a block of an account's units in one statement
 * (db/leases.ts `grantLease`) and spends it locally, one unit per render, with no round trip. The
 * block is a 1/LEASE_DIVISOR share of what the month has left, at most LEASE_MAX_BLOCK: far from the
 * quota edge a lease covers many renders (and the next one is fetched in the background when this
 * one runs low, so the answer never waits for it); near the edge blocks shrink to one unit, so
 * every render there is a reservation of its own and the quota stays exact (999 of 1,000 used and
 * 200 concurrent renders: exactly one gets through). Concurrent takers in one isolate share one grant.
 *
 * A render that fails gives its unit back to the lease. A lease is spent from until LEASE_TTL_MS
 * after its grant; then (or when it runs out) it is retired and, once its renders have all been
 * recorded (jobs/record-log.ts), settled: `usage` gets back its units minus those the render records
 * charged. A lease whose isolate died is settled by the cron sweep after LEASE_GRACE_MS. So units
 * sit reserved in a lease for at most about a minute (five, when the isolate died, until the sweep
 * runs); GET /usage subtracts what outstanding leases have not spent.
 *
 * The cost: with several isolates, the last units of a month may be held unspent by one isolate's
 * lease while another refuses a render (`quota_exceeded`); they come back within LEASE_TTL_MS. Near
 * the edge blocks are single units, so at most a handful of units can be held that way.
 */
import { grantLease, settleLease } from '../db/leases';
import { newId } from '../lib/ids';
import { offThePath } from '../lib/region';
import { now } from '../lib/time';
import type { QuotaState } from './index';

/** How long after its grant a lease is spent from. */
export const LEASE_TTL_MS = 30_000;
/** How long after a lease lapsed the sweep waits before settling it (its last records land first). */
export const LEASE_GRACE_MS = 60_000;
/** A lease takes this share (1/n) of what the month has left… */
export const LEASE_DIVISOR = 20;
/** …and at most this many units. */
export const LEASE_MAX_BLOCK = 50;
/** A lease this close to its end is not spent from (a render started now still finishes inside it). */
const END_MARGIN_MS = 2_000;

interface Lease {
  id: string;
  units: number;
  taken: number;
  /** usage.used without this lease, as the grant saw it: what the quota headers count from. */
  baseUsed: number;
  expiresAt: number;
  /** Renders charged to it whose records have not landed yet. */
  open: number;
  retired: boolean;
  settling?: Promise<void>;
}

interface Slot {
  /** Units charged here (from any of its leases) whose records have not landed yet. */
  unrecorded: number;
  current?: Lease;
  next?: Lease;
  granting?: Promise<Lease | null>;
}

export interface Owner {
  accountId: string;
  monthlyQuota: number;
  period: { period: string };
}

export interface Charge {
  leaseId: string;
  /** The account's quota as this isolate knows it after the charge (an estimate between grants). */
  quota: QuotaState;
  /** The render failed: its units go back to the lease. Call before `recorded`. */
  refund(): void;
  /** The render's record was handed to the record log; `written` settles when it has landed. */
  recorded(written: Promise<unknown>): void;
}

/**
 * `account:period` → that account's leases in this isolate. State, not a cache (a memory trim must
 * not drop it), so a plain Map: at most MAX_SLOTS accounts (a few hundred bytes each), the one
 * unseen longest dropped first — its leases are then the sweep's to settle.
 */
const slots = new Map<string, Slot>();
const MAX_SLOTS = 10_000;

type Background = (work: Promise<unknown>) => void;

function usable(lease: Lease | undefined, units: number, at: number): lease is Lease {
  return lease !== undefined && !lease.retired && at < lease.expiresAt - END_MARGIN_MS && lease.units - lease.taken >= units;
}

function settleWhenDrained(db: D1Database, lease: Lease, background: Background): void {
  if (!lease.retired || lease.open > 0 || lease.settling) return;
  lease.settling = offThePath(() => settleLease(db, lease.id)).catch((err) => {
    // the sweep settles it once it has lapsed
    console.error(`settling quota lease ${lease.id} failed`, err);
  });
  background(lease.settling);
}

function retire(db: D1Database, lease: Lease | undefined, background: Background): void {
  if (!lease) return;
  lease.retired = true;
  settleWhenDrained(db, lease, background);
}

async function grant(db: D1Database, owner: Owner, units: number): Promise<Lease | null> {
  const at = now();
  const id = newId('qls');
  const granted = await grantLease(db, {
    id,
    accountId: owner.accountId,
    period: owner.period.period,
    need: units,
    limit: owner.monthlyQuota,
    maxBlock: LEASE_MAX_BLOCK,
    divisor: LEASE_DIVISOR,
    now: at,
    expiresAt: at + LEASE_TTL_MS,
  });
  if (!granted) return null;
  return { id, units: granted.units, taken: 0, baseUsed: granted.used - granted.units, expiresAt: at + LEASE_TTL_MS, open: 0, retired: false };
}

/**
 * Charges `units` to the owner's quota from a lease of this isolate, granting one (one D1 batch)
 * when none has room. Null when the month cannot cover them: the caller answers `quota_exceeded`.
 */
export async function chargeUnits(db: D1Database, owner: Owner, units: number, background: Background): Promise<Charge | null> {
  const key = `${owner.accountId}:${owner.period.period}`;
  let slot = slots.get(key);
  if (slot) {
    slots.delete(key); // re-inserted: the Map's order is least recently used first
  } else {
    slot = { unrecorded: 0 };
    const oldest = slots.size >= MAX_SLOTS ? slots.keys().next() : undefined;
    if (oldest && !oldest.done) slots.delete(oldest.value);
  }
  slots.set(key, slot);
  // a bounded number of rounds: each either charges, or waits for a grant that another taker may empty
  for (let round = 0; round < 8; round++) {
    const at = now();
    if (!usable(slot.current, units, at) && usable(slot.next, units, at)) {
      retire(db, slot.current, background);
      slot.current = slot.next;
      slot.next = undefined;
    }
    const lease = slot.current;
    if (usable(lease, units, at)) {
      lease.taken += units;
      lease.open += 1;
      slot.unrecorded += units;
      prefetch(db, owner, slot, lease, units, background);
      return chargeOf(db, slot, lease, units, owner, background);
    }
    retire(db, slot.current, background);
    slot.current = undefined;
    const target = slot;
    target.granting ??= grant(db, owner, units).finally(() => {
      target.granting = undefined;
    });
    const granted = await target.granting;
    if (!granted) return null;
    // the first waiter to wake installs it; the others find it installed (or already spent)
    if (slot.current !== granted && !usable(slot.current, units, now())) {
      retire(db, slot.current, background);
      slot.current = granted;
    } else if (slot.current !== granted) {
      retire(db, granted, background);
    }
  }
  return null;
}

/** Fetches the next lease in the background when this one runs low, far from the quota edge only. */
function prefetch(db: D1Database, owner: Owner, slot: Slot, lease: Lease, units: number, background: Background): void {
  const left = lease.units - lease.taken;
  if (lease.units <= 1 || left > Math.max(1, Math.floor(lease.units / 4)) || slot.next || slot.granting) return;
  const fetching = offThePath(() => grant(db, owner, units))
    .then((next) => {
      if (next) slot.next = next;
      return next;
    })
    .catch((err) => {
      console.error('fetching the next quota lease failed', err);
      return null;
    })
    .finally(() => {
      slot.granting = undefined;
    });
  slot.granting = fetching;
  background(fetching);
}

function chargeOf(db: D1Database, slot: Slot, lease: Lease, units: number, owner: Owner, background: Background): Charge {
  let refunded = false;
  return {
    leaseId: lease.id,
    quota: { limit: owner.monthlyQuota, used: Math.min(owner.monthlyQuota, lease.baseUsed + lease.taken) },
    refund() {
      if (refunded) return;
      refunded = true;
      lease.taken -= units;
      slot.unrecorded -= units;
    },
    recorded(written) {
      const done = written
        .catch(() => {})
        .then(() => {
          lease.open -= 1;
          if (!refunded) slot.unrecorded -= units;
          settleWhenDrained(db, lease, background);
          return lease.settling;
        });
      background(done);
    },
  };
}

/**
 * Units this isolate charged to the account in `period` whose records have not landed in D1 yet:
 * what GET /usage adds to D1's count, so a caller sees its own render at once. Read it after D1.
 */
export function unrecordedUnits(accountId: string, period: string): number {
  return slots.get(`${accountId}:${period}`)?.unrecorded ?? 0;
}

/** Drops this isolate's leases (of one account, or all) without settling them: as if the isolate died (tests). */
export function forgetLeases(accountId?: string): void {
  if (accountId === undefined) {
    slots.clear();
    return;
  }
  for (const key of [...slots.keys()]) if (key.startsWith(`${accountId}:`)) slots.delete(key);
}

/**
 * The account's quota as this isolate sees it: from its lease when it holds one (what the grant
 * saw, plus what it spent since), else `used` as read with the key.
 */
export function quotaSeen(owner: Owner & { used: number }): QuotaState {
  const lease = slots.get(`${owner.accountId}:${owner.period.period}`)?.current;
  const used = lease && !lease.retired ? lease.baseUsed + lease.taken : owner.used;
  return { limit: owner.monthlyQuota, used: Math.min(owner.monthlyQuota, used) };
}
