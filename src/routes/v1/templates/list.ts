/** GET /api/v1/templates — the built-in templates, image and PDF. */
import { createRoute, z } from '@hono/zod-openapi';
import { PDF_TEMPLATES, TEMPLATES } from '../../../../templates/index';
import { type App, problems } from '../../shared';
import { TemplateSummarySchema, toSummary } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/api/v1/templates',
  operationId: 'templates.list',
  tags: ['Templates'],
  summary: 'List templates',
  description: 'The built-in templates: image templates (`kind: image`, default size) and PDF templates (`kind: pdf`, paper and orientation).',
  responses: {
    200: {
      description: 'All templates',
      content: { 'application/json': { schema: z.object({ data: z.array(TemplateSummarySchema) }).openapi('TemplateList') } },
    },
    ...problems(401, 429),
  },
});

export function registerListTemplates(app: App): void {
  app.openapi(route, (c) => c.json({ data: [...TEMPLATES.values(), ...PDF_TEMPLATES.values()].map(toSummary) }, 200));
}
