/**
 * Creating image renders: the content-cache fast path, the sync render, and the async enqueue.
 * Every request gets its own render record, cached or not.
 */
import { type NewRender, type RenderRow, failRender, getRender, insertCached, insertPending } from '../db/renders';
import type { AppEnv } from '../env';
import { ProblemError } from '../errors/problem';
import { newId } from '../lib/ids';
import { isoNow, now } from '../lib/time';
import { remoteImagePolicy } from '../render/remote-images';
import { headOutput } from '../storage/outputs';
import { type ImageRequest, prepareImage } from './image-request';
import { runRender } from './run';

export async function createImageRender(env: AppEnv, req: ImageRequest, options: { async: boolean }): Promise<RenderRow> {
  const started = now();
  const prepared = await prepareImage(req, remoteImagePolicy(env.REMOTE_IMAGE_INSECURE_HOSTS), env.DEFAULT_ENGINE);
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
    await insertPending(env.DB, record);
    try {
      await env.RENDER_JOBS.send({ renderId: record.id });
    } catch (err) {
      await failRender(env.DB, record.id, 'queue_unavailable', 'The job could not be queued', isoNow());
      throw new ProblemError('queue_unavailable', 'The render queue is unavailable; retry shortly.', { cause: err });
    }
    return (await getRender(env.DB, record.id)) as RenderRow;
  }

  const hit = await headOutput(env.OUTPUT, prepared.objectKey);
  if (hit) {
    await insertCached(env.DB, record, { bytes: hit.size, render_ms: now() - started, cached: true, completed_at: isoNow() });
    return (await getRender(env.DB, record.id)) as RenderRow;
  }

  await insertPending(env.DB, record);
  // The sync path does not retry: the caller is waiting and can retry the request itself.
  await runRender(env, record.id, { maxAttempts: 1, rethrow: true });
  return (await getRender(env.DB, record.id)) as RenderRow;
}
