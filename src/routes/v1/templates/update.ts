/** PATCH /api/v1/templates/:id — change a template of yours; a new source is a new version. */
import { createRoute, z } from '@hono/zod-openapi';
import { updateUserTemplate } from '../../../user-templates/service';
import { type App, liveKeyOnly, only, problems } from '../../shared';
import { TemplateDetailSchema, toUserDetail, UpdateTemplateBody } from './schema';

export const route = createRoute(
  liveKeyOnly({
    method: 'patch',
    path: '/api/v1/templates/{id}',
    operationId: 'templates.update',
    tags: ['Templates'],
    summary: 'Update a template',
    description:
      'Fields left out keep their values. A change to the markup, size, vars, example or engine makes the next `version` (checked and drawn by both engines first, as on create); images already made keep their URLs, and renders already queued draw the version they asked for. New `vars` without a new `example` start from the default example. An update that another update overtook while it was checked is a 409 `template_version_conflict` (read the template again and resend). Built-in templates cannot be changed (404).',
    request: {
      params: z.object({ id: z.string().max(64).openapi({ example: 'tpl_01JD5X1Q4ZB8R3W2K7T6YV9N0M' }) }),
      body: { required: true, content: { 'application/json': { schema: UpdateTemplateBody } } },
    },
    responses: {
      200: { description: 'Updated', content: { 'application/json': { schema: TemplateDetailSchema } } },
      ...problems(400, 401, only(404, 'template_not_found'), only(409, 'template_version_conflict', 'idempotency_key_in_progress'), 413, 415, 422, 429, 503),
    },
  }),
);

export function registerUpdateTemplate(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { name, description, ...source } = c.req.valid('json');
    const updated = await updateUserTemplate(c.env, c.get('auth').accountId, id, {
      ...(name !== undefined ? { name } : {}),
      ...(description !== undefined ? { description } : {}),
      source: Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined)),
    });
    return c.json(toUserDetail(updated), 200);
  });
}
