/** Helpers shared by the route tests: JSON requests against the Worker, and output decoders. */
import { SELF } from 'cloudflare:test';
import { type DecodedPng, decode } from 'fast-png';
import { expect } from 'vitest';

export const BASE = 'https://picstream.test';

export function postJson(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, { headers });
}

export function generate(body: Record<string, unknown>): Promise<Response> {
  return postJson('/api/v1/generate/image', body);
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
