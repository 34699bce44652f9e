/** The Worker: HTTP through the Hono app, render jobs and their dead letters through Queues. */
import { createApp } from './app';
import type { AppEnv, RenderJobMessage } from './env';
import { consumeDeadRenderJobs, consumeRenderJobs } from './jobs/consumer';

const app = createApp();

export default {
  fetch: app.fetch,
  async queue(batch, env) {
    if (batch.queue.endsWith('-dlq')) await consumeDeadRenderJobs(batch, env);
    else await consumeRenderJobs(batch, env);
  },
} satisfies ExportedHandler<AppEnv, RenderJobMessage>;
