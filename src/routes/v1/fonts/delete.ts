/** DELETE /api/v1/fonts/:id — remove a face; renders that used it keep their images. */
import { createRoute, z } from '@hono/zod-openapi';
import { deleteFont } from '../../../db/fonts';
import { ProblemError } from '../../../errors/problem';
import { fontObjectKey } from '../../../fonts/custom';
import { type App, liveKeyOnly, only, problems } from '../../shared';

export const route = createRoute(
  liveKeyOnly({
    method: 'delete',
    path: '/api/v1/fonts/{id}',
    operationId: 'fonts.delete',
    tags: ['Fonts'],
    summary: 'Delete a font',
    description:
      'The face is gone at once: later requests naming its family draw with the faces left (or get a 422 when none is). Images already made keep their URLs.',
    request: { params: z.object({ id: z.string().max(64).openapi({ example: 'fnt_01JD5X1Q4ZB8R3W2K7T6YV9N0M' }) }) },
    responses: {
      204: { description: 'Deleted' },
      ...problems(401, only(404, 'font_not_found'), 429),
    },
  }),
);

export function registerDeleteFont(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const row = await deleteFont(c.env.DB, c.get('auth').accountId, id);
    if (!row) throw new ProblemError('font_not_found', `No font ${id}`);
    await c.env.FONTS.delete(fontObjectKey(row));
    return c.body(null, 204);
  });
}
