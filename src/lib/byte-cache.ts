/**
 * A per-isolate cache of loaded bytes (font slices, emoji, uploaded fonts), bounded by their total
 * size: least recently used entries go first. Loads in flight are shared (one read per key) and
 * never evicted; a failed load is forgotten, so the next caller tries again.
 */
export class ByteCache {
  private readonly entries = new Map<string, Promise<Uint8Array>>();
  private readonly sizes = new Map<string, number>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

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
          this.sizes.set(key, data.byteLength);
          this.bytes += data.byteLength;
          this.evict();
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

  private evict(): void {
    for (const key of this.entries.keys()) {
      if (this.bytes <= this.maxBytes) return;
      const size = this.sizes.get(key);
      if (size === undefined) continue; // still loading
      this.entries.delete(key);
      this.sizes.delete(key);
      this.bytes -= size;
    }
  }

  /** Forgets everything (tests start cold with it). */
  clear(): void {
    this.entries.clear();
    this.sizes.clear();
    this.bytes = 0;
  }
}
