/**
 * The per-render resource budget (src/render/budget.ts), against the real local image server
 * (test/global-setup.ts counts every request it serves): a template cannot hold more image vars
 * than a render may fetch, a request cannot name more distinct images, and images and PDFs alike
 * stop at the same totals of bytes and pixels while fetching; the uploaded fonts a render would
 * load are counted from their rows before any file is read.
 */
import { env } from 'cloudflare:test';
import { Buffer } from 'node:buffer';
import pacificoWoff from '@fontsource/pacifico/files/pacifico-latin-400-normal.woff';
import { describe, expect, it } from 'vitest';
import { config } from '../../src/config';
import { insertFont } from '../../src/db/fonts';
import { insertTemplate } from '../../src/db/templates';
import { newId } from '../../src/lib/ids';
import { FONT_BUDGET, REMOTE_IMAGE_BUDGET } from '../../src/render/budget';
import { fetchRemoteImages } from '../../src/render/images/remote-images';
import { MAX_PDF_REMOTE_IMAGES } from '../../src/renders/build-pdf-job';
import { bearer, expectProblem, generate, get, patchJson, postJson, signup, type TestAccount } from '../helpers/api';

const origin = () => env.TEST_IMAGE_ORIGIN;

/** Requests the image server has served whose path and query start with `prefix`. */
async function hitsUnder(prefix: string): Promise<number> {
  const hits = await (await fetch(`${origin()}/__hits`)).json<Record<string, number>>();
  return Object.entries(hits).reduce((n, [path, count]) => (path.startsWith(prefix) ? n + count : n), 0);
}

/** `n` distinct image URLs on the server that no other test uses (the image cache has not seen them). */
function urls(n: number, path = '/logo.png', query = '') {
  const run = crypto.randomUUID();
  const prefix = `${path}?run=${run}`;
  return { prefix, list: Array.from({ length: n }, (_, i) => `${origin()}${prefix}&i=${i}${query}`) };
}

/** `count` image placeholders in under 256 KB: most as url() items of one background-image, the rest as <img> elements. */
function placeholderMarkup(count: number, imgs = 1000): string {
  const items = Array.from({ length: count - imgs }, (_, i) => `url({{a${i}}})`).join(', ');
  const tags = Array.from({ length: imgs }, (_, i) => `<img src="{{b${i}}}" width="1" height="1">`).join('');
  return `<div style="display:flex;width:100%;height:100%;background-image:${items}">${tags}</div>`;
}

/** A template of `n` image vars, each an <img>. */
function imagesSource(n: number) {
  const html = `<div style="display:flex;flex-wrap:wrap;width:100%;height:100%;background:#ffffff">${Array.from(
    { length: n },
    (_, i) => `<img src="{{img${i}}}" width="40" height="40">`,
  ).join('')}</div>`;
  return { name: 'Images', width: 600, height: 315, html, vars: {} };
}

/** One invoice page with its own logo. */
function invoicePage(number: string, logo: string) {
  const party = { name: 'Northwind Studio GmbH', address: ['Torstraße 140', '10119 Berlin'] };
  return {
    template: 'invoice',
    vars: {
      number,
      issue_date: '2026-11-28',
      currency: 'EUR',
      seller: party,
      buyer: party,
      items: [{ description: 'Workshop', quantity: 1, unit_price: 100 }],
      logo,
    },
  };
}

const valuesFor = (list: string[], name: (i: number) => string) => Object.fromEntries(list.map((u, i) => [name(i), u]));

async function createTemplate(account: TestAccount, body: Record<string, unknown>): Promise<{ id: string }> {
  const res = await postJson('/api/v1/templates', body, bearer(account.apiKey));
  const json = await res.json<{ id: string }>();
  expect(res.status, JSON.stringify(json)).toBe(201);
  return json;
}

