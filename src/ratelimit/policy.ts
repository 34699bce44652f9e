/** Rate-limit policies: a plan's, and the syntax of a rate-limit setting (SIGNUP_RATE_LIMIT, AUTH_FAILURE_RATE_LIMIT): "10/1h", or "off". */
import { type Plan, planFor } from '../quota/plans';
import type { RateLimitPolicy } from './limiter';

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** Parses a policy like "10/1h" (10 per hour); null for "off" or an empty value. */
export function parsePolicy(name: string, value: string | undefined): RateLimitPolicy | null {
  const text = (value ?? '').trim();
  if (text === '' || text === 'off') return null;
  const match = text.match(/^(\d+)\/(\d+)([smhd])$/);
  if (!match) throw new Error(`rate limit "${text}" is not like 10/1h`);
  return { name, requests: Number(match[1]), windowSeconds: Number(match[2]) * UNIT_SECONDS[match[3] as keyof typeof UNIT_SECONDS] };
}

/** The rate-limit policy of `plan` (its requests per window), named after it. */
export function planPolicy(plans: Record<string, Plan>, plan: string): RateLimitPolicy {
  const { rate_limit } = planFor(plans, plan);
  return { name: plan, requests: rate_limit.requests, windowSeconds: rate_limit.window_seconds };
}
