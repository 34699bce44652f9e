/** POST /api/v1/webhooks/deliveries/:id/redeliver — send a delivery again (same webhook-id and body). */
import { createRoute, z } from '@hono/zod-openapi';
import { redeliver } from '../../../webhooks/endpoints';
import { type App, liveKeyOnly, only, problems } from '../../shared';
import { QueuedDeliverySchema } from './schema';

export const route = createRoute(
  liveKeyOnly({
    method: 'post',
    path: '/api/v1/webhooks/deliveries/{id}/redeliver',
    operationId: 'webhooks.redeliver',
    tags: ['Webhooks'],
    summary: 'Redeliver',
    description: 'Sends a delivery again with the same `webhook-id` and body: a new round of attempts on the retry schedule.',
    request: { params: z.object({ id: z.string().max(64).openapi({ example: 'msg_01JD5X1Q4ZB8R3W2K7T6YV9N0M' }) }) },
    responses: {
      202: { description: 'Queued: a new round of attempts', content: { 'application/json': { schema: QueuedDeliverySchema } } },
      ...problems(400, 401, only(404, 'delivery_not_found'), only(409, 'idempotency_key_in_progress'), 413, 415, 422, 429, 503),
    },
  }),
);

export function registerRedeliver(app: App): void {
  app.openapi(route, async (c) => c.json({ delivery_id: await redeliver(c.env, c.get('auth').accountId, c.req.valid('param').id) }, 202));
}
