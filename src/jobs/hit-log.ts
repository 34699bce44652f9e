/**
 * Records of cache hits, written to D1 in batches after the responses.
 *
 * A cache hit should cost what the HTTP stack costs; a D1 write per hit does not (measured in
 * local workerd: ~6 ms added to the next request even from waitUntil). Hits are buffered per
 * isolate and flushed together at most FLUSH_MS later (or at once when BATCH_MAX are waiting);
 * every request that joins a batch holds it in its own waitUntil, so the isolate stays up until
 * the write lands. The finished rows are in this isolate's memo meanwhile, so polling a hit's id
 * works at once. Should an isolate die inside that window, those hits' records are lost; hits
 * are free (no quota), so what is lost is history, never billing.
 *
 * A hit's record is slim (db/renders.ts `slimHit`): no vars, no font ids — it is complete from the
 * start and nothing will draw it again, and GET /api/v1/renders/{id} shows none of them. It still
 * names its output (`object_key`), so the retention sweep knows a test output is still in use.
 */
import { type Completion, insertCachedBatch, type NewRender, slimHit } from '../db/renders';

export const FLUSH_MS = 100;
export const BATCH_MAX = 100;

interface Hit {
  record: NewRender;
  completion: Completion;
}

let buffer: Hit[] = [];
let flush: Promise<void> | undefined;
let flushNow: (() => void) | undefined;

export function recordCacheHit(db: D1Database, hit: Hit, waitUntil?: (work: Promise<unknown>) => void): Promise<void> {
  buffer.push({ record: slimHit(hit.record), completion: hit.completion });
  if (!flush) {
    flush = (async () => {
      await new Promise<void>((resolve) => {
        flushNow = resolve;
        setTimeout(resolve, FLUSH_MS);
      });
      const batch = buffer;
      buffer = [];
      flush = undefined;
      flushNow = undefined;
      try {
        await insertCachedBatch(db, batch);
      } catch (err) {
        console.error(`recording ${batch.length} cache hits failed`, err);
      }
    })();
  }
  if (buffer.length >= BATCH_MAX) flushNow?.();
  waitUntil?.(flush);
  return flush;
}
