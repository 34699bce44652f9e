/** PATCH /api/v1/webhooks/:id — change the URL, events or description; enable or disable. */
import { createRoute, z } from '@hono/zod-openapi';
import { changeEndpoint } from '../../../webhooks/endpoints';
import { type App, liveKeyOnly, only, problems } from '../../shared';
import { EndpointIdParam, EventsSchema, toEndpoint, WebhookEndpointSchema } from './schema';

export const UpdateWebhookBody = z
  .object({
    url: z.string().max(2048).optional(),
    events: EventsSchema.optional(),
    description: z.string().trim().max(200).optional(),
    enabled: z.boolean().optional().openapi({ description: 'true re-enables a disabled endpoint (and forgets its failures)' }),
  })
  .strict()
  .openapi('UpdateWebhookRequest');

export const route = createRoute(
  liveKeyOnly({
    method: 'patch',
    path: '/api/v1/webhooks/{id}',
    operationId: 'webhooks.update',
    tags: ['Webhooks'],
    summary: 'Change a webhook endpoint',
    description:
      'Change the URL, events or description; `enabled: true` re-enables an endpoint PicStream disabled after 5 days of failures, `false` pauses it.',
    request: { params: EndpointIdParam, body: { required: true, content: { 'application/json': { schema: UpdateWebhookBody } } } },
    responses: {
      200: { description: 'The endpoint as it now is', content: { 'application/json': { schema: WebhookEndpointSchema } } },
      ...problems(400, 401, only(404, 'webhook_not_found'), 413, 415, 422, 429),
    },
  }),
);

export function registerUpdateWebhook(app: App): void {
  app.openapi(route, async (c) => {
    const row = await changeEndpoint(c.env, c.get('auth').accountId, c.req.valid('param').id, c.req.valid('json'));
    return c.json(toEndpoint(row), 200);
  });
}
