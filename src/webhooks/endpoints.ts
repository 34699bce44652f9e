/**
 * Webhook endpoints and their event log, per account: create (with its secret, shown then and on
 * rotation only), list, read, change, delete, rotate the secret, send a test event, redeliver.
 */
import { type ConfigSource, config } from '../config';
import {
  attemptsOf,
  type DeliveryStatus,
  deleteEndpoint,
  type EndpointChanges,
  type EndpointRow,
  getAccountDelivery,
  getEndpoint,
  insertDeliveries,
  insertEndpointWithin,
  listDeliveries,
  listEndpoints,
  restartDelivery,
  rotateSecret,
  updateEndpoint,
} from '../db/webhooks';
import type { Bindings } from '../env';
import { ProblemError } from '../errors/problem';
import { guardOutboundUrl } from '../lib/address-guard';
import { newId } from '../lib/ids';
import { isoNow, now } from '../lib/time';
import type { WebhookTestPayload } from './payloads';
import { newSecret } from './signing';

export const MAX_ENDPOINTS = 20;

/** Sends a delivery's message. Should the queue refuse, the delivery waits for the cron sweep, and the caller hears 503. */
async function enqueue(env: Bindings, deliveryId: string): Promise<void> {
  try {
    await env.WEBHOOKS.send({ deliveryId });
  } catch (err) {
    throw new ProblemError('queue_unavailable', 'The webhook queue is unavailable; the delivery is recorded and will be sent within minutes.', { cause: err });
  }
}

/**
 * An endpoint URL under the SSRF guard remote images use (lib/address-guard.ts), checked when it is
 * set and again before each delivery (deliver.ts): `webhook_url_blocked` (422) naming `url`.
 */
export function checkEndpointUrl(env: ConfigSource, raw: string): URL {
  const verdict = guardOutboundUrl(raw, config(env).outbound);
  if (!verdict.ok) throw new ProblemError('webhook_url_blocked', `url: ${verdict.reason}`, { errors: [{ path: 'url', message: verdict.reason }] });
  return verdict.url;
}

async function owned(env: Bindings, accountId: string, id: string): Promise<EndpointRow> {
  const row = id.startsWith('whe_') ? await getEndpoint(env.DB, accountId, id) : null;
  if (!row) throw new ProblemError('webhook_not_found', `No webhook endpoint "${id}"`);
  return row;
}

export async function createEndpoint(
  env: Bindings,
  accountId: string,
  input: { url: string; events: readonly string[]; description: string },
): Promise<EndpointRow> {
  checkEndpointUrl(env, input.url);
  const at = isoNow();
  const row = await insertEndpointWithin(
    env.DB,
    {
      id: newId('whe'),
      account_id: accountId,
      url: input.url,
      description: input.description,
      events: JSON.stringify([...new Set(input.events)]),
      secret: newSecret(),
      previous_secret: null,
      previous_secret_expires_at: null,
      failing_since: null,
      last_failure_at: null,
      disabled_at: null,
      disabled_reason: null,
      created_at: at,
      updated_at: at,
    },
    MAX_ENDPOINTS,
  );
  if (!row) throw new ProblemError('webhook_limit_reached', `An account may have ${MAX_ENDPOINTS} webhook endpoints.`);
  return row;
}

export const accountEndpoints = (env: Bindings, accountId: string) => listEndpoints(env.DB, accountId);
export const accountEndpoint = owned;

export async function changeEndpoint(
  env: Bindings,
  accountId: string,
  id: string,
  input: { url?: string; events?: readonly string[]; description?: string; enabled?: boolean },
): Promise<EndpointRow> {
  await owned(env, accountId, id);
  if (input.url !== undefined) checkEndpointUrl(env, input.url);
  const changes: EndpointChanges = { url: input.url, description: input.description, enabled: input.enabled };
  if (input.events) changes.events = JSON.stringify([...new Set(input.events)]);
  const row = await updateEndpoint(env.DB, accountId, id, changes, isoNow());
  if (!row) throw new ProblemError('webhook_not_found', `No webhook endpoint "${id}"`);
  return row;
}

export async function removeEndpoint(env: Bindings, accountId: string, id: string): Promise<void> {
  if (!id.startsWith('whe_') || !(await deleteEndpoint(env.DB, accountId, id, isoNow())))
    throw new ProblemError('webhook_not_found', `No webhook endpoint "${id}"`);
}

export async function rotateEndpointSecret(env: Bindings, accountId: string, id: string, expirePreviousAfterSeconds: number): Promise<EndpointRow> {
  await owned(env, accountId, id);
  const row = await rotateSecret(env.DB, accountId, id, newSecret(), now() + expirePreviousAfterSeconds * 1000, isoNow());
  if (!row) throw new ProblemError('webhook_not_found', `No webhook endpoint "${id}"`);
  return row;
}

/** Queues a `webhook.test` event to the endpoint; returns its delivery id. */
export async function sendTestEvent(env: Bindings, accountId: string, id: string): Promise<string> {
  const endpoint = await owned(env, accountId, id);
  const deliveryId = newId('msg');
  const createdAt = isoNow();
  const payload = JSON.stringify({ event: 'webhook.test', endpoint_id: endpoint.id, created_at: createdAt } satisfies WebhookTestPayload);
  await insertDeliveries(env.DB, [
    { id: deliveryId, endpoint_id: endpoint.id, account_id: accountId, event: 'webhook.test', job_id: null, payload, created_at: createdAt },
  ]);
  await enqueue(env, deliveryId);
  return deliveryId;
}

/** Sends a delivery again: same webhook-id and body, a new round of attempts on the schedule. */
export async function redeliver(env: Bindings, accountId: string, deliveryId: string): Promise<string> {
  const existing = deliveryId.startsWith('msg_') ? await getAccountDelivery(env.DB, accountId, deliveryId) : null;
  if (!existing) throw new ProblemError('delivery_not_found', `No webhook delivery "${deliveryId}"`);
  await restartDelivery(env.DB, accountId, deliveryId, now());
  await enqueue(env, deliveryId);
  return deliveryId;
}

export interface DeliveryLogEntry {
  id: string;
  event: string;
  job_id: string | null;
  status: DeliveryStatus;
  attempts: { attempt: number; at: string; status_code: number | null; duration_ms: number; error: string | null }[];
  next_attempt_at: string | null;
  created_at: string;
  completed_at: string | null;
}

/** The endpoint's deliveries, newest first, a page at a time (`cursor`: the last id of the previous page). */
export async function deliveryLog(
  env: Bindings,
  accountId: string,
  id: string,
  limit: number,
  cursor?: string,
): Promise<{ data: DeliveryLogEntry[]; next_cursor: string | null }> {
  await owned(env, accountId, id);
  const rows = await listDeliveries(env.DB, id, limit + 1, cursor);
  const page = rows.slice(0, limit);
  const attempts = await attemptsOf(
    env.DB,
    page.map((d) => d.id),
  );
  return {
    data: page.map((d) => ({
      id: d.id,
      event: d.event,
      job_id: d.job_id,
      status: d.status,
      attempts: attempts
        .filter((a) => a.delivery_id === d.id)
        .map((a) => ({ attempt: a.attempt, at: a.attempted_at, status_code: a.status_code, duration_ms: a.duration_ms, error: a.error })),
      next_attempt_at: d.status === 'pending' && d.next_attempt_at ? new Date(d.next_attempt_at).toISOString() : null,
      created_at: d.created_at,
      completed_at: d.completed_at,
    })),
    next_cursor: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null,
  };
}
