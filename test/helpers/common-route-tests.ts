/**
 * The operations of the OpenAPI document the Worker serves, read the way the security and key-mode
 * tests need them (after Unkey's "common route tests": no key, a bad key, a revoked key, another
 * account's resource, rate limited). Nothing here lists routes: which operations take a key comes
 * from their `security`, which are live-only from their declared `403 live_key_required` (the
 * route's `liveKeyOnly` adds it), what an `{id}` names from the documented example ids (`tpl_…`),
 * and the body to send from the request body's example or its schema. What the document cannot
 * say is here, each with its reason: the operations that take no key, how to make a resource of
 * each id prefix, and the one body whose documented example cannot succeed.
 */

import { env, SELF } from 'cloudflare:test';
import { Buffer } from 'node:buffer';
import pacificoWoff from '@fontsource/pacifico/files/pacifico-latin-400-normal.woff';
import { BASE, bearer, generate, get, postJson, type TestAccount } from './api';

export type KeyKind = 'live' | 'test';
export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

interface Schema {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  example?: unknown;
  default?: unknown;
  minimum?: number;
  allOf?: Schema[];
}

interface MediaType {
  schema?: Schema;
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
}

export interface DocumentOperation {
  operationId?: string;
  security?: Record<string, string[]>[];
  parameters?: { $ref?: string; name?: string; in?: string; required?: boolean; schema?: Schema }[];
  requestBody?: { required?: boolean; content: Record<string, MediaType> };
  responses: Record<string, { content?: Record<string, MediaType> }>;
}

export interface OpenApiDocument {
  security?: Record<string, string[]>[];
  paths: Record<string, Record<string, DocumentOperation>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, { type: string; scheme?: string }> };
}

/** The document as the Worker serves it (what clients and `npm run openapi` read). */
export async function servedDocument(): Promise<OpenApiDocument> {
  const res = await SELF.fetch(`${BASE}/openapi.json`);
  if (res.status !== 200) throw new Error(`GET /openapi.json: ${res.status}`);
  return res.json<OpenApiDocument>();
}

/**
 * Operations that take no API key, and why each may not: a new operation the document marks
 * `security: []` fails the security tests until it is named here.
 */
export const PUBLIC_OPERATIONS: Record<string, string> = {
  'health.get': 'the liveness probe: it names no account and reads nothing of one',
  'images.get': 'rendered images are public by design (og:image tags point here); the path is a content address nobody can guess',
  'files.get': 'private PDFs, but the credential is the signed URL (expires + signature), checked by the route itself',
  'og.get': "a site's og:image URL: the credential is its signature (kid + s, an account's URL-signing key), checked by the route itself",
  'signup.create': 'makes the account and its first keys, so it cannot take one; throttled per client address instead',
};

export interface Operation {
  operationId: string;
  method: Method;
  /** As the document writes it, e.g. `/api/v1/keys/{id}`. */
  path: string;
  /** Takes a bearer key: its own `security`, or the document's. */
  keyed: boolean;
  /** Declares `403 live_key_required`: a test key is refused. */
  liveOnly: boolean;
  /** The problem codes each documented error status may carry (by status, e.g. `404`). */
  codes: Record<string, string[]>;
  /** Documents a request body. */
  takesBody: boolean;
  /**
   * The resource its path parameter names: the prefix of the documented example ids at this path
   * (`tpl_`), and such an example, which names nothing (the ids are random).
   */
  resource?: { param: string; prefix: string; missing: string };
  /** The JSON body the tests send (undefined: none). */
  body?: unknown;
  /** Its smallest documented 2xx: what a permitted caller gets for the body above. */
  ok: number;
  responses: DocumentOperation['responses'];
}

const ID_EXAMPLE = /^([a-z]+_)[0-9A-Z]{26}$/;

