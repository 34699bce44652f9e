/**
 * Security across the whole /api/v1 surface. The shared cases (no key, a malformed or unknown key,
 * a revoked key, another account's resource, rate limited, and a test key on a live-only
 * operation) run for every operation of the OpenAPI document the Worker serves that takes a key,
 * enumerated from it (test/helpers/common-route-tests.ts reads it); an operation that takes no key
 * must be one of the public ones named with their reasons. Then tenant isolation beyond one
 * request, one 401 for every kind of bad key, and no 5xx for any malformed key, header or body.
 */
import { env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import {
  awayFromMinuteEdge,
  BASE,
  bearer,
  del,
  expectProblem,
  fetchWithEnv,
  freshIp,
  generate,
  get,
  type Problem,
  patchJson,
  signup,
  type TestAccount,
  tinyPlan,
} from '../helpers/api';
import {
  type Operation,
  operationsOf,
  PUBLIC_OPERATIONS,
  pathWith,
  RESOURCE_MAKERS,
  renderOf,
  requestInit,
  resourceFor,
  servedDocument,
  templateOf,
} from '../helpers/common-route-tests';
import { afterAnswers } from '../helpers/db';

const doc = await servedDocument();
const operations = operationsOf(doc);
const keyed = operations.filter((op) => op.keyed);

/** A problem with what differs per request (its id, and the id it names) taken out. */
function comparable(p: Problem, ...ids: string[]): Problem {
  let detail = p.detail;
  for (const id of ids) detail = detail.replaceAll(id, '<id>');
  return { ...p, request_id: undefined, detail };
}

/** Routes the app serves that are not operations of the document, and why they take no key. */
const UNDOCUMENTED_ROUTES: Record<string, string> = {
  'GET /docs': 'the API reference page (Scalar), drawn from the document: as public as the document',
  'GET /openapi.json': 'the document itself: it describes the API and names no account',
};

describe('the document: every operation is covered', () => {
  it('every operation takes the bearer key, or is a public one named with its reason (PUBLIC_OPERATIONS)', () => {
    const open = operations.filter((op) => !op.keyed).map((op) => op.operationId);
    expect(
      open.filter((id) => !(id in PUBLIC_OPERATIONS)),
      'take no key and are not in PUBLIC_OPERATIONS',
    ).toEqual([]);
    expect(
      Object.keys(PUBLIC_OPERATIONS).filter((id) => !open.includes(id)),
      'in PUBLIC_OPERATIONS but take a key, or are gone',
    ).toEqual([]);
    expect(keyed.length).toBeGreaterThan(0);
  });

  it('every route the app serves is an operation of the document, or one of UNDOCUMENTED_ROUTES', () => {
    const documented = new Set(operations.map((op) => `${op.method} ${op.path}`));
    // middleware is mounted with ALL; the routes themselves name their method
    const served = new Set(
      createApp()
        .routes.filter((r) => r.method !== 'ALL')
        .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`),
    );
    expect(
      [...served].filter((route) => !documented.has(route) && !(route in UNDOCUMENTED_ROUTES)),
      'served but neither documented nor in UNDOCUMENTED_ROUTES',
    ).toEqual([]);
    expect(
      Object.keys(UNDOCUMENTED_ROUTES).filter((route) => !served.has(route) || documented.has(route)),
      'in UNDOCUMENTED_ROUTES but gone or documented',
    ).toEqual([]);
  });

  it('every keyed operation documents the shared answers (401 and 429); no public one documents a 401', () => {
    for (const op of operations) {
      expect('401' in op.responses, op.operationId).toBe(op.keyed);
      if (op.keyed) expect(op.responses, op.operationId).toHaveProperty('429');
    }
  });

  it('every path parameter of a keyed operation names a kind of resource the tests can make (RESOURCE_MAKERS)', () => {
    const params = keyed.filter((op) => op.path.includes('{'));
    const unnamed = params.filter((op) => !op.resource).map((op) => `${op.operationId}: document an example id (prefix_ULID) for its path parameter`);
    const unmade = params
      .filter((op) => op.resource && !RESOURCE_MAKERS[op.resource.prefix])
      .map((op) => `${op.operationId}: add RESOURCE_MAKERS['${op.resource?.prefix}']`);
    expect([...unnamed, ...unmade]).toEqual([]);
    // the webhook operations the first hand-written list of these cases missed
    expect(keyed.map((op) => op.operationId)).toEqual(expect.arrayContaining(['webhooks.test', 'webhooks.redeliver']));
  });

  it('every operation that takes a body gets one to send, from its example or its schema', () => {
    for (const op of operations) expect(op.body !== undefined, op.operationId).toBe(op.takesBody);
  });
});

/** For the calls that are not about rate limiting: one caller makes far more than 60 a minute here. */
const UNTHROTTLED = { PLANS: tinyPlan(100_000) };

async function newKey(account: TestAccount, name: string): Promise<{ id: string; key: string }> {
  const res = await fetchWithEnv(UNTHROTTLED, '/api/v1/keys', {
    method: 'POST',
    headers: { ...bearer(account.apiKey), 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json<{ id: string; key: string }>();
}

describe('the shared cases, for every operation that takes a key', () => {
  /** Owns one resource of every kind the document names; the caller reaches for them. */
  let owner: TestAccount;
  let caller: TestAccount;
  const owned: Record<string, string> = {};
  /** A key of the caller's, used once (so this isolate has seen it authenticate) and then revoked. */
  let revokedKey: string;

  beforeAll(async () => {
    [owner, caller] = await Promise.all([signup(), signup()]);
    const prefixes = new Set(keyed.flatMap((op) => (op.resource ? [op.resource.prefix] : [])));
    for (const prefix of prefixes) {
      const make = RESOURCE_MAKERS[prefix];
      if (make) owned[prefix] = await make(owner, 'live');
    }
    const doomed = await newKey(caller, 'doomed');
    expect((await SELF.fetch(`${BASE}/api/v1/account`, { headers: bearer(doomed.key) })).status).toBe(200);
    expect((await SELF.fetch(`${BASE}/api/v1/keys/${doomed.id}`, { method: 'DELETE', headers: bearer(caller.apiKey) })).status).toBe(204);
    revokedKey = doomed.key;
  });

  /** The operation's path naming the owner's resource (the plain path when it names none). */
  const ownersPath = (op: Operation) => pathWith(op, op.resource && owned[op.resource.prefix]);

  describe.each(keyed.map((op) => [`${op.method} ${op.path}`, op] as const))('%s', (_, op) => {
    it('no key → 401 unauthorized, with WWW-Authenticate', async () => {
      const res = await SELF.fetch(`${BASE}${ownersPath(op)}`, requestInit(op, {}));
      await expectProblem(res, 401, 'unauthorized');
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="picstream"');
    });

    it.each([
      ['not a key', 'Bearer not-a-key'],
      ['an unknown live key', `Bearer pk_live_${'A'.repeat(40)}`],
      ['an unknown test key', `Bearer pk_test_${'A'.repeat(40)}`],
      ['another scheme', 'Basic dXNlcjpwYXNz'],
    ])('%s → 401 unauthorized', async (_, authorization) => {
      await expectProblem(await SELF.fetch(`${BASE}${ownersPath(op)}`, requestInit(op, { authorization })), 401, 'unauthorized');
    });

    it('a revoked key → 401 unauthorized', async () => {
      await expectProblem(await SELF.fetch(`${BASE}${ownersPath(op)}`, requestInit(op, bearer(revokedKey))), 401, 'unauthorized');
    });

    if (op.resource) {
      const { prefix, missing } = op.resource;
      it(`another account's ${prefix}… answers exactly like a missing one: 404`, async () => {
        const id = owned[prefix] as string;
        const foreign = await fetchWithEnv(UNTHROTTLED, pathWith(op, id), requestInit(op, bearer(caller.apiKey)));
        const absent = await fetchWithEnv(UNTHROTTLED, pathWith(op, missing), requestInit(op, bearer(caller.apiKey)));
        const code = ((await absent.clone().json()) as Problem).code;
        expect(op.codes['404'], 'a documented 404 code').toContain(code);
        const absentProblem = await expectProblem(absent, 404, code);
        const foreignProblem = await expectProblem(foreign, 404, code);
        expect(comparable(foreignProblem, id)).toEqual(comparable(absentProblem, missing));
        expect([...foreign.headers.keys()].sort()).toEqual([...absent.headers.keys()].sort());
      });
    }

    it('rate limited → 429 rate_limited with Retry-After and the rate headers', async () => {
      // a key of its own: the limit is per key, and these calls are its first
      const { id, key } = await newKey(caller, 'limited');
      const plan = { PLANS: tinyPlan(1) };
      await awayFromMinuteEdge(5_000);
      const first = await fetchWithEnv(plan, ownersPath(op), requestInit(op, bearer(key)));
      expect(first.status, await first.clone().text()).toBeLessThan(429);
      const res = await fetchWithEnv(plan, ownersPath(op), requestInit(op, bearer(key)));
      await expectProblem(res, 429, 'rate_limited');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(res.headers.get('x-ratelimit-limit')).toBe('1');
      expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(res.headers.get('ratelimit-policy')).toBe('"free";q=1;w=60');
      expect((await fetchWithEnv(UNTHROTTLED, `/api/v1/keys/${id}`, { method: 'DELETE', headers: bearer(caller.apiKey) })).status).toBe(204);
    });

    if (op.liveOnly) {
      it('a test key → 403 live_key_required (declared in the document, enforced by the app)', async () => {
        const res = await SELF.fetch(`${BASE}${ownersPath(op)}`, requestInit(op, bearer(caller.testKey)));
        const problem = await expectProblem(res, 403, 'live_key_required');
        expect(problem.detail).toContain(`${op.method} ${op.path} takes a live key`);
      });
    }
  });

  it("the owner's resources are as they were: each still reads back, no key of its was revoked", async () => {
    for (const op of keyed.filter((o) => o.method === 'GET')) {
      const res = await fetchWithEnv(UNTHROTTLED, ownersPath(op), { headers: bearer(owner.apiKey) });
      expect(res.status, `${op.operationId}: ${await res.clone().text()}`).toBe(op.ok);
    }
    const keys = await (await fetchWithEnv(UNTHROTTLED, '/api/v1/keys', { headers: bearer(owner.apiKey) })).json<{
      data: { id: string; revoked_at: string | null }[];
    }>();
    expect(keys.data.filter((k) => k.revoked_at !== null)).toEqual([]);
    if (owned.key_) expect(keys.data.map((k) => k.id)).toContain(owned.key_);
    if (owned.fnt_) {
      const fonts = await (await fetchWithEnv(UNTHROTTLED, '/api/v1/fonts', { headers: bearer(owner.apiKey) })).json<{ data: { id: string }[] }>();
      expect(fonts.data.map((f) => f.id)).toContain(owned.fnt_);
    }
  });
});

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
    for (const op of keyed) {
      const { method } = op;
      const path = pathWith(op, op.resource?.missing ?? 'x_01JD5X1Q4ZB8R3W2K7T6YV9N0M');
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
    // one resource of each kind the body-taking operations name, the account's own
    const ids = new Map<string, string>();
    const targets: [string, string][] = [];
    for (const op of operations.filter((o) => o.takesBody)) {
      const prefix = op.resource?.prefix;
      if (prefix && !ids.has(prefix)) ids.set(prefix, (await resourceFor(op, account)) as string);
      targets.push([op.method, pathWith(op, prefix && ids.get(prefix))]);
    }
    expect(targets.length).toBeGreaterThan(0);
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

  it('leaves nothing half-written: no open renders or claims, and usage equals the units renders hold (and quota leases reserve)', async () => {
    await afterAnswers();
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
              COALESCE((SELECT SUM(units) FROM renders r WHERE r.account_id = a.id), 0)
              + COALESCE((SELECT SUM(l.units - COALESCE((SELECT SUM(units) FROM renders r WHERE r.lease_id = l.id), 0))
                          FROM quota_leases l WHERE l.account_id = a.id), 0) AS held
       FROM accounts a WHERE a.id IN (${marks})`,
    )
      .bind(...ids)
      .all<{ id: string; used: number; held: number }>();
    expect(results).toHaveLength(ids.length);
    for (const row of results) expect(row.used, row.id).toBe(row.held);
  });
});
