/**
 * The key cache's policy (src/auth/key-cache.ts), with the clock passed in: served as is under 5 s,
 * served and revalidated once at a time from 5 to 10 s, never served past 10 s (the plan hint and
 * the failed-auth exception stay 5 min), only live keys kept, and a key forgotten here never written
 * back by a lookup that was under way. Nothing here waits; the real-time checks are in middleware.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { FRESH_MS, HINT_MS, KeyCache, type KeyEntry, MAX_AGE_MS } from '../../src/auth/key-cache';
import type { KeyOwnerRow } from '../../src/db/accounts';
import { BoundedMap } from '../../src/lib/bounded-map';

const PERIOD = '2026-11';
const T0 = 1_000_000;
const owner = (plan = 'free', used = 0): KeyOwnerRow => ({ key_id: 'key_1', mode: 'live', account_id: 'acc_1', plan, monthly_quota: 1000, used });

/** A cache holding `hash` as looked up at T0. */
function warm(hash = 'h'): KeyCache {
  const cache = new KeyCache(new BoundedMap<string, KeyEntry>(100, HINT_MS));
  cache.settle(hash, PERIOD, owner(), cache.begin(T0));
  return cache;
}

describe('KeyCache: the age bands', () => {
  it.each([
    ['just looked up', 0, 'served'],
    ['just under 5 s', FRESH_MS - 1, 'served'],
    ['at 5 s', FRESH_MS, 'served, revalidate'],
    ['at 10 s exactly', MAX_AGE_MS, 'served, revalidate'],
    ['1 ms past 10 s', MAX_AGE_MS + 1, 'wait, hint free'],
    ['4 min later', 4 * 60_000, 'wait, hint free'],
    ['past 5 min', HINT_MS + 1, 'wait, no hint'],
  ])('%s → %s', (_, age, expected) => {
    const cache = warm();
    const found = cache.lookup('h', PERIOD, T0 + age);
    const said = found.owner ? (found.revalidate ? 'served, revalidate' : 'served') : found.plan ? `wait, hint ${found.plan}` : 'wait, no hint';
    expect(said).toBe(expected);
    expect(cache.seen('h', T0 + age)).toBe(age <= HINT_MS);
  });

  it('an entry from another quota period is not served (its `used` counts another month); its plan is still a hint', () => {
    expect(warm().lookup('h', '2026-12', T0 + 1)).toEqual({ owner: null, plan: 'free' });
  });

  it('an unseen key: wait for D1, no hint', () => {
    expect(warm().lookup('other', PERIOD, T0)).toEqual({ owner: null, plan: undefined });
  });
});

describe('KeyCache: revalidation', () => {
  it('one at a time per key: the first caller in 5–10 s revalidates, the others are served meanwhile', async () => {
    const cache = warm();
    expect(cache.lookup('h', PERIOD, T0 + 6_000)).toMatchObject({ revalidate: true });
    expect(cache.lookup('h', PERIOD, T0 + 6_001)).toMatchObject({ revalidate: false });
    let answer: (o: KeyOwnerRow | null) => void = () => {};
    const lookups: number[] = [];
    const running = cache.revalidate(
      'h',
      PERIOD,
      () => {
        lookups.push(1);
        return new Promise((resolve) => {
          answer = resolve;
        });
      },
      T0 + 6_000,
    );
    expect(cache.lookup('h', PERIOD, T0 + 7_000)).toMatchObject({ owner: owner(), revalidate: false });
    answer(owner('pro', 7));
    await running;
    expect(lookups).toHaveLength(1);
    // the answer is the entry now, aged from when its lookup started
    expect(cache.lookup('h', PERIOD, T0 + 6_000 + FRESH_MS - 1)).toEqual({ owner: owner('pro', 7), revalidate: false, plan: 'pro' });
    expect(cache.lookup('h', PERIOD, T0 + 6_000 + MAX_AGE_MS + 1)).toEqual({ owner: null, plan: 'pro' });
  });

  it('a revalidation that finds the key gone removes it: the next request waits for D1, and it is no longer "seen"', async () => {
    const cache = warm();
    cache.lookup('h', PERIOD, T0 + 6_000);
    await cache.revalidate('h', PERIOD, async () => null, T0 + 6_000);
    expect(cache.lookup('h', PERIOD, T0 + 6_001)).toEqual({ owner: null, plan: undefined });
    expect(cache.seen('h', T0 + 6_001)).toBe(false);
  });

  it('a failed revalidation leaves the entry to age out, and lets a later request try again', async () => {
    const cache = warm();
    cache.lookup('h', PERIOD, T0 + 6_000);
    await cache.revalidate('h', PERIOD, () => Promise.reject(new Error('D1 down')), T0 + 6_000);
    expect(cache.lookup('h', PERIOD, T0 + 7_000)).toMatchObject({ revalidate: true });
    expect(cache.lookup('h', PERIOD, T0 + MAX_AGE_MS + 1).owner).toBeNull();
  });
});

describe('KeyCache: what is kept', () => {
  it('a lookup that finds no key (unknown, revoked) stores nothing and drops what was there', () => {
    const cache = warm();
    cache.settle('unknown', PERIOD, null, cache.begin(T0));
    expect(cache.seen('unknown', T0)).toBe(false);
    cache.settle('h', PERIOD, null, cache.begin(T0 + 1));
    expect(cache.lookup('h', PERIOD, T0 + 2).owner).toBeNull();
  });

  it('forget drops the key at once, and a lookup under way when it was forgotten does not write it back', () => {
    const cache = warm();
    const under = cache.begin(T0 + 100); // a request's lookup, started before the revoke …
    cache.forget('h'); // … the revoke here …
    cache.settle('h', PERIOD, owner(), under); // … then that lookup answers with what it read before
    expect(cache.lookup('h', PERIOD, T0 + 200)).toEqual({ owner: null, plan: undefined });
    // a lookup started after the forget is stored again (a key that is live elsewhere)
    cache.settle('h', PERIOD, owner(), cache.begin(T0 + 300));
    expect(cache.lookup('h', PERIOD, T0 + 301).owner).toEqual(owner());
  });

  it('an answer older than the entry does not replace it', () => {
    const cache = warm();
    const older = cache.begin(T0 - 50);
    cache.settle('h', PERIOD, owner('pro'), older);
    expect(cache.lookup('h', PERIOD, T0 + 1).plan).toBe('free');
  });
});
