/** DELETE /api/v1/webhooks/:id — remove an endpoint; deliveries still queued for it end failed. */
import { createRoute } from '@hono/zod-openapi';
import { removeEndpoint } from '../../../webhooks/endpoints';
import { type App, liveKeyOnly, only, problems } from '../../shared';
import { EndpointIdParam } from './schema';

export const route = createRoute(
  liveKeyOnly({
    method: 'delete',
    path: '/api/v1/webhooks/{id}',
    operationId: 'webhooks.delete',
    tags: ['Webhooks'],
    summary: 'Delete a webhook endpoint',
    description: 'Removes the endpoint; its deliveries still waiting end `failed`.',
    request: { params: EndpointIdParam },
    responses: { 204: { description: 'Deleted' }, ...problems(401, only(404, 'webhook_not_found'), 429) },
  }),
);

export function registerDeleteWebhook(app: App): void {
  app.openapi(route, async (c) => {
    await removeEndpoint(c.env, c.get('auth').accountId, c.req.valid('param').id);
    return c.body(null, 204);
  });
}
