/**
 * A per-isolate cache of loaded bytes (font slices, emoji, uploaded fonts), bounded by their total
 * size (its budget in lib/caches.ts): least recently used entries go first. Loads in flight are
 * shared (one read per key) and never evicted; a failed load is forgotten, so the next caller tries
 * again. A loaded entry larger than a quarter of the budget is handed back but not kept.
 */
import { CACHE_BUDGETS, type CacheName, ENTRY_OVERHEAD_BYTES, registerCache, stringBytes } from './caches';

export class ByteCache {
  private readonly entries = new Map<string, Promise<Uint8Array>>();
  private readonly sizes = new Map<string, number>();
  private total = 0;
  private readonly maxBytes: number;

  /** A name from lib/caches.ts (its budget, and listed there), or a bare byte limit (unlisted). */
  constructor(limit: CacheName | number) {
    this.maxBytes = typeof limit === 'number' ? limit : CACHE_BUDGETS[limit].bytes;
    if (typeof limit !== 'number')
      registerCache(
        limit,
        () => this.total,
        (max) => this.evict(max),
      );
  }

  /** Estimated bytes held: the loaded bytes, their keys and the entries. */
  get bytes(): number {
    return this.total;
  }

  get(key: string, load: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const hit = this.entries.get(key);
    if (hit) {
      // most recently used last
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const loading = load().then(
      (data) => {
        if (this.entries.get(key) === loading) {
          const size = data.byteLength + stringBytes(key) + ENTRY_OVERHEAD_BYTES;
          if (size > this.maxBytes / 4) {
            this.entries.delete(key);
          } else {
            this.sizes.set(key, size);
            this.total += size;
            this.evict();
          }
        }
        return data;
      },
      (err) => {
        if (this.entries.get(key) === loading) this.entries.delete(key);
        throw err;
      },
    );
    this.entries.set(key, loading);
    return loading;
  }

  /** Drops the least recently used loaded entries until at most `maxBytes` (default: the budget) are held. */
  evict(maxBytes = this.maxBytes): void {
    for (const key of this.entries.keys()) {
      if (this.total <= maxBytes) return;
      const size = this.sizes.get(key);
      if (size === undefined) continue; // still loading
      this.entries.delete(key);
      this.sizes.delete(key);
      this.total -= size;
    }
  }

  /** Forgets everything (tests start cold with it). */
  clear(): void {
    this.entries.clear();
    this.sizes.clear();
    this.total = 0;
  }
}
