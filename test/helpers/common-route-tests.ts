/**
 * The security cases every authenticated route shares (after Unkey's "common route tests"):
 * no key, a revoked key, and a rate-limited key. Each route's own file covers the rest.
 */

import { env } from 'cloudflare:test';
import { Buffer } from 'node:buffer';
import pacificoWoff from '@fontsource/pacifico/files/pacifico-latin-400-normal.woff';
import { describe, expect, it } from 'vitest';
import spec from '../../sdk/openapi.json';
import { awayFromMinuteEdge, bearer, del, expectProblem, fetchWithEnv, generate, get, postJson, signup, type TestAccount, tinyPlan } from './api';

export type KeyKind = 'live' | 'test';

export interface RouteUnderTest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /**
   * The path to call, given a fresh account (e.g. to name one of its resources, made with its live
   * key); `as` is the kind of key that will call it (a render to read is made with that kind).
   */
  path: (account: TestAccount, as?: KeyKind) => string | Promise<string>;
  body?: unknown;
}

/** An /api/v1 operation: how to call it, who may (README "Key modes"), and what a permitted key gets. */
export interface ApiOperation extends RouteUnderTest {
  /** `live`: a test key gets 403 live_key_required; `any`: both kinds of key may call it. */
  keys: 'live' | 'any';
  /** The status of the call above for a key allowed to make it. */
  ok: number;
}

/** Operations that take no API key (and are not under the key middleware). */
export const KEYLESS_OPERATIONS = ['health.get', 'images.get', 'files.get', 'signup.create'];

export async function renderOf(account: TestAccount, as: KeyKind = 'live'): Promise<string> {
  const res = await generate(
    { template: 'quote', vars: { quote: `Mine ${crypto.randomUUID()}`, author: 'A' } },
    bearer(as === 'live' ? account.apiKey : account.testKey),
  );
  const text = await res.text();
  if (res.status !== 200) throw new Error(`render failed: ${res.status} ${text}`);
  return (JSON.parse(text) as { id: string }).id;
}

export async function keyIdOf(account: TestAccount, mode: KeyKind): Promise<string> {
  const keys = await (await get('/api/v1/keys', bearer(account.apiKey))).json<{ data: { id: string; mode: string }[] }>();
  return keys.data.find((k) => k.mode === mode)?.id as string;
}

async function created(res: Response, what: string): Promise<string> {
  const text = await res.text();
  if (res.status !== 201) throw new Error(`${what} failed: ${res.status} ${text}`);
  return (JSON.parse(text) as { id: string }).id;
}

/** A webhook endpoint on the local receiver (it answers 200), made with the live key. */
export function endpointOf(account: TestAccount): Promise<string> {
  const url = `${env.TEST_IMAGE_ORIGIN}/hook/ok/${crypto.randomUUID()}`;
  return postJson('/api/v1/webhooks', { url }, bearer(account.apiKey)).then((res) => created(res, 'endpoint create'));
}

export function templateOf(account: TestAccount): Promise<string> {
  const body = { name: 'Mine', width: 200, height: 100, html: '<div style="color:#111">{{title}}</div>', vars: { title: { type: 'text', required: true } } };
  return postJson('/api/v1/templates', body, bearer(account.apiKey)).then((res) => created(res, 'template create'));
}

export function fontOf(account: TestAccount): Promise<string> {
  const body = { family: `Face ${crypto.randomUUID().slice(0, 8)}`, data: Buffer.from(new Uint8Array(pacificoWoff)).toString('base64') };
  return postJson('/api/v1/fonts', body, bearer(account.apiKey)).then((res) => created(res, 'font upload'));
}

/** A delivery of a test event to one of the account's endpoints. */
async function deliveryOf(account: TestAccount): Promise<string> {
  const res = await postJson(`/api/v1/webhooks/${await endpointOf(account)}/test`, {}, bearer(account.apiKey));
  const text = await res.text();
  if (res.status !== 202) throw new Error(`test event failed: ${res.status} ${text}`);
  return (JSON.parse(text) as { delivery_id: string }).delivery_id;
}

const TEMPLATE_BODY = { name: 'x', width: 100, height: 100, html: '<div>x</div>' };

/**
 * Every /api/v1 operation that takes a key, by operationId, with a call that succeeds for a key
 * allowed to make it. Tests enumerate the OpenAPI document against this table (and
 * KEYLESS_OPERATIONS), so a new route fails them until it is listed here with its key rule.
 */
