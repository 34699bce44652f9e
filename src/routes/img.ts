/**
 * GET|HEAD /img/:key — serves rendered images from R2, behind the Cache API.
 *
 * Objects are content-addressed, so they never change: `immutable` for a year, a strong ETag, and
 * 304 on If-None-Match. Social crawlers hit these URLs directly from og:image tags; the edge cache
 * answers repeats without touching R2.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { ProblemError } from '../errors/problem';
import { getOutput, headOutput, IMMUTABLE_CACHE_CONTROL } from '../storage/outputs';
import { type App, only, problems } from './shared';

const KEY = /^[a-f0-9]{40}\.(png|webp|svg)$/;

export const route = createRoute({
  method: 'get',
  path: '/img/{key}',
  operationId: 'images.get',
  tags: ['Images'],
  summary: 'Fetch a rendered image',
  security: [],
  description: 'Public and immutable; supports ETag / If-None-Match and HEAD.',
  request: { params: z.object({ key: z.string().openapi({ example: '3f2a…9c.png' }) }) },
  responses: {
    200: {
      description: 'The image',
      content: {
        'image/png': { schema: z.string().openapi({ format: 'binary' }) },
        'image/webp': { schema: z.string().openapi({ format: 'binary' }) },
        'image/svg+xml': { schema: z.string().openapi({ format: 'binary' }) },
      },
    },
    304: { description: 'Not modified' },
    ...problems(only(404, 'not_found')),
  },
});

function headersFor(object: R2Object): Headers {
  const headers = new Headers();
  object.writeHttpMetadata(headers);
  headers.set('ETag', object.httpEtag);
  headers.set('Cache-Control', IMMUTABLE_CACHE_CONTROL);
  headers.set('X-Content-Type-Options', 'nosniff');
  // SVGs are served from our origin: never let one run script or load anything.
  headers.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
  return headers;
}

export function registerImages(app: App): void {
  app.openapi(route, async (c) => {
    const { key } = c.req.valid('param');
    if (!KEY.test(key)) throw new ProblemError('not_found', 'No such image');
    const objectKey = `img/${key}`;

    if (c.req.method === 'HEAD') {
      const head = await headOutput(c.env.OUTPUT, objectKey);
      if (!head) throw new ProblemError('not_found', 'No such image');
      const headers = headersFor(head);
      headers.set('Content-Length', String(head.size));
      return c.body(null, 200, Object.fromEntries(headers));
    }

    const cache = caches.default;
    const cached = await cache.match(c.req.raw);
    // copy: a matched response's headers are immutable, and our middleware adds to them
    if (cached) return new Response(cached.body, cached);

    const object = await getOutput(c.env.OUTPUT, objectKey, { onlyIf: c.req.raw.headers });
    if (!object) throw new ProblemError('not_found', 'No such image');
    const headers = headersFor(object);
    if (!('body' in object)) return c.body(null, 304, Object.fromEntries(headers));

    headers.set('Content-Length', String(object.size));
    const response = new Response(object.body, { status: 200, headers });
    c.executionCtx.waitUntil(cache.put(new Request(c.req.url), response.clone()));
    return response;
  });
}
