/** GET /api/v1/renders/:id — a render's status and, once complete, its URL. */
import { createRoute, z } from '@hono/zod-openapi';
import { ProblemError } from '../../../errors/problem';
import { findRender } from '../../../jobs/status';
import { type App, baseUrl, only, problems } from '../../shared';
import { AnyRenderSchema, toAnyRenderResource } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/api/v1/renders/{id}',
  operationId: 'renders.get',
  tags: ['Renders'],
  summary: 'Get a render',
  description:
    "A render's record, image or PDF: `pending` (queued or rendering), `complete` (with `url`; a PDF's is signed afresh, valid 24 h) or `failed` (with `error {code, message}`). Poll this after an async generate. Renders are kept apart by key mode: a test key reads only test renders and a live key only live ones; another mode's or another account's render answers 404 like a missing one.",
  request: { params: z.object({ id: z.string().max(64).openapi({ example: 'rnd_01JD5X1Q4ZB8R3W2K7T6YV9N0M' }) }) },
  responses: {
    200: { description: 'The render', content: { 'application/json': { schema: AnyRenderSchema } } },
    ...problems(401, only(404, 'render_not_found'), 429, 503),
  },
});

export function registerGetRender(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const row = await findRender(c.env, id, c.get('auth'));
    if (!row) throw new ProblemError('render_not_found', `No render "${id}"`);
    return c.json(await toAnyRenderResource(row, c.env, baseUrl(c)), 200);
  });
}
