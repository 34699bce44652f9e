/**
 * Records of renders that ended before their record was written — every sync image render: cache
 * hits, fresh renders and failures — written to D1 in batches after the responses.
 *
 * A sync image answer waits on nothing in the primary region (issue 17): its record is buffered in
 * this isolate and flushed with others at most FLUSH_MS later (at once when BATCH_MAX are waiting);
 * every request that joins a batch holds it in its own waitUntil, so the isolate stays up until the
 * write lands. Meanwhile the finished row is in this isolate's memo, so polling the id here works
 * at once; another isolate sees it once the batch has landed (the README's "history lag"). A
 * failed batch is tried again (up to WRITE_ATTEMPTS) before it is logged and dropped.
 *
 * Units: a fresh render's record carries the unit it spent and the lease it spent it from
 * (quota/leases.ts); the lease is settled only after its renders' records have landed, so what a
 * settlement gives back is exactly what no record charged. Should an isolate die between an answer
 * and the flush, the records are lost with it: the lease's sweep then gives their units back —
 * history can be lost in that window, a charge for a render without a record never.
 *
 * A record is slim (db/renders.ts `slimFinished`): no vars, no font ids — nothing will draw it
 * again, and GET /api/v1/renders/{id} shows none of them. It still names its output (`object_key`),
 * so the retention sweep knows a test output is still in use.
 */
import { type Finished, insertFinishedBatch, slimFinished } from '../db/renders';

export const FLUSH_MS = 100;
export const BATCH_MAX = 100;
const WRITE_ATTEMPTS = 3;

let buffer: Finished[] = [];
let flush: Promise<void> | undefined;
let flushNow: (() => void) | undefined;
/** Every batch not yet landed, for `recordsWritten`. */
const inFlight = new Set<Promise<void>>();

async function writeBatch(db: D1Database, batch: Finished[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await insertFinishedBatch(db, batch);
      return;
    } catch (err) {
      if (attempt >= WRITE_ATTEMPTS) {
        console.error(`recording ${batch.length} finished render(s) failed after ${attempt} attempts`, err);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

/** Buffers a finished render's record; the promise settles once its batch has landed (or was given up). */
export function recordFinished(db: D1Database, row: Finished, waitUntil?: (work: Promise<unknown>) => void): Promise<void> {
  buffer.push({ ...row, record: slimFinished(row.record) });
  if (!flush) {
    const batchFlush: Promise<void> = (async () => {
      await new Promise<void>((resolve) => {
        flushNow = resolve;
        setTimeout(resolve, FLUSH_MS);
      });
      const batch = buffer;
      buffer = [];
      flush = undefined;
      flushNow = undefined;
      await writeBatch(db, batch);
    })().finally(() => inFlight.delete(batchFlush));
    flush = batchFlush;
    inFlight.add(batchFlush);
  }
  const joined = flush;
  if (buffer.length >= BATCH_MAX) flushNow?.();
  waitUntil?.(joined);
  return joined;
}

/** Batches buffered or being written (tests wait for 0 before reading D1). */
export function recordsPending(): number {
  return inFlight.size;
}
