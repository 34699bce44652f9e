/** GET /api/v1/webhooks — the account's endpoints. */
import { createRoute, z } from '@hono/zod-openapi';
import { accountEndpoints } from '../../../webhooks/endpoints';
import { type App, liveKeyOnly, problems } from '../../shared';
import { toEndpoint, WebhookEndpointSchema } from './schema';

export const route = createRoute(
  liveKeyOnly({
    method: 'get',
    path: '/api/v1/webhooks',
    operationId: 'webhooks.list',
    tags: ['Webhooks'],
    summary: 'List webhook endpoints',
    description: "The account's endpoints, with `enabled` and, for one PicStream disabled, `disabled_reason`. Never their secrets.",
    responses: {
      200: { description: 'The endpoints', content: { 'application/json': { schema: z.object({ data: z.array(WebhookEndpointSchema) }) } } },
      ...problems(401, 429),
    },
  }),
);

export function registerListWebhooks(app: App): void {
  app.openapi(route, async (c) => c.json({ data: (await accountEndpoints(c.env, c.get('auth').accountId)).map(toEndpoint) }, 200));
}
