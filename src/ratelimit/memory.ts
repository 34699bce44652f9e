/**
 * The in-memory fallback for the rate limiter (no Redis configured): the same sliding-window
 * approximation @upstash/ratelimit computes in Redis — the previous fixed window's count, weighted
 * by how much of it still overlaps the sliding window, plus the current window's count.
 * Hand-written because the library has no in-memory backend; it is a dozen lines.
 */
import { BoundedMap } from '../lib/bounded-map';

export class MemoryWindow {
  private readonly counts: BoundedMap<string, number>;

  constructor(
    private readonly requests: number,
    private readonly windowMs: number,
  ) {
    // a window's count matters for two windows (as current, then as previous)
    this.counts = new BoundedMap(50_000, 2 * windowMs);
  }

  limit(identifier: string, at = Date.now()): { success: boolean; limit: number; remaining: number; reset: number } {
    const current = Math.floor(at / this.windowMs);
    const currentKey = `${identifier}:${current}`;
    const previous = this.counts.get(`${identifier}:${current - 1}`) ?? 0;
    const used = this.counts.get(currentKey) ?? 0;
    const overlap = 1 - (at % this.windowMs) / this.windowMs;
    const weighted = Math.floor(previous * overlap) + used;
    const reset = (current + 1) * this.windowMs;
    if (weighted >= this.requests) return { success: false, limit: this.requests, remaining: 0, reset };
    this.counts.set(currentKey, used + 1);
    return { success: true, limit: this.requests, remaining: this.requests - weighted - 1, reset };
  }
}
