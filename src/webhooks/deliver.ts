/**
 * The WEBHOOKS queue consumer: one message per delivery. A delivery is claimed with a lease before
 * each attempt (as render jobs are), so a duplicated message never sends twice; an attempt is a
 * signed POST that succeeds on a 2xx within 15 s (redirects are not followed, and at most 16 KB of
 * the answer is read). A failure is retried on the schedule (schedule.ts) through
 * `message.retry({ delaySeconds })`, then the delivery is `failed`. The URL is checked against the
 * SSRF guard again before every attempt. An endpoint whose deliveries have failed for 5 days
 * straight is disabled, with the reason on the endpoint.
 */
import {
  claimDelivery,
  type DeliveryRow,
  disableEndpoint,
  failDelivery,
  getDelivery,
  getEndpointById,
  recordAttempt,
  recordEndpointOutcome,
} from '../db/webhooks';
import type { AppEnv, WebhookMessage } from '../env';
import { isoNow, now } from '../lib/time';
import { checkRemoteUrl, remoteImagePolicy } from '../render/remote-images';
import { parseSchedule, retryDelaySeconds } from './schedule';
import { activeSecrets, signatureHeaders } from './signing';

export const DELIVERY_TIMEOUT_MS = 15_000;
/** Longer than an attempt can take, so a live attempt's lease never lapses under it. */
const LEASE_MS = 60_000;
const MAX_RESPONSE_BYTES = 16 * 1024;
export const DISABLE_AFTER_FAILING_MS = 5 * 24 * 3600_000;

type Outcome = { kind: 'done' } | { kind: 'retry'; delaySeconds: number };

async function drain(body: ReadableStream<Uint8Array> | null): Promise<void> {
  if (!body) return;
  const reader = body.getReader();
  let read = 0;
  while (read < MAX_RESPONSE_BYTES) {
    const { done, value } = await reader.read();
    if (done) return;
    read += value.byteLength;
  }
  await reader.cancel();
}

async function attempt(url: string, headers: Record<string, string>, body: string): Promise<{ statusCode: number | null; error: string | null }> {
  try {
    const res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS) });
    await drain(res.body).catch(() => {});
    if (res.status >= 200 && res.status < 300) return { statusCode: res.status, error: null };
    if (res.status >= 300 && res.status < 400) return { statusCode: res.status, error: 'redirects are not followed' };
    return { statusCode: res.status, error: `answered ${res.status}` };
  } catch (err) {
    const name = (err as Error)?.name;
    return { statusCode: null, error: name === 'TimeoutError' ? `no answer within ${DELIVERY_TIMEOUT_MS / 1000} s` : String((err as Error)?.message ?? err) };
  }
}

/** One attempt at a delivery (if it is due and nobody else is attempting it). */
export async function deliver(env: AppEnv, id: string, nowMs = now()): Promise<Outcome> {
  const claimed = await claimDelivery(env.DB, id, nowMs, LEASE_MS);
  if (!claimed) {
    const row = await getDelivery(env.DB, id);
    if (!row) return { kind: 'done' }; // unknown
    if (row.status !== 'pending') return { kind: 'done' }; // finished: a duplicate message
    const due = Math.max(row.lease_until ?? 0, row.next_attempt_at ?? 0);
    return { kind: 'retry', delaySeconds: Math.max(1, Math.ceil((due - nowMs) / 1000)) };
  }
  return attemptClaimed(env, claimed, nowMs);
}

async function attemptClaimed(env: AppEnv, claimed: DeliveryRow, nowMs: number): Promise<Outcome> {
  const at = new Date(nowMs);
  const base = { delivery_id: claimed.id, attempt: claimed.attempts, attempted_at: at.toISOString() };
  const give = async (error: string): Promise<Outcome> => {
    await recordAttempt(env.DB, { ...base, status_code: null, duration_ms: 0, error }, { status: 'failed', completedAt: isoNow() });
    return { kind: 'done' };
  };

  const endpoint = await getEndpointById(env.DB, claimed.endpoint_id);
  if (!endpoint) return give('the endpoint was deleted');
  if (endpoint.disabled_at) return give(`the endpoint is disabled (${endpoint.disabled_reason ?? 'disabled'})`);
  try {
    checkRemoteUrl(endpoint.url, 'url', remoteImagePolicy(env.REMOTE_IMAGE_INSECURE_HOSTS), 'webhook_url_blocked');
  } catch (err) {
    return give(`the endpoint URL is not allowed: ${(err as Error).message}`);
  }

  const headers = {
    'content-type': 'application/json',
    'user-agent': 'PicStream-Webhooks/1.0',
    ...signatureHeaders(claimed.id, at, claimed.payload, activeSecrets(endpoint, nowMs)),
  };
  const started = now();
  const { statusCode, error } = await attempt(endpoint.url, headers, claimed.payload);
  const record = { ...base, status_code: statusCode, duration_ms: Math.round(now() - started), error };
  const ok = error === null;
  const after = await recordEndpointOutcome(env.DB, endpoint.id, ok, nowMs);
  if (ok) {
    await recordAttempt(env.DB, record, { status: 'succeeded', completedAt: isoNow() });
    return { kind: 'done' };
  }

  if (after?.failing_since !== null && after?.failing_since !== undefined && nowMs - after.failing_since >= DISABLE_AFTER_FAILING_MS) {
    await disableEndpoint(env.DB, endpoint.id, `every delivery failed for 5 days (last: ${error})`, isoNow());
    await recordAttempt(env.DB, record, { status: 'failed', completedAt: isoNow() });
    return { kind: 'done' };
  }
  const delay = retryDelaySeconds(parseSchedule(env.WEBHOOK_RETRY_SCHEDULE), claimed.attempts - claimed.round_start);
  if (delay === null) {
    await recordAttempt(env.DB, record, { status: 'failed', completedAt: isoNow() });
    return { kind: 'done' };
  }
  await recordAttempt(env.DB, record, { status: 'pending', nextAttemptAt: nowMs + delay * 1000 });
  return { kind: 'retry', delaySeconds: delay };
}

export async function consumeWebhooks(batch: MessageBatch<WebhookMessage>, env: AppEnv): Promise<void> {
  for (const message of batch.messages) {
    try {
      const outcome = await deliver(env, message.body.deliveryId);
      if (outcome.kind === 'done') message.ack();
      else message.retry({ delaySeconds: outcome.delaySeconds });
    } catch (err) {
      console.error('webhook delivery crashed', message.body.deliveryId, err);
      message.retry({ delaySeconds: 5 });
    }
  }
}

/** The queue gave up on a message: its delivery ends `failed`, visibly, instead of waiting forever. */
export async function consumeDeadWebhooks(batch: MessageBatch<WebhookMessage>, env: AppEnv): Promise<void> {
  for (const message of batch.messages) {
    await failDelivery(env.DB, message.body.deliveryId, isoNow());
    message.ack();
  }
}
