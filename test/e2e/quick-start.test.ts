/**
 * The README's quick start, for real: `npm run dev`, then the curl. Runs against wrangler dev, the
 * same workerd the product runs on locally, with its local D1, R2 and Queues.
 */
import { readFileSync } from 'node:fs';
import { PDFDocument } from 'pdf-lib';
import { PNG } from 'pngjs';
import { describe, expect, inject, it } from 'vitest';
import { checked } from '../helpers/conformance';

const origin = inject('devOrigin');
const key = inject('devApiKey');

async function generate(body: unknown, apiKey = key) {
  const res = await fetch(`${origin}/api/v1/generate/image`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

async function image(url: string): Promise<PNG> {
  // returned URLs use PUBLIC_BASE_URL (localhost:8787); fetch the same path from this server
  const res = await fetch(`${origin}${new URL(url).pathname}`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('image/png');
  return PNG.sync.read(Buffer.from(await res.arrayBuffer()));
}

describe('quick start against npm run dev', () => {
  it("holds the dev server's answers to the OpenAPI document (test/e2e/conformance-setup.ts)", async () => {
    const before = checked.responses;
    expect((await fetch(`${origin}/api/v1/usage`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    expect(checked.responses).toBe(before + 1);
  });

  it('npm run dev seeded a local account whose printed keys work', async () => {
    expect(key).toMatch(/^pk_live_[0-9A-Za-z]{40}$/);
    const account = await fetch(`${origin}/api/v1/account`, { headers: { authorization: `Bearer ${key}` } });
    expect(account.status).toBe(200);
    expect(await account.json()).toMatchObject({ plan: 'free', monthly_quota: 1000 });
    expect((await fetch(`${origin}/api/v1/account`, { headers: { authorization: `Bearer ${inject('devTestKey')}` } })).status).toBe(200);
    // without a key: 401
    const anonymous = await fetch(`${origin}/api/v1/account`);
    expect(anonymous.status).toBe(401);
  });

  it('the README curl renders og-card, and the same request again is cached', async () => {
    const first = await generate({ template: 'og-card', vars: { title: 'Hello World' } });
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit')).toBe('60');
    expect(first.headers.get('x-quota-limit')).toBe('1000');
    expect(first.body).toMatchObject({ status: 'complete', format: 'png', width: 1200, height: 630, cached: false, template: 'og-card' });
    expect(first.body.url).toMatch(/^http:\/\/localhost:8787\/img\/[a-f0-9]{40}\.png$/);
    const png = await image(first.body.url as string);
    expect([png.width, png.height]).toEqual([1200, 630]);

    const second = await generate({ template: 'og-card', vars: { title: 'Hello World' } });
    expect(second.body).toMatchObject({ cached: true, url: first.body.url });
  });

  it("the README's template example is accepted and renders (the JSON between <<'JSON' and JSON, as curl sends it)", async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const json = /<<'JSON'\n([\s\S]*?)\nJSON\n/.exec(readme)?.[1];
    expect(json, 'the README has a template example').toBeDefined();
    const res = await fetch(`${origin}/api/v1/templates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: json,
    });
    const template = (await res.json()) as { id: string; version: number };
    expect(res.status, JSON.stringify(template)).toBe(201);
    const out = await generate({ template: template.id, vars: { title: 'Launch week' } });
    expect(out.status, JSON.stringify(out.body)).toBe(200);
    const png = await image(out.body.url as string);
    expect([png.width, png.height]).toEqual([1200, 630]);
    // the accent default (#4f46e5) fills the card
    expect([...png.data.subarray(0, 3)]).toEqual([79, 70, 229]);
  });

  it('the README PDF curl makes an invoice whose signed URL serves it (dev made the signing secret)', async () => {
    const res = await fetch(`${origin}/api/v1/generate/pdf`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({
        template: 'invoice',
        vars: {
          number: 'INV-001',
          issue_date: '2026-11-28',
          seller: { name: 'Acme' },
          buyer: { name: 'Globex' },
          items: [{ description: 'Widgets', quantity: 3, unit_price: 20 }],
        },
      }),
    });
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ type: 'pdf', status: 'complete', pages: 1 });
    const url = new URL(body.url as string);
    expect(url.pathname).toMatch(/^\/files\/[a-f0-9]{40}\.pdf$/);
    const file = await fetch(`${origin}${url.pathname}${url.search}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    const doc = await PDFDocument.load(new Uint8Array(await file.arrayBuffer()));
    expect(doc.getPageCount()).toBe(1);
    // the signature is what opens it
    const tampered = await fetch(`${origin}${url.pathname}?expires=${url.searchParams.get('expires')}&signature=${'A'.repeat(43)}`);
    expect(tampered.status).toBe(403);
  });

  it('takumi draws a remote logo in real workerd', async () => {
    const logo = `${inject('e2eImageOrigin')}/logo.png`;
    const res = await generate({ template: 'og-card', engine: 'takumi', vars: { title: 'Logo', logo } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const png = await image(res.body.url as string);
    let red = 0;
    for (let i = 0; i < png.data.length; i += 4) {
      if (Math.abs((png.data[i] as number) - 220) <= 6 && Math.abs((png.data[i + 1] as number) - 38) <= 6 && Math.abs((png.data[i + 2] as number) - 38) <= 6)
        red++;
    }
    expect(red).toBeGreaterThan(3000); // the 64×64 logo box, less its rounded corners
  });

  it('an async render goes through the local queue and completes', async () => {
    const res = await generate({ template: 'quote', vars: { quote: 'Queues in dev, too.', author: 'E2E' }, async: true });
    expect(res.status).toBe(202);
    const deadline = Date.now() + 30_000;
    let render: Record<string, unknown> = {};
    while (Date.now() < deadline) {
      render = (await (await fetch(`${origin}${res.body.poll_url}`, { headers: { authorization: `Bearer ${key}` } })).json()) as Record<string, unknown>;
      if (render.status !== 'pending') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(render.status).toBe('complete');
    const png = await image(render.url as string);
    expect([png.width, png.height]).toEqual([1200, 630]);
  }, 40_000);

  it('webhooks in local dev: a failed delivery is retried within seconds', async () => {
    const name = crypto.randomUUID();
    const created = await fetch(`${origin}/api/v1/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ url: `${inject('e2eImageOrigin')}/hook/${name}` }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const queued = await fetch(`${origin}/api/v1/webhooks/${id}/test`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    });
    expect(queued.status).toBe(202);
    const deadline = Date.now() + 30_000;
    let times: number[] = [];
    while (Date.now() < deadline && times.length < 2) {
      times = (await (await fetch(`${inject('e2eImageOrigin')}/hooks/${name}`)).json()) as number[];
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(times).toHaveLength(2);
    const gap = (times[1] as number) - (times[0] as number);
    expect(gap).toBeGreaterThanOrEqual(4_000); // the first step, 5 s less jitter
    expect(gap).toBeLessThan(15_000);
  }, 40_000);
});