describe('remote images per render', () => {
  it('a template with 10,000 image placeholders is a 4xx before any fetch (the image server counts 0 hits)', async () => {
    const account = await signup();
    const html = placeholderMarkup(10_000);
    expect(new TextEncoder().encode(html).byteLength).toBeLessThan(256 * 1024);
    // values for 2,000 of them, each a URL of its own: all of them would be fetched at once before
    const { prefix, list } = urls(2000);
    const values = { ...valuesFor(list.slice(0, 1000), (i) => `a${i}`), ...valuesFor(list.slice(1000), (i) => `b${i}`) };

    const preview = await expectProblem(
      await postJson('/api/v1/templates/preview', { width: 600, height: 315, html, values }, bearer(account.apiKey)),
      422,
      'template_invalid',
    );
    expect(preview.errors?.[0]?.path).toBe('html');

    // declared defaults are fetched by every render that leaves the var out: refused as well
    const vars = Object.fromEntries(list.slice(0, 40).map((u, i) => [`a${i}`, { type: 'image', default: u }]));
    const created = await expectProblem(
      await postJson('/api/v1/templates', { name: 'Many', width: 600, height: 315, html, vars }, bearer(account.apiKey)),
      422,
      'template_invalid',
    );
    expect(created.errors?.[0]?.path).toBe('html');

    expect(await hitsUnder(prefix)).toBe(0);
  });

  it('images and PDFs share one cap of distinct URLs: 10 is a render, 11 is a 4xx before any fetch', async () => {
    expect(MAX_PDF_REMOTE_IMAGES).toBe(REMOTE_IMAGE_BUDGET.maxImages);
    const max = REMOTE_IMAGE_BUDGET.maxImages;
    const account = await signup();
    const key = bearer(account.apiKey);

    // a template of 11 image vars: refused on create, preview and PATCH
    const over = imagesSource(max + 1);
    const problem = await expectProblem(await postJson('/api/v1/templates', over, key), 422, 'template_invalid');
    expect(problem.errors).toEqual([{ path: 'html', message: expect.stringContaining(`at most ${max}`) }]);
    await expectProblem(await postJson('/api/v1/templates/preview', over, key), 422, 'template_invalid');
    const ten = await createTemplate(account, imagesSource(max));
    await expectProblem(await patchJson(`/api/v1/templates/${ten.id}`, { html: over.html }, key), 422, 'template_invalid');

    // 10 distinct URLs: each fetched once, a few at a time, and drawn
    const ok = urls(max);
    const res = await generate({ template: ten.id, vars: valuesFor(ok.list, (i) => `img${i}`) }, key);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await hitsUnder(ok.prefix)).toBe(max);

    // fetched a few at a time, not all at once: the server counts how many were open together
    const held = urls(max, '/held.png');
    const run = held.prefix.slice('/held.png?run='.length);
    const drawn = await generate({ template: ten.id, vars: valuesFor(held.list, (i) => `img${i}`) }, key);
    expect(drawn.status, await drawn.clone().text()).toBe(200);
    expect(await hitsUnder(held.prefix)).toBe(max);
    const { max: together } = await (await fetch(`${origin()}/__inflight?run=${run}`)).json<{ max: number }>();
    // (HEAD, which fetched every image at once, measured 10 here)
    expect(together).toBeLessThanOrEqual(REMOTE_IMAGE_BUDGET.concurrency);

    // a PDF naming 11: refused before any fetch
    const pdf = urls(max + 1);
    const pages = pdf.list.map((logo, i) => invoicePage(`B-${i}`, logo));
    await expectProblem(await postJson('/api/v1/generate/pdf', { pages }, key), 400, 'document_too_large');
    expect(await hitsUnder(pdf.prefix)).toBe(0);
  });

  it('a kept version with more image vars than the budget still reads, and a render naming 11 URLs is a 400 before any fetch', async () => {
    const account = await signup();
    // kept before the budget existed: written straight to D1, as the create path would have then
    const id = newId('tpl');
    const at = new Date().toISOString();
    const source = imagesSource(REMOTE_IMAGE_BUDGET.maxImages + 1);
    const row = { id, account_id: account.id, name: 'Old', description: '', version: 1, created_at: at, updated_at: at, deleted_at: null };
    expect(await insertTemplate(env.DB, row, JSON.stringify({ width: source.width, height: source.height, html: source.html, vars: {} }), 100)).toBe(true);

    expect((await get(`/api/v1/templates/${id}`, bearer(account.apiKey))).status).toBe(200);
    const { prefix, list } = urls(REMOTE_IMAGE_BUDGET.maxImages + 1);
    const problem = await expectProblem(
      await generate({ template: id, vars: valuesFor(list, (i) => `img${i}`) }, bearer(account.apiKey)),
      400,
      'validation_failed',
    );
    expect(problem.errors?.[0]).toEqual({ path: 'vars', message: expect.stringContaining('different image URLs') });
    expect(await hitsUnder(prefix)).toBe(0);
  });

  it('images each within the limits but past the render’s total bytes: a 422 naming the var, and the rest never fetched', async () => {
    const policy = config(env).remoteImages;
    // 3 MB each (under the 5 MB per-image cap); one at a time, so the fourth crosses 10 MB and the fifth and sixth never start
    const { prefix, list } = urls(6, '/padded.png', '&kb=3000');
    const wants = list.map((url, i) => ({ url, path: `vars.img${i}` }));
    const err = await fetchRemoteImages(wants, policy, { ...REMOTE_IMAGE_BUDGET, concurrency: 1 }).then(
      () => undefined,
      (e: unknown) => e as { code: string; errors: { path: string; message: string }[] },
    );
    expect(err?.code).toBe('remote_image_too_large');
    expect(err?.errors[0]?.path).toBe('vars.img3');
    expect(err?.errors[0]?.message).toContain('in all');
    expect(await hitsUnder(prefix)).toBe(4);
  });

  it('the byte total holds for an image render (several fetched at once) and for a PDF alike', async () => {
    const account = await signup();
    const key = bearer(account.apiKey);
    const template = await createTemplate(account, imagesSource(3));
    // 4 MB each: each allowed, 12 MB together
    const image = urls(3, '/padded.png', '&kb=4000');
    const problem = await expectProblem(
      await generate({ template: template.id, vars: valuesFor(image.list, (i) => `img${i}`) }, key),
      422,
      'remote_image_too_large',
    );
    expect(problem.errors?.[0]?.path).toMatch(/^vars\.img[0-2]$/);
    expect(problem.errors?.[0]?.message).toContain('in all');

    const pdf = urls(3, '/padded.png', '&kb=4000');
    const pages = pdf.list.map((logo, i) => invoicePage(`C-${i}`, logo));
    const doc = await expectProblem(await postJson('/api/v1/generate/pdf', { pages }, key), 422, 'remote_image_too_large');
    expect(doc.errors?.[0]?.path).toMatch(/^pages\.[0-2]\.vars\.logo$/);
  });

  it('images each within the per-image 4.2 MP but past the render’s 8.4 MP: a 422 before any is decoded', async () => {
    const account = await signup();
    const template = await createTemplate(account, imagesSource(3));
    // 4 MP each: under the per-image cap, 12 MP together (their files only declare it: decoding one would fail)
    const { list } = urls(3, '/claims.png', '&w=2000&h=2000');
    const problem = await expectProblem(
      await generate({ template: template.id, vars: valuesFor(list, (i) => `img${i}`) }, bearer(account.apiKey)),
      422,
      'remote_image_too_large',
    );
    expect(problem.errors?.[0]?.message).toContain(`together they may have ${REMOTE_IMAGE_BUDGET.maxPixels}`);
  });
});

