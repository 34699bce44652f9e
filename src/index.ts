/**
 * The Worker: HTTP through the Hono app, render jobs and their dead letters through Queues, and a
 * cron sweep that closes renders nobody will finish and drops expired Idempotency-Keys.
 */
import { createApp } from './app';
import type { AppEnv, RenderJobMessage } from './env';
import { consumeDeadRenderJobs, consumeRenderJobs } from './jobs/consumer';
import { sweepAbandonedRenders, sweepExpiredIdempotencyKeys } from './jobs/sweep';

const app = createApp();

export default {
  fetch: app.fetch,
  async queue(batch, env) {
    if (batch.queue.endsWith('-dlq')) await consumeDeadRenderJobs(batch, env);
    else await consumeRenderJobs(batch, env);
  },
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(Promise.all([sweepAbandonedRenders(env), sweepExpiredIdempotencyKeys(env)]));
  },
} satisfies ExportedHandler<AppEnv, RenderJobMessage>;
