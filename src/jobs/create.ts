/**
 * Creating image renders: the content-cache fast path, the sync render, and the async enqueue.
 * Every request gets its own render record, cached or not.
 *
 * The cache-hit path answers at the floor of the HTTP stack: whether the output exists comes
 * from the per-isolate memo when it can (else one R2 HEAD), and the hit's record is written to D1
 * after the response, batched with other hits (hit-log.ts), while this isolate already serves it
 * from memory. A poll that reaches another isolate within that window (≤ 100 ms) may see 404
 * once; D1 read replicas give a similar window for any write.
 */
import { failRender, insertClaimed, insertPending, type NewRender, type RenderRow } from '../db/renders';
import type { AppEnv } from '../env';
import { ProblemError } from '../errors/problem';
import { newId } from '../lib/ids';
import { isoNow, now } from '../lib/time';
import { Timings } from '../lib/timing';
import { remoteImagePolicy } from '../render/remote-images';
import { headOutput } from '../storage/outputs';
import { recordCacheHit } from './hit-log';
import { type ImageRequest, prepareImage } from './image-request';
import { rememberIfFinished, storedOutputs } from './memo';
import { executeClaimed, LEASE_MS } from './run';

export interface CreateOptions {
  async: boolean;
  timings?: Timings;
  /** Runs work after the response (ExecutionContext.waitUntil); awaited inline when absent. */
  waitUntil?: (work: Promise<unknown>) => void;
}

export async function createImageRender(env: AppEnv, req: ImageRequest, options: CreateOptions): Promise<RenderRow> {
  const started = now();
  const timings = options.timings ?? new Timings();
  const prepared = await timings.measure('validate', () => prepareImage(req, remoteImagePolicy(env.REMOTE_IMAGE_INSECURE_HOSTS), env.DEFAULT_ENGINE));
  const { job } = prepared;
  const record: NewRender = {
    id: newId('rnd'),
    type: 'image',
    template: job.template.id,
    template_version: job.template.version,
    engine: job.engine,
    format: job.format,
    width: job.width,
    height: job.height,
    scale: job.scale,
    vars: prepared.varsJson,
    cache_key: prepared.cacheKey,
    object_key: prepared.objectKey,
    created_at: isoNow(),
  };

  if (options.async) {
    const row = await insertPending(env.DB, record);
    try {
      await env.RENDER_JOBS.send({ renderId: record.id });
    } catch (err) {
      await failRender(env.DB, record.id, 'queue_unavailable', 'The job could not be queued', isoNow());
      throw new ProblemError('queue_unavailable', 'The render queue is unavailable; retry shortly.', { cause: err });
    }
    return row as RenderRow;
  }

  const knownSize = storedOutputs.get(prepared.objectKey);
  const size = knownSize ?? (await timings.measure('cache', () => headOutput(env.OUTPUT, prepared.objectKey)))?.size;
  if (size !== undefined) {
    const completion = { bytes: size, render_ms: now() - started, cached: true, completed_at: isoNow() };
    const row = cachedRow(record, completion);
    rememberIfFinished(row);
    const written = recordCacheHit(env.DB, { record, completion }, options.waitUntil);
    if (!options.waitUntil) await written;
    return row;
  }

  // Inserted already claimed: the sync path runs the job itself, so no separate claim round trip.
  // The record is written while the image renders (the runner waits for it before recording the
  // outcome): D1 and the renderer overlap instead of queueing behind each other.
  const leaseUntil = now() + LEASE_MS;
  const recorded = insertClaimed(env.DB, record, leaseUntil);
  recorded.catch(() => {}); // awaited by the runner; this only stops an early rejection going unhandled
  const claimed: RenderRow = { ...pendingRow(record), status: 'running', attempts: 1, lease_until: leaseUntil };
  // The sync path does not retry: the caller is waiting and can retry the request itself.
  const outcome = await executeClaimed(env, claimed, { maxAttempts: 1, rethrow: true, knownMissing: true, job, recorded }, timings);
  if (outcome.kind !== 'finished' || !outcome.row) throw new Error(`render ${record.id} did not finish`);
  return outcome.row;
}

/** A new record as D1 holds it before anything happens to it. */
function pendingRow(r: NewRender): RenderRow {
  return {
    ...r,
    account_id: null,
    status: 'pending',
    attempts: 0,
    lease_until: null,
    bytes: null,
    render_ms: null,
    cached: null,
    error_code: null,
    error_message: null,
    completed_at: null,
  };
}

/** The row the hit log will write, built in memory so the response need not wait for it. */
function cachedRow(r: NewRender, c: { bytes: number; render_ms: number; completed_at: string }): RenderRow {
  return { ...pendingRow(r), status: 'complete', bytes: c.bytes, render_ms: c.render_ms, cached: 1, completed_at: c.completed_at };
}
