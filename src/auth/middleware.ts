/**
 * Authentication and throttling for every `/api/v1` call except sign-up.
 *
 * A request's key is looked up in D1 on every call (no cache of who a key belongs to), so a
 * revoked key is refused from the very next request, on every isolate. The rate-limit check runs
 * alongside that lookup: its identifier is the key's hash, and its policy the key's plan, which
 * this isolate remembers from earlier requests (a stale plan only picks a stale window size for a
 * few minutes; it never lets a revoked or unknown key in).
 *
 * Missing, malformed, unknown and revoked keys all cost the same work (one SHA-256, one indexed D1
 * read, one limiter call) and get the same 401 body, so neither the answer nor its timing tells
 * them apart. Malformed and missing keys are throttled per client IP.
 */
import type { MiddlewareHandler } from 'hono';
import { findKeyOwner } from '../db/accounts';
import type { AppEnv } from '../env';
import { ProblemError } from '../errors/problem';
import { BoundedMap } from '../lib/bounded-map';
import { currentPeriod, type Period } from '../quota/period';
import { planFor } from '../quota/plans';
import { limiterConfig, parsePolicy } from '../ratelimit/config';
import { limitRequest, type RateLimitPolicy, rateLimitHeaders, retryAfterSeconds } from '../ratelimit/limiter';
import type { HonoEnv } from '../routes/shared';
import { bearerToken, hashKey, KEY_PATTERN, type KeyMode } from './keys';

export interface AuthContext {
  accountId: string;
  keyId: string;
  mode: KeyMode;
  plan: string;
  monthlyQuota: number;
  /** Units the account had used this period when the request arrived. */
  used: number;
  period: Period;
}

/** Key hash → plan name, to start the rate-limit check without waiting for D1. */
const planHints = new BoundedMap<string, string>(10_000, 5 * 60_000);

export function clientIp(header: (name: string) => string | undefined): string {
  return header('cf-connecting-ip') ?? header('x-real-ip') ?? 'unknown';
}

function policyFor(env: AppEnv, plan: string): RateLimitPolicy {
  const { rate_limit } = planFor(plan, env.PLANS);
  return { name: plan, requests: rate_limit.requests, windowSeconds: rate_limit.window_seconds };
}

export function requireApiKey(): MiddlewareHandler<HonoEnv> {
  return async (c, next) => {
    const presented = bearerToken(c.req.header('authorization'));
    const wellFormed = presented !== null && KEY_PATTERN.test(presented);
    // a malformed key is still hashed and looked up, so it costs what a real one does
    const hash = await hashKey(wellFormed ? presented : `malformed:${presented ?? ''}`);
    const period = currentPeriod();
    const limiter = limiterConfig(c.env);
    const timings = c.get('timings');
    const lookup = timings.measure('auth', () => findKeyOwner(c.env.DB, hash, period.period));

    const hint = wellFormed ? planHints.get(hash) : 'free';
    const identifier = wellFormed ? `key:${hash.slice(0, 32)}` : `ip:${clientIp((n) => c.req.header(n))}`;
    let policy: RateLimitPolicy;
    let owner: Awaited<typeof lookup>;
    let limited: Awaited<ReturnType<typeof limitRequest>>;
    if (hint) {
      policy = policyFor(c.env, hint);
      [owner, limited] = await Promise.all([lookup, timings.measure('ratelimit', () => limitRequest(limiter, policy, identifier))]);
    } else {
      owner = await lookup;
      policy = policyFor(c.env, owner?.plan ?? 'free');
      limited = await timings.measure('ratelimit', () => limitRequest(limiter, policy, identifier));
    }
    if (owner) planHints.set(hash, owner.plan);
    if (limited.pending) c.executionCtx.waitUntil(limited.pending);

    const headers = rateLimitHeaders(policy, limited);
    if (!owner) {
      throw new ProblemError('unauthorized', 'Send a valid API key as "Authorization: Bearer pk_live_…" (or pk_test_…).', {
        headers: { ...headers, 'WWW-Authenticate': 'Bearer realm="picstream"' },
      });
    }
    if (!limited.success) {
      const wait = retryAfterSeconds(limited);
      throw new ProblemError('rate_limited', `This key may make ${policy.requests} requests per ${policy.windowSeconds} s; retry in ${wait} s.`, {
        headers: { ...headers, 'Retry-After': String(wait) },
      });
    }

    c.set('auth', {
      accountId: owner.account_id,
      keyId: owner.key_id,
      mode: owner.mode,
      plan: owner.plan,
      monthlyQuota: owner.monthly_quota,
      used: owner.used,
      period,
    });
    await next();
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  };
}

/** Throttles sign-ups per client IP (SIGNUP_RATE_LIMIT, e.g. "10/1h"; "off" in local development). */
export function throttleSignups(): MiddlewareHandler<HonoEnv> {
  return async (c, next) => {
    const policy = parsePolicy('signup', c.env.SIGNUP_RATE_LIMIT);
    if (!policy) return next();
    const limited = await limitRequest(limiterConfig(c.env), policy, `ip:${clientIp((n) => c.req.header(n))}`);
    if (limited.pending) c.executionCtx.waitUntil(limited.pending);
    const headers = rateLimitHeaders(policy, limited);
    if (!limited.success) {
      const wait = retryAfterSeconds(limited);
      throw new ProblemError('rate_limited', `At most ${policy.requests} sign-ups per ${policy.windowSeconds} s from one address; retry in ${wait} s.`, {
        headers: { ...headers, 'Retry-After': String(wait) },
      });
    }
    await next();
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  };
}
