/**
 * The WEBHOOKS queue consumer: one message per delivery. A delivery is claimed with a lease before
 * each attempt (as render jobs are), so a duplicated message never sends twice; an attempt is a
 * signed POST that succeeds on a 2xx within 15 s (redirects are not followed, and the answer's body
 * is not read). A failure is retried on the schedule (schedule.ts) through
 * `message.retry({ delaySeconds })`, then the delivery is `failed`. The URL is checked against the
 * SSRF guard again before every attempt. An endpoint whose deliveries have failed for 5 days
 * straight is disabled, with the reason on the endpoint. The cron sweep re-sends deliveries whose
 * message was lost, so a delivery never stays pending with nobody carrying it.
 */
import { config } from '../config';
import {
  type AttemptRow,
  claimDelivery,
  type DeliveryRow,
  disableEndpoint,
  failDeadLetteredDelivery,
  getEndpointById,
  leaseOf,
  recordAttempt,
  recordEndpointOutcome,
  releaseDelivery,
  strandedDeliveries,
} from '../db/webhooks';
import type { Bindings, WebhookMessage } from '../env';
import { isoNow, now } from '../lib/time';
import { checkEndpointUrl } from './endpoints';
import { retryDelaySeconds } from './schedule';
import { activeSecrets, signatureHeaders } from './signing';

/** Longer than an attempt can take, so a live attempt's lease never lapses under it. */
const LEASE_MS = 60_000;
/** A pending delivery nobody has carried for this long past its due time lost its message. */
export const STRANDED_AFTER_MS = 10 * 60_000;
export const DISABLE_AFTER_FAILING_MS = 5 * 24 * 3600_000;

type Outcome = { kind: 'done' } | { kind: 'retry'; delaySeconds: number };

