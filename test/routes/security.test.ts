/**
 * Security across the whole /api/v1 surface: the shared route cases, tenant isolation, one 401 for
 * every kind of bad key, and no 5xx for any malformed key, header or body.
 */
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { BASE, bearer, del, expectProblem, freshIp, generate, get, type Problem, patchJson, signup } from '../helpers/api';
import { commonRouteTests, endpointOf, keyedOperations, keyIdOf, type RouteUnderTest, renderOf, templateOf } from '../helpers/common-route-tests';

/** Every operation of the OpenAPI document that takes a key (a new one without an entry in API_OPERATIONS fails here). */
const ROUTES: [string, RouteUnderTest][] = keyedOperations().map((op) => [`${op.method} ${op.path}`, op.call]);

describe('common route tests', () => {
  for (const [label, route] of ROUTES) commonRouteTests(route, label);
});

/** A problem with what differs per request (its id, and the id it names) taken out. */
function comparable(p: Problem, ...ids: string[]): Problem {
  let detail = p.detail;
  for (const id of ids) detail = detail.replaceAll(id, '<id>');
  return { ...p, request_id: undefined, detail };
}

describe('tenant isolation', () => {
  it("another account's render answers exactly like a missing one (also once this isolate has it in memory)", async () => {
    const [a, b] = await Promise.all([signup(), signup()]);
    const id = await renderOf(a);
    expect((await get(`/api/v1/renders/${id}`, bearer(a.apiKey))).status).toBe(200); // now memoised here
    const missing = 'rnd_01JD5X1Q4ZB8R3W2K7T6YV9N0M';
    const foreign = await expectProblem(await get(`/api/v1/renders/${id}`, bearer(b.apiKey)), 404, 'render_not_found');
    const absent = await expectProblem(await get(`/api/v1/renders/${missing}`, bearer(b.apiKey)), 404, 'render_not_found');
    expect(comparable(foreign, id)).toEqual(comparable(absent, missing));
  });

  it("another account's key cannot be revoked (and answers like a missing one)", async () => {
    const [a, b] = await Promise.all([signup(), signup()]);
    const id = await keyIdOf(a, 'live');
    const missing = 'key_01JD5X1Q4ZB8R3W2K7T6YV9N0M';
    const foreign = await expectProblem(await del(`/api/v1/keys/${id}`, bearer(b.apiKey)), 404, 'key_not_found');
    const absent = await expectProblem(await del(`/api/v1/keys/${missing}`, bearer(b.apiKey)), 404, 'key_not_found');
    expect(comparable(foreign, id)).toEqual(comparable(absent, missing));
    expect((await get('/api/v1/account', bearer(a.apiKey))).status).toBe(200);
  });

  it("another account's template answers exactly like a missing one, to get, change, delete and render (also once this isolate has compiled it)", async () => {
    const [a, b] = await Promise.all([signup(), signup()]);
    const id = await templateOf(a);
    expect((await generate({ template: id, vars: { title: 'Mine' } }, bearer(a.apiKey))).status).toBe(200); // now compiled here
    const missing = 'tpl_01JD5X1Q4ZB8R3W2K7T6YV9N0M';
    const asB: [string, (tpl: string) => Promise<Response>][] = [
      ['GET', (tpl) => get(`/api/v1/templates/${tpl}`, bearer(b.apiKey))],
      ['PATCH', (tpl) => patchJson(`/api/v1/templates/${tpl}`, { name: 'Mine now' }, bearer(b.apiKey))],
      ['PATCH source', (tpl) => patchJson(`/api/v1/templates/${tpl}`, { html: '<div>{{title}}!</div>' }, bearer(b.apiKey))],
      ['DELETE', (tpl) => del(`/api/v1/templates/${tpl}`, bearer(b.apiKey))],
      ['generate/image', (tpl) => generate({ template: tpl, vars: { title: 'Theirs' } }, bearer(b.apiKey))],
    ];
    for (const [label, call] of asB) {
      const foreign = await expectProblem(await call(id), 404, 'template_not_found');
      const absent = await expectProblem(await call(missing), 404, 'template_not_found');
      expect(comparable(foreign, id), label).toEqual(comparable(absent, missing));
    }
    const listed = await (await get('/api/v1/templates', bearer(b.apiKey))).json<{ data: { id: string }[] }>();
    expect(listed.data.map((t) => t.id)).not.toContain(id);
    // the owner's template is as it was
    expect(await (await get(`/api/v1/templates/${id}`, bearer(a.apiKey))).json()).toMatchObject({ id, name: 'Mine', version: 1 });
  });

  it("keys, account and usage show only the caller's own", async () => {
    const [a, b] = await Promise.all([signup(), signup()]);
    const keys = await (await get('/api/v1/keys', bearer(b.apiKey))).json<{ data: { start: string }[] }>();
    expect(keys.data.map((k) => k.start).sort()).toEqual([b.apiKey.slice(0, 12), b.testKey.slice(0, 12)].sort());
    expect(await (await get('/api/v1/account', bearer(b.apiKey))).json()).toMatchObject({ id: b.id, email: b.email });
    await renderOf(a);
    expect(await (await get('/api/v1/usage', bearer(b.apiKey))).json()).toMatchObject({ used: 0 });
  });
});

