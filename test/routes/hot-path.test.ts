/**
 * The hot path at the edge (issue 17): the round trips to the primary region each path makes
 * before it answers, as the latency model counts them (src/lib/region.ts; the tests run it at
 * 0 ms, so only the count shows) — with the key warm in this isolate, as a caller making more than
 * one request finds it. And an image URL works from the moment it is answered.
 */
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { BASE, bearer, pathOf, signup } from '../helpers/api';
import { afterAnswers } from '../helpers/db';

const primary = (res: Response) => Number(res.headers.get('server-timing')?.match(/rtt;desc="primary (\d+)/)?.[1] ?? Number.NaN);
const unique = (label: string) => ({ template: 'og-card', vars: { title: `${label} ${crypto.randomUUID()}` } });

function post(key: string, body: unknown): Promise<Response> {
  return SELF.fetch(`${BASE}/api/v1/generate/image`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(key) },
    body: JSON.stringify(body),
  });
}

describe('round trips to the primary region before the answer', () => {
  it('cached hit 0, finished poll 0, uncached render far from the quota edge 0, /img after its first hit 0', async () => {
    const account = await signup();
    const key = account.apiKey;
    // warm: the key, the rate-limit estimate and the quota lease of this isolate
    for (let i = 0; i < 3; i++) expect((await post(key, unique(`Warm-up ${i}`))).status).toBe(200);
    await afterAnswers();

    const fresh = await post(key, unique('Fresh'));
    expect(fresh.status).toBe(200);
    const rendered = await fresh.json<{ id: string; url: string; cached: boolean }>();
    expect(rendered.cached).toBe(false);
    expect(primary(fresh)).toBe(0);

    const again = await post(key, { template: 'og-card', vars: { title: 'Hot hit' } });
    await afterAnswers();
    const hit = await post(key, { template: 'og-card', vars: { title: 'Hot hit' } });
    expect((await hit.json<{ cached: boolean }>()).cached).toBe(true);
    expect(again.status).toBe(200);
    expect(primary(hit)).toBe(0);

    const poll = await SELF.fetch(`${BASE}/api/v1/renders/${rendered.id}`, { headers: bearer(key) });
    expect(poll.status).toBe(200);
    expect((await poll.json<{ status: string }>()).status).toBe('complete');
    expect(primary(poll)).toBe(0);

    await afterAnswers();
    const first = await SELF.fetch(`${BASE}${pathOf(rendered.url)}`);
    expect(first.status).toBe(200);
    await first.arrayBuffer();
    const image = await SELF.fetch(`${BASE}${pathOf(rendered.url)}`);
    expect(image.status).toBe(200);
    await image.arrayBuffer();
    expect(primary(image)).toBe(0);
  });
});

describe('an answered image URL never 404s', () => {
  it('serves the image at once, before its R2 put has landed, and R2 then holds the same bytes under the same ETag', async () => {
    const account = await signup();
    const res = await post(account.apiKey, unique('At once'));
    expect(res.status).toBe(200);
    const { url, bytes } = await res.json<{ url: string; bytes: number }>();
    const key = pathOf(url).slice(1);
    // straight away: no waiting for what follows the answer
    const now = await SELF.fetch(`${BASE}/${key}`);
    expect(now.status).toBe(200);
    const served = new Uint8Array(await now.arrayBuffer());
    expect(served.byteLength).toBe(bytes);
    const etag = now.headers.get('etag');
    expect(etag).toMatch(/^"[a-f0-9]{32}"$/);

    await afterAnswers();
    const stored = await env.OUTPUT.get(key);
    expect(stored).not.toBeNull();
    expect(new Uint8Array(await (stored as R2ObjectBody).arrayBuffer())).toEqual(served);
    expect(stored?.httpEtag).toBe(etag);
    // a conditional request with that ETag: 304 from whichever layer answers
    const cond = await SELF.fetch(`${BASE}/${key}`, { headers: { 'if-none-match': etag as string } });
    expect(cond.status).toBe(304);
  });
});
