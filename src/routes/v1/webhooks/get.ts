/** GET /api/v1/webhooks/:id — one endpoint (never its secret). */
import { createRoute } from '@hono/zod-openapi';
import { accountEndpoint } from '../../../webhooks/endpoints';
import { type App, liveKeyOnly, only, problems } from '../../shared';
import { EndpointIdParam, toEndpoint, WebhookEndpointSchema } from './schema';

export const route = createRoute(
  liveKeyOnly({
    method: 'get',
    path: '/api/v1/webhooks/{id}',
    operationId: 'webhooks.get',
    tags: ['Webhooks'],
    summary: 'Get a webhook endpoint',
    description: 'One endpoint (never its secret).',
    request: { params: EndpointIdParam },
    responses: {
      200: { description: 'The endpoint', content: { 'application/json': { schema: WebhookEndpointSchema } } },
      ...problems(401, only(404, 'webhook_not_found'), 429),
    },
  }),
);

export function registerGetWebhook(app: App): void {
  app.openapi(route, async (c) => c.json(toEndpoint(await accountEndpoint(c.env, c.get('auth').accountId, c.req.valid('param').id)), 200));
}