function resolve(doc: OpenApiDocument, schema: Schema | undefined): Schema | undefined {
  if (!schema?.$ref) return schema;
  return resolve(doc, doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')]);
}

/** A value the schema accepts: its example or default, else the smallest thing of its type. */
function sampleOf(doc: OpenApiDocument, raw: Schema | undefined): unknown {
  const schema = resolve(doc, raw);
  if (!schema) return null;
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (schema.enum) return schema.enum[0];
  switch (schema.type) {
    case 'object': {
      // every property the document shows a value for, and every required one: an update's
      // properties are all optional, and an empty update says nothing
      const out: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        const p = resolve(doc, property);
        if (schema.required?.includes(name) || p?.example !== undefined || p?.default !== undefined) out[name] = sampleOf(doc, p);
      }
      return out;
    }
    case 'array':
      return [sampleOf(doc, schema.items)];
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'string':
      return 'x';
    default:
      return null;
  }
}

/**
 * The bodies the document's examples cannot make succeed, and why: the tests that need a success
 * (a live key on a live-only operation) send these instead.
 */
export const BODY_OVERRIDES: Record<string, { body: () => unknown; why: string }> = {
  'fonts.create': {
    body: () => ({ family: `Face ${crypto.randomUUID().slice(0, 8)}`, data: Buffer.from(new Uint8Array(pacificoWoff)).toString('base64') }),
    why: 'the documented `data` is the first bytes of a WOFF, not a whole font',
  },
};

function bodyOf(doc: OpenApiDocument, operationId: string, op: DocumentOperation): unknown {
  const override = BODY_OVERRIDES[operationId];
  if (override) return override.body();
  const json = op.requestBody?.content['application/json'];
  if (!json) return undefined;
  if (json.example !== undefined) return json.example;
  const first = Object.values(json.examples ?? {})[0];
  if (first) return first.value;
  return sampleOf(doc, json.schema);
}

/**
 * The codes a documented error may carry. The document writes a narrowed problem as
 * allOf [Problem, {status, code}]: every part must hold, so the codes are those all parts allow.
 */
function codesOf(doc: OpenApiDocument, response: DocumentOperation['responses'][string] | undefined): string[] {
  const schema = resolve(doc, response?.content?.['application/problem+json']?.schema);
  const parts = [schema, ...(schema?.allOf ?? []).map((part) => resolve(doc, part))];
  const allowed = parts.flatMap((part) => {
    const codes = resolve(doc, part?.properties?.code)?.enum as string[] | undefined;
    return codes ? [codes] : [];
  });
  const [first = [], ...rest] = allowed;
  return first.filter((code) => rest.every((codes) => codes.includes(code)));
}

function bearerSchemes(doc: OpenApiDocument): Set<string> {
  const schemes = Object.entries(doc.components.securitySchemes ?? {});
  return new Set(schemes.filter(([, s]) => s.type === 'http' && s.scheme === 'bearer').map(([name]) => name));
}

/** Every operation of the document, in its order. */
export function operationsOf(doc: OpenApiDocument): Operation[] {
  const schemes = bearerSchemes(doc);
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    // what `{id}` names at this path: any operation here may document it (a GET's example may be a built-in's)
    const examples = Object.values(item).flatMap((op) => (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => String(p.schema?.example ?? '')));
    for (const [method, op] of Object.entries(item)) {
      if (!op?.operationId) continue;
      const security = op.security ?? doc.security ?? [];
      const keyed = security.some((requirement) => Object.keys(requirement).some((name) => schemes.has(name)));
      const codes = Object.fromEntries(Object.entries(op.responses).map(([status, response]) => [status, codesOf(doc, response)]));
      const param = (op.parameters ?? []).find((p) => p.in === 'path')?.name;
      const missing = examples.find((example) => ID_EXAMPLE.test(example));
      const prefix = missing?.match(ID_EXAMPLE)?.[1];
      const ok = Math.min(
        ...Object.keys(op.responses)
          .map(Number)
          .filter((status) => status >= 200 && status < 300),
      );
      out.push({
        operationId: op.operationId,
        method: method.toUpperCase() as Method,
        path,
        keyed,
        liveOnly: codes['403']?.includes('live_key_required') ?? false,
        codes,
        takesBody: op.requestBody !== undefined,
        resource: param && prefix && missing ? { param, prefix, missing } : undefined,
        body: bodyOf(doc, op.operationId, op),
        ok,
        responses: op.responses,
      });
    }
  }
  return out;
}

