/** DELETE /api/v1/url-signing-keys/:id — revoke a URL-signing key: its links stop working (og/signing-keys.ts). */
import { createRoute, z } from '@hono/zod-openapi';
import { deleteSigningKey } from '../../../og/signing-keys';
import { type App, liveKeyOnly, only, problems } from '../../shared';

export const route = createRoute(
  liveKeyOnly({
    method: 'delete',
    path: '/api/v1/url-signing-keys/{id}',
    operationId: 'signing.deleteKey',
    tags: ['URL signing'],
    summary: 'Delete a URL-signing key',
    description:
      "URLs signed with it are refused (403 `signing_key_invalid`) from the next request on the server that answers this, and everywhere within 10 s. Images already in a crawler's or browser's cache stay there. Deleting a deleted key succeeds again; it stays listed with its `revoked_at`.",
    request: { params: z.object({ id: z.string().max(64).openapi({ example: 'usk_01JD5X1Q4ZB8R3W2K7T6YV9N0M' }) }) },
    responses: {
      204: { description: 'Deleted' },
      ...problems(401, only(404, 'signing_key_not_found'), 429),
    },
  }),
);

export function registerDeleteSigningKey(app: App): void {
  app.openapi(route, async (c) => {
    await deleteSigningKey(c.env.DB, c.get('auth').accountId, c.req.valid('param').id);
    return c.body(null, 204);
  });
}
