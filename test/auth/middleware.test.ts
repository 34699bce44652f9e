/**
 * The hot path of an authenticated request (issue 17), end to end in workerd against the real D1
 * and Redis: a warm key costs no round trip to the primary region in auth and rate limiting
 * (counted by the latency model, on at 0 ms in the tests: Server-Timing's rtt entry), a key revoked
 * here is refused at once, one revoked behind this isolate's back (as another isolate's revoke looks
 * from here) within 10 s, and a plan changed behind its back reaches the key's policy within 10 s.
 */
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { awayFromMinuteEdge, BASE, bearer, expectProblem, postJson, primaryTrips, signup } from '../helpers/api';

const call = (path: string, key: string, init: RequestInit = {}) => SELF.fetch(`${BASE}${path}`, { ...init, headers: bearer(key) });
const sleepUntil = (at: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));

/** A fresh live key of a new account (its own rate-limit window), as a request's caller. */
async function freshKey(): Promise<{ key: string; id: string; accountId: string }> {
  const account = await signup();
  const created = await (await postJson('/api/v1/keys', { name: 'hot path' }, bearer(account.apiKey))).json<{ id: string; key: string }>();
  return { key: created.key, id: created.id, accountId: account.id };
}

describe('a warm key costs no round trip in auth and rate limiting', () => {
  it('a route that does no I/O of its own (an unknown path under /api/v1, a 404 after auth): 2 round trips cold, 0 warm', async () => {
    const { key } = await freshKey();
    const cold = await call('/api/v1/nothing', key);
    expect(cold.status).toBe(404);
    expect(primaryTrips(cold)).toBe(2); // the D1 key lookup and the Redis count, side by side
    for (let i = 0; i < 5; i++) {
      const warm = await call('/api/v1/nothing', key);
      expect(warm.status).toBe(404);
      expect(primaryTrips(warm), `warm request ${i + 1}`).toBe(0);
      expect(warm.headers.get('x-ratelimit-remaining')).toBe(String(58 - i));
    }
  });

  it('GET /api/v1/usage (one D1 read of its own): the warm request costs exactly 2 fewer than the cold one', async () => {
    const { key } = await freshKey();
    const cold = await call('/api/v1/usage', key);
    const warm = await call('/api/v1/usage', key);
    expect([cold.status, warm.status]).toEqual([200, 200]);
    expect(primaryTrips(warm)).toBe(primaryTrips(cold) - 2);
    expect(primaryTrips(warm)).toBe(1);
  });
});

describe('revocation', () => {
  it('through DELETE /api/v1/keys/:id: the very next request with the (warm) key is 401', async () => {
    const account = await signup();
    const doomed = await (await postJson('/api/v1/keys', { name: 'doomed' }, bearer(account.apiKey))).json<{ id: string; key: string }>();
    expect((await call('/api/v1/account', doomed.key)).status).toBe(200);
    expect(primaryTrips(await call('/api/v1/nothing', doomed.key))).toBe(0); // warm
    expect((await call(`/api/v1/keys/${doomed.id}`, account.apiKey, { method: 'DELETE' })).status).toBe(204);
    await expectProblem(await call('/api/v1/account', doomed.key), 401, 'unauthorized');
  });

  it('a key revoking itself is refused from its next request', async () => {
    const { key, id } = await freshKey();
    expect((await call(`/api/v1/keys/${id}`, key, { method: 'DELETE' })).status).toBe(204);
    await expectProblem(await call('/api/v1/nothing', key), 401, 'unauthorized');
  });

  it('behind the isolate’s back (another isolate’s revoke, a plan change): served at most until 10 s after the lookup, ' +
    'sooner when a request in 5–10 s revalidates', async () => {
    const idle = await freshKey(); // no request between 5 and 10 s: refused by the hard bound
    const busy = await freshKey(); // a request at 6 s: its revalidation finds the key gone
    const upgraded = await freshKey(); // its account's plan changes
    // a rate-limit window that resets meanwhile makes one request wait for Redis (a round trip)
    await awayFromMinuteEdge(15_000);
    const start = Date.now();
    for (const k of [idle, busy, upgraded]) expect((await call('/api/v1/nothing', k.key)).status).toBe(404);
    await env.DB.prepare('UPDATE api_keys SET revoked_at = ?1 WHERE id IN (?2, ?3)').bind(new Date().toISOString(), idle.id, busy.id).run();
    await env.DB.prepare("UPDATE accounts SET plan = 'pro' WHERE id = ?1").bind(upgraded.accountId).run();

    // under 5 s: served from the cache as it was
    for (const k of [idle, busy]) expect((await call('/api/v1/nothing', k.key)).status).toBe(404);
    expect((await call('/api/v1/nothing', upgraded.key)).headers.get('ratelimit-policy')).toBe('"free";q=60;w=60');

    // 5–10 s: served once more, and D1 is asked again in the background; a request soon after is refused
    await sleepUntil(start + 6_000);
    const stale = await call('/api/v1/nothing', busy.key);
    expect(stale.status).toBe(404);
    expect(primaryTrips(stale), stale.headers.get('server-timing') ?? '').toBe(0); // the revalidation is not waited for
    let refused = false;
    for (let i = 0; i < 40 && !refused; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      refused = (await call('/api/v1/nothing', busy.key)).status === 401;
    }
    expect(refused, 'refused after its revalidation').toBe(true);
    expect(Date.now() - start).toBeLessThan(10_000);

    // past 10 s from the lookup: the key nobody used since 5 s waits for D1, and is refused
    await sleepUntil(start + 10_300);
    await expectProblem(await call('/api/v1/nothing', idle.key), 401, 'unauthorized');
    // … and the plan change has reached the key's policy (the second limiter call of a cold lookup)
    const after = await call('/api/v1/nothing', upgraded.key);
    expect(after.headers.get('ratelimit-policy')).toBe('"pro";q=60;w=60');
    expect(after.headers.get('ratelimit')).toMatch(/^"pro";r=59;t=\d+$/);
  }, 30_000);
});
