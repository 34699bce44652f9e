/** GET /api/v1/webhooks/:id/deliveries — the event log: deliveries newest first, with every attempt. */
import { createRoute, z } from '@hono/zod-openapi';
import { deliveryLog } from '../../../webhooks/endpoints';
import { type App, liveKeyOnly, only, problems } from '../../shared';
import { DeliverySchema, EndpointIdParam } from './schema';

export const route = createRoute(
  liveKeyOnly({
    method: 'get',
    path: '/api/v1/webhooks/{id}/deliveries',
    operationId: 'webhooks.deliveries',
    tags: ['Webhooks'],
    summary: 'List deliveries (event log)',
    description:
      "The endpoint's deliveries, newest first, each with every attempt (time, HTTP status, duration, error) and `next_attempt_at` while retries are due. Page with `limit` (at most 100) and `cursor` (`next_cursor`). Kept 30 days.",
    request: {
      params: EndpointIdParam,
      query: z.object({
        limit: z.coerce.number().int().min(1).max(100).default(20),
        cursor: z.string().max(64).optional().openapi({ description: 'next_cursor of the previous page' }),
      }),
    },
    responses: {
      200: {
        description: 'A page of deliveries',
        content: { 'application/json': { schema: z.object({ data: z.array(DeliverySchema), next_cursor: z.string().nullable() }) } },
      },
      ...problems(400, 401, only(404, 'webhook_not_found'), 429),
    },
  }),
);

export function registerListDeliveries(app: App): void {
  app.openapi(route, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    return c.json(await deliveryLog(c.env, c.get('auth').accountId, c.req.valid('param').id, limit, cursor), 200);
  });
}
