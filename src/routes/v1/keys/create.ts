/** POST /api/v1/keys — a new API key, shown once. */
import { createRoute, z } from '@hono/zod-openapi';
import { createKey } from '../../../accounts/service';
import { KEY_MODES } from '../../../auth/keys';
import { type App, liveKeyOnly, only, problems } from '../../shared';
import { CreatedApiKeySchema, toApiKey } from '../account/schema';

export const CreateKeyBody = z
  .object({
    name: z.string().trim().min(1).max(64).openapi({ example: 'CI pipeline' }),
    mode: z.enum(KEY_MODES).default('live'),
  })
  .strict()
  .openapi('CreateApiKeyRequest');

export const route = createRoute(
  liveKeyOnly({
    method: 'post',
    path: '/api/v1/keys',
    operationId: 'keys.create',
    tags: ['Keys'],
    summary: 'Create an API key',
    description: 'A new live or test key for the account. The key is in this answer only; PicStream keeps its SHA-256. At most 20 active keys.',
    request: { body: { required: true, content: { 'application/json': { schema: CreateKeyBody } } } },
    responses: {
      201: { description: 'Created; `key` is shown only in this response', content: { 'application/json': { schema: CreatedApiKeySchema } } },
      ...problems(400, 401, only(409, 'key_limit_reached', 'idempotency_key_in_progress'), 413, 415, 422, 429),
    },
  }),
);

export function registerCreateKey(app: App): void {
  app.openapi(route, async (c) => {
    const { name, mode } = c.req.valid('json');
    const created = await createKey(c.env.DB, c.get('auth').accountId, name, mode);
    return c.json({ ...toApiKey(created.row), key: created.key }, 201);
  });
}
