/**
 * Key modes (README "Key modes"): what a pk_test_ key may do, for every operation of the OpenAPI
 * document. A test key is refused (403 live_key_required, and nothing changes) on every operation
 * that mints, lists or revokes keys (URL-signing keys too) or changes templates, fonts or webhooks; it may read and render.
 * Renders are kept apart by mode both ways; webhook events say which mode made them (livemode).
 */
import { SELF } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { BASE, bearer, expectProblem, generate, get, type Problem, postJson, signup, type TestAccount } from '../helpers/api';
import { type KeyKind, type Operation, operationsOf, ownPath, renderOf, requestInit, servedDocument } from '../helpers/common-route-tests';
import { received, receiverUrl } from '../webhooks/helpers';

const operations = operationsOf(await servedDocument());
const keyed = operations.filter((op) => op.keyed);

function call(op: Operation, path: string, key: string): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, requestInit(op, bearer(key)));
}

/** What the account holds that a test key might change, as its live key sees it. */
async function holdings(account: TestAccount): Promise<unknown> {
  const read = async (path: string) => (await get(path, bearer(account.apiKey))).json();
  return {
    keys: await read('/api/v1/keys'),
    templates: await read('/api/v1/templates'),
    fonts: await read('/api/v1/fonts'),
    webhooks: await read('/api/v1/webhooks'),
    urlSigningKeys: await read('/api/v1/url-signing-keys'),
  };
}

/**
 * The rule of README "Key modes", as a predicate over the document: keys, URL-signing keys and
 * webhooks take a live key for everything (webhook endpoints and their log are live configuration
 * and live data); templates and fonts for every change (a preview renders and a lint reports: they
 * change nothing).
 */
function liveOnlyByRule(op: Operation): boolean {
  const tag = op.path.split('/')[3];
  if (tag === 'keys' || tag === 'url-signing-keys' || tag === 'webhooks') return true;
  return (tag === 'templates' || tag === 'fonts') && op.method !== 'GET' && !['templates.preview', 'templates.lint'].includes(op.operationId);
}

describe('every operation has a key-mode decision', () => {
  it("the operations the document declares live-only (403 live_key_required) are exactly the README rule's", () => {
    const declared = keyed.filter((op) => op.liveOnly).map((op) => op.operationId);
    expect(declared).toEqual(keyed.filter(liveOnlyByRule).map((op) => op.operationId));
    expect(operations.filter((op) => !op.keyed && op.liveOnly)).toEqual([]);
  });

  it('a live-only operation declares no other 403', () => {
    for (const op of keyed.filter((o) => o.liveOnly)) expect(op.codes['403'], op.operationId).toEqual(['live_key_required']);
  });
});

describe('a test key on every operation', () => {
  const liveOnly = keyed.filter((op) => op.liveOnly);
  const open = keyed.filter((op) => !op.liveOnly);

  it.each(liveOnly.map((op) => [op.operationId, op] as const))(
    '%s: a test key → 403 live_key_required and nothing changes; the live key → its answer',
    async (_, op) => {
      const account = await signup();
      const path = await ownPath(op, account, 'test');
      const before = await holdings(account);
      const refused = await expectProblem(await call(op, path, account.testKey), 403, 'live_key_required');
      expect(refused.detail).toContain(`${op.method} ${op.path} takes a live key`);
      expect(await holdings(account)).toEqual(before);
      const allowed = await call(op, path, account.apiKey);
      expect(allowed.status, await allowed.clone().text()).toBe(op.ok);
    },
  );

  it.each(open.map((op) => [op.operationId, op] as const))('%s: a test key → its answer', async (_, op) => {
    const account = await signup();
    const path = await ownPath(op, account, 'test');
    const res = await call(op, path, account.testKey);
    expect(res.status, await res.clone().text()).toBe(op.ok);
  });

  it('the refusal comes before the body is read: an oversized or non-JSON body to a live-only route is still 403', async () => {
    const account = await signup();
    const big = await postJson('/api/v1/keys', { name: 'x'.repeat(70_000) }, bearer(account.testKey));
    await expectProblem(big, 403, 'live_key_required');
    const text = await postJson('/api/v1/templates', 'name=x', { ...bearer(account.testKey), 'content-type': 'text/plain' });
    await expectProblem(text, 403, 'live_key_required');
  });
});

/** A problem with what differs per request (its id, and the id it names) taken out. */
function comparable(p: Problem, ...ids: string[]): Problem {
  let detail = p.detail;
  for (const id of ids) detail = detail.replaceAll(id, '<id>');
  return { ...p, request_id: undefined, detail };
}

describe('renders are kept apart by mode, both ways', () => {
  const missing = 'rnd_01JD5X1Q4ZB8R3W2K7T6YV9N0M';
  const keyOf = (account: TestAccount, kind: KeyKind) => (kind === 'live' ? account.apiKey : account.testKey);

  it.each([
    ['live', 'test'],
    ['test', 'live'],
  ] as const)('a %s render read with a %s key answers exactly like a missing one (also once this isolate has it in memory)', async (made, reader) => {
    const account = await signup();
    const id = await renderOf(account, made);
    const own = await get(`/api/v1/renders/${id}`, bearer(keyOf(account, made)));
    expect(own.status).toBe(200); // finished: now memoised here
    expect(await own.json()).toMatchObject({ id, status: 'complete' });
    const other = await expectProblem(await get(`/api/v1/renders/${id}`, bearer(keyOf(account, reader))), 404, 'render_not_found');
    const absent = await expectProblem(await get(`/api/v1/renders/${missing}`, bearer(keyOf(account, reader))), 404, 'render_not_found');
    expect(comparable(other, id)).toEqual(comparable(absent, missing));
  });

  it('a live PDF gets no fresh signed URL through a test key', async () => {
    const account = await signup();
    const pdf = await postJson(
      '/api/v1/generate/pdf',
      { pages: [{ template: 'og-card', vars: { title: `Live ${crypto.randomUUID()}` } }] },
      bearer(account.apiKey),
    );
    expect(pdf.status).toBe(200);
    const { id } = await pdf.json<{ id: string }>();
    expect(await (await get(`/api/v1/renders/${id}`, bearer(account.apiKey))).json()).toMatchObject({
      type: 'pdf',
      url: expect.stringContaining('signature='),
    });
    await expectProblem(await get(`/api/v1/renders/${id}`, bearer(account.testKey)), 404, 'render_not_found');
  });
});

describe('webhooks', () => {
  it("a test key's async render is announced with livemode: false, a live one with livemode: true", async () => {
    const account = await signup();
    const { url, name } = receiverUrl('ok');
    const endpoint = await postJson('/api/v1/webhooks', { url }, bearer(account.apiKey));
    expect(endpoint.status).toBe(201);
    const queued = async (key: string) => {
      const res = await generate({ template: 'og-card', vars: { title: `Hooked ${crypto.randomUUID()}` }, async: true }, bearer(key));
      expect(res.status).toBe(202);
      return (await res.json<{ id: string }>()).id;
    };
    const testRender = await queued(account.testKey);
    const liveRender = await queued(account.apiKey);
    await vi.waitFor(async () => expect(await received(name)).toHaveLength(2), { timeout: 15_000, interval: 100 });
    const events = (await received(name)).map((r) => JSON.parse(r.body) as { job_id: string; livemode: boolean });
    expect(Object.fromEntries(events.map((e) => [e.job_id, e.livemode]))).toEqual({ [testRender]: false, [liveRender]: true });
  });
});
