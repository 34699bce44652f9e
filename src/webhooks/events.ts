/**
 * Render events and their fan-out. When a queued render ends, each of its account's enabled
 * endpoints that takes the event gets one delivery record and one queue message. Sync renders
 * announce nothing: their caller has the answer in the response already.
 */
import { type ConfigSource, config } from '../config';
import type { RenderRow } from '../db/renders';
import { insertDeliveries, type NewDelivery, subscribedEndpoints } from '../db/webhooks';
import type { Bindings } from '../env';
import { newId } from '../lib/ids';
import { isoNow, now } from '../lib/time';
import { publicUrl } from '../storage/outputs';
import { signedPdfUrl } from '../storage/signed-urls';
import type { RenderEventPayload } from './payloads';

export const WEBHOOK_EVENTS = ['render.complete', 'render.failed', 'pdf.complete', 'pdf.failed'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/**
 * The body the product promises: flat, the render's outcome in a few fields (schemas in
 * payloads.ts, published in the OpenAPI document). A PDF's `url` is signed when the event is made
 * and valid 24 h (`expires_at`); a receiver that acts later asks GET /api/v1/renders/{id} for a
 * fresh one. A finished PDF whose URL cannot be signed (the signing secret was removed after it
 * was accepted) is announced as failed with `signing_unavailable`, as its GET would answer.
 */
export async function renderPayload(row: RenderRow, env: ConfigSource): Promise<RenderEventPayload> {
  const { publicBaseUrl, fileSigningSecret: secret } = config(env);
  const base = { job_id: row.id, template: row.template, livemode: row.mode !== 'test', created_at: row.created_at, completed_at: row.completed_at };
  const done = row.status === 'complete' && row.object_key ? row.object_key : null;
  const outcome = { render_ms: row.render_ms, cached: row.cached === 1 };
  let error = { code: row.error_code ?? 'render_failed', message: row.error_message ?? '' };
  if (row.type === 'pdf') {
    const pdf = { ...base, pages: row.pages };
    if (done) {
      const signed = secret ? await signedPdfUrl(secret, done, publicBaseUrl, now()) : undefined;
      if (signed) return { event: 'pdf.complete', ...pdf, url: signed.url, expires_at: new Date(signed.expiresAt * 1000).toISOString(), ...outcome };
      error = { code: 'signing_unavailable', message: 'The PDF is ready but its URL cannot be signed (FILE_SIGNING_SECRET is not set)' };
    }
    return { event: 'pdf.failed', ...pdf, error };
  }
  if (done) return { event: 'render.complete', ...base, url: publicUrl(publicBaseUrl, done), ...outcome };
  return { event: 'render.failed', ...base, error };
}

/**
 * Queues one delivery per subscribed endpoint for a render that has just ended. Safe to repeat.
 * A test key's renders are announced too (a receiver is built against test renders), each event
 * saying which it is in `livemode`, as Stripe's do.
 */
export async function announceRender(env: Bindings, row: RenderRow): Promise<number> {
  if ((row.status !== 'complete' && row.status !== 'failed') || !row.account_id) return 0;
  const body = await renderPayload(row, env);
  const event = body.event;
  const endpoints = await subscribedEndpoints(env.DB, row.account_id, event);
  if (endpoints.length === 0) return 0;
  const payload = JSON.stringify(body);
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
