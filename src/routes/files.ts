/**
 * GET|HEAD /files/:file — serves private files (PDFs) from R2 behind signed, expiring URLs.
 *
 * The URL's signature is checked before R2 is touched, so a forged or expired URL costs nothing
 * and reveals nothing (not even whether the file exists). Responses are `private`, cacheable by
 * the browser only until the URL expires, and never put in the edge cache. Supports
 * If-None-Match (304), a single byte Range (206, which PDF viewers use to load page by page), and HEAD.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { config, fileVerificationSecrets } from '../config';
import { ProblemError } from '../errors/problem';
import { now } from '../lib/time';
import { trimBoth } from '../lib/trim';
import { getOutput, headOutput } from '../storage/outputs';
import { FILE_ID, fileObjectKey, verifyFileUrl } from '../storage/signed-urls';
import { type App, only, problems } from './shared';

const FILE = /^(.+)\.pdf$/;

export const route = createRoute({
  method: 'get',
  path: '/files/{file}',
  operationId: 'files.get',
  tags: ['Files'],
  summary: 'Fetch a private file through a signed URL',
  security: [],
  description:
    'Private PDFs, reachable only through the signed, expiring URLs the API returns (valid 24 hours). ' +
    'Supports ETag / If-None-Match, a single byte Range and HEAD.',
  request: {
    params: z.object({ file: z.string().openapi({ example: '3f2a…9c.pdf' }) }),
    // declared for the spec only: the handler reads the raw values, and a duplicated or missing one
    // is an invalid signature (403), not a validation error; `catch` keeps validation from failing
    query: z.object({
      expires: z
        .string()
        .optional()
        .catch(undefined)
        .openapi({ type: 'string', description: 'Expiry, unix seconds', example: '1767225600', param: { required: true } }),
      signature: z
        .string()
        .optional()
        .catch(undefined)
        .openapi({ type: 'string', description: 'HMAC-SHA256 signature, base64url without padding', param: { required: true } }),
    }),
  },
  responses: {
    200: { description: 'The file', content: { 'application/pdf': { schema: z.string().openapi({ format: 'binary' }) } } },
    206: { description: 'The requested byte range', content: { 'application/pdf': { schema: z.string().openapi({ format: 'binary' }) } } },
    304: { description: 'Not modified' },
    ...problems(only(403, 'url_expired', 'invalid_signature'), only(404, 'not_found'), 416, 503),
  },
});

/** A single query value; absent or repeated counts as missing. */
function single(values: string[] | undefined): string | null {
  return values?.length === 1 ? (values[0] as string) : null;
}

/** A filename safe inside a quoted Content-Disposition parameter: plain ASCII, ending in .pdf. */
export function dispositionFilename(suggested: string | undefined, fileId: string): string {
  const fallback = `${fileId}.pdf`;
  if (!suggested) return fallback;
  const base = trimBoth(
    suggested
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/\.pdf$/i, '')
      .replace(/[^A-Za-z0-9._ -]+/g, '_')
      .slice(0, 100),
    ' ._-', // what is left of \s once every other character but these became "_"
  );
  return /[A-Za-z0-9]/.test(base) ? `${base}.pdf` : fallback;
}

function headersFor(object: R2Object, fileId: string, maxAge: number): Headers {
  // set explicitly, not from the object's HTTP metadata: whatever it was stored with, a private
  // document must never be cached publicly
  return new Headers({
    'Content-Type': 'application/pdf',
    'Content-Disposition': `inline; filename="${dispositionFilename(object.customMetadata?.filename, fileId)}"`,
    'Cache-Control': `private, max-age=${maxAge}`,
    ETag: object.httpEtag,
    'X-Content-Type-Options': 'nosniff',
    'Accept-Ranges': 'bytes',
  });
}

/**
 * R2 applies If-None-Match and Range itself. A range past the end makes R2 throw (10039), which is
 * the client's mistake: 416 with the size, as RFC 9110 asks. (The local simulator sends the whole
 * object instead.)
 */
async function getRange(bucket: R2Bucket, key: string, request: Headers): Promise<R2ObjectBody | R2Object | null> {
  try {
    return await getOutput(bucket, key, { onlyIf: request, range: request });
  } catch (err) {
    if (!request.has('range') || !/range|10039/i.test(String(err))) throw err;
    const head = await headOutput(bucket, key);
    if (!head) return null;
    throw new ProblemError('range_not_satisfiable', `The file is ${head.size} bytes; the requested range is outside it`, {
      headers: { 'Content-Range': `bytes */${head.size}` },
    });
  }
}

/**
 * The part of the object a body holds, or undefined for all of it (then a plain 200: a server may
 * ignore a Range, and R2 does for one it cannot parse). Checked by type: the runtime's range object
 * can carry `suffix: undefined` beside offset and length.
 */
function byteRange(object: R2ObjectBody): { offset: number; length: number } | undefined {
  const range = object.range as { offset?: number; length?: number; suffix?: number } | undefined;
  if (!range) return undefined;
  const offset = typeof range.suffix === 'number' ? Math.max(0, object.size - range.suffix) : (range.offset ?? 0);
  const length = Math.min(typeof range.suffix === 'number' ? range.suffix : (range.length ?? object.size - offset), object.size - offset);
  if (length <= 0 || (offset === 0 && length === object.size)) return undefined;
  return { offset, length };
}

/** If-None-Match for HEAD, which R2's head() does not evaluate (weak comparison, as RFC 9110 asks). */
function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

export function registerFiles(app: App): void {
  app.openapi(route, async (c) => {
    const match = FILE.exec(c.req.valid('param').file);
    if (!match || !FILE_ID.test(match[1] as string)) throw new ProblemError('not_found', 'No such file');
    const fileId = match[1] as string;

    const nowSeconds = Math.floor(now() / 1000);
    const expires = single(c.req.queries('expires'));
    const verdict = await verifyFileUrl(fileVerificationSecrets(config(c.env)), fileId, expires, single(c.req.queries('signature')), nowSeconds);
    if (verdict === 'invalid') throw new ProblemError('invalid_signature', 'The URL signature does not match; ask the API for a new URL');
    if (verdict === 'expired') {
      const at = new Date(Number(expires) * 1000).toISOString();
      throw new ProblemError('url_expired', `This URL expired at ${at}; ask the API for a new URL`);
    }
    const maxAge = Number(expires) - nowSeconds;
    const key = fileObjectKey(fileId);

    if (c.req.method === 'HEAD') {
      const head = await headOutput(c.env.OUTPUT, key);
      if (!head) throw new ProblemError('not_found', 'No such file');
      const headers = headersFor(head, fileId, maxAge);
      if (matchesEtag(c.req.header('if-none-match'), head.httpEtag)) return c.body(null, 304, Object.fromEntries(headers));
      headers.set('Content-Length', String(head.size));
      return c.body(null, 200, Object.fromEntries(headers));
    }

    const object = await getRange(c.env.OUTPUT, key, c.req.raw.headers);
    if (!object) throw new ProblemError('not_found', 'No such file');
    const headers = headersFor(object, fileId, maxAge);
    if (!('body' in object)) return c.body(null, 304, Object.fromEntries(headers));

    const range = c.req.header('range') !== undefined ? byteRange(object) : undefined;
    if (range) {
      headers.set('Content-Range', `bytes ${range.offset}-${range.offset + range.length - 1}/${object.size}`);
      headers.set('Content-Length', String(range.length));
      return c.body(object.body, 206, Object.fromEntries(headers));
    }
    headers.set('Content-Length', String(object.size));
    return c.body(object.body, 200, Object.fromEntries(headers));
  });
}
