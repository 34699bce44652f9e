/** Webhook endpoints and deliveries as the API shows them. */
import { z } from '@hono/zod-openapi';
import type { EndpointRow } from '../../../db/webhooks';
import { WEBHOOK_EVENTS } from '../../../webhooks/events';

export const EndpointIdParam = z.object({ id: z.string().max(64).openapi({ example: 'whe_01JD5X1Q4ZB8R3W2K7T6YV9N0M' }) });

export const EventsSchema = z
  .array(z.enum(WEBHOOK_EVENTS))
  .min(1)
  .max(WEBHOOK_EVENTS.length * 2)
  .openapi({ description: 'Events to send; all of them by default', example: ['render.complete', 'render.failed', 'pdf.complete', 'pdf.failed'] });

export const WebhookEndpointSchema = z
  .object({
    id: z.string().openapi({ example: 'whe_01JD5X1Q4ZB8R3W2K7T6YV9N0M' }),
    url: z.string().openapi({ example: 'https://example.com/hooks/picstream' }),
    description: z.string(),
    events: z.array(z.string()),
    enabled: z.boolean(),
    disabled_at: z.string().nullable().openapi({ format: 'date-time' }),
    disabled_reason: z.string().nullable().openapi({ description: 'Why deliveries stopped, e.g. after 5 days of failures' }),
    created_at: z.string().openapi({ format: 'date-time' }),
    updated_at: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('WebhookEndpoint');

export const WebhookEndpointWithSecretSchema = WebhookEndpointSchema.extend({
  secret: z.string().openapi({ description: 'whsec_…: verifies signatures (Standard Webhooks). Shown on create and rotate only.' }),
}).openapi('WebhookEndpointWithSecret');

export function toEndpoint(e: EndpointRow): z.infer<typeof WebhookEndpointSchema> {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    events: JSON.parse(e.events) as string[],
    enabled: e.disabled_at === null,
    disabled_at: e.disabled_at,
    disabled_reason: e.disabled_reason,
    created_at: e.created_at,
    updated_at: e.updated_at,
  };
}

export const DeliverySchema = z
  .object({
    id: z.string().openapi({ description: 'Also the webhook-id header, the same on every attempt', example: 'msg_01JD5X1Q4ZB8R3W2K7T6YV9N0M' }),
    event: z.string(),
    job_id: z.string().nullable(),
    status: z.enum(['pending', 'succeeded', 'failed']),
    attempts: z.array(
      z.object({
        attempt: z.number().int(),
        at: z.string().openapi({ format: 'date-time' }),
        status_code: z.number().int().nullable(),
        duration_ms: z.number().int(),
        error: z.string().nullable(),
      }),
    ),
    next_attempt_at: z.string().nullable().openapi({ format: 'date-time' }),
    created_at: z.string().openapi({ format: 'date-time' }),
    completed_at: z.string().nullable().openapi({ format: 'date-time' }),
  })
  .openapi('WebhookDelivery');

export const QueuedDeliverySchema = z.object({ delivery_id: z.string() }).openapi('QueuedWebhookDelivery');
