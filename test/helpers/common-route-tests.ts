/**
 * The security cases every authenticated route shares (after Unkey's "common route tests"):
 * no key, a revoked key, and a rate-limited key. Each route's own file covers the rest.
 */
import { describe, expect, it } from 'vitest';
import { awayFromMinuteEdge, bearer, del, expectProblem, fetchWithEnv, signup, type TestAccount, tinyPlan } from './api';

export interface RouteUnderTest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** The path to call, given a fresh account (e.g. to name one of its resources). */
  path: (account: TestAccount) => string | Promise<string>;
  body?: unknown;
}

function init(route: RouteUnderTest, headers: Record<string, string>): RequestInit {
  const out: RequestInit = { method: route.method, headers: { ...headers } };
  if (route.body !== undefined) {
    out.body = JSON.stringify(route.body);
    (out.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  return out;
}

export function commonRouteTests(route: RouteUnderTest, label = `${route.method} ${route.path.toString()}`): void {
  describe(label, () => {
    it('no key → 401 unauthorized', async () => {
      const account = await signup();
      const res = await fetchWithEnv({}, await route.path(account), init(route, {}));
      await expectProblem(res, 401, 'unauthorized');
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="picstream"');
    });

    it('revoked key → 401 unauthorized', async () => {
      const account = await signup();
      const path = await route.path(account);
      const keys = await (await fetchWithEnv({}, '/api/v1/keys', { headers: bearer(account.apiKey) })).json<{ data: { id: string; mode: string }[] }>();
      const live = keys.data.find((k) => k.mode === 'live');
      expect((await del(`/api/v1/keys/${live?.id}`, bearer(account.testKey))).status).toBe(204);
      await expectProblem(await fetchWithEnv({}, path, init(route, bearer(account.apiKey))), 401, 'unauthorized');
    });

    it('rate limited → 429 rate_limited with Retry-After and the rate headers', async () => {
      const account = await signup();
      const path = await route.path(account);
      const plan = { PLANS: tinyPlan(1) };
      await awayFromMinuteEdge(5_000);
      const first = await fetchWithEnv(plan, path, init(route, bearer(account.apiKey)));
      expect(first.status).toBeLessThan(500);
      const res = await fetchWithEnv(plan, path, init(route, bearer(account.apiKey)));
      await expectProblem(res, 429, 'rate_limited');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(res.headers.get('x-ratelimit-limit')).toBe('1');
      expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(res.headers.get('ratelimit-policy')).toBe('"free";q=1;w=60');
    });
  });
}
