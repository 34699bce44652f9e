/**
 * Rate limiting per key through @upstash/ratelimit against a real redis-server (behind an
 * Upstash-REST server started by the global setup), and what happens when Redis is not there.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/lib/hash';
import { awayFromMinuteEdge, bearer, expectProblem, fetchWithEnv, get, postJson, primaryTrips, signup, tinyPlan } from '../helpers/api';
import { redis } from '../helpers/redis';

function expectRateHeaders(res: Response, remaining: number): void {
  expect(res.headers.get('x-ratelimit-limit')).toBe('60');
  expect(res.headers.get('x-ratelimit-remaining')).toBe(String(remaining));
  const reset = Number(res.headers.get('x-ratelimit-reset'));
  expect(reset * 1000).toBeGreaterThan(Date.now() - 1000);
  expect(reset * 1000).toBeLessThanOrEqual(Date.now() + 61_000);
  expect(res.headers.get('ratelimit-policy')).toBe('"free";q=60;w=60');
  expect(res.headers.get('ratelimit')).toMatch(new RegExp(`^"free";r=${remaining};t=\\d+$`));
}

describe('rate limit (free plan: 60 requests a minute per key)', () => {
  it('the 61st request in a minute → 429 rate_limited with Retry-After and the rate headers, counted in the real Redis', async () => {
    expect(await redis('PING')).toBe('PONG');
    const account = await signup();
    await awayFromMinuteEdge(15_000);
    for (let i = 0; i < 60; i++) {
      const res = await get('/api/v1/usage', bearer(account.apiKey));
      expect(res.status).toBe(200);
      expectRateHeaders(res, 59 - i);
    }
    const res = await get('/api/v1/usage', bearer(account.apiKey));
    await expectProblem(res, 429, 'rate_limited');
    expectRateHeaders(res, 0);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);

    // the window lives in Redis: one bucket for this key, holding the 60 requests let through
    const hash = (await sha256Hex(account.apiKey)).slice(0, 32);
    const keys = (await redis('KEYS', `picstream:rl:free:60:60:key:${hash}:*`)) as string[];
    expect(keys).toHaveLength(1);
    expect(Number(await redis('GET', keys[0] as string))).toBe(60);

    // the limit is per key: another key of the same account is not throttled
    expect((await get('/api/v1/usage', bearer(account.testKey))).status).toBe(200);
  });

  it('every /api/v1 response carries the headers, errors and replays included', async () => {
    const account = await signup();
    const key = bearer(account.apiKey);
    const idem = { ...key, 'idempotency-key': crypto.randomUUID() };
    const responses: [string, Response][] = [
      ['list', await get('/api/v1/templates', key)],
      ['404', await get('/api/v1/renders/rnd_01JD5X1Q4ZB8R3W2K7T6YV9N0M', key)],
      ['no route', await get('/api/v1/nothing', key)],
      ['401', await get('/api/v1/account', { authorization: 'Bearer nope' })],
      ['400', await postJson('/api/v1/generate/image', { template: 'og-card' }, idem)],
      ['400 replayed', await postJson('/api/v1/generate/image', { template: 'og-card' }, idem)],
      ['422 reused', await postJson('/api/v1/generate/image', { template: 'quote' }, idem)],
      ['415', await postJson('/api/v1/keys', 'name=x', { ...key, 'content-type': 'text/plain' })],
      ['413', await postJson('/api/v1/keys', { name: 'x'.repeat(70_000) }, key)],
      ['201', await postJson('/api/v1/keys', { name: 'headers' }, key)],
    ];
    expect(responses.map(([, r]) => r.status)).toEqual([200, 404, 404, 401, 400, 400, 422, 415, 413, 201]);
    for (const [label, res] of responses) {
      for (const name of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'ratelimit', 'ratelimit-policy']) {
        expect(res.headers.get(name), `${label}: ${name}`).not.toBeNull();
      }
    }
  });

  it('limits come from the plan (PLANS overrides them)', async () => {
    const account = await signup();
    const plan = tinyPlan(2);
    await awayFromMinuteEdge(5_000);
    for (let i = 0; i < 2; i++) expect((await fetchWithEnv({ PLANS: plan }, '/api/v1/usage', { headers: bearer(account.apiKey) })).status).toBe(200);
    const res = await fetchWithEnv({ PLANS: plan }, '/api/v1/usage', { headers: bearer(account.apiKey) });
    await expectProblem(res, 429, 'rate_limited');
    expect(res.headers.get('ratelimit-policy')).toBe('"free";q=2;w=60');
  });
});

/** A fresh key whose first request (to a route with no I/O of its own: a 404 after auth) warmed its estimate. */
async function keyWithWarmEstimate(): Promise<{ key: string; hash: string }> {
  const account = await signup();
  await awayFromMinuteEdge(15_000);
  const first = await get('/api/v1/nothing', bearer(account.apiKey));
  expect(first.status).toBe(404);
  expect(first.headers.get('x-ratelimit-remaining')).toBe('59');
  return { key: account.apiKey, hash: (await sha256Hex(account.apiKey)).slice(0, 32) };
}

