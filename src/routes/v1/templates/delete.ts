/** DELETE /api/v1/templates/:id — remove a template of yours. */
import { createRoute, z } from '@hono/zod-openapi';
import { deleteUserTemplate } from '../../../user-templates/service';
import { type App, liveKeyOnly, only, problems } from '../../shared';

export const route = createRoute(
  liveKeyOnly({
    method: 'delete',
    path: '/api/v1/templates/{id}',
    operationId: 'templates.delete',
    tags: ['Templates'],
    summary: 'Delete a template',
    description:
      'Gone from the API at once (requests naming it get 404). Images already made keep their URLs; renders already queued still draw the version they asked for.',
    request: { params: z.object({ id: z.string().max(64).openapi({ example: 'tpl_01JD5X1Q4ZB8R3W2K7T6YV9N0M' }) }) },
    responses: {
      204: { description: 'Deleted' },
      ...problems(401, only(404, 'template_not_found'), 429),
    },
  }),
);

export function registerDeleteTemplate(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    await deleteUserTemplate(c.env.DB, c.get('auth').accountId, id);
    return c.body(null, 204);
  });
}
