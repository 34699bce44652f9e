/**
 * ByteCache (src/lib/byte-cache.ts): one load per key, shared while in flight; least recently used
 * out first once the loaded bytes (with their keys and the per-entry overhead) pass the limit; a
 * load over a quarter of the limit handed back but not kept; a failed load forgotten.
 */
import { describe, expect, it } from 'vitest';
import { ByteCache } from '../../src/lib/byte-cache';
import { ENTRY_OVERHEAD_BYTES } from '../../src/lib/caches';

/** A loader that counts its calls per key and returns `size` bytes (of the key's first char code). */
function loader(size: number) {
  const calls = new Map<string, number>();
  const load = (key: string) => () => {
    calls.set(key, (calls.get(key) ?? 0) + 1);
    return Promise.resolve(new Uint8Array(size).fill(key.charCodeAt(0)));
  };
  return { load, calls: (key: string) => calls.get(key) ?? 0 };
}

/** What one entry of `size` bytes under a one-character key costs. */
const cost = (size: number) => size + 2 + ENTRY_OVERHEAD_BYTES;

describe('ByteCache', () => {
  it('loads a key once and answers the same bytes after', async () => {
    const cache = new ByteCache(10_000);
    const { load, calls } = loader(100);
    const first = await cache.get('a', load('a'));
    const second = await cache.get('a', load('a'));
    expect(second).toBe(first);
    expect(calls('a')).toBe(1);
    expect(cache.bytes).toBe(cost(100));
  });

  it('shares a load in flight: callers at the same time cause one read', async () => {
    const cache = new ByteCache(10_000);
    const { load, calls } = loader(10);
    const all = await Promise.all([cache.get('a', load('a')), cache.get('a', load('a')), cache.get('a', load('a'))]);
    expect(calls('a')).toBe(1);
    expect(new Set(all).size).toBe(1);
  });

  it.each<[string, string[], string[]]>([
    // room for four entries (each at most a quarter of the limit): a fifth pushes out the least recently used
    ['the oldest, untouched', ['a', 'b', 'c', 'd'], ['b', 'c', 'd', 'e']],
    ['not one just read', ['a', 'b', 'c', 'd', 'a'], ['a', 'c', 'd', 'e']],
  ])('over the limit, the least recently used goes: %s', async (_, before, kept) => {
    const cache = new ByteCache(cost(100) * 4);
    const { load, calls } = loader(100);
    for (const key of before) await cache.get(key, load(key));
    await cache.get('e', load('e'));
    expect(cache.bytes).toBe(cost(100) * 4);
    const keys = ['a', 'b', 'c', 'd', 'e'];
    const loadsBefore = keys.map(calls);
    for (const key of kept) await cache.get(key, load(key));
    // reading what it kept loads nothing again
    expect(keys.map(calls)).toEqual(loadsBefore);
  });

  it.each([
    ['a quarter of the limit', 250 - 2 - ENTRY_OVERHEAD_BYTES, true],
    ['a byte more', 251 - 2 - ENTRY_OVERHEAD_BYTES, false],
  ])('an entry of %s is kept: %s (it is handed back either way)', async (_, size, kept) => {
    const cache = new ByteCache(1_000);
    const { load, calls } = loader(size);
    expect(await cache.get('a', load('a'))).toHaveLength(size);
    await cache.get('a', load('a'));
    expect(calls('a')).toBe(kept ? 1 : 2);
    expect(cache.bytes).toBe(kept ? cost(size) : 0);
  });

  it('a failed load is not kept: its callers see the error, the next caller loads again', async () => {
    const cache = new ByteCache(10_000);
    let attempts = 0;
    const flaky = () => {
      attempts++;
      return attempts === 1 ? Promise.reject(new Error('R2 hiccup')) : Promise.resolve(new Uint8Array(3));
    };
    const [first, second] = await Promise.allSettled([cache.get('a', flaky), cache.get('a', flaky)]);
    expect(first).toMatchObject({ status: 'rejected', reason: new Error('R2 hiccup') });
    expect(second).toMatchObject({ status: 'rejected' });
    expect(attempts).toBe(1);
    expect(cache.bytes).toBe(0);
    expect(await cache.get('a', flaky)).toHaveLength(3);
    expect(attempts).toBe(2);
  });

  it('a load in flight is never evicted: a loaded entry goes instead, and the load stays shared', async () => {
    const cache = new ByteCache(cost(100) * 4);
    const { load, calls } = loader(100);
    let finish: (bytes: Uint8Array) => void = () => {};
    const slow = cache.get('s', () => new Promise<Uint8Array>((resolve) => (finish = resolve)));
    for (const key of ['a', 'b', 'c', 'd', 'e']) await cache.get(key, load(key));
    // 's' is the oldest, but still loading: 'a' went
    let again = 0;
    const joined = cache.get('s', () => {
      again++;
      return Promise.resolve(new Uint8Array(1));
    });
    expect(joined).toBe(slow);
    expect(again).toBe(0);
    await cache.get('b', load('b'));
    await cache.get('a', load('a'));
    expect([calls('a'), calls('b')]).toEqual([2, 1]);
    finish(new Uint8Array(100));
    expect(await slow).toHaveLength(100);
    expect(cache.bytes).toBeLessThanOrEqual(cost(100) * 4);
  });

  it('clear forgets everything', async () => {
    const cache = new ByteCache(10_000);
    const { load, calls } = loader(10);
    await cache.get('a', load('a'));
    cache.clear();
    expect(cache.bytes).toBe(0);
    await cache.get('a', load('a'));
    expect(calls('a')).toBe(2);
  });
});
