/**
 * Authentication and throttling for every `/api/v1` call except sign-up.
 *
 * Who a key belongs to is remembered per isolate (key-cache.ts): a key seen in the last 5 s is
 * served from memory, one seen 5–10 s ago too while D1 is asked again in the background, and
 * anything older, unseen, unknown or revoked waits for the D1 lookup. A key revoked through this
 * isolate is refused from its next request; revoked elsewhere, within 10 s; a plan change reaches
 * the key's policy and quota within 10 s the same way. With the rate limiter answering from its
 * estimate far from the limit (ratelimit/limiter.ts), a warm key costs no round trip to the
 * primary region here at all.
 *
 * For a key that must wait for D1, the rate-limit check runs alongside that lookup: its identifier
 * is the key's hash, and its policy the key's plan as this isolate last saw it (free when unseen).
 * Should the lookup show another plan, the check is made again under that plan's policy — a
 * second limiter call, on a key's first request in an isolate or after a plan change. A warm key's
 * check starts from its cached plan, so it is made once.
 *
 * Missing, malformed, unknown and revoked keys are never cached, so they cost the same work (one
 * SHA-256, one indexed D1 read and one limiter call, side by side, then one count of the client
 * IP's failures) and get the same 401: same body, same headers. Only a key that authenticated here
 * in the last 10 s is answered faster. A 401 has no window of its own to report, so its rate-limit
 * headers show the default policy with a fresh window, whatever the key. Malformed and missing keys
 * are counted per client IP.
 *
 * Failed authentications are limited per client IP (ratelimit/failed-auth.ts, 30 a minute): once
 * an address is over, its requests get `429 rate_limited` before the D1 read — all of them alike,
 * whatever key they carry, except a key this isolate has seen authenticate in the last minutes
 * (the key cache keeps its entries 5 min for this and for the plan hint, and drops a key a lookup
 * found gone): guesses cannot produce one, and it keeps a customer behind a shared address (a NAT,
 * a CI runner pool) working while a neighbour there retries a revoked key. A valid key this
 * isolate has not seen yet gets the 429 too: telling it from a guess takes the D1 read the limit
 * exists to save.
 */
import type { MiddlewareHandler } from 'hono';
import { type Config, config } from '../config';
import { findKeyOwner } from '../db/accounts';
import type { AppEnv } from '../env';
import { ProblemError } from '../errors/problem';
import { offThePath } from '../lib/region';
import { currentPeriod } from '../quota/period';
import { countAuthFailure, knownThrottled } from '../ratelimit/failed-auth';
import { enforceLimit, limitRequest, type RateLimitPolicy, type RateLimitResult, rateLimitHeaders } from '../ratelimit/limiter';
import { planPolicy } from '../ratelimit/policy';
import { keyOwners } from './key-cache';
import { bearerToken, hashKey, KEY_PATTERN } from './keys';

export function clientIp(header: (name: string) => string | undefined): string {
  return header('cf-connecting-ip') ?? header('x-real-ip') ?? 'unknown';
}

function policyFor(settings: Config, plan: string): RateLimitPolicy {
  return planPolicy(settings.plans, plan);
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
      if (over && !(wellFormed && keyOwners.seen(hash))) tooManyFailures(failures, over);
    }
    const period = currentPeriod();
    const { limiter } = settings;
    const timings = c.get('timings');
    const identifier = wellFormed ? `key:${hash.slice(0, 32)}` : `ip:${address}`;
    const defaultPolicy = policyFor(settings, 'free');
    const lookUp = () => findKeyOwner(c.env.DB, hash, period.period);
    const known = wellFormed ? keyOwners.lookup(hash, period.period) : null;
    let policy = wellFormed ? policyFor(settings, known?.plan ?? 'free') : defaultPolicy;

    let owner = known?.owner ?? null;
    let limited: RateLimitResult;
    if (known?.owner) {
      // the request does not wait for the revalidation, so neither does its round-trip count
      if (known.revalidate) c.executionCtx.waitUntil(offThePath(() => keyOwners.revalidate(hash, period.period, lookUp)));
      limited = await timings.measure('ratelimit', () => limitRequest(limiter, policy, identifier));
    } else {
      const ticket = keyOwners.begin();
      [owner, limited] = await Promise.all([timings.measure('auth', lookUp), timings.measure('ratelimit', () => limitRequest(limiter, policy, identifier))]);
      if (wellFormed) keyOwners.settle(hash, period.period, owner, ticket);
    }
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
