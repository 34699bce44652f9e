/**
 * The API reference in a real browser, against the real `npm run dev`: Chromium (playwright-core)
 * opens /docs with every request to another origin aborted and recorded, and the reference must
 * render the operations from /openapi.json with nothing asked of another host and nothing in the
 * console; its "Test request" client must reach this server directly. Also the static asset the page
 * loads, which the Workers test pool cannot serve. A screenshot goes to .cache/docs.png.
 *
 * Needs Chromium (Debian/Ubuntu: apt-get install chromium; CHROMIUM_BIN if it lives elsewhere).
 * Without it this fails, loudly: it is never skipped.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { DOCS_TITLE, SCALAR_SCRIPT_PATH } from '../../src/routes/docs';

const origin = inject('devOrigin');
const root = fileURLToPath(new URL('../..', import.meta.url));
const chromiumBin = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

let launched: Promise<Browser> | undefined;

/** Chromium, launched on first use, so each browser test fails (rather than being skipped) when it is missing. */
function browser(): Promise<Browser> {
  if (!existsSync(chromiumBin)) {
    throw new Error(
      `Chromium is required for the API reference test: ${chromiumBin} does not exist (Debian/Ubuntu: apt-get install chromium; or set CHROMIUM_BIN)`,
    );
  }
  launched ??= chromium.launch({ executablePath: chromiumBin, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  return launched;
}

afterAll(async () => {
  await (await launched?.catch(() => undefined))?.close();
});

/**
 * /docs in a fresh page that may only talk to the dev server: anything else is aborted and
 * recorded, as is every console error and warning. `bypassCSP` turns the page's CSP off, to see what
 * Scalar itself would fetch (under the CSP, a blocked fetch shows up as a console error instead).
 */
async function openDocs({ bypassCSP = false } = {}): Promise<{ page: Page; requests: string[]; offOrigin: string[]; console: string[] }> {
  const page = await (await browser()).newPage({ viewport: { width: 1400, height: 900 }, bypassCSP });
  const requests: string[] = [];
  const offOrigin: string[] = [];
  const messages: string[] = [];
  await page.route('**/*', (route) => {
    const request = route.request();
    if (new URL(request.url()).origin !== origin) {
      offOrigin.push(request.url());
      return route.abort('blockedbyclient');
    }
    requests.push(`${request.method()} ${new URL(request.url()).pathname}`);
    return route.continue();
  });
  // Scalar logs its version at info level; errors and warnings (CSP violations, failed loads,
  // deprecated options) are what must not happen
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') messages.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (err) => messages.push(`page error: ${err.message}`));
  const res = await page.goto(`${origin}/docs`);
  expect(res?.status()).toBe(200);
  // rendered: the document's title and an operation's summary, from /openapi.json
  await page.getByRole('heading', { name: 'PicStream API', exact: true }).waitFor({ timeout: 30_000 });
  await page.getByText('Render a template to an image').first().waitFor({ timeout: 30_000 });
  return { page, requests, offOrigin, console: messages };
}

describe('GET /docs in Chromium', () => {
  it('serves the Scalar bundle from this origin, as the npm package has it', async () => {
    const res = await fetch(`${origin}${SCALAR_SCRIPT_PATH}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff'); // public/_headers
    const served = await res.text();
    const packaged = readFileSync(path.join(path.dirname(createRequire(import.meta.url).resolve('@scalar/api-reference')), 'browser/standalone.js'), 'utf8');
    // the same bundle, less the line naming a source map that is not shipped
    expect(served).toBe(packaged.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'));
    // revalidated by ETag (the name does not change with the version): a repeat visit costs a 304
    const etag = res.headers.get('etag');
    expect(etag).toBeTruthy();
    const again = await fetch(`${origin}${SCALAR_SCRIPT_PATH}`, { headers: { 'if-none-match': etag as string } });
    expect(again.status).toBe(304);
  });

  it('renders the reference under its CSP, from this origin only, with nothing in the console', async () => {
    const { page, requests, offOrigin, console: messages } = await openDocs();
    expect(await page.title()).toBe(DOCS_TITLE);
    // a tag's operations are listed in the sidebar
    await expect.poll(() => page.getByText('Render templates into a PDF').first().isVisible()).toBe(true);
    // give late loads (fonts, lazy chunks, telemetry) a moment to show up before counting
    await page.waitForLoadState('networkidle');
    mkdirSync(path.join(root, '.cache'), { recursive: true });
    await page.screenshot({ path: path.join(root, '.cache/docs.png') });
    // a CSP violation (something blocked that the page wanted) is a console error
    expect(messages).toEqual([]);
    expect(offOrigin).toEqual([]);
    expect(requests).toEqual(['GET /docs', `GET ${SCALAR_SCRIPT_PATH}`, 'GET /openapi.json']);
    await page.close();
  }, 60_000);

  it('asks nothing of another origin even without the CSP (fonts, telemetry, proxy)', async () => {
    const { page, offOrigin, console: messages } = await openDocs({ bypassCSP: true });
    await page.waitForLoadState('networkidle');
    expect(offOrigin).toEqual([]);
    expect(messages).toEqual([]);
    await page.close();
  }, 60_000);

  it('"Test request" sends to this server directly, with the key typed in', async () => {
    const { page, requests, offOrigin, console: messages } = await openDocs();
    // a test key: free, and its image is watermarked
    await page.getByPlaceholder('Token').first().fill(inject('devTestKey'));
    // the first operation: POST /api/v1/generate/image, with its example body
    await page.getByRole('button', { name: 'Test Request' }).first().click();
    const generated = page.waitForResponse((r) => r.url() === `${origin}/api/v1/generate/image`);
    await page.getByRole('button', { name: /^Send/ }).first().click();
    const res = await generated;
    expect(res.status(), await res.text()).toBe(200);
    expect(res.request().headers().authorization).toBe(`Bearer ${inject('devTestKey')}`);
    expect(await res.json()).toMatchObject({ type: 'image', status: 'complete', template: 'og-card' });
    await page.getByText('200 OK').first().waitFor();
    expect(requests).toContain('POST /api/v1/generate/image');
    expect(offOrigin).toEqual([]);
    expect(messages).toEqual([]);
    await page.close();
  }, 60_000);
});
