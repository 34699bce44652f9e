/** POST /api/v1/generate/image — render a template to PNG, WebP or SVG (sync or async). */
import { createRoute } from '@hono/zod-openapi';
import { createImageRender } from '../../../jobs/create';
import { Timings } from '../../../lib/timing';
import { type App, baseUrl, problems } from '../../shared';
import { RenderSchema, toRenderResource } from '../renders/schema';
import { AcceptedSchema, GenerateImageBody } from './schema';

export const route = createRoute({
  method: 'post',
  path: '/api/v1/generate/image',
  operationId: 'generate.image',
  tags: ['Generate'],
  summary: 'Render a template to an image',
  description:
    'Renders synchronously by default and answers with the image URL. Identical requests are answered from the content cache (`cached: true`). With `async: true` the render is queued: 202 and poll `poll_url`.',
  request: { body: { required: true, content: { 'application/json': { schema: GenerateImageBody } } } },
  responses: {
    200: { description: 'Rendered (or served from cache)', content: { 'application/json': { schema: RenderSchema } } },
    202: { description: 'Queued', content: { 'application/json': { schema: AcceptedSchema } } },
    ...problems(400, 404, 413, 415, 422, 500, 503),
  },
});

export function registerGenerateImage(app: App): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const timings = new Timings();
    const row = await createImageRender(c.env, body, { async: body.async, timings, waitUntil: (p) => c.executionCtx.waitUntil(p) });
    c.header('Server-Timing', timings.header());
    if (body.async) {
      return c.json({ id: row.id, status: 'pending' as const, poll_url: `/api/v1/renders/${row.id}` }, 202, {
        Location: `/api/v1/renders/${row.id}`,
      });
    }
    return c.json(toRenderResource(row, baseUrl(c)), 200);
  });
}
