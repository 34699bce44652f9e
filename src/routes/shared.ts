/** Pieces every route file uses: the app type, problem responses for the spec, base URL. */

import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../env';

export type HonoEnv = { Bindings: AppEnv; Variables: { requestId: string } };
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
    400: 'Invalid request (validation_failed, malformed_json, …)',
    404: 'Not found',
    413: 'Body larger than 64 KB',
    415: 'Body is not application/json',
    422: 'A remote image var was refused or could not be used',
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