export const API_OPERATIONS: Record<string, ApiOperation> = {
  'account.get': { method: 'GET', path: () => '/api/v1/account', keys: 'any', ok: 200 },
  'usage.get': { method: 'GET', path: () => '/api/v1/usage', keys: 'any', ok: 200 },
  'keys.list': { method: 'GET', path: () => '/api/v1/keys', keys: 'live', ok: 200 },
  'keys.create': { method: 'POST', path: () => '/api/v1/keys', body: { name: 'k' }, keys: 'live', ok: 201 },
  'keys.delete': { method: 'DELETE', path: (a) => keyIdOf(a, 'test').then((id) => `/api/v1/keys/${id}`), keys: 'live', ok: 204 },
  'fonts.list': { method: 'GET', path: () => '/api/v1/fonts', keys: 'any', ok: 200 },
  'fonts.create': {
    method: 'POST',
    path: () => '/api/v1/fonts',
    body: { family: 'Common', data: Buffer.from(new Uint8Array(pacificoWoff)).toString('base64') },
    keys: 'live',
    ok: 201,
  },
  'fonts.delete': { method: 'DELETE', path: (a) => fontOf(a).then((id) => `/api/v1/fonts/${id}`), keys: 'live', ok: 204 },
  'generate.image': { method: 'POST', path: () => '/api/v1/generate/image', body: { template: 'og-card', vars: { title: 'Common' } }, keys: 'any', ok: 200 },
  'generate.pdf': {
    method: 'POST',
    path: () => '/api/v1/generate/pdf',
    body: { pages: [{ template: 'og-card', vars: { title: 'Common' } }] },
    keys: 'any',
    ok: 200,
  },
  'renders.get': { method: 'GET', path: (a, as) => renderOf(a, as).then((id) => `/api/v1/renders/${id}`), keys: 'any', ok: 200 },
  'templates.list': { method: 'GET', path: () => '/api/v1/templates', keys: 'any', ok: 200 },
  'templates.get': { method: 'GET', path: (a) => templateOf(a).then((id) => `/api/v1/templates/${id}`), keys: 'any', ok: 200 },
  'templates.create': { method: 'POST', path: () => '/api/v1/templates', body: TEMPLATE_BODY, keys: 'live', ok: 201 },
  'templates.preview': {
    method: 'POST',
    path: () => '/api/v1/templates/preview',
    body: { width: 100, height: 100, html: '<div>x</div>' },
    keys: 'any',
    ok: 200,
  },
  'templates.update': { method: 'PATCH', path: (a) => templateOf(a).then((id) => `/api/v1/templates/${id}`), body: { name: 'Renamed' }, keys: 'live', ok: 200 },
  'templates.delete': { method: 'DELETE', path: (a) => templateOf(a).then((id) => `/api/v1/templates/${id}`), keys: 'live', ok: 204 },
  'webhooks.list': { method: 'GET', path: () => '/api/v1/webhooks', keys: 'live', ok: 200 },
  'webhooks.create': { method: 'POST', path: () => '/api/v1/webhooks', body: { url: 'https://example.com/hook' }, keys: 'live', ok: 201 },
  'webhooks.get': { method: 'GET', path: (a) => endpointOf(a).then((id) => `/api/v1/webhooks/${id}`), keys: 'live', ok: 200 },
  'webhooks.update': {
    method: 'PATCH',
    path: (a) => endpointOf(a).then((id) => `/api/v1/webhooks/${id}`),
    body: { description: 'changed' },
    keys: 'live',
    ok: 200,
  },
  'webhooks.delete': { method: 'DELETE', path: (a) => endpointOf(a).then((id) => `/api/v1/webhooks/${id}`), keys: 'live', ok: 204 },
  'webhooks.deliveries': { method: 'GET', path: (a) => endpointOf(a).then((id) => `/api/v1/webhooks/${id}/deliveries`), keys: 'live', ok: 200 },
  'webhooks.rotateSecret': {
    method: 'POST',
    path: (a) => endpointOf(a).then((id) => `/api/v1/webhooks/${id}/rotate-secret`),
    body: {},
    keys: 'live',
    ok: 200,
  },
  'webhooks.test': { method: 'POST', path: (a) => endpointOf(a).then((id) => `/api/v1/webhooks/${id}/test`), keys: 'live', ok: 202 },
  'webhooks.redeliver': { method: 'POST', path: (a) => deliveryOf(a).then((id) => `/api/v1/webhooks/deliveries/${id}/redeliver`), keys: 'live', ok: 202 },
};

export interface DocumentedOperation {
  operationId: string;
  method: RouteUnderTest['method'];
  /** As the document writes it, e.g. `/api/v1/keys/{id}`. */
  path: string;
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

/** The operations of an OpenAPI document (by default the committed one, sdk/openapi.json). */
export function documentedOperations(doc: { paths: Record<string, unknown> } = spec as never): DocumentedOperation[] {
  const out: DocumentedOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item as Record<string, { operationId?: string; responses?: DocumentedOperation['responses'] }>)) {
      if (!op?.operationId) continue;
      out.push({ operationId: op.operationId, method: method.toUpperCase() as RouteUnderTest['method'], path, responses: op.responses ?? {} });
    }
  }
  return out;
}

/** The committed document's operations that take a key, each with its entry in API_OPERATIONS (a missing entry throws). */
export function keyedOperations(): (DocumentedOperation & { call: ApiOperation })[] {
  return documentedOperations()
    .filter((op) => !KEYLESS_OPERATIONS.includes(op.operationId))
    .map((op) => {
      const call = API_OPERATIONS[op.operationId];
      if (!call)
        throw new Error(
          `${op.operationId} (${op.method} ${op.path}) has no entry in API_OPERATIONS (test/helpers/common-route-tests.ts): say how to call it and which keys may`,
        );
      return { ...op, call };
    });
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
      // a key may revoke itself (a test key may not revoke any: README "Key modes")
      expect((await del(`/api/v1/keys/${live?.id}`, bearer(account.apiKey))).status).toBe(204);
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
