/**
 * The bodies PicStream POSTs to webhook endpoints, as zod schemas: the OpenAPI document publishes
 * them under `webhooks` (so the SDK's `verifyWebhook` returns typed events), and the builders in
 * events.ts / endpoints.ts are typed by them.
 */
import { z } from '@hono/zod-openapi';

const RenderEventBase = z.object({
  job_id: z.string().openapi({ description: 'The render (GET /api/v1/renders/{id})', example: 'rnd_01JD5X1Q4ZB8R3W2K7T6YV9N0M' }),
  template: z.string().openapi({ example: 'og-card' }),
  livemode: z.boolean().openapi({ description: 'false for a render made with a test key (watermarked, free)' }),
  created_at: z.string().openapi({ format: 'date-time' }),
  completed_at: z.string().nullable().openapi({ format: 'date-time' }),
});

const Completed = {
  url: z.string().openapi({ format: 'uri' }),
  render_ms: z.number().int().nullable(),
  cached: z.boolean(),
};
const Failed = {
  error: z
    .object({ code: z.string().openapi({ example: 'remote_image_fetch_failed' }), message: z.string() })
    .openapi({ description: 'Why it failed: the error codes of the API, plus render_failed, template_unavailable, dead_lettered, abandoned' }),
};
const PdfFields = {
  pages: z.number().int().nullable().openapi({ description: 'Pages in the document (as laid out when the render was accepted)' }),
};

export const RenderCompleteEvent = RenderEventBase.extend({
  event: z.literal('render.complete'),
  ...Completed,
  url: Completed.url.openapi({
    description: 'The image (public, immutable)',
    example: 'https://api.picstream.dev/img/3f2a6c1e9b0d47a8c5e2f1b3d4a6978e0c1b2d3f.png',
  }),
}).openapi('RenderCompleteEvent');

export const RenderFailedEvent = RenderEventBase.extend({ event: z.literal('render.failed'), ...Failed }).openapi('RenderFailedEvent');

export const PdfCompleteEvent = RenderEventBase.extend({
  event: z.literal('pdf.complete'),
  ...PdfFields,
  ...Completed,
  url: Completed.url.openapi({ description: 'The PDF, signed; valid 24 h from the event (GET /api/v1/renders/{id} signs a fresh one)' }),
  expires_at: z.string().openapi({ format: 'date-time', description: 'When `url` stops working' }),
}).openapi('PdfCompleteEvent');

export const PdfFailedEvent = RenderEventBase.extend({ event: z.literal('pdf.failed'), ...PdfFields, ...Failed }).openapi('PdfFailedEvent');

export const WebhookTestEvent = z
  .object({
    event: z.literal('webhook.test'),
    endpoint_id: z.string().openapi({ example: 'whe_01JD5X1Q4ZB8R3W2K7T6YV9N0M' }),
    created_at: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('WebhookTestEvent');

/** Any body a webhook endpoint may receive, told apart by `event`. */
export const WebhookEventPayload = z
  .discriminatedUnion('event', [RenderCompleteEvent, RenderFailedEvent, PdfCompleteEvent, PdfFailedEvent, WebhookTestEvent])
  .openapi('WebhookEvent');

export type RenderEventPayload = z.infer<typeof RenderCompleteEvent | typeof RenderFailedEvent | typeof PdfCompleteEvent | typeof PdfFailedEvent>;
export type WebhookTestPayload = z.infer<typeof WebhookTestEvent>;

/** Each event and the schema of its body, for the OpenAPI document's `webhooks`. */
export const WEBHOOK_PAYLOADS = [
  { event: 'render.complete', schema: RenderCompleteEvent, summary: 'An async image render finished' },
  { event: 'render.failed', schema: RenderFailedEvent, summary: 'An async image render failed (or a sync one was abandoned)' },
  { event: 'pdf.complete', schema: PdfCompleteEvent, summary: 'An async PDF finished' },
  { event: 'pdf.failed', schema: PdfFailedEvent, summary: 'An async PDF failed' },
  { event: 'webhook.test', schema: WebhookTestEvent, summary: 'Sent by POST /api/v1/webhooks/{id}/test' },
] as const;
