/**
 * Render events and their fan-out. When a queued render ends, each of its account's enabled
 * endpoints that takes the event gets one delivery record and one queue message. Sync renders
 * announce nothing: their caller has the answer in the response already.
 */
import type { RenderRow } from '../db/renders';
import { insertDeliveries, type NewDelivery, subscribedEndpoints } from '../db/webhooks';
import { type AppEnv, fileSigningSecret } from '../env';
import { newId } from '../lib/ids';
import { isoNow, now } from '../lib/time';
import { publicUrl } from '../routes/v1/renders/schema';
import { signedPdfUrl } from '../storage/signed-urls';

export const WEBHOOK_EVENTS = ['render.complete', 'render.failed', 'pdf.complete', 'pdf.failed'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export function renderEvent(row: RenderRow): WebhookEvent | null {
  const kind = row.type === 'pdf' ? 'pdf' : 'render';
  if (row.status === 'complete') return `${kind}.complete`;
  if (row.status === 'failed') return `${kind}.failed`;
  return null;
}

/**
 * The body the product promises: flat, the render's outcome in a few fields. A PDF's `url` is
 * signed when the event is made and valid 24 h (`expires_at`); a receiver that acts later asks
 * GET /api/v1/renders/{id} for a fresh one.
 */
export async function renderPayload(row: RenderRow, env: Pick<AppEnv, 'PUBLIC_BASE_URL' | 'FILE_SIGNING_SECRET'>): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = { event: renderEvent(row), job_id: row.id, template: row.template, created_at: row.created_at };
  if (row.type === 'pdf') body.pages = row.pages;
  if (row.status === 'complete' && row.object_key) {
    if (row.type === 'pdf') {
      const signed = await signedPdfUrl(fileSigningSecret(env), row.object_key, env.PUBLIC_BASE_URL, now());
      body.url = signed?.url;
      body.expires_at = signed ? new Date(signed.expiresAt * 1000).toISOString() : undefined;
    } else {
      body.url = publicUrl(env.PUBLIC_BASE_URL, row.object_key);
    }
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
  const payload = JSON.stringify(await renderPayload(row, env));
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
