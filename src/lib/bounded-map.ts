/**
 * A small per-isolate memo: at most `maxEntries` (oldest evicted first) and each entry trusted
 * for `ttlMs`. Used only for facts that never change once true (a stored content-addressed
 * object, a finished render), so a stale entry can only be missing, never wrong — the TTL bounds
 * how long an object deleted out of band (an R2 lifecycle rule) could still be reported as there.
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, { value: V; at: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
  ) {}

  get(key: K, nowMs = Date.now()): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (nowMs - entry.at > this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: K, value: V, nowMs = Date.now()): void {
    this.entries.delete(key);
    this.entries.set(key, { value, at: nowMs });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }
}
