/**
 * GET|HEAD /img/:key — serves rendered images from R2, behind the Cache API.
 *
 * Objects are content-addressed, so they never change: `immutable` for a year, a strong ETag, and
 * 304 on If-None-Match. Social crawlers hit these URLs directly from og:image tags; the colo's
 * cache answers repeats without touching R2 (no round trip to its region), and a fresh image is
 * there before its render is answered (storage/edge-outputs.ts).
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { ProblemError } from '../errors/problem';
import { cacheAtEdge, cachedAtEdge, imageHeaders, pendingOutput } from '../storage/edge-outputs';
import { getOutput, headOutput, IMMUTABLE_CACHE_CONTROL } from '../storage/outputs';
import { type App, baseUrl, only, problems } from './shared';

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
  const headers = imageHeaders(object.httpMetadata?.contentType ?? 'application/octet-stream', object.httpEtag, object.size);
  object.writeHttpMetadata(headers);
  headers.set('Cache-Control', IMMUTABLE_CACHE_CONTROL);
  return headers;
}

/** A 304 when the caller already holds this ETag. */
function notModified(c: Context<AppEnv>, etag: string | null): boolean {
  const held = c.req.header('if-none-match');
  if (!held || !etag) return false;
  return held === '*' || held.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/** An answer of the edge's (a cached response or this isolate's copy): the body unless HEAD, or a 304. */
function fromEdge(c: Context<AppEnv>, headers: Headers, body: BodyInit | null): Response {
  const copy = new Headers(headers);
  if (notModified(c, copy.get('etag'))) {
    copy.delete('content-length');
    return new Response(null, { status: 304, headers: copy });
  }
  return new Response(c.req.method === 'HEAD' ? null : body, { status: 200, headers: copy });
}

export function registerImages(app: App): void {
  app.openapi(route, async (c) => {
    const { key } = c.req.valid('param');
    if (!KEY.test(key)) throw new ProblemError('not_found', 'No such image');
    const objectKey = `img/${key}`;
    const base = baseUrl(c);

    // the colo's cache, then this isolate's copy of an image whose R2 put has not landed
    // (storage/edge-outputs.ts), then R2
    const cached = await cachedAtEdge(base, objectKey);
    if (cached) return fromEdge(c, cached.headers, cached.body);
    const fresh = pendingOutput(objectKey);
    if (fresh) return fromEdge(c, imageHeaders(fresh.contentType, fresh.etag, fresh.bytes.byteLength), fresh.bytes);

    if (c.req.method === 'HEAD') {
      const head = await headOutput(c.env.OUTPUT, objectKey);
      if (!head) throw new ProblemError('not_found', 'No such image');
      return c.body(null, 200, Object.fromEntries(headersFor(head)));
    }

    const object = await getOutput(c.env.OUTPUT, objectKey, { onlyIf: c.req.raw.headers });
    if (!object) throw new ProblemError('not_found', 'No such image');
    const headers = headersFor(object);
    if (!('body' in object)) {
      headers.delete('content-length');
      return c.body(null, 304, Object.fromEntries(headers));
    }
    const response = new Response(object.body, { status: 200, headers });
    c.executionCtx.waitUntil(cacheAtEdge(base, objectKey, response.clone()));
    return response;
  });
}
