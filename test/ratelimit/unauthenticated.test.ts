/**
 * Failed authentications are limited per client address (AUTH_FAILURE_RATE_LIMIT, 30 a minute as
 * wrangler.toml sets it), against the real Redis: under the limit every kind of bad key gets the
 * same 401 for the same work; past it, 429 rate_limited before the D1 read. D1 work is counted by
 * handing the Worker its real D1 binding behind a wrapper that counts the statements it prepares
 * (every query goes through `prepare`, or `exec`).
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { config } from '../../src/config';
import { forgetThrottledAddresses } from '../../src/ratelimit/failed-auth';
import { awayFromMinuteEdge, bearer, expectProblem, fetchWithEnv, freshIp, type Problem, postJson, signup } from '../helpers/api';
import { redis } from '../helpers/redis';

/** The real D1 binding, counting the statements the Worker prepares (and execs) through it. */
function countingD1(db: D1Database): { db: D1Database; statements: () => number } {
  let statements = 0;
  const counted = new Proxy(db, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (prop === 'prepare' || prop === 'exec') {
        return (...args: unknown[]) => {
          statements++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
  return { db: counted, statements: () => statements };
}

const LIMIT = '30/1m';

/** GET /api/v1/account from `address` with these headers; how many D1 statements the Worker made for it. */
async function fromAddress(address: string, headers: Record<string, string>, limit = LIMIT): Promise<{ res: Response; statements: number }> {
  const d1 = countingD1(env.DB);
  const res = await fetchWithEnv({ AUTH_FAILURE_RATE_LIMIT: limit, DB: d1.db }, '/api/v1/account', { headers: { ...headers, 'cf-connecting-ip': address } });
  return { res, statements: d1.statements() };
}

const unknownKey = () => bearer(`pk_live_${crypto.randomUUID().replaceAll('-', '')}`);

async function revokedKey(): Promise<Record<string, string>> {
  const account = await signup();
  const created = await (await postJson('/api/v1/keys', { name: 'doomed' }, bearer(account.apiKey))).json<{ id: string; key: string }>();
  const revoked = await fetchWithEnv({}, `/api/v1/keys/${created.id}`, { method: 'DELETE', headers: bearer(account.apiKey) });
  expect(revoked.status).toBe(204);
  return bearer(created.key);
}

/** Everything but what differs per request or per second: its id, its timings, the reset time. */
const PER_REQUEST = new Set(['x-request-id', 'server-timing', 'x-ratelimit-reset', 'ratelimit']);
const comparable = async (res: Response) => ({
  body: { ...(await expectProblem(res, 401, 'unauthorized')), request_id: undefined } as Problem,
  headers: [...res.headers].filter(([name]) => !PER_REQUEST.has(name)).sort(),
});

describe('failed authentications per client address', () => {
  it('30 bad keys from one address get the same 401 for the same work; the 31st is 429 before any D1 read; another address still gets 401', async () => {
    const revoked = await revokedKey();
    await awayFromMinuteEdge(15_000);
    const address = freshIp();
    const kinds: Record<string, () => Record<string, string>> = {
      missing: () => ({}),
      malformed: () => ({ authorization: 'Bearer not-a-key' }),
      unknown: unknownKey,
      revoked: () => revoked,
    };
    const names = Object.keys(kinds);
    const answers: Awaited<ReturnType<typeof comparable>>[] = [];
    for (let i = 0; i < 30; i++) {
      const kind = names[i % names.length] as string;
      const { res, statements } = await fromAddress(address, (kinds[kind] as () => Record<string, string>)());
      expect(statements, `${kind} #${i + 1}: the key is looked up, as a real one is`).toBe(1);
      answers.push(await comparable(res));
    }
    for (const answer of answers.slice(1)) expect(answer).toEqual(answers[0]);

    // the count is in Redis: one bucket for this address, holding the 30 failures
    const buckets = (await redis('KEYS', `picstream:rl:auth_failures:30:60:ip:${address}:*`)) as string[];
    expect(buckets).toHaveLength(1);
    expect(Number(await redis('GET', buckets[0] as string))).toBe(30);

    for (const kind of names) {
      const { res, statements } = await fromAddress(address, (kinds[kind] as () => Record<string, string>)());
      const problem = await expectProblem(res, 429, 'rate_limited');
      expect(statements, `${kind}: refused before the key lookup`).toBe(0);
      expect(problem.detail).toMatch(/without a valid API key from this address \(at most 30 per 60 s\)/);
      const retryAfter = Number(res.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(res.headers.get('ratelimit-policy')).toBe('"auth_failures";q=30;w=60');
      expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    }

    const elsewhere = await fromAddress(freshIp(), unknownKey());
    expect((await comparable(elsewhere.res)).body).toEqual(answers[0]?.body);
    expect(elsewhere.statements).toBe(1);
  });

  it('Redis is the authority: an isolate that has not seen the address spends one D1 read on it, then knows', async () => {
    await awayFromMinuteEdge(15_000);
    const address = freshIp();
    const limit = '3/1m';
    for (let i = 0; i < 3; i++) await comparable((await fromAddress(address, unknownKey(), limit)).res);
    forgetThrottledAddresses(); // as another isolate would be
    const first = await fromAddress(address, unknownKey(), limit);
    await expectProblem(first.res, 429, 'rate_limited');
    expect(first.statements).toBe(1);
    const next = await fromAddress(address, unknownKey(), limit);
    await expectProblem(next.res, 429, 'rate_limited');
    expect(next.statements).toBe(0);
  });

  it('from a throttled address, a key this isolate has seen work still works; one it has not gets the 429 until it has', async () => {
    const [known, unseen] = await Promise.all([signup(), signup()]);
    await awayFromMinuteEdge(15_000);
    const address = freshIp();
    const limit = '3/1m';
    expect((await fromAddress(freshIp(), bearer(known.apiKey), limit)).res.status).toBe(200);
    for (let i = 0; i < 3; i++) await comparable((await fromAddress(address, unknownKey(), limit)).res);
    await expectProblem((await fromAddress(address, unknownKey(), limit)).res, 429, 'rate_limited');

    const stillWorks = await fromAddress(address, bearer(known.apiKey), limit);
    expect(stillWorks.res.status).toBe(200);
    expect(await stillWorks.res.json()).toMatchObject({ id: known.id });

    // telling a valid key from a guess takes the D1 read the limit saves
    const refused = await fromAddress(address, bearer(unseen.apiKey), limit);
    await expectProblem(refused.res, 429, 'rate_limited');
    expect(refused.statements).toBe(0);
    expect((await fromAddress(freshIp(), bearer(unseen.apiKey), limit)).res.status).toBe(200);
    expect((await fromAddress(address, bearer(unseen.apiKey), limit)).res.status).toBe(200);
  });

  it('"off" turns it off: every bad key a 401, counted nowhere; unset means 30 a minute', async () => {
    const address = freshIp();
    for (let i = 0; i < 5; i++) {
      const { res, statements } = await fromAddress(address, unknownKey(), 'off');
      await comparable(res);
      expect(statements).toBe(1);
    }
    expect(await redis('KEYS', `picstream:rl:auth_failures:*:ip:${address}:*`)).toEqual([]);
    expect(config({}).authFailureLimit).toEqual({ name: 'auth_failures', requests: 30, windowSeconds: 60 });
  });

  it('a malformed AUTH_FAILURE_RATE_LIMIT falls back to the default instead of failing every request', async () => {
    expect(config({ AUTH_FAILURE_RATE_LIMIT: 'thirty a minute' }).authFailureLimit).toEqual({ name: 'auth_failures', requests: 30, windowSeconds: 60 });
    const { res } = await fromAddress(freshIp(), unknownKey(), 'thirty a minute');
    await expectProblem(res, 401, 'unauthorized');
  });
});
