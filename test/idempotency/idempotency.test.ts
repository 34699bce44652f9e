/** Idempotency-Key on POSTs: claimed atomically in D1, replayed, refused when reused or running. */
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { currentPeriod } from '../../src/quota/period';
import { BASE, bearer, expectProblem, freshIp, generate, signup } from '../helpers/api';
import { renderCount, unitsUsed } from '../helpers/db';

const request = (label: string) => ({ template: 'og-card', vars: { title: `${label} ${crypto.randomUUID()}` } });

describe('Idempotency-Key', () => {
  it('20 concurrent identical POSTs with one key → 1 render and 1 unit; the rest replay its id or answer 409', async () => {
    const account = await signup();
    const body = request('Twenty');
    const key = crypto.randomUUID();
    const responses = await Promise.all(Array.from({ length: 20 }, () => generate(body, { ...bearer(account.apiKey), 'idempotency-key': key })));
    const ids = new Set<string>();
    let conflicts = 0;
    for (const res of responses) {
      if (res.status === 409) {
        await expectProblem(res, 409, 'idempotency_key_in_progress');
        expect(res.headers.get('retry-after')).toBe('1');
        conflicts++;
      } else {
        expect(res.status).toBe(200);
        ids.add((await res.json<{ id: string }>()).id);
      }
    }
    expect(ids.size).toBe(1);
    expect(conflicts).toBeLessThan(20);
    expect(await renderCount(account.id)).toBe(1);
    expect(await unitsUsed(account.id)).toBe(1);

    // once it has finished, a retry replays the stored answer
    const replay = await generate(body, { ...bearer(account.apiKey), 'idempotency-key': key });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('content-type')).toMatch(/^application\/json/);
    expect(replay.headers.get('x-quota-remaining')).toBe('999');
    expect((await replay.json<{ id: string }>()).id).toBe([...ids][0]);
    expect(await renderCount(account.id)).toBe(1);
  });

  it('the same body with keys in another order is the same request', async () => {
    const account = await signup();
    const key = crypto.randomUUID();
    const title = `Order ${crypto.randomUUID()}`;
    const first = await generate({ template: 'og-card', vars: { title, theme: 'dark' } }, { ...bearer(account.apiKey), 'idempotency-key': key });
    const second = await generate({ vars: { theme: 'dark', title }, template: 'og-card' }, { ...bearer(account.apiKey), 'idempotency-key': key });
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await second.json()).toEqual(await first.json());
  });

  it('the same key with a different body → 422 idempotency_key_reused', async () => {
    const account = await signup();
    const key = crypto.randomUUID();
    expect((await generate(request('First'), { ...bearer(account.apiKey), 'idempotency-key': key })).status).toBe(200);
    await expectProblem(await generate(request('Second'), { ...bearer(account.apiKey), 'idempotency-key': key }), 422, 'idempotency_key_reused');
    expect(await renderCount(account.id)).toBe(1);
  });

  it('keys over 255 characters, empty or non-ASCII → 400 idempotency_key_invalid; 255 is fine', async () => {
    const account = await signup();
    for (const key of ['k'.repeat(256), '', ' \u0007x']) {
      const problem = await expectProblem(
        await generate(request('Bad key'), { ...bearer(account.apiKey), 'idempotency-key': key }),
        400,
        'idempotency_key_invalid',
      );
      expect(problem.errors?.[0]?.path).toBe('headers.Idempotency-Key');
    }
    expect((await generate(request('Long key'), { ...bearer(account.apiKey), 'idempotency-key': 'k'.repeat(255) })).status).toBe(200);
    expect(await renderCount(account.id)).toBe(1);
  });

  it('the same key from two accounts is two requests', async () => {
    const [a, b] = await Promise.all([signup(), signup()]);
    const key = 'shared-key';
    const body = request('Two accounts');
    const fromA = await (await generate(body, { ...bearer(a.apiKey), 'idempotency-key': key })).json<{ id: string }>();
    const fromB = await generate(body, { ...bearer(b.apiKey), 'idempotency-key': key });
    expect(fromB.headers.get('idempotent-replayed')).toBeNull();
    expect((await fromB.json<{ id: string }>()).id).not.toBe(fromA.id);
    // B's is a cache hit of A's image, recorded just after its response
    await vi.waitFor(async () => expect(await renderCount(b.id)).toBe(1));
  });

  it("a test key never replays a live key's answer with the same Idempotency-Key (or the reverse)", async () => {
    const account = await signup();
    const key = crypto.randomUUID();
    const body = request('Modes');
    const live = await (await generate(body, { ...bearer(account.apiKey), 'idempotency-key': key })).json<{ id: string; url: string }>();
    const test = await generate(body, { ...bearer(account.testKey), 'idempotency-key': key });
    expect(test.headers.get('idempotent-replayed')).toBeNull();
    const testBody = await test.json<{ id: string; url: string }>();
    expect(testBody.id).not.toBe(live.id);
    expect(testBody.url).not.toBe(live.url); // the watermarked image
  });

  it('an answer that can change with time (a remote image that did not load) is not stored', async () => {
    const account = await signup();
    const key = crypto.randomUUID();
    const body = { template: 'og-card', vars: { title: `Flaky ${crypto.randomUUID()}`, logo: `${env.TEST_IMAGE_ORIGIN}/missing.png` } };
    await expectProblem(await generate(body, { ...bearer(account.apiKey), 'idempotency-key': key }), 422, 'remote_image_fetch_failed');
    const again = await generate(body, { ...bearer(account.apiKey), 'idempotency-key': key });
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    await expectProblem(again, 422, 'remote_image_fetch_failed');
    expect(await renderCount(account.id)).toBe(2);
  });

  it('a claim whose request died is taken over after its lock, and the late holder cannot finish it', async () => {
    const account = await signup();
    const key = crypto.randomUUID();
    const body = request('Stale');
    expect((await generate(body, { ...bearer(account.apiKey), 'idempotency-key': key })).status).toBe(200);
    // make it look like a request that claimed the key and died a minute ago
    await env.DB.prepare(
      `UPDATE idempotency_keys SET status = 'in_progress', claim_token = 'dead', locked_until = ?2, response_status = NULL, response_body = NULL
       WHERE scope = ?1`,
    )
      .bind(`${account.id}:live`, Date.now() - 1)
      .run();
    const retry = await generate(body, { ...bearer(account.apiKey), 'idempotency-key': key });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    const { completeKey } = await import('../../src/db/idempotency');
    const row = await env.DB.prepare('SELECT key_hash, claim_token, status FROM idempotency_keys WHERE scope = ?1')
      .bind(`${account.id}:live`)
      .first<{ key_hash: string; claim_token: string; status: string }>();
    expect(row?.status).toBe('complete');
    expect(row?.claim_token).not.toBe('dead');
    await completeKey(env.DB, { scope: `${account.id}:live`, keyHash: row?.key_hash as string, token: 'dead' }, 500, '{}', 'x');
    expect(await env.DB.prepare('SELECT response_status FROM idempotency_keys WHERE scope = ?1').bind(`${account.id}:live`).first('response_status')).toBe(200);
  });

  it('a 429 is not stored: once there is quota again, the same key runs', async () => {
    const account = await signup();
    const key = crypto.randomUUID();
    const body = request('Later');
    await env.DB.prepare('INSERT INTO usage (account_id, period, used) VALUES (?1, ?2, 1000)').bind(account.id, currentPeriod().period).run();
    await expectProblem(await generate(body, { ...bearer(account.apiKey), 'idempotency-key': key }), 429, 'quota_exceeded');
    await env.DB.prepare('UPDATE usage SET used = 0 WHERE account_id = ?1').bind(account.id).run();
    const res = await generate(body, { ...bearer(account.apiKey), 'idempotency-key': key });
    expect(res.status).toBe(200);
    expect(res.headers.get('idempotent-replayed')).toBeNull();
  });

  it('a 4xx is stored and replayed like a success', async () => {
    const account = await signup();
    const key = crypto.randomUUID();
    const body = { template: 'og-card', vars: { title: 'x'.repeat(500) } };
    const first = await expectProblem(await generate(body, { ...bearer(account.apiKey), 'idempotency-key': key }), 400, 'validation_failed');
    const again = await generate(body, { ...bearer(account.apiKey), 'idempotency-key': key });
    expect(again.status).toBe(400);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('content-type')).toBe('application/problem+json');
    // the stored answer, verbatim (its request_id is the first request's)
    expect(await again.json()).toEqual(first);
  });

  it('sign-up replays its keys, which D1 holds only sealed', async () => {
    const key = crypto.randomUUID();
    const email = `idem-${crypto.randomUUID()}@example.com`;
    const send = () =>
      SELF.fetch(`${BASE}/api/v1/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'cf-connecting-ip': freshIp(), 'idempotency-key': key },
        body: JSON.stringify({ email }),
      });
    const first = await send();
    expect(first.status).toBe(201);
    const created = await first.json<{ api_key: string; test_api_key: string }>();
    const again = await send();
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(created);

    const { results } = await env.DB.prepare(`SELECT * FROM idempotency_keys WHERE scope = 'anonymous'`).all<Record<string, unknown>>();
    const dump = JSON.stringify(results);
    expect(dump).not.toContain(created.api_key.slice(8));
    expect(dump).not.toContain(email);
    expect(dump).not.toContain(key);

    // a short key could be guessed by someone else signing up: refused here
    const short = await SELF.fetch(`${BASE}/api/v1/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'cf-connecting-ip': freshIp(), 'idempotency-key': 'abc' },
      body: JSON.stringify({ email: `short-${crypto.randomUUID()}@example.com` }),
    });
    await expectProblem(short, 400, 'idempotency_key_invalid');
  });

  it('keys expire after 24 hours (the cron sweep removes them)', async () => {
    const { sweepExpiredIdempotencyKeys } = await import('../../src/jobs/sweep');
    const account = await signup();
    const key = crypto.randomUUID();
    expect((await generate(request('Expiring'), { ...bearer(account.apiKey), 'idempotency-key': key })).status).toBe(200);
    const scope = `${account.id}:live`;
    const row = await env.DB.prepare('SELECT created_at, expires_at FROM idempotency_keys WHERE scope = ?1')
      .bind(scope)
      .first<{ created_at: string; expires_at: number }>();
    expect((row?.expires_at ?? 0) - Date.parse(row?.created_at ?? '')).toBe(24 * 60 * 60_000);
    const count = () => env.DB.prepare('SELECT COUNT(*) AS n FROM idempotency_keys WHERE scope = ?1').bind(scope).first('n');
    await sweepExpiredIdempotencyKeys(env, (row?.expires_at ?? 0) - 1);
    expect(await count()).toBe(1);
    expect(await sweepExpiredIdempotencyKeys(env, (row?.expires_at ?? 0) + 1)).toBeGreaterThanOrEqual(1);
    expect(await count()).toBe(0);
  });
});
