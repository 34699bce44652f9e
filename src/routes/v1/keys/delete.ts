/** DELETE /api/v1/keys/:id — revoke a key; refused from the next request on here, within 10 s everywhere (auth/key-cache.ts). */
import { createRoute, z } from '@hono/zod-openapi';
import { revokeAccountKey } from '../../../accounts/service';
import { type App, liveKeyOnly, only, problems } from '../../shared';

export const route = createRoute(
  liveKeyOnly({
    method: 'delete',
    path: '/api/v1/keys/{id}',
    operationId: 'keys.delete',
    tags: ['Keys'],
    summary: 'Revoke an API key',
    description:
      'Takes effect at once on the server that answers it, and everywhere within 10 s. Revoking a revoked key succeeds again; the key stays listed with its `revoked_at`.',
    request: { params: z.object({ id: z.string().max(64).openapi({ example: 'key_01JD5X1Q4ZB8R3W2K7T6YV9N0M' }) }) },
    responses: {
      204: { description: 'Revoked' },
      ...problems(401, only(404, 'key_not_found'), 429),
    },
  }),
);

export function registerDeleteKey(app: App): void {
  app.openapi(route, async (c) => {
    await revokeAccountKey(c.env.DB, c.get('auth').accountId, c.req.valid('param').id);
    return c.body(null, 204);
  });
}
