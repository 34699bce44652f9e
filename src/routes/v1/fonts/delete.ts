/** DELETE /api/v1/fonts/:id — remove a face; renders that used it keep their images. */
import { createRoute, z } from '@hono/zod-openapi';
import { removeFont } from '../../../fonts/service';
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
    await removeFont(c.env, c.get('auth').accountId, id);
    return c.body(null, 204);
  });
}
