/** GET /api/v1/keys — the account's API keys (never the keys themselves). */
import { createRoute, z } from '@hono/zod-openapi';
import { accountKeys } from '../../../accounts/service';
import { type App, liveKeyOnly, problems } from '../../shared';
import { ApiKeySchema, toApiKey } from '../account/schema';

export const route = createRoute(
  liveKeyOnly({
    method: 'get',
    path: '/api/v1/keys',
    operationId: 'keys.list',
    tags: ['Keys'],
    summary: 'List API keys',
    description: "The account's keys, revoked ones included (with `revoked_at`). Never the key itself: only its first 12 characters (`start`).",
    responses: {
      200: {
        description: 'All keys of the account, revoked ones included',
        content: { 'application/json': { schema: z.object({ data: z.array(ApiKeySchema) }) } },
      },
      ...problems(401, 429),
    },
  }),
);

export function registerListKeys(app: App): void {
  app.openapi(route, async (c) => c.json({ data: (await accountKeys(c.env.DB, c.get('auth').accountId)).map(toApiKey) }, 200));
}