describe('bad keys', () => {
  it('missing, malformed, unknown and revoked keys get the same 401', async () => {
    const account = await signup();
    const revoked = await (
      await SELF.fetch(`${BASE}/api/v1/keys`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(account.apiKey) },
        body: '{"name":"doomed"}',
      })
    ).json<{ id: string; key: string }>();
    expect((await del(`/api/v1/keys/${revoked.id}`, bearer(account.apiKey))).status).toBe(204);

    const cases: Record<string, Record<string, string>> = {
      missing: {},
      malformed: { authorization: 'Bearer not-a-key' },
      unknown: bearer(`pk_live_${'A'.repeat(40)}`),
      revoked: bearer(revoked.key),
    };
    // everything but what differs per request or per second: its id, its timings, the reset time
    const perRequest = new Set(['x-request-id', 'server-timing', 'x-ratelimit-reset', 'ratelimit']);
    const answers: { body: Problem; headers: [string, string][] }[] = [];
    for (const headers of Object.values(cases)) {
      const res = await SELF.fetch(`${BASE}/api/v1/account`, { headers });
      const body = await expectProblem(res, 401, 'unauthorized');
      expect(res.headers.get('ratelimit')).toMatch(/^"free";r=60;t=(59|60)$/);
      answers.push({ body: { ...body, request_id: undefined }, headers: [...res.headers].filter(([name]) => !perRequest.has(name)).sort() });
    }
    expect(answers[0]?.headers.map(([name]) => name)).toEqual(expect.arrayContaining(['x-ratelimit-limit', 'x-ratelimit-remaining', 'ratelimit-policy']));
    for (const answer of answers.slice(1)) expect(answer).toEqual(answers[0]);
  });
});

