/**
 * Authentication and throttling for every `/api/v1` call except sign-up.
 *
 * A request's key is looked up in D1 on every call (no cache of who a key belongs to), so a
 * revoked key is refused from the very next request, on every isolate. The rate-limit check runs
 * alongside that lookup: its identifier is the key's hash, and its policy the key's plan as this
 * isolate last saw it (free when unseen). Should the lookup show another plan, the check is made
 * again under that plan's policy — a second Redis call on a key's first request in an isolate.
 *
 * Missing, malformed, unknown and revoked keys cost the same work (one SHA-256, one indexed D1
 * read and one limiter call, side by side, then one count of the client IP's failures) and get the
 * same 401: same body, same headers. A 401 has no window of its own to report, so its rate-limit
 * headers show the default policy with a fresh window, whatever the key. Malformed and missing keys
 * are counted per client IP.
 *
 * Failed authentications are limited per client IP (ratelimit/failed-auth.ts, 30 a minute): once
 * an address is over, its requests get `429 rate_limited` before the D1 read — all of them alike,
 * whatever key they carry, except a key this isolate has seen authenticate in the last minutes
 * (the plan hints): guesses cannot produce one, and it keeps a customer behind a shared address
 * (a NAT, a CI runner pool) working while a neighbour there retries a revoked key. A valid key this
 * isolate has not seen yet gets the 429 too: telling it from a guess takes the D1 read the limit
 * exists to save.
 */
import type { MiddlewareHandler } from 'hono';
import { type Config, config } from '../config';
import { findKeyOwner } from '../db/accounts';
import type { AppEnv } from '../env';
import { ProblemError } from '../errors/problem';
import { BoundedMap } from '../lib/bounded-map';
import { ENTRY_OVERHEAD_BYTES, stringBytes } from '../lib/caches';
import { currentPeriod } from '../quota/period';
import { planFor } from '../quota/plans';
import { countAuthFailure, knownThrottled } from '../ratelimit/failed-auth';
import { enforceLimit, limitRequest, type RateLimitPolicy, type RateLimitResult, rateLimitHeaders } from '../ratelimit/limiter';
import { bearerToken, hashKey, KEY_PATTERN } from './keys';

/** Key hash → plan name, to start the rate-limit check without waiting for D1. */
const planHints = new BoundedMap<string, string>(10_000, 5 * 60_000, {
  name: 'plan hints',
  sizeOf: (hash, plan) => stringBytes(hash) + stringBytes(plan) + ENTRY_OVERHEAD_BYTES,
});

export function clientIp(header: (name: string) => string | undefined): string {
  return header('cf-connecting-ip') ?? header('x-real-ip') ?? 'unknown';
}

function policyFor(settings: Config, plan: string): RateLimitPolicy {
  const { rate_limit } = planFor(settings.plans, plan);
  return { name: plan, requests: rate_limit.requests, windowSeconds: rate_limit.window_seconds };
}

function unauthorized(policy: RateLimitPolicy): ProblemError {
  const fresh = { success: true, limit: policy.requests, remaining: policy.requests, reset: Date.now() + policy.windowSeconds * 1000 };
  return new ProblemError('unauthorized', 'Send a valid API key as "Authorization: Bearer pk_live_…" (or pk_test_…).', {
    headers: { ...rateLimitHeaders(policy, fresh), 'WWW-Authenticate': 'Bearer realm="picstream"' },
  });
}

function tooManyFailures(policy: RateLimitPolicy, result: RateLimitResult): never {
  enforceLimit(
    policy,
    result,
    (wait) => `Too many requests without a valid API key from this address (at most ${policy.requests} per ${policy.windowSeconds} s); retry in ${wait} s.`,
  );
  throw new Error('enforceLimit lets a full window through');
}

export function requireApiKey(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const presented = bearerToken(c.req.header('authorization'));
    const wellFormed = presented !== null && KEY_PATTERN.test(presented);
    // a malformed key is still hashed and looked up, so it costs what a real one does
    const hash = await hashKey(wellFormed ? presented : `malformed:${presented ?? ''}`);
    const address = clientIp((n) => c.req.header(n));
    const settings = config(c.env);
    const failures = settings.authFailureLimit;
    if (failures) {
      const over = knownThrottled(failures, address);
      if (over && !(wellFormed && planHints.get(hash) !== undefined)) tooManyFailures(failures, over);
    }
    const period = currentPeriod();
    const { limiter } = settings;
    const timings = c.get('timings');
    const identifier = wellFormed ? `key:${hash.slice(0, 32)}` : `ip:${address}`;
    const defaultPolicy = policyFor(settings, 'free');
    let policy = wellFormed ? policyFor(settings, planHints.get(hash) ?? 'free') : defaultPolicy;

    let [owner, limited] = await Promise.all([
      timings.measure('auth', () => findKeyOwner(c.env.DB, hash, period.period)),
      timings.measure('ratelimit', () => limitRequest(limiter, policy, identifier)),
    ]);
    if (limited.pending) c.executionCtx.waitUntil(limited.pending);
    if (!owner) {
      if (failures) {
        const counted = await timings.measure('ratelimit', () => countAuthFailure(limiter, failures, address));
        if (counted.pending) c.executionCtx.waitUntil(counted.pending);
        if (!counted.success) tooManyFailures(failures, counted);
      }
      throw unauthorized(defaultPolicy);
    }
    if (owner.plan !== policy.name) {
      policy = policyFor(settings, owner.plan);
      limited = await timings.measure('ratelimit', () => limitRequest(limiter, policy, identifier));
      if (limited.pending) c.executionCtx.waitUntil(limited.pending);
    }
    planHints.set(hash, owner.plan);

    const headers = enforceLimit(policy, limited, (wait) => `This key may make ${policy.requests} requests per ${policy.windowSeconds} s; retry in ${wait} s.`);

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
export function throttleSignups(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const settings = config(c.env);
    const policy = settings.signupLimit;
    if (!policy) return next();
    const limited = await limitRequest(settings.limiter, policy, `ip:${clientIp((n) => c.req.header(n))}`);
    if (limited.pending) c.executionCtx.waitUntil(limited.pending);
    const headers = enforceLimit(
      policy,
      limited,
      (wait) => `At most ${policy.requests} sign-ups per ${policy.windowSeconds} s from one address; retry in ${wait} s.`,
    );
    await next();
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  };
}
