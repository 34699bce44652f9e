/** The webhook endpoints API: create (with its secret), read, change, delete, and the URL guard. */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { bearer, del, expectProblem, get, patchJson, postJson, signup } from '../helpers/api';
import { createEndpoint, receiverUrl } from './helpers';

describe('webhook endpoints', () => {
  it('creates an endpoint with a whsec_ secret shown once; reads, changes and deletes it', async () => {
    const account = await signup();
    const { url } = receiverUrl('ok');
    const res = await postJson('/api/v1/webhooks', { url, description: 'CI' }, bearer(account.apiKey));
    expect(res.status).toBe(201);
    const created = await res.json<Record<string, unknown>>();
    expect(created).toMatchObject({
      url,
      description: 'CI',
      events: ['render.complete', 'render.failed', 'pdf.complete', 'pdf.failed'],
      enabled: true,
      disabled_at: null,
    });
    expect(created.id).toMatch(/^whe_[0-9A-Z]{26}$/);
    const secret = created.secret as string;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(atob(secret.slice(6))).toHaveLength(32);

    const one = await (await get(`/api/v1/webhooks/${created.id}`, bearer(account.apiKey))).json<Record<string, unknown>>();
    expect(one).not.toHaveProperty('secret');
    expect(one.id).toBe(created.id);
    const list = await (await get('/api/v1/webhooks', bearer(account.apiKey))).json<{ data: { id: string }[] }>();
    expect(list.data.map((e) => e.id)).toEqual([created.id]);
    expect(JSON.stringify(list)).not.toContain(secret);

    const changed = await patchJson(
      `/api/v1/webhooks/${created.id}`,
      { events: ['render.failed'], description: 'only failures', enabled: false },
      bearer(account.apiKey),
    );
    expect(await changed.json()).toMatchObject({
      events: ['render.failed'],
      description: 'only failures',
      enabled: false,
      disabled_reason: 'disabled by the account',
    });
    const enabled = await patchJson(`/api/v1/webhooks/${created.id}`, { enabled: true }, bearer(account.apiKey));
    expect(await enabled.json()).toMatchObject({ enabled: true, disabled_reason: null });

    expect((await del(`/api/v1/webhooks/${created.id}`, bearer(account.apiKey))).status).toBe(204);
    await expectProblem(await get(`/api/v1/webhooks/${created.id}`, bearer(account.apiKey)), 404, 'webhook_not_found');
  });

  it.each([
    ['https://127.0.0.1/hook', 'loopback'],
    ['https://10.0.0.8/hook', 'private'],
    ['https://169.254.169.254/latest/meta-data', 'metadata'],
    ['https://100.64.0.1/hook', 'CGNAT'],
    ['https://[::1]/hook', 'IPv6 loopback'],
    ['https://[fd00::1]/hook', 'unique-local'],
    ['https://[::127.0.0.1]/hook', 'IPv4-compatible loopback'],
    ['https://[::ffff:a9fe:a9fe]/hook', 'IPv4-mapped metadata'],
    ['https://[2002:a00:1::]/hook', '6to4 private'],
    ['https://metadata.google.internal/hook', 'internal name'],
    ['https://metadata.google.internal./hook', 'internal name, trailing dot'],
    ['https://router.home.arpa../hook', 'internal name, trailing dots'],
    ['http://example.com/hook', 'plain http'],
    ['https://user:pass@example.com/hook', 'credentials'],
    ['not a url', 'garbage'],
  ])('refuses %s (%s) with 422 webhook_url_blocked, on create and on change', async (url) => {
    const account = await signup();
    const problem = await expectProblem(await postJson('/api/v1/webhooks', { url }, bearer(account.apiKey)), 422, 'webhook_url_blocked');
    expect(problem.errors?.[0]?.path).toBe('url');
    const ok = await createEndpoint(account, receiverUrl('ok').url);
    await expectProblem(await patchJson(`/api/v1/webhooks/${ok.id}`, { url }, bearer(account.apiKey)), 422, 'webhook_url_blocked');
  });

  it('validates events and the body', async () => {
    const account = await signup();
    const problem = await expectProblem(
      await postJson('/api/v1/webhooks', { url: receiverUrl('ok').url, events: ['render.exploded'], extra: 1 }, bearer(account.apiKey)),
      400,
      'validation_failed',
    );
    expect(problem.errors?.map((e) => e.path).sort()).toEqual(['(body)', 'events.0']);
  });

  it("another account's endpoint and deliveries answer like missing ones", async () => {
    const [a, b] = await Promise.all([signup(), signup()]);
    const endpoint = await createEndpoint(a, receiverUrl('ok').url);
    for (const res of [
      await get(`/api/v1/webhooks/${endpoint.id}`, bearer(b.apiKey)),
      await get(`/api/v1/webhooks/${endpoint.id}/deliveries`, bearer(b.apiKey)),
      await postJson(`/api/v1/webhooks/${endpoint.id}/test`, {}, bearer(b.apiKey)),
      await postJson(`/api/v1/webhooks/${endpoint.id}/rotate-secret`, {}, bearer(b.apiKey)),
      await del(`/api/v1/webhooks/${endpoint.id}`, bearer(b.apiKey)),
    ]) {
      await expectProblem(res, 404, 'webhook_not_found');
    }
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM webhook_endpoints WHERE id = ?1').bind(endpoint.id).first('n')).toBe(1);
    await expectProblem(await patchJson(`/api/v1/webhooks/${endpoint.id}`, { description: 'mine now' }, bearer(b.apiKey)), 404, 'webhook_not_found');
    const { delivery_id } = await (await postJson(`/api/v1/webhooks/${endpoint.id}/test`, {}, bearer(a.apiKey))).json<{ delivery_id: string }>();
    await expectProblem(await postJson(`/api/v1/webhooks/deliveries/${delivery_id}/redeliver`, {}, bearer(b.apiKey)), 404, 'delivery_not_found');
  });
});
