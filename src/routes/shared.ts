/** Pieces every route file uses: the app type, problem responses for the spec, base URL. */

import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AuthContext } from '../auth/middleware';
import type { AppEnv } from '../env';
import type { Timings } from '../lib/timing';
import { quotaHeaders } from '../quota/index';

/** `auth` is set by the API-key middleware on every /api/v1 route except sign-up. */
export type HonoEnv = { Bindings: AppEnv; Variables: { requestId: string; auth: AuthContext; timings: Timings } };
export type App = OpenAPIHono<HonoEnv>;

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().openapi({ example: 'validation_failed' }),
    request_id: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

/** OpenAPI response entries for problem+json errors. */
export function problems(...statuses: number[]) {
  const descriptions: Record<number, string> = {
    400: 'Invalid request (validation_failed, malformed_json, idempotency_key_invalid, …)',
    401: 'Missing, malformed, unknown or revoked API key (unauthorized)',
    404: 'Not found',
    409: 'Conflict (e.g. idempotency_key_in_progress)',
    413: 'Body larger than 64 KB (512 KB for generate/pdf)',
    415: 'Body is not application/json',
    422: 'A remote image var was refused or could not be used, or idempotency_key_reused',
    429: 'rate_limited or quota_exceeded; see Retry-After',
    500: 'Server error',
    503: 'Queue unavailable',
  };
  return Object.fromEntries(
    statuses.map((s) => [s, { description: descriptions[s] ?? 'Error', content: { 'application/problem+json': { schema: ProblemSchema } } }]),
  );
}

/** The host for returned URLs: PUBLIC_BASE_URL when set, else the request's own origin. */
export function baseUrl(c: Context<HonoEnv>): string {
  return c.env.PUBLIC_BASE_URL || new URL(c.req.url).origin;
}

/**
 * Metered routes: every answer carries the quota, errors included (as the account stood on
 * arrival — a failed render has given its units back by then). A route's own headers win.
 */
export function meterQuota(app: App, path: string): void {
  app.use(path, async (c, next) => {
    await next();
    const auth = c.get('auth');
    if (auth && !c.res.headers.has('X-Quota-Limit')) {
      for (const [name, value] of Object.entries(quotaHeaders({ limit: auth.monthlyQuota, used: auth.used }))) c.res.headers.set(name, value);
    }
  });
}
