/** Pieces every route file uses: the app type, problem responses for the spec, base URL. */

import type { OpenAPIHono, RouteConfig } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { declareLiveOnly } from '../auth/modes';
import { config } from '../config';
import type { AppEnv } from '../env';
import { PROBLEMS, type ProblemCode } from '../errors/problem';
import { quotaHeaders } from '../quota/index';

export type App = OpenAPIHono<AppEnv>;

const PROBLEM_CODES = Object.keys(PROBLEMS) as [ProblemCode, ...ProblemCode[]];

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ format: 'uri', example: 'https://picstream.dev/errors/validation-failed' }),
    title: z.string().openapi({ example: 'Validation failed' }),
    status: z.number().int().openapi({ example: 400 }),
    detail: z.string().openapi({ example: 'The request does not match the schema' }),
    code: z.enum(PROBLEM_CODES).openapi({ description: 'Stable, machine-readable error code', example: 'validation_failed' }),
    request_id: z.string().optional().openapi({ description: 'Also in the X-Request-Id header', example: 'req_01JD5X1Q4ZB8R3W2K7T6YV9N0M' }),
    errors: z
      .array(
        z.object({
          path: z.string().openapi({ example: 'vars.title' }),
          message: z.string().openapi({ example: 'Too big: expected string to have <=120 characters' }),
        }),
      )
      .optional()
      .openapi({ description: 'For validation errors: each field that failed, by its dotted path in the request' }),
  })
  .openapi('Problem', { description: 'An RFC 9457 problem detail' });

const STATUS_MEANING: Record<number, string> = {
  400: 'The request is invalid',
  401: 'Missing, malformed, unknown or revoked API key',
  403: 'The URL is not (or no longer) valid',
  404: "Not found (another account's resource answers the same)",
  409: 'Conflict',
  413: 'Body larger than 64 KB (512 KB for generate/pdf, 6 MB for fonts)',
  415: 'Body is not application/json',
  416: 'Range not satisfiable',
  422: 'The request is well-formed but cannot be carried out',
  429: 'Too many requests: see Retry-After',
  500: 'Something failed on our side',
  503: 'A service the request needs is unavailable; retry later',
};

/** Codes only a render record carries (`error.code` of a failed async render), never an HTTP answer. */
const RECORD_ONLY_CODES = new Set<ProblemCode>(['dead_lettered', 'abandoned']);

/** The codes an answer with this status may carry, from the one code→status map. */
function codesFor(status: number): ProblemCode[] {
  return PROBLEM_CODES.filter((code) => PROBLEMS[code].status === status && !RECORD_ONLY_CODES.has(code));
}

/** A status whose answers on this route carry only these codes (e.g. a 404 that can only be `render_not_found`). */
export interface NarrowedStatus {
  status: number;
  codes: ProblemCode[];
}

export function only(status: number, ...codes: ProblemCode[]): NarrowedStatus {
  if (codes.some((c) => PROBLEMS[c].status !== status)) throw new Error(`only(${status}): ${codes.join(', ')} do not all answer ${status}`);
  return { status, codes };
}

/**
 * OpenAPI response entries for problem+json errors: each status's schema narrows `status` and
 * `code` to what that status can carry — every code the error map gives it, or those a route
 * names with `only()` — so the spec, the error map and the route agree (the response checks in
 * the tests hold them to it). 500 is always among them.
 *
 * @example problems(400, 401, only(404, 'render_not_found'), 429)
 */
export function problems(...statuses: (number | NarrowedStatus)[]) {
  const entries = statuses.map((s) => (typeof s === 'number' ? { status: s, codes: codesFor(s) } : s));
  // any operation can fail on our side (the error handler's `internal_error`)
  if (!entries.some((e) => e.status === 500)) entries.push({ status: 500, codes: codesFor(500) });
  return Object.fromEntries(entries.map(({ status, codes }) => [status, problemResponse(status, codes)]));
}

/** One response entry per (status, codes), shared by the routes that give the same (built at isolate start). */
const problemResponses = new Map<string, ReturnType<typeof buildProblemResponse>>();

function problemResponse(status: number, codes: ProblemCode[]) {
  const key = `${status}:${codes.join(',')}`;
  let response = problemResponses.get(key);
  if (!response) {
    response = buildProblemResponse(status, codes);
    problemResponses.set(key, response);
  }
  return response;
}

/** What a status means when it can carry only these codes (a 403 is a signed URL's answer, or this one). */
const CODES_MEANING: Partial<Record<ProblemCode, string>> = {
  live_key_required: 'This operation takes a live key (pk_live_…); test keys may read and render, not change the account',
};

function buildProblemResponse(status: number, codes: ProblemCode[]) {
  const meaning = codes.length === 1 && codes[0] ? CODES_MEANING[codes[0]] : undefined;
  const description = `${meaning ?? STATUS_MEANING[status] ?? 'Error'}: ${codes.map((c) => `\`${c}\``).join(', ')}`;
  const schema = ProblemSchema.extend({ status: z.literal(status), code: z.enum(codes as [ProblemCode, ...ProblemCode[]]) });
  return { description, content: { 'application/problem+json': { schema } } };
}

/**
 * Declares an operation live-key only (README "Key modes"): a test key gets `403 live_key_required`
 * from the key-mode guard right after authentication (auth/modes.ts), before any body is read, and
 * the 403 is added to the operation's responses. Wrap the config given to `createRoute`.
 *
 * @example export const route = createRoute(liveKeyOnly({ method: 'post', path: '/api/v1/keys', … }));
 */
export function liveKeyOnly<R extends RouteConfig>(config: R): R {
  declareLiveOnly(config.method, config.path);
  return { ...config, responses: { ...config.responses, 403: problemResponse(403, ['live_key_required']) } };
}

/** The host for returned URLs: PUBLIC_BASE_URL when set, else the request's own origin. */
export function baseUrl(c: Context<AppEnv>): string {
  return config(c.env).publicBaseUrl || new URL(c.req.url).origin;
}

/**
 * Metered routes: every answer past authentication carries the quota, the route's errors included
 * (as the account stood on arrival — a failed render has given its units back by then); not those
 * the earlier middleware gives (413, 415, a rate-limited 429, idempotency conflicts). A route's own
 * headers win.
 */
/** The paths meterQuota has been applied to (the OpenAPI document declares their quota headers). */
export const meteredPaths = new Set<string>();

export function meterQuota(app: App, path: string): void {
  meteredPaths.add(path);
  app.use(path, async (c, next) => {
    await next();
    const auth = c.get('auth');
    if (auth && !c.res.headers.has('X-Quota-Limit')) {
      for (const [name, value] of Object.entries(quotaHeaders({ limit: auth.monthlyQuota, used: auth.used }))) c.res.headers.set(name, value);
    }
  });
}
