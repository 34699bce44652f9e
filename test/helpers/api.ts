/** Helpers shared by the route tests: JSON requests against the Worker, and output decoders. */
import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { type DecodedPng, decode } from 'fast-png';
import { expect } from 'vitest';
import worker from '../../src/index';
import { afterAnswers } from './db';

export const BASE = 'https://picstream.test';

export interface TestAccount {
  id: string;
  email: string;
  apiKey: string;
  testKey: string;
}

/** A client address of its own (documentation range 2001:db8::/32), so sign-ups are not throttled together. */
export function freshIp(): string {
  const words = crypto.getRandomValues(new Uint16Array(4));
  return `2001:db8:${[...words].map((w) => w.toString(16)).join(':')}::1`;
}

/** Signs up a new account through the API (each from its own client address). */
export async function signup(email = `t-${crypto.randomUUID()}@example.com`): Promise<TestAccount> {
  const res = await SELF.fetch(`${BASE}/api/v1/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'cf-connecting-ip': freshIp() },
    body: JSON.stringify({ email }),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${text}`);
  const body = JSON.parse(text) as { account: { id: string; email: string }; api_key: string; test_api_key: string };
  return { id: body.account.id, email: body.account.email, apiKey: body.api_key, testKey: body.test_api_key };
}

export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}

/**
 * The default caller of a test file: one account, whose live key is swapped for a new key of the
 * same account every KEY_USES requests. The rate limit (60 a minute) is per key and has its own
 * tests; everywhere else it must not decide the outcome, and the account (which owns the renders
 * the tests read back) stays the same.
 */
const KEY_USES = 40;
let caller: { account: TestAccount; key: string; uses: number } | undefined;

export async function defaultAccount(): Promise<TestAccount> {
  caller ??= { account: await signup(), key: '', uses: KEY_USES };
  if (!caller.key) caller.key = caller.account.apiKey;
  return caller.account;
}

export async function defaultKey(): Promise<string> {
  await defaultAccount();
  const c = caller as NonNullable<typeof caller>;
  if (c.uses-- <= 0) {
    const res = await SELF.fetch(`${BASE}/api/v1/keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(c.key) },
      body: JSON.stringify({ name: 'rotated by the test helper' }),
    });
    if (res.status !== 201) throw new Error(`key rotation failed: ${res.status} ${await res.text()}`);
    const previous = c.key;
    c.key = (await res.json<{ key: string }>()).key;
    c.uses = KEY_USES - 3;
    // revoke the key it replaces (unless it is the account's default), keeping under the 20-key cap
    if (previous !== c.account.apiKey) {
      const keys = await SELF.fetch(`${BASE}/api/v1/keys`, { headers: bearer(c.key) });
      const start = previous.slice(0, 12);
      const old = (await keys.json<{ data: { id: string; start: string; revoked_at: string | null }[] }>()).data.find(
        (k) => k.start === start && !k.revoked_at,
      );
      if (old) await SELF.fetch(`${BASE}/api/v1/keys/${old.id}`, { method: 'DELETE', headers: bearer(c.key) });
    }
  }
  return c.key;
}

/** Adds the default key unless the headers name an authorization of their own ('' sends none). */
async function withAuth(headers: Record<string, string>): Promise<Record<string, string>> {
  const out = { ...headers };
  const named = Object.keys(out).find((k) => k.toLowerCase() === 'authorization');
  if (named === undefined) return { ...out, ...bearer(await defaultKey()) };
  if (out[named] === '') delete out[named];
  return out;
}

/**
 * POSTs JSON, then waits for the writes the Worker makes after answering (render records, R2 puts:
 * helpers/db.ts `afterAnswers`), so a test reads D1 and R2 as they settle. The tests of that lag
 * call SELF themselves.
 */
export async function postJson(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const res = await SELF.fetch(`${BASE}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await withAuth(headers)) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  await afterAnswers();
  return res;
}

export async function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, { headers: await withAuth(headers) });
}

