/** POST /api/v1/generate/image — render a template to PNG, WebP or SVG (sync or async). */
import { createRoute } from '@hono/zod-openapi';
import { createImageRender } from '../../../jobs/create';
import { quotaHeaders } from '../../../quota/index';
import { type App, baseUrl, meterQuota, only, problems } from '../../shared';
import { CompletedImageRenderSchema, completed, toRenderResource } from '../renders/schema';
import { AcceptedSchema, GenerateImageBody } from './schema';

export const route = createRoute({
  method: 'post',
  path: '/api/v1/generate/image',
  operationId: 'generate.image',
  tags: ['Generate'],
  summary: 'Render a template to an image',
  description:
    'Renders synchronously by default and answers with the image URL. Identical requests are answered from the content cache (`cached: true`, free of quota). With `async: true` the render is queued: 202 and poll `poll_url`. A fresh render uses one unit of the monthly quota (test keys: none, and the image carries a TEST watermark). Send an `Idempotency-Key` to retry safely.',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: GenerateImageBody,
          examples: {
            ogCard: { summary: 'An Open Graph card (PNG, 1200×630)', value: { template: 'og-card', vars: { title: 'Launch week' } } },
            retinaWebp: {
              summary: 'A product card as WebP at 2× pixel density',
              value: { template: 'product-card', vars: { name: 'Trail Runner 2', price: 129 }, format: 'webp', scale: 2 },
            },
            queued: {
              summary: 'Queued: answers 202 at once; poll the render or take the webhook',
              value: { template: 'og-card', vars: { title: 'Later' }, async: true },
            },
          },
        },
      },
    },
  },
  responses: {
    200: { description: 'Rendered (or served from cache)', content: { 'application/json': { schema: CompletedImageRenderSchema } } },
    202: { description: 'Queued', content: { 'application/json': { schema: AcceptedSchema } } },
    ...problems(400, 401, only(404, 'template_not_found'), only(409, 'idempotency_key_in_progress'), 413, 415, 422, 429, 500, 503),
  },
});

export function registerGenerateImage(app: App): void {
  meterQuota(app, route.path);
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const timings = c.get('timings');
    const { row, quota } = await createImageRender(c.env, body, {
      owner: c.get('auth'),
      async: body.async,
      timings,
      waitUntil: (p) => c.executionCtx.waitUntil(p),
      baseUrl: baseUrl(c),
    });
    for (const [name, value] of Object.entries(quotaHeaders(quota))) c.header(name, value);
    if (body.async) {
      return c.json({ id: row.id, status: 'pending' as const, poll_url: `/api/v1/renders/${row.id}` }, 202, {
        Location: `/api/v1/renders/${row.id}`,
      });
    }
    return c.json(completed(toRenderResource(row, baseUrl(c))), 200);
  });
}
