/** GET /api/v1/url-signing-keys — the account's URL-signing keys (never their secrets). */
import { createRoute, z } from '@hono/zod-openapi';
import { accountSigningKeys } from '../../../og/signing-keys';
import { type App, liveKeyOnly, problems } from '../../shared';
import { SigningKeySchema, toSigningKey } from './schema';

export const route = createRoute(
  liveKeyOnly({
    method: 'get',
    path: '/api/v1/url-signing-keys',
    operationId: 'signing.listKeys',
    tags: ['URL signing'],
    summary: 'List URL-signing keys',
    description:
      'The keys the account signs its og:image URLs with, deleted ones included (with `revoked_at`). Never the secret: only its first characters (`start`).',
    responses: {
      200: { description: 'All URL-signing keys of the account', content: { 'application/json': { schema: z.object({ data: z.array(SigningKeySchema) }) } } },
      ...problems(401, 429),
    },
  }),
);

export function registerListSigningKeys(app: App): void {
  app.openapi(route, async (c) => c.json({ data: (await accountSigningKeys(c.env.DB, c.get('auth').accountId)).map(toSigningKey) }, 200));
}
