/**
 * Queue consumers: RENDER_JOBS runs jobs through the shared runner; its dead-letter queue makes
 * sure no job stays pending forever once the queue has given up on it. Either way, a render that
 * ends is announced to the account's webhooks.
 */
import { config } from '../config';
import { failDeadLettered, getRender } from '../db/renders';
import type { Bindings, RenderJobMessage } from '../env';
import { isoNow, now } from '../lib/time';
import { announceRender } from '../webhooks/events';
import { runRender } from './run';

export async function consumeRenderJobs(batch: MessageBatch<RenderJobMessage>, env: Bindings): Promise<void> {
  for (const message of batch.messages) {
    try {
      const outcome = await runRender(env, message.body.renderId, { maxAttempts: config(env).renderMaxAttempts });
      if (outcome.kind === 'finished') {
        // a queued render has ended: tell its webhooks (idempotent, so a duplicate message is harmless
        // and a failure here is retried with the message)
        if (outcome.row) await announceRender(env, outcome.row);
        message.ack();
      } else if (outcome.kind === 'busy') message.retry({ delaySeconds: outcome.retryAfterSeconds });
      else message.retry({ delaySeconds: outcome.delaySeconds });
    } catch (err) {
      // D1 or R2 hiccup outside the runner's own handling: let the queue redeliver.
      console.error('render job crashed', message.body.renderId, err);
      message.retry({ delaySeconds: 5 });
    }
  }
}

export async function consumeDeadRenderJobs(batch: MessageBatch<RenderJobMessage>, env: Bindings): Promise<void> {
  for (const message of batch.messages) {
    await failDeadLettered(env.DB, message.body.renderId, now(), isoNow());
    // announce whatever the render ended as (it may have completed, its announcement being what failed)
    const row = await getRender(env.DB, message.body.renderId);
    if (row) await announceRender(env, row).catch((err) => console.error('announcing a dead-lettered render failed', row.id, err));
    message.ack();
  }
}
