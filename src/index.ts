/**
 * The Worker: HTTP through the Hono app, render jobs, webhook deliveries and their dead letters
 * through Queues, and a cron sweep that closes renders nobody will finish, drops expired
 * Idempotency-Keys, and deletes what is past its retention (render records, test outputs, deleted
 * templates' versions).
 */
import { createApp } from './app';
import type { Bindings, RenderJobMessage, WebhookMessage } from './env';
import { consumeDeadRenderJobs, consumeRenderJobs } from './jobs/consumer';
import { sweepAbandonedRenders, sweepExpiredIdempotencyKeys, sweepLapsedLeases, sweepRetention, sweepWebhookDeliveries } from './jobs/sweep';
import { inRegion } from './lib/region';
import { consumeDeadWebhooks, consumeWebhooks } from './webhooks/deliver';

const app = createApp();

export default {
  // the latency model (lib/region.ts) wraps the single-region bindings when SIMULATED_RTT_MS is set
  fetch: (request, env, ctx) => app.fetch(request, inRegion(env), ctx),
  async queue(batch, rawEnv) {
    const env = inRegion(rawEnv);
    const dead = batch.queue.endsWith('-dlq');
    if (batch.queue.startsWith('picstream-webhooks')) {
      const messages = batch as MessageBatch<WebhookMessage>;
      await (dead ? consumeDeadWebhooks(messages, env) : consumeWebhooks(messages, env));
    } else {
      const messages = batch as MessageBatch<RenderJobMessage>;
      await (dead ? consumeDeadRenderJobs(messages, env) : consumeRenderJobs(messages, env));
    }
  },
  async scheduled(_controller, rawEnv, ctx) {
    const env = inRegion(rawEnv);
    // retention after the abandoned renders are closed: what it deletes must be finished first
    ctx.waitUntil(
      Promise.all([
        sweepAbandonedRenders(env).then(() => sweepRetention(env)),
        sweepExpiredIdempotencyKeys(env),
        sweepWebhookDeliveries(env),
        sweepLapsedLeases(env),
      ]),
    );
  },
} satisfies ExportedHandler<Bindings, RenderJobMessage | WebhookMessage>;
