/** GET /api/v1/templates/:id — one template with its vars as JSON Schema and an example. */
import { createRoute, z } from '@hono/zod-openapi';
import { findAnyTemplate } from '../../../renders/resolve';
import { templateNotFound } from '../../../renders/template-errors';
import { isUserTemplateId } from '../../../user-templates/compile';
import { getUserTemplate } from '../../../user-templates/service';
import { type App, only, problems } from '../../shared';
import { TemplateDetailSchema, toDetail, toUserDetail } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/api/v1/templates/{id}',
  operationId: 'templates.get',
  tags: ['Templates'],
  summary: 'Get a template',
  description:
    'One template: the JSON Schema of its vars, an example `vars` that renders, and which vars take remote image URLs. Yours also carry their markup and var declarations.',
  request: { params: z.object({ id: z.string().max(64).openapi({ example: 'og-card' }) }) },
  responses: {
    200: { description: 'The template', content: { 'application/json': { schema: TemplateDetailSchema } } },
    ...problems(401, only(404, 'template_not_found'), 429),
  },
});

export function registerGetTemplate(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    if (isUserTemplateId(id)) return c.json(toUserDetail(await getUserTemplate(c.env.DB, c.get('auth').accountId, id)), 200);
    const template = findAnyTemplate(id);
    if (!template) throw templateNotFound(id);
    return c.json(toDetail(template), 200);
  });
}
