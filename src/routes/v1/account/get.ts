/** GET /api/v1/account — the caller's account. */
import { createRoute } from '@hono/zod-openapi';
import { accountById } from '../../../accounts/service';
import { type App, problems } from '../../shared';
import { AccountSchema, toAccount } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/api/v1/account',
  operationId: 'account.get',
  tags: ['Account'],
  summary: 'Get your account',
  description: 'The account the key belongs to: its plan and monthly quota.',
  responses: {
    200: { description: 'The account the key belongs to', content: { 'application/json': { schema: AccountSchema } } },
    ...problems(401, 429),
  },
});

export function registerGetAccount(app: App): void {
  app.openapi(route, async (c) => c.json(toAccount(await accountById(c.env.DB, c.get('auth').accountId)), 200));
}
