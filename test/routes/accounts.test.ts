/** Sign-up, the account, usage and API keys: happy paths, errors, and what is (not) stored. */
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/lib/hash';
import { BASE, bearer, del, expectProblem, freshIp, generate, get, postJson, signup } from '../helpers/api';

function signupRequest(body: unknown, ip = freshIp(), headers: Record<string, string> = {}): Promise<Response> {
  return SELF.fetch(`${BASE}/api/v1/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'cf-connecting-ip': ip, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('POST /api/v1/signup', () => {
  it('creates a free account with a live and a test key, stored only as hashes', async () => {
    const email = `New.User+${crypto.randomUUID()}@Example.com`;
    const res = await signupRequest({ email });
    expect(res.status).toBe(201);
    const body = await res.json<{ account: Record<string, unknown>; api_key: string; test_api_key: string }>();
    expect(body.account).toMatchObject({ email: email.toLowerCase(), plan: 'free', monthly_quota: 1000 });
    expect(body.account.id).toMatch(/^acc_[0-9A-Z]{26}$/);
    expect(body.api_key).toMatch(/^pk_live_[0-9A-Za-z]{40}$/);
    expect(body.test_api_key).toMatch(/^pk_test_[0-9A-Za-z]{40}$/);

    const { results } = await env.DB.prepare('SELECT * FROM api_keys WHERE account_id = ?1 ORDER BY mode').bind(body.account.id).all<Record<string, unknown>>();
    expect(results.map((r) => r.mode)).toEqual(['live', 'test']);
    const live = results[0] as Record<string, unknown>;
    expect(live.hash).toBe(await sha256Hex(body.api_key));
    expect(live.start).toBe(body.api_key.slice(0, 12));
    // the key itself is in no column of any key row
    for (const row of results) for (const value of Object.values(row)) expect(String(value)).not.toContain(body.api_key.slice(12));

    // and it works at once
    const account = await get('/api/v1/account', bearer(body.api_key));
    expect(account.status).toBe(200);
    expect(await account.json()).toMatchObject({ id: body.account.id, email: email.toLowerCase(), plan: 'free', monthly_quota: 1000 });
  });

  it('refuses a taken email (whatever its case) with 409 and writes nothing', async () => {
    const email = `dup-${crypto.randomUUID()}@example.com`;
    expect((await signupRequest({ email })).status).toBe(201);
    const before = await env.DB.prepare('SELECT (SELECT COUNT(*) FROM accounts) + (SELECT COUNT(*) FROM api_keys) AS n').first<{ n: number }>();
    const problem = await expectProblem(await signupRequest({ email: email.toUpperCase() }), 409, 'email_taken');
    expect(problem.errors).toEqual([{ path: 'email', message: 'is already registered' }]);
    const after = await env.DB.prepare('SELECT (SELECT COUNT(*) FROM accounts) + (SELECT COUNT(*) FROM api_keys) AS n').first<{ n: number }>();
    expect(after?.n).toBe(before?.n);
  });

  it.each([
    [{ email: 'not-an-email' }, 'email'],
    [{}, 'email'],
    [{ email: 'a@example.com', plan: 'pro' }, '(body)'],
    [{ email: `${'x'.repeat(250)}@example.com` }, 'email'],
  ])('rejects %j → 400 validation_failed at %s', async (body, path) => {
    const problem = await expectProblem(await signupRequest(body), 400, 'validation_failed');
    expect(problem.errors?.map((e) => e.path)).toContain(path);
  });

  it('is throttled per client address: the 11th sign-up in an hour from one IP → 429', async () => {
    const ip = freshIp();
    for (let i = 0; i < 10; i++) {
      const res = await signupRequest({ email: `throttle-${i}-${crypto.randomUUID()}@example.com` }, ip);
      expect(res.status).toBe(201);
      expect(res.headers.get('x-ratelimit-limit')).toBe('10');
      expect(res.headers.get('x-ratelimit-remaining')).toBe(String(9 - i));
    }
    const res = await signupRequest({ email: `throttle-x-${crypto.randomUUID()}@example.com` }, ip);
    await expectProblem(res, 429, 'rate_limited');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(res.headers.get('ratelimit-policy')).toBe('"signup";q=10;w=3600');
    // another address is not affected
    expect((await signupRequest({ email: `throttle-y-${crypto.randomUUID()}@example.com` })).status).toBe(201);
  });
});

describe('GET /api/v1/usage', () => {
  it('starts at zero for the calendar month and counts a fresh render', async () => {
    const account = await signup();
    const before = await (await get('/api/v1/usage', bearer(account.apiKey))).json<Record<string, unknown>>();
    const now = new Date();
    const period = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
    expect(before).toEqual({
      period,
      limit: 1000,
      used: 0,
      remaining: 1000,
      resets_at: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString(),
    });
    const res = await generate({ template: 'og-card', vars: { title: `Usage ${crypto.randomUUID()}` } }, bearer(account.apiKey));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-quota-limit')).toBe('1000');
    expect(res.headers.get('x-quota-remaining')).toBe('999');
    const after = await (await get('/api/v1/usage', bearer(account.apiKey))).json<Record<string, unknown>>();
    expect(after).toMatchObject({ used: 1, remaining: 999 });
  });
});

describe('API keys', () => {
  it('creates, lists and revokes keys; a revoked key is refused at once', async () => {
    const account = await signup();
    const created = await postJson('/api/v1/keys', { name: 'CI', mode: 'test' }, bearer(account.apiKey));
    expect(created.status).toBe(201);
    const key = await created.json<{ id: string; key: string; name: string; mode: string; start: string; revoked_at: null }>();
    expect(key).toMatchObject({ name: 'CI', mode: 'test', revoked_at: null });
    expect(key.id).toMatch(/^key_/);
    expect(key.key).toMatch(/^pk_test_[0-9A-Za-z]{40}$/);
    expect(key.start).toBe(key.key.slice(0, 12));

    const listed = await (await get('/api/v1/keys', bearer(account.apiKey))).json<{ data: Record<string, unknown>[] }>();
    expect(listed.data.map((k) => k.name)).toEqual(['Default live key', 'Default test key', 'CI']);
    for (const k of listed.data) expect(k).not.toHaveProperty('key');
    expect(JSON.stringify(listed)).not.toContain(key.key);
    // keys take a live key: a test key neither lists nor revokes them, its own included (README "Key modes")
    await expectProblem(await get('/api/v1/keys', bearer(key.key)), 403, 'live_key_required');
    await expectProblem(await del(`/api/v1/keys/${key.id}`, bearer(key.key)), 403, 'live_key_required');

    // a live key may revoke itself; the very next request with it is refused
    const live = await (await postJson('/api/v1/keys', { name: 'Server' }, bearer(account.apiKey))).json<{ id: string; key: string }>();
    expect((await del(`/api/v1/keys/${live.id}`, bearer(live.key))).status).toBe(204);
    await expectProblem(await get('/api/v1/account', bearer(live.key)), 401, 'unauthorized');
    // the test key revoked by a live one is refused at once too
    expect((await del(`/api/v1/keys/${key.id}`, bearer(account.apiKey))).status).toBe(204);
    await expectProblem(await get('/api/v1/account', bearer(key.key)), 401, 'unauthorized');
    // revoking again is fine; the key stays listed with its revocation time
    expect((await del(`/api/v1/keys/${key.id}`, bearer(account.apiKey))).status).toBe(204);
    const after = await (await get('/api/v1/keys', bearer(account.apiKey))).json<{ data: { id: string; revoked_at: string | null }[] }>();
    expect(after.data.find((k) => k.id === key.id)?.revoked_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(after.data.find((k) => k.id === live.id)?.revoked_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    // the other keys still work
    expect((await get('/api/v1/account', bearer(account.apiKey))).status).toBe(200);
  });

  it('defaults to a live key and validates the body', async () => {
    const account = await signup();
    const res = await postJson('/api/v1/keys', { name: 'server' }, bearer(account.apiKey));
    expect((await res.json<{ key: string }>()).key).toMatch(/^pk_live_/);
    const problem = await expectProblem(await postJson('/api/v1/keys', { name: '', mode: 'prod' }, bearer(account.apiKey)), 400, 'validation_failed');
    expect(problem.errors?.map((e) => e.path).sort()).toEqual(['mode', 'name']);
  });

  it('caps active keys at 20 per account (409), and revoking one makes room', async () => {
    const account = await signup();
    const ids: string[] = [];
    for (let i = 0; i < 18; i++) {
      const res = await postJson('/api/v1/keys', { name: `k${i}` }, bearer(account.apiKey));
      expect(res.status).toBe(201);
      ids.push((await res.json<{ id: string }>()).id);
    }
    await expectProblem(await postJson('/api/v1/keys', { name: 'one too many' }, bearer(account.apiKey)), 409, 'key_limit_reached');
    expect((await del(`/api/v1/keys/${ids[0]}`, bearer(account.apiKey))).status).toBe(204);
    expect((await postJson('/api/v1/keys', { name: 'now it fits' }, bearer(account.apiKey))).status).toBe(201);
  });

  it('unknown key ids → 404 key_not_found', async () => {
    const account = await signup();
    for (const id of ['key_01JD5X1Q4ZB8R3W2K7T6YV9N0M', 'nope', '%00']) {
      await expectProblem(await del(`/api/v1/keys/${id}`, bearer(account.apiKey)), 404, 'key_not_found');
    }
  });
});
