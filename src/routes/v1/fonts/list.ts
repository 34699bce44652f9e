/** GET /api/v1/fonts — the account's uploaded font faces. */
import { createRoute, z } from '@hono/zod-openapi';
import { accountFonts } from '../../../fonts/service';
import { type App, problems } from '../../shared';
import { FontSchema, toFont } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/api/v1/fonts',
  operationId: 'fonts.list',
  tags: ['Fonts'],
  summary: 'List fonts',
  description: "The account's uploaded faces, by family, weight and style.",
  responses: {
    200: { description: 'All faces of the account', content: { 'application/json': { schema: z.object({ data: z.array(FontSchema) }) } } },
    ...problems(401, 429),
  },
});

export function registerListFonts(app: App): void {
  app.openapi(route, async (c) => c.json({ data: (await accountFonts(c.env, c.get('auth').accountId)).map(toFont) }, 200));
}
