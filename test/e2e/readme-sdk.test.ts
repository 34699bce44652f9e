/**
 * The README's SDK section, run for real against `npm run dev`: its client example in Node (the
 * built package, imported as '@picstream/sdk' through the workspace link) and in Chromium (bundled
 * as a browser app would bundle it), and its webhook receiver in Node, fed the dev server's real
 * signed deliveries. The examples run as written; only PICSTREAM_KEY and PICSTREAM_URL are set.
 *
 * They use an account of their own, signed up on the dev server: every endpoint of an account gets
 * every render's event, and the quick start's webhook test counts what its endpoint receives.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build, transform } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../scripts/free-port.mjs';
import { PicStream } from '../../sdk/src/index';

const root = fileURLToPath(new URL('../..', import.meta.url));
// inside the repository, so the examples resolve '@picstream/sdk' from its node_modules as an app's code would
const work = `${root}.cache/readme-sdk/`;
const origin = inject('devOrigin');
const IMAGE_URL = /^http:\/\/localhost:8787\/img\/[a-f0-9]{40}\.png$/;

/** The ```js blocks of the README's SDK section: the client example, then the webhook receiver. */
function sdkExamples(): { client: string; receiver: string } {
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const start = readme.indexOf('\n## SDK\n');
  expect(start, 'README has an "## SDK" section').toBeGreaterThan(0);
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const blocks = [...section.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  expect(blocks).toHaveLength(2);
  return { client: blocks[0] as string, receiver: blocks[1] as string };
}

/** The browser `npm test` installs (scripts/ensure-test-deps.mjs; CHROMIUM_BIN elsewhere), as test/e2e/docs.test.ts launches it: missing, the test fails, never skips. */
function chromiumPath(): string {
  const bin = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
  if (!existsSync(bin))
    throw new Error(
      `Chromium is required: the README SDK example runs in a browser too; ${bin} does not exist (Debian/Ubuntu: apt-get install chromium; or set CHROMIUM_BIN)`,
    );
  return bin;
}

let apiKey: string;
let examples: { client: string; receiver: string };

beforeAll(async () => {
  // the package as published: dist built from sdk/src
  execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}sdk`], { stdio: 'inherit' });
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  examples = sdkExamples();
  const res = await fetch(`${origin}/api/v1/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `readme-sdk-${crypto.randomUUID()}@example.com` }),
  });
  expect(res.status).toBe(201);
  apiKey = ((await res.json()) as { api_key: string }).api_key;
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('README SDK section against npm run dev', () => {
  it('the built package uses web APIs only: no node: imports, process, Buffer or require', async () => {
    const dist = `${root}sdk/dist/`;
    const files = readdirSync(dist).filter((f) => f.endsWith('.js'));
    expect(files).toContain('index.js');
    for (const file of files) {
      // comments may name them (to say why they are not used); the code must not
      const { code } = await transform(readFileSync(`${dist}${file}`, 'utf8'), { format: 'esm', legalComments: 'none' });
      expect(code, file).not.toMatch(/\bprocess\b|\bBuffer\b|['"]node:|\brequire\s*\(/);
    }
    const pkg = JSON.parse(readFileSync(`${root}node_modules/@picstream/sdk/package.json`, 'utf8'));
    expect(pkg).toMatchObject({ name: '@picstream/sdk', type: 'module', exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js' } } });
  });

  it('the client example runs in Node: a URL, then an async render waited to complete', async () => {
    writeFileSync(`${work}client.mjs`, examples.client);
    const { stdout } = await promisify(execFile)(process.execPath, [`${work}client.mjs`], {
      cwd: work,
      env: { ...process.env, PICSTREAM_KEY: apiKey, PICSTREAM_URL: origin },
      timeout: 50_000,
    });
    const [url, waited, ...rest] = stdout.trim().split('\n');
    expect(rest).toEqual([]);
    expect(url).toMatch(IMAGE_URL);
    const [status, renderUrl] = (waited ?? '').split(' ');
    expect(status).toBe('complete');
    expect(renderUrl).toMatch(IMAGE_URL);
    // returned URLs name PUBLIC_BASE_URL (localhost:8787); the same path on this server is the image
    const image = await fetch(`${origin}${new URL(url as string).pathname}`);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
  }, 60_000);

  it('the client example runs in Chromium, bundled as a browser app bundles it', async () => {
    writeFileSync(`${work}client.mjs`, examples.client);
    const bundle = await build({
      stdin: { contents: "import './client.mjs'; document.title = 'done';", resolveDir: work, loader: 'js' },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      write: false,
      // what a browser build does with configuration read from process.env (Vite, webpack's DefinePlugin)
      define: { 'process.env.PICSTREAM_KEY': JSON.stringify(apiKey), 'process.env.PICSTREAM_URL': JSON.stringify(origin) },
    });
    const script = bundle.outputFiles[0]?.text as string;

    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--headless', '--no-sandbox', '--disable-gpu'] });
      const page = await browser.newPage();
      // the page is served from the API's own origin (no CORS needed); its fetches go to the real server
      await page.route(`${origin}/__readme-sdk/`, (route) =>
        route.fulfill({ contentType: 'text/html', body: '<!doctype html><meta charset="utf-8"><script type="module" src="app.js"></script>' }),
      );
      await page.route(`${origin}/__readme-sdk/app.js`, (route) => route.fulfill({ contentType: 'text/javascript', body: script }));
      const logs: string[] = [];
      const api: { method: string; path: string; idempotencyKey: string | null }[] = [];
      page.on('console', (m) => logs.push(m.text()));
      page.on('request', (r) => {
        const path = new URL(r.url()).pathname;
        if (path.startsWith('/api/')) api.push({ method: r.method(), path, idempotencyKey: r.headers()['idempotency-key'] ?? null });
      });
      const failed = new Promise<never>((_, reject) => page.on('pageerror', (e) => reject(e)));
      await page.goto(`${origin}/__readme-sdk/`);
      await Promise.race([page.waitForFunction("document.title === 'done'", null, { timeout: 45_000 }), failed]);

      expect(logs).toHaveLength(2);
      expect(logs[0]).toMatch(IMAGE_URL);
      expect(logs[1]).toMatch(/^complete http:\/\/localhost:8787\/img\/[a-f0-9]{40}\.png$/);
      // the browser made the calls itself: two POSTs, each with its own Idempotency-Key, then the polls
      const posts = api.filter((r) => r.method === 'POST');
      expect(posts.map((r) => r.path)).toEqual(['/api/v1/generate/image', '/api/v1/generate/image']);
      expect(new Set(posts.map((r) => r.idempotencyKey)).size).toBe(2);
      expect(api.some((r) => r.method === 'GET' && r.path.startsWith('/api/v1/renders/rnd_'))).toBe(true);
    } finally {
      await browser?.close();
    }
  }, 60_000);

  it('the webhook receiver accepts the dev server’s real signed delivery and refuses a forged one', async () => {
    // the test's own calls go through Node's fetch, held to the OpenAPI document by test/e2e/conformance-setup.ts
    const sdk = new PicStream({ apiKey, baseUrl: origin });
    const port = await freePort();
    const endpoint = await sdk.webhooks.create({ url: `http://localhost:${port}/hook`, events: ['render.complete'] });
    writeFileSync(`${work}receiver.mjs`, examples.receiver);
    // the receiver's Worker-style fetch handler, served by Node
    writeFileSync(
      `${work}serve-receiver.mjs`,
      `import { createServer } from 'node:http';
import receiver from './receiver.mjs';
const env = { PICSTREAM_WEBHOOK_SECRET: process.env.PICSTREAM_WEBHOOK_SECRET };
createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
  const answer = await receiver.fetch(new Request('http://localhost' + req.url, { method: req.method, headers, body: Buffer.concat(chunks) }), env);
  res.writeHead(answer.status).end(await answer.text());
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'));
`,
    );
    let output = '';
    let child: ChildProcess | undefined;
    try {
      child = spawn(process.execPath, [`${work}serve-receiver.mjs`], {
        cwd: work,
        env: { ...process.env, PORT: String(port), PICSTREAM_WEBHOOK_SECRET: endpoint.secret },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.on('data', (d) => (output += d));
      child.stderr?.on('data', (d) => (output += d));
      await expect.poll(() => output, { timeout: 10_000 }).toContain('listening');

      const accepted = await sdk.generate({ template: 'quote', vars: { quote: `Delivered ${crypto.randomUUID()}`, author: 'E2E' }, async: true });
      const render = await sdk.renders.wait(accepted.id, { timeout: 30_000 });
      expect(render.status).toBe('complete');
      // the README's handler logged the verified event, and answered 204
      await expect.poll(() => output, { timeout: 20_000 }).toContain(`rendered ${accepted.id} ${render.url}`);
      await expect
        .poll(async () => (await sdk.webhooks.deliveries(endpoint.id)).data.find((d) => d.job_id === accepted.id), { timeout: 10_000 })
        .toMatchObject({ event: 'render.complete', status: 'succeeded', attempts: [{ status_code: 204 }] });

      const forged = await fetch(`http://127.0.0.1:${port}/hook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': 'msg_forged',
          'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
          'webhook-signature': `v1,${btoa(String.fromCharCode(...new Uint8Array(32)))}`,
        },
        body: JSON.stringify({ event: 'render.complete', job_id: accepted.id, url: 'https://evil.example/x.png' }),
      });
      expect(forged.status).toBe(400);
      expect(await forged.text()).toBe('invalid_signature');
      expect(output).not.toContain('evil.example');
    } finally {
      child?.kill();
      await sdk.webhooks.delete(endpoint.id);
    }
  }, 60_000);
});