describe('answers from the estimate far from the limit (free plan: 60 a minute, margin 6)', () => {
  it('70 requests in a row: exactly 60 get through (one isolate never overshoots), most without waiting for Redis', async () => {
    const { key } = await keyWithWarmEstimate();
    const statuses: number[] = [];
    let unwaited = 0;
    for (let i = 0; i < 69; i++) {
      const res = await get('/api/v1/nothing', bearer(key));
      statuses.push(res.status);
      if (primaryTrips(res) === 0) unwaited++;
      const remaining = Number(res.headers.get('x-ratelimit-remaining'));
      // the estimate's headers are sane: what is left never below 0, never above what Redis last said
      expect(remaining).toBeGreaterThanOrEqual(0);
      expect(remaining).toBeLessThanOrEqual(Math.max(0, 58 - i));
      expect(res.headers.get('ratelimit')).toMatch(new RegExp(`^"free";r=${remaining};t=\\d+$`));
    }
    expect(statuses.filter((s) => s === 404)).toHaveLength(59);
    expect(statuses.slice(59)).toEqual(Array(10).fill(429));
    // from 59 left down to 7 the answers come from the estimate (the last 6, near the limit, wait)
    expect(unwaited).toBeGreaterThanOrEqual(45);
  });

  it('a concurrent burst of 69 on a warm estimate: still exactly 60 in all', async () => {
    const { key } = await keyWithWarmEstimate();
    const statuses = await Promise.all(Array.from({ length: 69 }, () => get('/api/v1/nothing', bearer(key)).then((r) => r.status)));
    expect(statuses.filter((s) => s === 404)).toHaveLength(59);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
  });

  it('the window filled by other isolates behind this one’s back: at most the margin (6) get through past the limit, then 429', async () => {
    const { key, hash } = await keyWithWarmEstimate();
    // what 59 requests through other isolates leave in Redis: the window is full, this isolate's estimate says 59 left
    const bucket = (await redis('KEYS', `picstream:rl:free:60:60:key:${hash}:*`)) as string[];
    expect(bucket).toHaveLength(1);
    await redis('INCRBY', bucket[0] as string, 59);
    const statuses = await Promise.all(Array.from({ length: 20 }, () => get('/api/v1/nothing', bearer(key)).then((r) => r.status)));
    const over = statuses.filter((s) => s === 404).length;
    expect(over).toBeGreaterThanOrEqual(1); // answered from the stale estimate
    expect(over).toBeLessThanOrEqual(6);
    // once a refusal came back, every later request is refused (the library remembers it until the reset)
    for (let i = 0; i < 5; i++) await expectProblem(await get('/api/v1/nothing', bearer(key)), 429, 'rate_limited');
    expect(Number(await redis('GET', bucket[0] as string))).toBe(60);
  });
});

describe('when Redis is unavailable the limiter fails open (the quota in D1 still holds)', () => {
  it('unreachable Redis: the request goes through, with the policy in the headers', async () => {
    const account = await signup();
    const res = await fetchWithEnv({ UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:9' }, '/api/v1/usage', { headers: bearer(account.apiKey) });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-limit')).toBe('60');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('60');
  });

  it('a Redis that does not answer: the request waits RATE_LIMIT_TIMEOUT_MS at most, then goes through', async () => {
    const account = await signup();
    const started = Date.now();
    const res = await fetchWithEnv({ UPSTASH_REDIS_REST_URL: `${env.TEST_IMAGE_ORIGIN}/hang`, RATE_LIMIT_TIMEOUT_MS: '150' }, '/api/v1/usage', {
      headers: bearer(account.apiKey),
    });
    expect(res.status).toBe(200);
    // 150 ms for the Redis call, plus the request's own work; nowhere near the hung server's forever
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('without Upstash settings it counts in memory (how `npm run dev` runs without redis-server)', async () => {
    const account = await signup();
    const local = { UPSTASH_REDIS_REST_URL: '', UPSTASH_REDIS_REST_TOKEN: '', PLANS: tinyPlan(3) };
    await awayFromMinuteEdge(5_000);
    for (let i = 0; i < 3; i++) expect((await fetchWithEnv(local, '/api/v1/usage', { headers: bearer(account.apiKey) })).status).toBe(200);
    await expectProblem(await fetchWithEnv(local, '/api/v1/usage', { headers: bearer(account.apiKey) }), 429, 'rate_limited');
  });
});
