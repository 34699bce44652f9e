/**
 * The Worker: HTTP through the Hono app, render jobs, webhook deliveries and their dead letters
 * through Queues, and a cron sweep that closes renders nobody will finish, drops expired
 * Idempotency-Keys, and deletes what is past its retention (render records, test outputs, deleted
 * templates' versions).
 */
import { createApp } from './app';
import type { Bindings, RenderJobMessage, WebhookMessage } from './env';
import { consumeDeadRenderJobs, consumeRenderJobs } from './jobs/consumer';
import { sweepAbandonedRenders, sweepExpiredIdempotencyKeys, sweepRetention, sweepWebhookDeliveries } from './jobs/sweep';
import { consumeDeadWebhooks, consumeWebhooks } from './webhooks/deliver';

const app = createApp();

export default {
  fetch: app.fetch,
  async queue(batch, env) {
    const dead = batch.queue.endsWith('-dlq');
    if (batch.queue.startsWith('picstream-webhooks')) {
      const messages = batch as MessageBatch<WebhookMessage>;
      await (dead ? consumeDeadWebhooks(messages, env) : consumeWebhooks(messages, env));
    } else {
      const messages = batch as MessageBatch<RenderJobMessage>;
      await (dead ? consumeDeadRenderJobs(messages, env) : consumeRenderJobs(messages, env));
    }
  },
  async scheduled(_controller, env, ctx) {
    // retention after the abandoned renders are closed: what it deletes must be finished first
    ctx.waitUntil(Promise.all([sweepAbandonedRenders(env).then(() => sweepRetention(env)), sweepExpiredIdempotencyKeys(env), sweepWebhookDeliveries(env)]));
  },
} satisfies ExportedHandler<Bindings, RenderJobMessage | WebhookMessage>;
