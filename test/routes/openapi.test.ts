/**
 * The OpenAPI document: the committed copy (sdk/openapi.json, the SDK's source of types) is what
 * the Worker serves (drift), it describes every route the way the middleware behaves, its
 * examples are accepted by the API, and the response checker every test runs through
 * (test/helpers/conformance.ts) catches what it should. The independent validators (Redocly lint,
 * the OAS 3.1 JSON Schema) run in Node: test/tools/openapi-lint.test.ts.
 */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import committed from '../../sdk/openapi.json';
import { PROBLEMS } from '../../src/errors/problem';
import { BASE, get, postJson } from '../helpers/api';
import { checked, nonConformities, webhookNonConformities } from '../helpers/conformance';

interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { $ref?: string; name?: string }[];
  requestBody?: { content: Record<string, { examples?: Record<string, { value: unknown }> }> };
  responses: Record<string, { headers?: Record<string, { $ref?: string }>; content?: Record<string, { schema?: unknown }> }>;
}
type Doc = typeof committed & { paths: Record<string, Record<string, Operation>> };

async function served(): Promise<Doc> {
  const res = await get('/openapi.json');
  expect(res.status).toBe(200);
  return res.json<Doc>();
}

function operations(doc: Doc): { method: string; path: string; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ method, path, op })));
}

describe('the OpenAPI document', () => {
  it('is what the Worker serves: sdk/openapi.json is up to date (else run `npm run openapi`)', async () => {
    // the Worker serves it with its PUBLIC_BASE_URL, which the tests share with `npm run openapi`
    expect(await served()).toEqual(committed);
  });

  it('is OpenAPI 3.1 with the bearer scheme, tags and the webhook events', async () => {
    const doc = await served();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ apiKey: [] }]);
    expect(Object.keys(doc.webhooks).sort()).toEqual(['pdf.complete', 'pdf.failed', 'render.complete', 'render.failed', 'webhook.test']);
    const tags = new Set(doc.tags.map((t) => t.name));
    for (const { op } of operations(doc)) for (const tag of op.tags ?? []) expect(tags).toContain(tag);
  });

  it('gives every operation an id, a summary, a description and its error responses', async () => {
    const doc = await served();
    const ids = new Set<string>();
    for (const { method, path, op } of operations(doc)) {
      const name = `${method.toUpperCase()} ${path}`;
      expect(op.operationId, name).toMatch(/^[a-z]+\.[a-zA-Z.]+$/);
      expect(ids.has(op.operationId as string), `${name} id unique`).toBe(false);
      ids.add(op.operationId as string);
      expect(op.summary, name).toBeTruthy();
      expect(op.description, name).toBeTruthy();
      if (!path.startsWith('/api/v1/')) continue;
      const statuses = Object.keys(op.responses);
      if (path !== '/api/v1/signup') expect(statuses, `${name} declares 401`).toContain('401');
      expect(statuses, `${name} declares 429`).toContain('429');
      for (const status of statuses.filter((s) => Number(s) >= 400)) {
        expect(op.responses[status]?.content, `${name} ${status} is a problem`).toHaveProperty(['application/problem+json']);
      }
    }
  });

  it('documents the headers the middleware adds: request id, rate limits, Retry-After, quota, Idempotency-Key', async () => {
    const doc = await served();
    for (const { method, path, op } of operations(doc)) {
      const name = `${method.toUpperCase()} ${path}`;
      for (const [status, response] of Object.entries(op.responses)) {
        const headers = Object.keys(response.headers ?? {});
        // not on images, which CDNs cache for a year
        if (path !== '/img/{key}') expect(headers, `${name} ${status}`).toContain('X-Request-Id');
        if (path.startsWith('/api/v1/')) expect(headers, `${name} ${status}`).toEqual(expect.arrayContaining(['X-RateLimit-Remaining', 'RateLimit']));
        if (status === '429') expect(headers, `${name} 429`).toContain('Retry-After');
        if (path.startsWith('/api/v1/generate/') && status !== '401') expect(headers, `${name} ${status}`).toContain('X-Quota-Remaining');
      }
      if (path.startsWith('/api/v1/') && method === 'post') {
        expect(
          op.parameters?.map((p) => p.$ref),
          name,
        ).toContain('#/components/parameters/IdempotencyKey');
      }
    }
  });

  it('lists under each error status only codes of that status, narrowed per route where the route knows them', async () => {
    const doc = await served();
    const codesOf = (op: Operation, status: string) =>
      (
        op.responses[status]?.content?.['application/problem+json']?.schema as { allOf?: { properties?: { code: { enum: string[] } } }[] } | undefined
      )?.allOf?.find((x) => x.properties)?.properties?.code.enum;
    let checkedStatuses = 0;
    for (const { method, path, op } of operations(doc)) {
      for (const status of Object.keys(op.responses).filter((s) => Number(s) >= 400)) {
        const codes = codesOf(op, status) ?? [];
        expect(codes.length, `${method} ${path} ${status}`).toBeGreaterThan(0);
        for (const code of codes) expect(PROBLEMS[code as keyof typeof PROBLEMS]?.status, `${method} ${path} ${status} ${code}`).toBe(Number(status));
        // dead_lettered and abandoned end async renders (their error.code); no HTTP answer carries them
        expect(codes, `${method} ${path} ${status}`).not.toEqual(expect.arrayContaining(['dead_lettered']));
        expect(codes, `${method} ${path} ${status}`).not.toEqual(expect.arrayContaining(['abandoned']));
        checkedStatuses++;
      }
    }
    expect(checkedStatuses).toBeGreaterThan(50);
    const op = (path: string, method = 'get') => doc.paths[path]?.[method] as Operation;
    expect(codesOf(op('/api/v1/renders/{id}'), '404')).toEqual(['render_not_found']);
    expect(codesOf(op('/api/v1/generate/image', 'post'), '404')).toEqual(['template_not_found']);
    expect(codesOf(op('/api/v1/generate/image', 'post'), '409')).toEqual(['idempotency_key_in_progress']);
    expect(codesOf(op('/api/v1/keys', 'post'), '409')).toEqual(['key_limit_reached', 'idempotency_key_in_progress']);
    expect(codesOf(op('/api/v1/generate/image', 'post'), '500')).toEqual(['render_failed', 'template_unavailable', 'internal_error']);
    // a status a route does not narrow lists every code of the error map with that status
    const all400 = Object.entries(PROBLEMS)
      .filter(([, p]) => p.status === 400)
      .map(([code]) => code);
    expect(codesOf(op('/api/v1/generate/image', 'post'), '400')).toEqual(all400);
  });

  it('has request examples the API accepts', async () => {
    const doc = await served();
    let tried = 0;
    for (const { method, path, op } of operations(doc)) {
      const examples = op.requestBody?.content['application/json']?.examples ?? {};
      for (const [name, example] of Object.entries(examples)) {
        expect(method, name).toBe('post');
        const res = await postJson(path, example.value);
        expect([200, 201, 202], `${path} example ${name}: ${await res.clone().text()}`).toContain(res.status);
        tried++;
      }
    }
    expect(tried).toBeGreaterThanOrEqual(5);
  });
});

