/**
 * Render events and their fan-out. When a queued render ends, each of its account's enabled
 * endpoints that takes the event gets one delivery record and one queue message. Sync renders
 * announce nothing: their caller has the answer in the response already.
 */
import type { RenderRow } from '../db/renders';
import { insertDeliveries, type NewDelivery, subscribedEndpoints } from '../db/webhooks';
import type { AppEnv } from '../env';
import { newId } from '../lib/ids';
import { isoNow } from '../lib/time';
import { publicUrl } from '../routes/v1/renders/schema';

export const WEBHOOK_EVENTS = ['render.complete', 'render.failed'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export function renderEvent(row: RenderRow): WebhookEvent | null {
  if (row.status === 'complete') return 'render.complete';
  if (row.status === 'failed') return 'render.failed';
  return null;
}

/** The body the product promises: flat, the render's outcome in a few fields. */
export function renderPayload(row: RenderRow, baseUrl: string): Record<string, unknown> {
  const body: Record<string, unknown> = { event: renderEvent(row), job_id: row.id, template: row.template, created_at: row.created_at };
  if (row.status === 'complete' && row.object_key) {
    body.url = publicUrl(baseUrl, row.object_key);
    body.render_ms = row.render_ms;
    body.cached = row.cached === 1;
  } else {
    body.error = { code: row.error_code ?? 'render_failed', message: row.error_message ?? '' };
  }
  body.completed_at = row.completed_at;
  return body;
}

/** Queues one delivery per subscribed endpoint for a render that has just ended. Safe to repeat. */
export async function announceRender(env: AppEnv, row: RenderRow): Promise<number> {
  const event = renderEvent(row);
  if (!event || !row.account_id) return 0;
  const endpoints = await subscribedEndpoints(env.DB, row.account_id, event);
  if (endpoints.length === 0) return 0;
  const payload = JSON.stringify(renderPayload(row, env.PUBLIC_BASE_URL));
  const createdAt = isoNow();
  const deliveries: NewDelivery[] = endpoints.map((e) => ({
    id: newId('msg'),
    endpoint_id: e.id,
    account_id: row.account_id as string,
    event,
    job_id: row.id,
    payload,
    created_at: createdAt,
  }));
  const waiting = await insertDeliveries(env.DB, deliveries);
  if (waiting.length > 0) await env.WEBHOOKS.sendBatch(waiting.map((deliveryId) => ({ body: { deliveryId } })));
  return waiting.length;
}
