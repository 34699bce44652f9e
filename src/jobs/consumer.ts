/**
 * Queue consumers: RENDER_JOBS runs jobs through the shared runner; its dead-letter queue makes
 * sure no job stays pending forever once the queue has given up on it.
 */
import { failDeadLettered } from '../db/renders';
import type { AppEnv, RenderJobMessage } from '../env';
import { isoNow, now } from '../lib/time';
import { maxAttempts, runRender } from './run';

export async function consumeRenderJobs(batch: MessageBatch<RenderJobMessage>, env: AppEnv): Promise<void> {
  for (const message of batch.messages) {
    try {
      const outcome = await runRender(env, message.body.renderId, { maxAttempts: maxAttempts(env) });
      if (outcome.kind === 'finished') message.ack();
      else if (outcome.kind === 'busy') message.retry({ delaySeconds: outcome.retryAfterSeconds });
      else message.retry({ delaySeconds: outcome.delaySeconds });
    } catch (err) {
      // D1 or R2 hiccup outside the runner's own handling: let the queue redeliver.
      console.error('render job crashed', message.body.renderId, err);
      message.retry({ delaySeconds: 5 });
    }
  }
}

export async function consumeDeadRenderJobs(batch: MessageBatch<RenderJobMessage>, env: AppEnv): Promise<void> {
  for (const message of batch.messages) {
    await failDeadLettered(env.DB, message.body.renderId, now(), isoNow());
    message.ack();
  }
}
