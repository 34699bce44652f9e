/** GET /api/v1/templates — the built-in templates, image and PDF, then the caller's own. */
import { createRoute, z } from '@hono/zod-openapi';
import { PDF_TEMPLATES, TEMPLATES } from '../../../../templates/index';
import { listUserTemplates } from '../../../user-templates/service';
import { type App, problems } from '../../shared';
import { TemplateSummarySchema, toSummary, toUserSummary } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/api/v1/templates',
  operationId: 'templates.list',
  tags: ['Templates'],
  summary: 'List templates',
  description:
    'The built-in templates (`builtin: true`) — image templates (`kind: image`, default size) and PDF templates (`kind: pdf`, paper and orientation) — then yours (`builtin: false`), oldest first.',
  responses: {
    200: {
      description: 'All templates',
      content: { 'application/json': { schema: z.object({ data: z.array(TemplateSummarySchema) }).openapi('TemplateList') } },
    },
    ...problems(401, 429),
  },
});

export function registerListTemplates(app: App): void {
  app.openapi(route, async (c) => {
    const own = await listUserTemplates(c.env.DB, c.get('auth').accountId);
    return c.json({ data: [...[...TEMPLATES.values(), ...PDF_TEMPLATES.values()].map(toSummary), ...own.map(toUserSummary)] }, 200);
  });
}
