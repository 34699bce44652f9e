/**
 * GET|HEAD /og/:file — the image of a signed og:image URL (og/serve.ts), for social crawlers and
 * browsers. A bad URL is a 403 (404 for a path that names no template): problem+json for a client
 * that accepts JSON, a one-line text for the rest (a crawler only reads the status).
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { clientIp } from '../auth/middleware';
import type { AppEnv } from '../env';
import { PROBLEMS, ProblemError, toProblem } from '../errors/problem';
import { OgUrlError } from '../og/canonical';
import { serveOg } from '../og/serve';
import { type App, baseUrl, only, problems } from './shared';

const binary = z.string().openapi({ format: 'binary' });
/** Declared for the document only: the handler reads the raw query (a repeated or missing one is a 403, not a 400). */
const param = (description: string, example?: string, required = false) =>
  z
    .string()
    .optional()
    .catch(undefined)
    .openapi({ type: 'string', description, ...(example ? { example } : {}), param: { required } });

const textOrProblem = (entry: { description: string; content: Record<string, unknown> }) => ({
  ...entry,
  content: { ...entry.content, 'text/plain': { schema: z.string() } },
});

const {
  403: forbidden,
  404: notFound,
  429: throttled,
  500: failed,
} = problems(only(403, 'invalid_signature', 'url_expired', 'signing_key_invalid'), only(404, 'not_found', 'template_not_found'), only(429, 'rate_limited'));

export const route = createRoute({
  method: 'get',
  path: '/og/{file}',
  operationId: 'og.get',
  tags: ['Images'],
  summary: 'Fetch the image of a signed og:image URL',
  security: [],
  description:
    'The URL a site writes into its `<meta property="og:image">`, signed with one of its URL-signing keys (README "Signed og:image URLs": the canonical form). ' +
    '`file` is `<template>.<png|webp>` (a built-in image template, `tpl_…` or `tpl_…@N`); every query parameter other than `kid`, `exp`, `s` and `vars` is a var, and tracking parameters (`utm_*`, `fbclid`, `gclid`, …) are ignored and unsigned. ' +
    'Answers the image itself (no redirect). The first request renders it (one quota unit, a render in the history); later ones come from the edge cache. ' +
    "`Cache-Control`: a year, immutable, for a pinned `tpl_…@N`; a day for a built-in template; an hour for an account template's current version; never past `exp`. " +
    "A valid URL that cannot render (its vars, the quota, a remote image, the engine) still answers 200: the template's fallback image, `Cache-Control: public, max-age=60` and `X-PicStream-Error: <code>`; the failure is recorded as a failed render and announced as `render.failed`.",
  request: {
    params: z.object({ file: z.string().openapi({ example: 'og-card.png' }) }),
    query: z.object({
      kid: param('The URL-signing key id', 'usk_01JD5X1Q4ZB8R3W2K7T6YV9N0M', true),
      exp: param('Expiry, unix seconds (optional)', '1767225600'),
      vars: param('Vars that are not plain strings: base64url (no padding) of a JSON object'),
      s: param('HMAC-SHA256 of the canonical form, base64url without padding', undefined, true),
    }),
  },
  responses: {
    200: {
      description: "The image, or the template's fallback image (then with `X-PicStream-Error`)",
      headers: {
        ETag: { schema: { type: 'string' } },
        'Cache-Control': { schema: { type: 'string', example: 'public, max-age=86400' } },
        'X-PicStream-Error': {
          schema: { type: 'string', example: 'remote_image_fetch_failed' },
          description: 'Only on a fallback image: why the image could not be drawn',
        },
      },
      content: { 'image/png': { schema: binary }, 'image/webp': { schema: binary } },
    },
    304: { description: 'Not modified' },
    403: textOrProblem(forbidden as NonNullable<typeof forbidden>),
    404: textOrProblem(notFound as NonNullable<typeof notFound>),
    429: textOrProblem(throttled as NonNullable<typeof throttled>),
    500: failed as NonNullable<typeof failed>,
  },
});

function notModified(c: Context<AppEnv>, etag: string | null): boolean {
  const held = c.req.header('if-none-match');
  if (!held || !etag) return false;
  return held === '*' || held.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/** A refusal: problem+json when the client takes JSON, else the status with one line of text. */
function refuse(c: Context<AppEnv>, err: ProblemError): Response {
  const headers = { ...err.headers, 'Cache-Control': 'no-store' };
  if (/json/i.test(c.req.header('accept') ?? '')) {
    return c.body(JSON.stringify(toProblem(err, c.get('requestId'))), err.status as 403, { ...headers, 'Content-Type': 'application/problem+json' });
  }
  const text = `${err.status} ${PROBLEMS[err.code].title}: ${err.message}\n`;
  const plain = { ...headers, 'Content-Type': 'text/plain; charset=utf-8' };
  return c.req.method === 'HEAD' ? c.body(null, err.status as 403, plain) : c.body(text, err.status as 403, plain);
}

export function registerOg(app: App): void {
  app.openapi(route, async (c) => {
    const url = new URL(c.req.url);
    const segment = url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
    let answer: Awaited<ReturnType<typeof serveOg>>;
    try {
      answer = await serveOg(c.env, segment, url.search, {
        baseUrl: baseUrl(c),
        waitUntil: (work) => c.executionCtx.waitUntil(work),
        timings: c.get('timings'),
        clientIp: clientIp((n) => c.req.header(n)),
      });
    } catch (err) {
      if (err instanceof OgUrlError) return refuse(c, new ProblemError(err.fault, err.message));
      if (err instanceof ProblemError && (err.status === 404 || err.status === 429)) return refuse(c, err);
      throw err;
    }
    const { headers } = answer;
    if (notModified(c, headers.get('etag'))) {
      headers.delete('content-length');
      if (answer.bytes instanceof ReadableStream) await answer.bytes.cancel();
      return c.body(null, 304, Object.fromEntries(headers));
    }
    if (c.req.method === 'HEAD' && answer.bytes instanceof ReadableStream) await answer.bytes.cancel();
    if (c.req.method === 'HEAD' || answer.bytes === null) return c.body(null, 200, Object.fromEntries(headers));
    return c.body(answer.bytes as Uint8Array<ArrayBuffer>, 200, Object.fromEntries(headers));
  });
}
