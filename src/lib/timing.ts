/**
 * Server-Timing: where a request's time went (validate, cache lookup, render, store, db), sent
 * as a `Server-Timing` header so callers and the benchmark can see it without a profiler.
 */
export class Timings {
  private readonly entries: { name: string; ms: number }[] = [];

  async measure<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.entries.push({ name, ms: performance.now() - t0 });
    }
  }

  get empty(): boolean {
    return this.entries.length === 0;
  }

  header(): string {
    return this.entries.map((e) => `${e.name};dur=${e.ms.toFixed(1)}`).join(', ');
  }
}
