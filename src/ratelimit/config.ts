/** Reading the limiter's settings from the Worker's vars. */
import type { AppEnv } from '../env';
import type { LimiterConfig, RateLimitPolicy } from './limiter';

export function limiterConfig(env: AppEnv): LimiterConfig {
  const timeout = Number.parseInt(env.RATE_LIMIT_TIMEOUT_MS ?? '', 10);
  return {
    url: env.UPSTASH_REDIS_REST_URL || undefined,
    token: env.UPSTASH_REDIS_REST_TOKEN || undefined,
    timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : 200,
  };
}

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** Parses a policy like "10/1h" (10 per hour); null for "off" or an empty value. */
export function parsePolicy(name: string, value: string | undefined): RateLimitPolicy | null {
  const text = (value ?? '').trim();
  if (text === '' || text === 'off') return null;
  const match = text.match(/^(\d+)\/(\d+)([smhd])$/);
  if (!match) throw new Error(`rate limit "${text}" is not like 10/1h`);
  return { name, requests: Number(match[1]), windowSeconds: Number(match[2]) * UNIT_SECONDS[match[3] as keyof typeof UNIT_SECONDS] };
}
