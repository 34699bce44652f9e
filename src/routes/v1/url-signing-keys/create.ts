/** POST /api/v1/url-signing-keys — a new URL-signing key; its secret is shown once. */
import { createRoute } from '@hono/zod-openapi';
import { createSigningKey, MAX_ACTIVE_SIGNING_KEYS } from '../../../og/signing-keys';
import { type App, liveKeyOnly, only, problems } from '../../shared';
import { CreatedSigningKeySchema, CreateSigningKeyBody, toSigningKey } from './schema';

export const route = createRoute(
  liveKeyOnly({
    method: 'post',
    path: '/api/v1/url-signing-keys',
    operationId: 'signing.createKey',
    tags: ['URL signing'],
    summary: 'Create a URL-signing key',
    description: `A key to sign og:image URLs with (\`signUrl\` in the SDKs; README "Signed og:image URLs"). The secret is in this answer only. At most ${MAX_ACTIVE_SIGNING_KEYS} active keys. To rotate: create a new key, sign new URLs with it, and delete the old one when its links may stop working.`,
    request: { body: { required: false, content: { 'application/json': { schema: CreateSigningKeyBody } } } },
    responses: {
      201: { description: 'Created; `secret` is shown only in this response', content: { 'application/json': { schema: CreatedSigningKeySchema } } },
      ...problems(400, 401, only(409, 'signing_key_limit_reached', 'idempotency_key_in_progress'), 413, 415, 422, 429),
    },
  }),
);

export function registerCreateSigningKey(app: App): void {
  app.openapi(route, async (c) => {
    // the body is optional: a bare POST makes a key named "default"
    const name = (c.req.valid('json') as { name?: string } | undefined)?.name ?? 'default';
    const created = await createSigningKey(c.env.DB, c.get('auth').accountId, name);
    return c.json({ ...toSigningKey(created.row), secret: created.secret }, 201);
  });
}
