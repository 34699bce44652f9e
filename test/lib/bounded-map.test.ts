/**
 * BoundedMap (src/lib/bounded-map.ts): entries trusted for their TTL, at most `maxEntries` of them
 * (the oldest written goes first), and with a byte bound, at most the budget of its name in
 * lib/caches.ts, an oversized entry not kept at all. Times are passed in, so nothing here waits.
 */
import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../src/lib/bounded-map';
import { CACHE_BUDGETS } from '../../src/lib/caches';

describe('BoundedMap: time to live', () => {
  it.each([
    ['just written', 0, 'v'],
    ['at its TTL exactly', 1_000, 'v'],
    ['one millisecond past its TTL', 1_001, undefined],
    ['long past', 60_000, undefined],
  ])('read %s → %s', (_, after, expected) => {
    const map = new BoundedMap<string, string>(10, 1_000);
    map.set('k', 'v', 5_000);
    expect(map.get('k', 5_000 + after)).toBe(expected);
  });

  it('an expired entry is dropped when read, and a rewrite starts its TTL again', () => {
    const map = new BoundedMap<string, string>(10, 1_000);
    map.set('old', 'a', 0);
    map.set('new', 'b', 0);
    expect(map.get('old', 2_000)).toBeUndefined();
    expect(map.size).toBe(1);
    map.set('new', 'c', 1_500);
    expect(map.get('new', 2_400)).toBe('c');
  });

  it('an unknown key is undefined', () => {
    expect(new BoundedMap<string, number>(1, 1).get('nothing')).toBeUndefined();
  });
});

describe('BoundedMap: at most maxEntries, the oldest written first out', () => {
  it.each<[string, string[], string[]]>([
    ['under the cap', ['a', 'b'], ['a', 'b']],
    ['one over', ['a', 'b', 'c', 'd'], ['b', 'c', 'd']],
    ['a rewrite makes a key the newest', ['a', 'b', 'c', 'a', 'd'], ['a', 'c', 'd']],
    ['the same key over and over', ['a', 'a', 'a', 'a'], ['a']],
  ])('%s: writes %j keep %j', (_, writes, kept) => {
    const map = new BoundedMap<string, string>(3, 60_000);
    for (const key of writes) map.set(key, key, 0);
    expect(['a', 'b', 'c', 'd'].filter((key) => map.get(key, 0) !== undefined)).toEqual(kept);
    expect(map.size).toBe(kept.length);
  });

  it('reading does not make an entry younger (first in, first out)', () => {
    const map = new BoundedMap<string, number>(2, 60_000);
    map.set('a', 1, 0);
    map.set('b', 2, 0);
    expect(map.get('a', 0)).toBe(1);
    map.set('c', 3, 0);
    expect(map.get('a', 0)).toBeUndefined();
    expect(map.get('b', 0)).toBe(2);
  });

  it('delete and clear forget', () => {
    const map = new BoundedMap<string, number>(5, 60_000);
    map.set('a', 1);
    map.set('b', 2);
    map.delete('a');
    map.delete('never there');
    expect(map.get('a')).toBeUndefined();
    expect(map.size).toBe(1);
    map.clear();
    expect(map.size).toBe(0);
    expect(map.get('b')).toBeUndefined();
  });
});

describe('BoundedMap: bounded by bytes', () => {
  // a budget of a known size; the map registers itself under this name (in this test's isolate)
  const name = 'throttled addresses';
  const budget = CACHE_BUDGETS[name].bytes;
  const bytes = (n: number) => 'x'.repeat(n);
  const bounded = (maxEntryBytes?: number) => new BoundedMap<string, string>(1_000_000, 60_000, { name, sizeOf: (_, value) => value.length, maxEntryBytes });

  it('counts what its entries hold, a rewrite replacing (not adding to) the old size, a delete subtracting it', () => {
    const map = bounded();
    map.set('a', bytes(100));
    map.set('b', bytes(250));
    expect(map.bytes).toBe(350);
    map.set('a', bytes(10));
    expect(map.bytes).toBe(260);
    map.delete('b');
    expect(map.bytes).toBe(10);
    map.clear();
    expect(map.bytes).toBe(0);
  });

  it.each([
    ['the default cap, an eighth of the budget', undefined, budget / 8],
    ['a cap of its own', 1_000, 1_000],
  ])('an entry over %s is not kept; one at it is', (_, maxEntryBytes, cap) => {
    const map = bounded(maxEntryBytes);
    map.set('over', bytes(cap + 1));
    expect(map.get('over')).toBeUndefined();
    expect(map.bytes).toBe(0);
    map.set('at', bytes(cap));
    expect(map.get('at')).toHaveLength(cap);
    expect(map.bytes).toBe(cap);
  });

  it('an oversized rewrite drops the old value too (a stale entry is never kept in its place)', () => {
    const map = bounded(1_000);
    map.set('k', bytes(10));
    map.set('k', bytes(1_001));
    expect(map.get('k')).toBeUndefined();
    expect(map.bytes).toBe(0);
  });

  it('over the budget, the oldest go first until the total fits', () => {
    const map = bounded();
    const entry = budget / 8;
    for (let i = 0; i < 8; i++) map.set(`k${i}`, bytes(entry));
    expect(map.bytes).toBe(budget);
    expect(map.size).toBe(8);
    map.set('k8', bytes(entry));
    expect(map.bytes).toBe(budget);
    expect(map.get('k0')).toBeUndefined();
    expect(map.get('k1')).toHaveLength(entry);
    map.set('small', bytes(1));
    // one byte over: the next-oldest whole entry goes
    expect(map.get('k1')).toBeUndefined();
    expect(map.bytes).toBe(budget - entry + 1);
  });

  it('without a byte bound, sizes are not counted', () => {
    const map = new BoundedMap<string, string>(10, 60_000);
    map.set('a', bytes(1_000_000));
    expect(map.bytes).toBe(0);
    expect(map.get('a')).toHaveLength(1_000_000);
  });
});
