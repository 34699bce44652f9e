/** GET /api/v1/usage — quota use this calendar month (UTC). */
import { createRoute } from '@hono/zod-openapi';
import { usageOf } from '../../../accounts/service';
import { type App, problems } from '../../shared';
import { UsageSchema } from '../account/schema';

export const route = createRoute({
  method: 'get',
  path: '/api/v1/usage',
  operationId: 'usage.get',
  tags: ['Account'],
  summary: 'Get this month’s usage',
  description: 'Fresh renders count one unit each (PDFs one per page); cache hits and test keys count nothing.',
  responses: {
    200: { description: 'Usage this period', content: { 'application/json': { schema: UsageSchema } } },
    ...problems(401, 429),
  },
});

export function registerGetUsage(app: App): void {
  app.openapi(route, async (c) => {
    const auth = c.get('auth');
    return c.json(await usageOf(c.env.DB, auth.accountId, auth.monthlyQuota), 200);
  });
}
