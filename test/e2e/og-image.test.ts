/**
 * Issue 18's acceptance, as a site and a crawler meet it: a page whose og:image is a URL made by the
 * SDK's `signUrl`, read by an independent Open Graph scraper (open-graph-scraper), and the image URL
 * it finds fetched twice from the real `npm run dev` — rendered on the first request (one unit),
 * from the edge cache on the second (no render, no unit).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import ogs from 'open-graph-scraper';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signUrl } from '../../sdk/src/index';

const origin = inject('devOrigin');
const key = inject('devApiKey');
const auth = { authorization: `Bearer ${key}` };

let site: Server;
let page = '';
let siteOrigin = '';

beforeAll(async () => {
  site = createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page);
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteOrigin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => site.close(() => resolve())));

async function used(): Promise<number> {
  const res = await fetch(`${origin}/api/v1/usage`, { headers: auth });
  return ((await res.json()) as { used: number }).used;
}

/** The usage once the records of the answers so far have landed (they follow each answer by ≤ 100 ms). */
async function settledUsage(expected: number): Promise<number> {
  let seen = await used();
  for (let i = 0; i < 40 && seen !== expected; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    seen = await used();
  }
  return seen;
}

describe('a signed og:image URL, read by an Open Graph scraper', () => {
  it('answers 200 image/png at the template size on the first request and from cache on the second', async () => {
    const created = await fetch(`${origin}/api/v1/url-signing-keys`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'e2e site' }),
    });
    expect(created.status).toBe(201);
    const signing = (await created.json()) as { id: string; secret: string };

    const title = `Launch week: día ${crypto.randomUUID().slice(0, 8)} — “quotes” & ampersands`;
    const imageUrl = await signUrl({
      baseUrl: origin,
      keyId: signing.id,
      secret: signing.secret,
      template: 'og-card',
      vars: { title, subtitle: 'Written by the site itself, fetched by crawlers', site: 'example.com' },
    });
    const attr = imageUrl.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
    page = `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>
<meta property="og:title" content="Launch week"><meta property="og:type" content="article">
<meta property="og:image" content="${attr}"><meta property="og:image:width" content="1200"><meta property="og:image:height" content="630">
</head><body><h1>Launch week</h1></body></html>`;

    const { result, error } = await ogs({ url: `${siteOrigin}/blog/launch-week` });
    expect(error).toBe(false);
    const found = result.ogImage?.[0]?.url;
    expect(found).toBe(imageUrl);

    const before = await used();
    const first = await fetch(found as string);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/png');
    expect(first.headers.get('x-picstream-error')).toBeNull();
    expect(first.headers.get('server-timing')).toMatch(/render;dur=/);
    const png = PNG.sync.read(Buffer.from(await first.arrayBuffer()));
    expect([png.width, png.height]).toEqual([1200, 630]);
    expect(await settledUsage(before + 1)).toBe(before + 1);

    const second = await fetch(found as string);
    expect(second.status).toBe(200);
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    // from the edge cache: nothing rendered, nothing validated, no quota touched
    expect(second.headers.get('server-timing')).not.toMatch(/render;|validate;|quota;/);
    expect(PNG.sync.read(Buffer.from(await second.arrayBuffer())).width).toBe(1200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await used()).toBe(before + 1);
  });
});