describe('no 5xx for malformed keys, headers or bodies', () => {
  /** Accounts these cases used: checked at the end for anything left half-done. */
  const touched = new Set<string>();

  const authorizations = [
    '',
    'Bearer',
    'Bearer ',
    'bearer pk_live_',
    'Basic dXNlcjpwYXNz',
    `Bearer pk_live_${'a'.repeat(31)}`,
    `Bearer pk_live_${'a'.repeat(65)}`,
    `Bearer pk_live_${'a'.repeat(8000)}`,
    `Bearer pk_prod_${'a'.repeat(40)}`,
    `Bearer pk_live_${'-'.repeat(40)}`,
    'Bearer pk_live_%00%00',
    'Bearer a b c',
    `Token ${'x'.repeat(40)}`,
  ];

  it.each(authorizations)('Authorization %j → 401 on every route', async (authorization) => {
    const routes = ROUTES.map(([label]) => label.split(' ') as [string, string]);
    for (const [method, pattern] of routes) {
      const path = pattern.replace('{id}', 'x_01JD5X1Q4ZB8R3W2K7T6YV9N0M');
      const res = await SELF.fetch(`${BASE}${path}`, {
        method,
        headers: { authorization, 'content-type': 'application/json' },
        body: method === 'POST' || method === 'PATCH' ? '{}' : undefined,
      });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
  });

  const bodies: [string, string][] = [
    ['empty', ''],
    ['null', 'null'],
    ['array', '[]'],
    ['string', '"hello"'],
    ['number', '42'],
    ['truncated', '{"template": "og-card"'],
    ['deep nesting', `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`],
    ['wrong types', '{"template": 1, "vars": [], "format": null, "width": "wide", "scale": 1.5, "async": "yes"}'],
    ['vars wrong types', '{"template": "og-card", "vars": {"title": {"a": 1}, "theme": 7, "logo": ["x"]}}'],
    ['nul bytes', '{"template": "og\\u0000card", "vars": {"title": "\\u0000"}}'],
    ['prototype keys', '{"__proto__": {"x": 1}, "constructor": {"prototype": {}}, "template": "og-card", "vars": {"title": "p"}}'],
    ['lone surrogate', '{"template": "og-card", "vars": {"title": "\\ud800"}}'],
    ['huge number', '{"template": "og-card", "vars": {"title": "n"}, "width": 1e309}'],
    ['bad name', '{"name": 5}'],
    ['bad email', '{"email": ["a@b.c"]}'],
    ['pdf sections wrong', '{"pages": [{"template": "invoice", "vars": {"items": "x"}}, null]}'],
    ['pdf page size odd', '{"template": "certificate", "page_size": {"width": -1e309, "height": "A4"}, "orientation": "sideways"}'],
    ['pdf both forms', '{"template": "invoice", "pages": [{"template": "og-card"}], "title": {"t": 1}}'],
  ];

  it.each(bodies)('%s body → 4xx problem (or success), never 5xx, on every route that takes a body', async (_, body) => {
    const account = await signup();
    touched.add(account.id);
    const [endpoint, template] = await Promise.all([endpointOf(account), templateOf(account)]);
    const targets: [string, string][] = [
      ['POST', '/api/v1/generate/image'],
      ['POST', '/api/v1/generate/pdf'],
      ['POST', '/api/v1/keys'],
      ['POST', '/api/v1/fonts'],
      ['POST', '/api/v1/signup'],
      ['POST', '/api/v1/webhooks'],
      ['PATCH', `/api/v1/webhooks/${endpoint}`],
      ['POST', `/api/v1/webhooks/${endpoint}/rotate-secret`],
      ['POST', '/api/v1/templates'],
      ['POST', '/api/v1/templates/preview'],
      ['PATCH', `/api/v1/templates/${template}`],
    ];
    for (const [method, path] of targets) {
      const res = await SELF.fetch(`${BASE}${path}`, {
        method,
        headers: { 'content-type': 'application/json', 'cf-connecting-ip': freshIp(), ...bearer(account.apiKey) },
        body,
      });
      expect(res.status, `${path} ${await res.clone().text()}`).toBeLessThan(500);
      expect(res.status, 'not throttled: each request comes from its own address and key').not.toBe(429);
      if (res.status >= 400) expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
  });

  it.each([
    ['content-type', 'text/plain'],
    ['content-type', 'application/json; charset=latin-1'],
    ['content-type', 'application/jsonx'],
    ['content-type', 'application/json;'],
    ['content-type', 'application/vnd.api+json'],
    ['content-type', 'application/json ; charset=utf-8'],
    ['idempotency-key', ' '],
    ['idempotency-key', 'x'.repeat(5000)],
    ['cf-connecting-ip', 'not-an-ip'],
    ['x-request-id', 'x'.repeat(500)],
    ['accept', 'image/png'],
  ])('header %s: %j → never 5xx', async (name, value) => {
    const account = await signup();
    touched.add(account.id);
    const res = await SELF.fetch(`${BASE}/api/v1/generate/image`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(account.apiKey), [name]: value },
      body: JSON.stringify({ template: 'og-card', vars: { title: `Header ${name}` } }),
    });
    expect(res.status, await res.clone().text()).toBeLessThan(500);
  });

  it('leaves nothing half-written: no open renders or claims, and usage equals the units renders hold', async () => {
    const ids = [...touched];
    expect(ids.length).toBeGreaterThan(0);
    const marks = ids.map((_, i) => `?${i + 1}`).join(', ');
    const open = await env.DB.prepare(`SELECT COUNT(*) AS n FROM renders WHERE account_id IN (${marks}) AND status IN ('pending', 'running')`)
      .bind(...ids)
      .first('n');
    expect(open).toBe(0);
    const claims = await env.DB.prepare(`SELECT COUNT(*) AS n FROM idempotency_keys WHERE status = 'in_progress' AND substr(scope, 1, 30) IN (${marks})`)
      .bind(...ids)
      .first('n');
    expect(claims).toBe(0);
    const { results } = await env.DB.prepare(
      `SELECT a.id, COALESCE((SELECT SUM(used) FROM usage u WHERE u.account_id = a.id), 0) AS used,
              COALESCE((SELECT SUM(units) FROM renders r WHERE r.account_id = a.id), 0) AS held
       FROM accounts a WHERE a.id IN (${marks})`,
    )
      .bind(...ids)
      .all<{ id: string; used: number; held: number }>();
    expect(results).toHaveLength(ids.length);
    for (const row of results) expect(row.used, row.id).toBe(row.held);
  });
});
