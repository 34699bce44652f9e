/**
 * How long stored things live, from the Worker's vars (parsed once per isolate): finished render
 * records (live and test), test outputs in R2, and how many versions of a template an update keeps.
 * D1 has a hard size cap after which every tenant's writes fail, so everything a request stores
 * must go away again; what must outlive it (the quota) lives in `usage`, which is never swept.
 */
import { z } from 'zod';
import type { AppEnv } from '../env';

const DAY_MS = 24 * 3600_000;

export interface RetentionPolicy {
  /** Finished live render records are deleted this long after they were made (their outputs stay). */
  renderMs: number;
  /** Finished test render records, and the outputs no newer record still points at, go after this. */
  testRenderMs: number;
  /** An update keeps this many latest versions of a template (plus pinned and queued ones). */
  templateVersionsKept: number;
}

/** A whole number from 1 to `max`, or `fallback` when unset or empty. */
const count = (fallback: number, max: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      const text = value?.trim();
      if (!text) return fallback;
      const n = Number(text);
      if (!Number.isInteger(n) || n < 1 || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number from 1 to ${max}, not "${text}"` });
        return z.NEVER;
      }
      return n;
    });

const RetentionVars = z.object({
  RENDER_RETENTION_DAYS: count(30, 3650),
  TEST_RENDER_RETENTION_DAYS: count(7, 3650),
  TEMPLATE_VERSIONS_KEPT: count(20, 1000),
});

let parsed: { source: string; policy: RetentionPolicy } | undefined;

export function retentionPolicy(env: Pick<AppEnv, 'RENDER_RETENTION_DAYS' | 'TEST_RENDER_RETENTION_DAYS' | 'TEMPLATE_VERSIONS_KEPT'>): RetentionPolicy {
  const source = `${env.RENDER_RETENTION_DAYS}|${env.TEST_RENDER_RETENTION_DAYS}|${env.TEMPLATE_VERSIONS_KEPT}`;
  if (parsed?.source === source) return parsed.policy;
  const result = RetentionVars.safeParse(env);
  if (!result.success) throw new Error(`retention vars are not valid: ${z.prettifyError(result.error)}`);
  const v = result.data;
  const policy = {
    renderMs: v.RENDER_RETENTION_DAYS * DAY_MS,
    testRenderMs: v.TEST_RENDER_RETENTION_DAYS * DAY_MS,
    templateVersionsKept: v.TEMPLATE_VERSIONS_KEPT,
  };
  parsed = { source, policy };
  return policy;
}
