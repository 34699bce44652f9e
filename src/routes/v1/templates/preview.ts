/** POST /api/v1/templates/preview — draw a template's source without keeping it (a live preview). */
import { createRoute, z } from '@hono/zod-openapi';
import { previewTemplate } from '../../../renders/preview';
import { type App, only, problems } from '../../shared';
import { PreviewTemplateBody } from './schema';

const binary = z.string().openapi({ format: 'binary' });

export const route = createRoute({
  method: 'post',
  path: '/api/v1/templates/preview',
  operationId: 'templates.preview',
  tags: ['Templates'],
  summary: 'Preview a template',
  description:
    "Draws a template's source — the same fields as POST /api/v1/templates, `name` not needed — with `values` (or its example) and answers with the image itself. Nothing is kept and no quota is used, so the image carries the TEST watermark. Checked as on create (a 422 `template_invalid` names what an engine cannot draw); `values` are checked by the template's vars (400 naming `values.<var>`); remote images are fetched through the SSRF guard.",
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: PreviewTemplateBody,
          examples: {
            card: {
              summary: 'A title card, previewed with a title',
              value: {
                width: 1200,
                height: 630,
                html: '<div style="display:flex;align-items:center;justify-content:center;width:100%;height:100%;background:#4f46e5;color:#ffffff;font-size:72px">{{title}}</div>',
                values: { title: 'Launch week' },
              },
            },
          },
        },
      },
    },
  },
  responses: {
    200: {
      description: 'The image (TEST watermark; not stored)',
      headers: { 'Cache-Control': { schema: { type: 'string', example: 'no-store' }, description: 'no-store: a preview is never cached' } },
      content: { 'image/png': { schema: binary }, 'image/webp': { schema: binary } },
    },
    ...problems(400, 401, only(409, 'idempotency_key_in_progress'), 413, 415, 422, 429, 503),
  },
});

export function registerPreviewTemplate(app: App): void {
  app.openapi(route, async (c) => {
    const { values, format, engine, width, height, html, vars, example } = c.req.valid('json');
    const source = { width, height, html, vars: vars ?? {}, ...(example ? { example } : {}) };
    const out = await previewTemplate(c.env, c.get('auth').accountId, source, { ...(values ? { values } : {}), format, ...(engine ? { engine } : {}) });
    return c.body(out.bytes as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': out.contentType, 'Cache-Control': 'no-store' });
  });
}
