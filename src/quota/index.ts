/**
 * The monthly quota as callers see it: what a request charges, the headers on metered responses,
 * and the 429 when the month is used up. The counting itself is in D1 (db/usage.ts, db/renders.ts).
 */
import type { AuthContext } from '../auth/context';
import { ProblemError } from '../errors/problem';

export interface QuotaState {
  limit: number;
  used: number;
}

/** Units a fresh render charges: one per image or PDF page, except for test keys, which never count. */
export function renderUnits(auth: AuthContext, pages = 1): number {
  return auth.mode === 'test' ? 0 : pages;
}

export function quotaHeaders(q: QuotaState): Record<string, string> {
  return { 'X-Quota-Limit': String(q.limit), 'X-Quota-Remaining': String(Math.max(0, q.limit - q.used)) };
}

/** The 429 for a request needing `needed` units (an image 1, a PDF one per page) that the month has no room for. */
export function quotaExceeded(auth: AuthContext, needed = 1, at = Date.now()): ProblemError {
  const wait = Math.max(1, Math.ceil((auth.period.resetsAt - at) / 1000));
  const resets = `the quota resets at ${new Date(auth.period.resetsAt).toISOString()}`;
  const detail =
    needed > 1
      ? `This request needs ${needed} units (one per page); the account has about ${Math.max(0, auth.monthlyQuota - auth.used)} of its ${auth.monthlyQuota} left for ${auth.period.period}; ${resets}.`
      : `This account has used its ${auth.monthlyQuota} images for ${auth.period.period}; ${resets}.`;
  return new ProblemError('quota_exceeded', detail, {
    headers: { ...quotaHeaders({ limit: auth.monthlyQuota, used: needed > 1 ? auth.used : auth.monthlyQuota }), 'Retry-After': String(wait) },
  });
}