const base64 = (bytes: ArrayBuffer | Uint8Array) => Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString('base64');

async function uploadFace(account: TestAccount, family: string): Promise<void> {
  const res = await postJson('/api/v1/fonts', { family, data: base64(pacificoWoff) }, bearer(account.apiKey));
  expect(res.status, await res.clone().text()).toBe(201);
}

/** A face row with no file behind it: a render that read it would answer font_family_unknown, so a budget refusal shows nothing was read. */
async function faceRow(account: TestAccount, family: string, weight: number, bytes: number): Promise<void> {
  const row = {
    id: newId('fnt'),
    account_id: account.id,
    family,
    weight,
    style: 'normal' as const,
    format: 'ttf' as const,
    bytes,
    sha256: crypto.randomUUID().replaceAll('-', ''),
    glyphs: 100,
    created_at: new Date().toISOString(),
  };
  expect(await insertFont(env.DB, row, { maxFaces: 20, maxFamilyBytes: 12 * 1024 * 1024 })).toBe(true);
}

const familiesHtml = (families: string[]) =>
  `<div style="display:flex;flex-direction:column;width:100%;height:100%">${families.map((f) => `<p style="font-family:${f}">${f}</p>`).join('')}</div>`;

describe('uploaded fonts per render', () => {
  it(`a template naming more than ${FONT_BUDGET.maxFaces} uploaded faces is refused on create and preview; font_family past the budget at render`, async () => {
    const account = await signup();
    const key = bearer(account.apiKey);
    const families = Array.from({ length: FONT_BUDGET.maxFaces + 1 }, (_, i) => `Budget ${i}`);
    for (const family of families) await uploadFace(account, family);

    const source = { name: 'Fonts', width: 600, height: 315, html: familiesHtml(families), vars: {} };
    const created = await expectProblem(await postJson('/api/v1/templates', source, key), 422, 'template_invalid');
    expect(created.errors?.[0]).toEqual({ path: 'html', message: expect.stringContaining(`${FONT_BUDGET.maxFaces + 1} uploaded font faces`) });
    const preview = await expectProblem(await postJson('/api/v1/templates/preview', source, key), 422, 'template_invalid');
    expect(preview.errors?.[0]?.path).toBe('html');

    // eight families are within it; the ninth as font_family is not
    const eight = await createTemplate(account, { ...source, html: familiesHtml(families.slice(0, FONT_BUDGET.maxFaces)) });
    const render = await expectProblem(await generate({ template: eight.id, font_family: families[FONT_BUDGET.maxFaces] }, key), 400, 'validation_failed');
    expect(render.errors?.[0]?.path).toBe('font_family');
  });

  it('the faces’ stored sizes are summed before any file is read: 24 MB of faces is a 4xx naming the field', async () => {
    const account = await signup();
    const key = bearer(account.apiKey);
    // two families of three 4 MB faces (each family within its 12 MB cap), their files never stored
    for (const family of ['Heavy A', 'Heavy B']) for (const weight of [400, 500, 600]) await faceRow(account, family, weight, 4 * 1024 * 1024);
    const html = familiesHtml(['Heavy A', 'Heavy B']);
    const created = await expectProblem(
      await postJson('/api/v1/templates', { name: 'Heavy', width: 600, height: 315, html, vars: {} }, key),
      422,
      'template_invalid',
    );
    expect(created.errors?.[0]).toEqual({ path: 'html', message: expect.stringContaining('24 MB') });

    // a kept template naming one family, drawn with the other as font_family
    await uploadFace(account, 'Light');
    const light = await createTemplate(account, { name: 'Light', width: 600, height: 315, html: familiesHtml(['Light']), vars: {} });
    for (const weight of [700, 800, 900]) await faceRow(account, 'Light', weight, 3 * 1024 * 1024);
    const render = await expectProblem(await generate({ template: light.id, font_family: 'Heavy A' }, key), 400, 'validation_failed');
    expect(render.errors?.[0]).toEqual({ path: 'font_family', message: expect.stringContaining('a render may load at most') });
    // the template's own faces past the budget (faces added to its family since): the template cannot be drawn
    for (const weight of [100, 200, 300, 500, 600]) await faceRow(account, 'Light', weight, 1024);
    const own = await expectProblem(await generate({ template: light.id }, key), 422, 'template_invalid');
    expect(own.errors?.[0]?.path).toBe('template');
  });
});