async function attempt(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<{ statusCode: number | null; error: string | null }> {
  try {
    const res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    // the answer's body is not read at all (a receiver cannot hold us up by trickling one)
    await res.body?.cancel().catch(() => {});
    if (res.status >= 200 && res.status < 300) return { statusCode: res.status, error: null };
    if (res.status >= 300 && res.status < 400) return { statusCode: res.status, error: 'redirects are not followed' };
    return { statusCode: res.status, error: `answered ${res.status}` };
  } catch (err) {
    const name = (err as Error)?.name;
    return { statusCode: null, error: name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : String((err as Error)?.message ?? err) };
  }
}

/**
 * One attempt at a delivery, if it is due and nobody else holds it. A message that finds the
 * delivery held or not yet due is a duplicate (the message that holds it carries it on, and the
 * cron sweep re-sends any delivery whose message was lost): it is acknowledged, not kept bouncing.
 */
export async function deliver(env: Bindings, id: string, nowMs = now()): Promise<Outcome> {
  const schedule = config(env).webhookRetrySchedule; // before anything is sent: a bad setting fails here
  const claimed = await claimDelivery(env.DB, id, nowMs, LEASE_MS);
  if (!claimed) return { kind: 'done' };
  return attemptClaimed(env, claimed, schedule, nowMs);
}

async function attemptClaimed(env: Bindings, claimed: DeliveryRow, schedule: readonly number[], nowMs: number): Promise<Outcome> {
  const at = new Date(nowMs);
  const claim = { lease: claimed.lease_until, roundStart: claimed.round_start };
  const base = { delivery_id: claimed.id, attempt: claimed.attempts, attempted_at: at.toISOString() };
  /** Records the attempt; if a redelivery started a new round meanwhile, lets go and carries that round on. */
  const settle = async (record: AttemptRow, outcome: Parameters<typeof recordAttempt>[3], then: Outcome): Promise<Outcome> => {
    if (await recordAttempt(env.DB, record, claim, outcome)) return then;
    await releaseDelivery(env.DB, claimed.id, claim.lease);
    return { kind: 'retry', delaySeconds: 1 };
  };
  const give = (error: string): Promise<Outcome> =>
    settle({ ...base, status_code: null, duration_ms: 0, error }, { status: 'failed', completedAt: isoNow() }, { kind: 'done' });

  // more claims in this round than the schedule allows: attempts whose outcome could not be recorded
  if (claimed.attempts - claimed.round_start > schedule.length + 3) return give('not sent: gave up after attempts whose outcome could not be recorded');

  const endpoint = await getEndpointById(env.DB, claimed.endpoint_id);
  if (!endpoint) return give('not sent: the endpoint was deleted');
  if (endpoint.disabled_at) return give(`not sent: the endpoint is disabled (${endpoint.disabled_reason ?? 'disabled'})`);
  try {
    checkEndpointUrl(env, endpoint.url);
  } catch (err) {
    return give(`not sent: the endpoint URL is not allowed: ${(err as Error).message}`);
  }

  const headers = {
    'content-type': 'application/json',
    'user-agent': 'PicStream-Webhooks/1.0',
    ...signatureHeaders(claimed.id, at, claimed.payload, activeSecrets(endpoint, nowMs)),
  };
  const started = now();
  const { statusCode, error } = await attempt(endpoint.url, headers, claimed.payload, config(env).webhookTimeoutMs);
  const record = { ...base, status_code: statusCode, duration_ms: Math.round(now() - started), error };
  const ok = error === null;
  const scheduleMs = schedule.reduce((sum, s) => sum + s, 0) * 1000;
  const after = await recordEndpointOutcome(env.DB, endpoint.id, ok, nowMs, scheduleMs + 3600_000);
  if (ok) return settle(record, { status: 'succeeded', completedAt: isoNow() }, { kind: 'done' });

  if (after?.failing_since != null && nowMs - after.failing_since >= DISABLE_AFTER_FAILING_MS) {
    await disableEndpoint(env.DB, endpoint.id, `every delivery failed for 5 days (last: ${error})`, isoNow());
    return settle(record, { status: 'failed', completedAt: isoNow() }, { kind: 'done' });
  }
  const delay = retryDelaySeconds(schedule, claimed.attempts - claimed.round_start);
  if (delay === null) return settle(record, { status: 'failed', completedAt: isoNow() }, { kind: 'done' });
  return settle(record, { status: 'pending', nextAttemptAt: nowMs + delay * 1000 }, { kind: 'retry', delaySeconds: delay });
}

/** Messages of a batch are delivered side by side: one slow receiver does not hold up the others. */
export async function consumeWebhooks(batch: MessageBatch<WebhookMessage>, env: Bindings): Promise<void> {
  await Promise.all(
    batch.messages.map(async (message) => {
      try {
        const outcome = await deliver(env, message.body.deliveryId);
        if (outcome.kind === 'done') message.ack();
        else message.retry({ delaySeconds: outcome.delaySeconds });
      } catch (err) {
        console.error('webhook delivery crashed', message.body.deliveryId, err);
        // after the lease the crashed claim has left behind
        message.retry({ delaySeconds: LEASE_MS / 1000 + 1 });
      }
    }),
  );
}

/** The queue gave up on a message: its delivery ends `failed`, visibly, instead of waiting forever. */
export async function consumeDeadWebhooks(batch: MessageBatch<WebhookMessage>, env: Bindings): Promise<void> {
  for (const message of batch.messages) {
    try {
      // one still held by an attempt is judged once that attempt's lease has lapsed
      const lease = await leaseOf(env.DB, message.body.deliveryId);
      const nowMs = now();
      if (lease !== null && lease >= nowMs) {
        message.retry({ delaySeconds: Math.ceil((lease - nowMs) / 1000) + 1 });
        continue;
      }
      await failDeadLetteredDelivery(env.DB, message.body.deliveryId, nowMs, isoNow());
      message.ack();
    } catch (err) {
      console.error('dead-lettered webhook delivery could not be recorded', message.body.deliveryId, err);
      message.retry({ delaySeconds: 30 });
    }
  }
}

/** Re-sends deliveries whose message was lost (the cron sweep); duplicates are harmless. */
export async function resendStrandedDeliveries(env: Bindings, nowMs = now()): Promise<number> {
  const ids = await strandedDeliveries(env.DB, nowMs, STRANDED_AFTER_MS, 100);
  if (ids.length > 0) await env.WEBHOOKS.sendBatch(ids.map((deliveryId) => ({ body: { deliveryId } })));
  return ids.length;
}
