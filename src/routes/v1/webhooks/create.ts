/** POST /api/v1/webhooks — add an endpoint; answers with its signing secret (shown now and on rotation only). */
import { createRoute, z } from '@hono/zod-openapi';
import { createEndpoint } from '../../../webhooks/endpoints';
import { WEBHOOK_EVENTS } from '../../../webhooks/events';
import { type App, liveKeyOnly, only, problems } from '../../shared';
import { EventsSchema, toEndpoint, WebhookEndpointWithSecretSchema } from './schema';

export const CreateWebhookBody = z
  .object({
    url: z.string().max(2048).openapi({ example: 'https://example.com/hooks/picstream', description: 'https; no private or internal addresses' }),
    events: EventsSchema.optional(),
    description: z.string().trim().max(200).default(''),
  })
  .strict()
  .openapi('CreateWebhookRequest');

export const route = createRoute(
  liveKeyOnly({
    method: 'post',
    path: '/api/v1/webhooks',
    operationId: 'webhooks.create',
    tags: ['Webhooks'],
    summary: 'Add a webhook endpoint',
    description:
      'An https URL to POST events to (every event by default). The answer carries the signing secret (`whsec_…`), shown now and on rotation only. Private, loopback, link-local, CGNAT and internal addresses are refused (422 `webhook_url_blocked`). At most 20 endpoints.',
    request: { body: { required: true, content: { 'application/json': { schema: CreateWebhookBody } } } },
    responses: {
      201: { description: 'Created', content: { 'application/json': { schema: WebhookEndpointWithSecretSchema } } },
      ...problems(400, 401, only(409, 'webhook_limit_reached', 'idempotency_key_in_progress'), 413, 415, 422, 429),
    },
  }),
);

export function registerCreateWebhook(app: App): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const row = await createEndpoint(c.env, c.get('auth').accountId, { url: body.url, events: body.events ?? WEBHOOK_EVENTS, description: body.description });
    return c.json({ ...toEndpoint(row), secret: row.secret }, 201);
  });
}
