/** POST /api/v1/webhooks/:id/rotate-secret — a new secret; the old one keeps signing for a while. */
import { createRoute, z } from '@hono/zod-openapi';
import { rotateEndpointSecret } from '../../../webhooks/endpoints';
import { type App, liveKeyOnly, only, problems } from '../../shared';
import { EndpointIdParam, toEndpoint, WebhookEndpointWithSecretSchema } from './schema';

export const RotateSecretBody = z
  .object({
    expire_previous_after_seconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400)
      .default(86_400)
      .openapi({ description: 'How long deliveries stay signed with the old secret too (default 24 h, at most 7 days)' }),
  })
  .strict()
  .openapi('RotateWebhookSecretRequest');

export const route = createRoute(
  liveKeyOnly({
    method: 'post',
    path: '/api/v1/webhooks/{id}/rotate-secret',
    operationId: 'webhooks.rotateSecret',
    tags: ['Webhooks'],
    summary: 'Rotate the signing secret',
    description:
      'Until the previous secret expires, every delivery carries two signatures (old and new), so receivers can switch without missing one. Rotating again meanwhile ends the previous secret at once (only the latest previous secret keeps signing).',
    request: { params: EndpointIdParam, body: { required: false, content: { 'application/json': { schema: RotateSecretBody } } } },
    responses: {
      200: { description: 'The new secret', content: { 'application/json': { schema: WebhookEndpointWithSecretSchema } } },
      ...problems(400, 401, only(404, 'webhook_not_found'), only(409, 'idempotency_key_in_progress'), 413, 415, 422, 429),
    },
  }),
);

export function registerRotateWebhookSecret(app: App): void {
  app.openapi(route, async (c) => {
    // the body is optional: without one, the validator hands over {} and the default applies here
    const seconds = (c.req.valid('json') as { expire_previous_after_seconds?: number } | undefined)?.expire_previous_after_seconds ?? 86_400;
    const row = await rotateEndpointSecret(c.env, c.get('auth').accountId, c.req.valid('param').id, seconds);
    return c.json({ ...toEndpoint(row), secret: row.secret }, 200);
  });
}
