/**
 * A small per-isolate memo: at most `maxEntries` (oldest evicted first) and each entry trusted
 * for `ttlMs`. Used only for facts that never change once true (a stored content-addressed
 * object, a finished render), so a stale entry can only be missing, never wrong — the TTL bounds
 * how long an object deleted out of band (an R2 lifecycle rule) could still be reported as there.
 *
 * With `bytes`, the memo is bounded by size too: `sizeOf` estimates what an entry holds (its key
 * included), the oldest go first while the total is over `maxBytes`, and an entry larger than
 * `maxEntryBytes` is not kept at all (the caller reads it again next time). With `name`, it is
 * listed in lib/caches.ts under that name.
 */
import { CACHE_BUDGETS, type CacheName, registerCache } from './caches';

export interface ByteBound<K, V> {
  /** Listed in lib/caches.ts under this name; its budget there is `maxBytes`. */
  name: CacheName;
  sizeOf: (key: K, value: V) => number;
  /** Default: an eighth of the budget, so one entry never flushes the rest. */
  maxEntryBytes?: number;
}

export class BoundedMap<K, V> {
  private readonly entries = new Map<K, { value: V; at: number; size: number }>();
  private total = 0;
  private readonly maxBytes: number;
  private readonly maxEntryBytes: number;

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
    private readonly bound?: ByteBound<K, V>,
  ) {
    this.maxBytes = bound ? CACHE_BUDGETS[bound.name].bytes : Number.POSITIVE_INFINITY;
    this.maxEntryBytes = bound?.maxEntryBytes ?? this.maxBytes / 8;
    if (bound)
      registerCache(
        bound.name,
        () => this.total,
        (max) => this.trimTo(max),
      );
  }

  /** Estimated bytes held (0 unless bounded by bytes). */
  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K, nowMs = Date.now()): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (nowMs - entry.at > this.ttlMs) {
      this.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: K, value: V, nowMs = Date.now()): void {
    this.delete(key);
    const size = this.bound ? this.bound.sizeOf(key, value) : 0;
    if (size > this.maxEntryBytes) return;
    this.entries.set(key, { value, at: nowMs, size });
    this.total += size;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.total <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.total -= entry.size;
    }
  }

  delete(key: K): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.total -= entry.size;
  }

  /** Drops the oldest entries until at most `maxBytes` are held (the isolate needs the room). */
  trimTo(maxBytes: number): void {
    for (const [oldest, entry] of this.entries) {
      if (this.total <= maxBytes) break;
      this.entries.delete(oldest);
      this.total -= entry.size;
    }
  }

  /** Forgets everything (tests start cold with it). */
  clear(): void {
    this.entries.clear();
    this.total = 0;
  }
}