export async function patchJson(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', ...(await withAuth(headers)) },
    body: JSON.stringify(body),
  });
}

export async function del(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, { method: 'DELETE', headers: await withAuth(headers) });
}

export function generate(body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Response> {
  return postJson('/api/v1/generate/image', body, headers);
}

/**
 * Calls the Worker with some vars changed (a tiny plan, an unreachable Redis …): the same code
 * SELF runs, with its env spread and overridden for this one request.
 */
export async function fetchWithEnv(overrides: Partial<Cloudflare.Env>, path: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const handler = worker.fetch as NonNullable<typeof worker.fetch>;
  const res = await handler(new Request(`${BASE}${path}`, init) as Request<unknown, IncomingRequestCfProperties>, { ...env, ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/**
 * Rate-limit windows are sliding, counted in fixed one-minute buckets (the previous bucket weighted
 * by its remaining overlap, rounded down): a burst that straddles a bucket edge can get one more
 * request through. Tests that count to a limit start their burst away from the edge.
 */
export async function awayFromMinuteEdge(marginMs = 10_000): Promise<void> {
  const into = Date.now() % 60_000;
  if (into > 60_000 - marginMs) await new Promise((r) => setTimeout(r, 60_000 - into + 250));
}

/** A PLANS override: the free plan with `requests` per minute. */
export function tinyPlan(requests: number): string {
  return JSON.stringify({ free: { monthly_quota: 1000, rate_limit: { requests, window_seconds: 60 } } });
}

/**
 * Round trips to the primary region a request waited for, from its Server-Timing `rtt` entry (the
 * latency model is on at 0 ms in the workers tests: src/lib/region.ts).
 */
export function primaryTrips(res: Response): number {
  const match = res.headers.get('server-timing')?.match(/rtt;desc="primary (\d+)/);
  if (!match) throw new Error(`no rtt entry in Server-Timing: ${res.headers.get('server-timing')}`);
  return Number(match[1]);
}

/** Path part of a returned URL, so the test can fetch it through SELF. */
export function pathOf(url: string): string {
  return new URL(url).pathname;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  request_id?: string;
  errors?: { path: string; message: string }[];
}

/** Asserts a problem+json response with the given status and code, and returns its body. */
export async function expectProblem(res: Response, status: number, code: string): Promise<Problem> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const body = JSON.parse(text) as Problem;
  expect(body.code).toBe(code);
  expect(body.status).toBe(status);
  expect(body.request_id).toMatch(/^req_/);
  expect(res.headers.get('x-request-id')).toBe(body.request_id);
  return body;
}

/** Decodes a PNG with a real decoder (fast-png) into 8-bit RGBA. */
export function decodePng(bytes: ArrayBuffer | Uint8Array): { width: number; height: number; data: Uint8Array } {
  const png: DecodedPng = decode(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
  if (png.depth !== 8) throw new Error(`unexpected PNG depth ${png.depth}`);
  const data = new Uint8Array(png.width * png.height * 4);
  const src = png.data;
  for (let i = 0, p = 0; i < png.width * png.height; i++) {
    data[i * 4] = src[p++] as number;
    data[i * 4 + 1] = png.channels >= 3 ? (src[p++] as number) : (data[i * 4] as number);
    data[i * 4 + 2] = png.channels >= 3 ? (src[p++] as number) : (data[i * 4] as number);
    data[i * 4 + 3] = png.channels === 4 || png.channels === 2 ? (src[p++] as number) : 255;
  }
  return { width: png.width, height: png.height, data };
}

/** Number of distinct colours in a sample of pixels: a blank image has one. */
export function colourCount(png: { data: Uint8Array }): number {
  const seen = new Set<number>();
  const view = new DataView(png.data.buffer, png.data.byteOffset, png.data.byteLength);
  for (let i = 0; i + 4 <= png.data.length; i += 4 * 97) seen.add(view.getUint32(i));
  return seen.size;
}