describe('the response checker every test goes through', () => {
  it('checks the responses of SELF.fetch', async () => {
    const before = checked.responses;
    await SELF.fetch(`${BASE}/healthz`);
    expect(checked.responses).toBe(before + 1);
  });

  const json = (body: unknown, status: number, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'x-request-id': 'req_1', ...headers } });
  const limits = { 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '1', 'x-ratelimit-reset': '1', 'ratelimit-policy': 'p', ratelimit: 'r' };

  it('accepts a response the document describes', async () => {
    expect(await nonConformities('GET', `${BASE}/healthz`, json({ ok: true }, 200))).toEqual([]);
    expect(
      await nonConformities(
        'GET',
        `${BASE}/api/v1/usage`,
        json({ period: '2026-11', limit: 1000, used: 1, remaining: 999, resets_at: '2026-12-01T00:00:00.000Z' }, 200, limits),
      ),
    ).toEqual([]);
  });

  it('rejects an undeclared status, a body off its schema, a missing required header, an undeclared content type', async () => {
    expect((await nonConformities('GET', `${BASE}/healthz`, json({ ok: true }, 201))).join()).toMatch(/status not declared/);
    expect((await nonConformities('GET', `${BASE}/healthz`, json({ ok: 'yes' }, 200))).join()).toMatch(/body/);
    expect((await nonConformities('GET', `${BASE}/api/v1/usage`, json({ period: '2026-11' }, 200, limits))).join()).toMatch(/body/);
    const noLimits = await nonConformities(
      'GET',
      `${BASE}/api/v1/usage`,
      json({ period: '2026-11', limit: 1000, used: 1, remaining: 999, resets_at: '2026-12-01T00:00:00.000Z' }, 200),
    );
    expect(noLimits.join()).toMatch(/required header X-RateLimit-Limit missing/);
    const html = new Response('<p>hi</p>', { status: 200, headers: { 'content-type': 'text/html', 'x-request-id': 'req_1' } });
    expect((await nonConformities('GET', `${BASE}/healthz`, html)).join()).toMatch(/content type text\/html not declared/);
    // a problem whose code belongs to another status
    const wrong = { type: 'https://picstream.dev/errors/x', title: 't', status: 404, detail: 'd', code: 'rate_limited' };
    const problem = json(wrong, 404, { ...limits, 'content-type': 'application/problem+json' });
    expect((await nonConformities('GET', `${BASE}/api/v1/renders/rnd_x`, problem)).join()).toMatch(/code/);
  });

  it('holds webhook bodies to the document too', () => {
    const complete = {
      event: 'render.complete',
      job_id: 'rnd_1',
      template: 'og-card',
      livemode: true,
      url: 'https://example.com/img/a.png',
      render_ms: 40,
      cached: false,
      created_at: '2026-11-28T00:00:00.000Z',
      completed_at: '2026-11-28T00:00:01.000Z',
    };
    expect(webhookNonConformities(JSON.stringify(complete))).toEqual([]);
    expect(webhookNonConformities(JSON.stringify({ ...complete, url: undefined })).join()).toMatch(/url/);
    expect(webhookNonConformities(JSON.stringify({ ...complete, event: 'render.exploded' })).join()).toMatch(/not in the document/);
  });
});
