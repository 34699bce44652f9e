/** POST /api/v1/webhooks/:id/test — send a `webhook.test` event to the endpoint. */
import { createRoute } from '@hono/zod-openapi';
import { sendTestEvent } from '../../../webhooks/endpoints';
import { type App, liveKeyOnly, only, problems } from '../../shared';
import { EndpointIdParam, QueuedDeliverySchema } from './schema';

export const route = createRoute(
  liveKeyOnly({
    method: 'post',
    path: '/api/v1/webhooks/{id}/test',
    operationId: 'webhooks.test',
    tags: ['Webhooks'],
    summary: 'Send a test event',
    description: 'Queues a `webhook.test` event to the endpoint, signed and retried like any other; follow it in the event log.',
    request: { params: EndpointIdParam },
    responses: {
      202: { description: 'Queued; follow it in the deliveries log', content: { 'application/json': { schema: QueuedDeliverySchema } } },
      ...problems(400, 401, only(404, 'webhook_not_found'), only(409, 'idempotency_key_in_progress'), 413, 415, 422, 429, 503),
    },
  }),
);

export function registerTestWebhook(app: App): void {
  app.openapi(route, async (c) => c.json({ delivery_id: await sendTestEvent(c.env, c.get('auth').accountId, c.req.valid('param').id) }, 202));
}