/** Fills the operation's path parameter with `id` (the path as it is when it has none). */
export function pathWith(op: Operation, id?: string): string {
  if (!op.resource) return op.path;
  if (id === undefined) throw new Error(`${op.operationId} names a ${op.resource.prefix}… resource: give its id`);
  return op.path.replace(`{${op.resource.param}}`, id);
}

/** The request for the operation with these headers, its body (when it takes one) as JSON. */
export function requestInit(op: Operation, headers: Record<string, string>): RequestInit {
  if (op.body === undefined) return { method: op.method, headers };
  return { method: op.method, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(op.body) };
}

async function created(res: Response, what: string, status = 201): Promise<string> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`${what} failed: ${res.status} ${text}`);
  const body = JSON.parse(text) as { id?: string; delivery_id?: string };
  return (body.id ?? body.delivery_id) as string;
}

export async function renderOf(account: TestAccount, as: KeyKind = 'live'): Promise<string> {
  const res = await generate(
    { template: 'quote', vars: { quote: `Mine ${crypto.randomUUID()}`, author: 'A' } },
    bearer(as === 'live' ? account.apiKey : account.testKey),
  );
  return created(res, 'render', 200);
}

export async function keyIdOf(account: TestAccount, mode: KeyKind): Promise<string> {
  const keys = await (await get('/api/v1/keys', bearer(account.apiKey))).json<{ data: { id: string; mode: string }[] }>();
  return keys.data.find((k) => k.mode === mode)?.id as string;
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
  return postJson('/api/v1/fonts', BODY_OVERRIDES['fonts.create']?.body(), bearer(account.apiKey)).then((res) => created(res, 'font upload'));
}

/** A new live key of the account (so revoking it leaves the account's own keys alone). */
export function spareKeyOf(account: TestAccount): Promise<string> {
  return postJson('/api/v1/keys', { name: 'spare' }, bearer(account.apiKey)).then((res) => created(res, 'key create'));
}

/** A URL-signing key of the account. */
export function signingKeyOf(account: TestAccount): Promise<string> {
  return postJson('/api/v1/url-signing-keys', { name: 'spare' }, bearer(account.apiKey)).then((res) => created(res, 'URL-signing key create', 201));
}

/** A delivery of a test event to a new endpoint of the account. */
export async function deliveryOf(account: TestAccount): Promise<string> {
  const endpoint = await endpointOf(account);
  return postJson(`/api/v1/webhooks/${endpoint}/test`, {}, bearer(account.apiKey)).then((res) => created(res, 'test event', 202));
}

/**
 * How to make a resource of each id prefix the document names, for an account (a render is made
 * with the kind of key that will read it: renders are kept apart by mode). A path that names a
 * prefix missing here fails the security tests.
 */
export const RESOURCE_MAKERS: Record<string, (account: TestAccount, as: KeyKind) => Promise<string>> = {
  key_: (account) => spareKeyOf(account),
  fnt_: (account) => fontOf(account),
  rnd_: (account, as) => renderOf(account, as),
  tpl_: (account) => templateOf(account),
  whe_: (account) => endpointOf(account),
  msg_: (account) => deliveryOf(account),
  usk_: (account) => signingKeyOf(account),
};

/** A new resource of the account's, of the kind the operation's path names (made for a `as` key); none when it names none. */
export async function resourceFor(op: Operation, account: TestAccount, as: KeyKind = 'live'): Promise<string | undefined> {
  if (!op.resource) return undefined;
  const make = RESOURCE_MAKERS[op.resource.prefix];
  if (!make) throw new Error(`${op.operationId}: no RESOURCE_MAKERS entry for ${op.resource.prefix}… ids (test/helpers/common-route-tests.ts)`);
  return make(account, as);
}

/** The operation's path for the account, its `{id}` a new resource of the account's. */
export async function ownPath(op: Operation, account: TestAccount, as: KeyKind = 'live'): Promise<string> {
  return pathWith(op, await resourceFor(op, account, as));
}
