/**
 * User templates (Step 6): an account keeps its own templates — HTML with inline styles and
 * {{var}} placeholders — and renders them like the built-in ones; they can name the account's
 * uploaded fonts (issue 7's last acceptance item); a template either engine cannot draw is a 422
 * before it is kept.
 */
import { env } from 'cloudflare:test';
import { Buffer } from 'node:buffer';
import pacificoWoff from '@fontsource/pacifico/files/pacifico-latin-400-normal.woff';
import { describe, expect, it } from 'vitest';
import { updateTemplate } from '../../src/db/templates';
import type { RenderJobMessage } from '../../src/env';
import worker from '../../src/index';
import { bearer, decodePng, del, expectProblem, generate, get, patchJson, pathOf, postJson, signup, type TestAccount } from '../helpers/api';
import { unitsUsed } from '../helpers/db';
import { unqueuedPendingRow } from '../helpers/renders';

interface Template {
  id: string;
  version: number;
  name: string;
  builtin: boolean;
  kind: string;
  size: { width: number; height: number };
  vars_schema: { properties: Record<string, unknown>; required?: string[] };
  example: Record<string, unknown>;
  image_vars: string[];
  html?: string;
  vars?: Record<string, { type: string }>;
}

interface Render {
  id: string;
  status: string;
  url: string;
  cached: boolean;
  template: string;
  engine: string;
  width: number;
  height: number;
  error?: { code: string };
}

const CARD = `
<div style="display:flex;flex-direction:column;justify-content:space-between;width:100%;height:100%;padding:48px;background:{{bg}};color:#ffffff">
  <img data-if="logo" src="{{logo}}" width="96" height="96">
  <h1 style="font-size:72px;margin:0;font-family:{{font}}">{{title}}</h1>
  <p style="font-size:28px" data-unless="subtitle">No subtitle</p>
  <p style="font-size:28px" data-if="subtitle">{{subtitle}}</p>
</div>`;

const cardSource = (html = CARD.replace('font-family:{{font}}', 'font-family:Inter')) => ({
  name: 'Test card',
  width: 600,
  height: 315,
  html,
  vars: { title: { type: 'text', required: true, max_length: 80 }, bg: { type: 'color', default: '#1d4ed8' } },
  example: { title: 'Example title' },
});

async function create(account: TestAccount, body: Record<string, unknown>): Promise<Template> {
  const res = await postJson('/api/v1/templates', body, bearer(account.apiKey));
  const json = await res.json<Template>();
  expect(res.status, JSON.stringify(json)).toBe(201);
  expect(res.headers.get('location')).toBe(`/api/v1/templates/${json.id}`);
  return json;
}

async function render(account: TestAccount, body: Record<string, unknown>): Promise<Render> {
  const res = await generate(body, bearer(account.apiKey));
  const json = await res.json<Render>();
  expect(res.status, JSON.stringify(json)).toBe(200);
  return json;
}

async function pixels(r: { url: string }) {
  return decodePng(await (await get(pathOf(r.url))).arrayBuffer());
}

const at = (img: { width: number; data: Uint8Array }, x: number, y: number) => [...img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 3)];

/** Share of pixels that differ clearly between two same-size images. */
function differingShare(a: { data: Uint8Array }, b: { data: Uint8Array }): number {
  let n = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    if (Math.abs((a.data[i] ?? 0) - (b.data[i] ?? 0)) + Math.abs((a.data[i + 1] ?? 0) - (b.data[i + 1] ?? 0)) > 60) n++;
  }
  return n / (a.data.length / 4);
}

/** Share of pixels close to an RGB colour. */
function share(img: { data: Uint8Array }, rgb: readonly [number, number, number]): number {
  let n = 0;
  for (let i = 0; i < img.data.length; i += 4) {
    if (Math.abs((img.data[i] ?? 0) - rgb[0]) + Math.abs((img.data[i + 1] ?? 0) - rgb[1]) + Math.abs((img.data[i + 2] ?? 0) - rgb[2]) < 30) n++;
  }
  return n / (img.data.length / 4);
}

describe('user templates', () => {
  it('created, listed, read back, and rendered by both engines with its vars filled in', async () => {
    const account = await signup();
    const tpl = await create(account, cardSource());
    expect(tpl).toMatchObject({ version: 1, name: 'Test card', builtin: false, kind: 'image', size: { width: 600, height: 315 }, image_vars: ['logo'] });
    expect(tpl.id).toMatch(/^tpl_[0-9A-Z]{26}$/);
    // declared and inferred vars, typed: title required text, bg colour, logo an image source, subtitle text
    expect(tpl.vars).toMatchObject({ title: { type: 'text' }, bg: { type: 'color' }, logo: { type: 'image' }, subtitle: { type: 'text' } });
    expect(tpl.vars_schema.required).toEqual(['title']);

    const list = await (await get('/api/v1/templates', bearer(account.apiKey))).json<{ data: Template[] }>();
    expect(list.data.filter((t) => !t.builtin).map((t) => t.id)).toEqual([tpl.id]);
    expect(list.data.find((t) => t.id === 'og-card')?.builtin).toBe(true);
    const got = await (await get(`/api/v1/templates/${tpl.id}`, bearer(account.apiKey))).json<Template>();
    expect(got.html).toBe(cardSource().html);

    for (const engine of ['takumi', 'satori'] as const) {
      const title = `Hello ${engine} ${crypto.randomUUID().slice(0, 6)}`;
      const out = await render(account, { template: tpl.id, engine, vars: { title, bg: '#16a34a' } });
      expect(out).toMatchObject({ template: tpl.id, engine, width: 600, height: 315, cached: false });
      const img = await pixels(out);
      expect([img.width, img.height]).toEqual([600, 315]);
      // the colour var is the background; the white title is drawn on it
      expect(at(img, 5, 5)).toEqual([22, 163, 74]);
      expect(share(img, [255, 255, 255]), engine).toBeGreaterThan(0.01);
      // the same request again: the content cache
      expect((await render(account, { template: tpl.id, engine, vars: { title, bg: '#16a34a' } })).cached).toBe(true);
    }
  });

  it('its vars are checked by the schema the template declares: field paths, strict names, defaults', async () => {
    const account = await signup();
    const tpl = await create(account, cardSource());
    const missing = await expectProblem(await generate({ template: tpl.id, vars: {} }, bearer(account.apiKey)), 400, 'validation_failed');
    expect(missing.errors?.map((e) => e.path)).toContain('vars.title');
    const bad = await expectProblem(
      await generate({ template: tpl.id, vars: { title: 'x', bg: 'red; background: url(https://example.com/x.png)' } }, bearer(account.apiKey)),
      400,
      'validation_failed',
    );
    expect(bad.errors?.map((e) => e.path)).toEqual(['vars.bg']);
    const typo = await expectProblem(await generate({ template: tpl.id, vars: { title: 'x', titel: 'y' } }, bearer(account.apiKey)), 400, 'validation_failed');
    expect(JSON.stringify(typo.errors)).toContain('titel');
    const long = await expectProblem(await generate({ template: tpl.id, vars: { title: 'x'.repeat(81) } }, bearer(account.apiKey)), 400, 'validation_failed');
    expect(long.errors?.map((e) => e.path)).toEqual(['vars.title']);
    // the default colour when the var is left out
    const img = await pixels(await render(account, { template: tpl.id, vars: { title: `Default bg ${crypto.randomUUID()}` } }));
    expect(at(img, 5, 5)).toEqual([29, 78, 216]);
  });

  it('a var holding markup is drawn as its text; data-if / data-unless and an empty image source leave elements out', async () => {
    const account = await signup();
    const tpl = await create(account, cardSource());
    const plain = await pixels(await render(account, { template: tpl.id, engine: 'takumi', vars: { title: 'Same' } }));
    // with a subtitle: the "No subtitle" line goes and the subtitle line comes — different pixels in the lower band
    const withSubtitle = await pixels(await render(account, { template: tpl.id, engine: 'takumi', vars: { title: 'Same', subtitle: 'Here it is' } }));
    expect(differingShare(plain, withSubtitle)).toBeGreaterThan(0.002);
    // a logo: the picture appears (96×96 at the top left, inside the padding; its top-left half is red)
    const withLogo = await pixels(
      await render(account, { template: tpl.id, engine: 'takumi', vars: { title: 'Same', logo: `${env.TEST_IMAGE_ORIGIN}/logo.png` } }),
    );
    expect(at(withLogo, 60, 60)).toEqual([220, 38, 38]);
    expect(share(plain, [220, 38, 38])).toBe(0);
    // markup in a var is text: the render succeeds and draws glyphs, it does not add an image
    const injected = await pixels(
      await render(account, {
        template: tpl.id,
        engine: 'takumi',
        vars: { title: `</h1><img src="${env.TEST_IMAGE_ORIGIN}/logo.png" width="500" height="300">` },
      }),
    );
    expect(share(injected, [220, 38, 38])).toBe(0);
    expect(share(injected, [255, 255, 255])).toBeGreaterThan(0.005);
  });

  it('a custom font uploaded and named in the template changes the rendered text (both engines); its family is checked when the template is made and when it is drawn', async () => {
    const account = await signup();
    // no such family yet: the template is refused, naming the family
    const unknown = await expectProblem(
      await postJson('/api/v1/templates', cardSource(CARD.replace('{{font}}', "'Brand Script', Inter")), bearer(account.apiKey)),
      422,
      'font_family_unknown',
    );
    expect(unknown.detail).toContain('Brand Script');
    expect(unknown.errors?.[0]?.path).toBe('html');

    const upload = await postJson(
      '/api/v1/fonts',
      { family: 'Brand Script', data: Buffer.from(new Uint8Array(pacificoWoff)).toString('base64') },
      bearer(account.apiKey),
    );
    expect(upload.status).toBe(201);
    const font = await upload.json<{ id: string }>();
    const branded = await create(account, cardSource(CARD.replace('{{font}}', "'brand script', Inter")));
    const plain = await create(account, cardSource(CARD.replace('{{font}}', 'Inter')));

    for (const engine of ['takumi', 'satori'] as const) {
      const vars = { title: `Handwritten ${engine}`, bg: '#0f172a' };
      const a = await pixels(await render(account, { template: plain.id, engine, vars }));
      const b = await pixels(await render(account, { template: branded.id, engine, vars }));
      // the same card, its title in another typeface: a good share of the pixels differ
      expect(differingShare(a, b), engine).toBeGreaterThan(0.01);
      expect(at(b, 5, 5), engine).toEqual([15, 23, 42]);
    }

    // queued: the record names the faces, the version, and the render draws with them
    const queued = await generate({ template: branded.id, async: true, vars: { title: `Queued ${crypto.randomUUID()}` } }, bearer(account.apiKey));
    expect(queued.status).toBe(202);
    const id = (await queued.json<{ id: string }>()).id;
    const row = await env.DB.prepare('SELECT font_faces, font_family, template, template_version FROM renders WHERE id = ?1')
      .bind(id)
      .first<{ font_faces: string; font_family: string | null; template: string; template_version: number }>();
    expect(row).toMatchObject({ font_family: null, template: branded.id, template_version: 1 });
    expect(JSON.parse(row?.font_faces ?? 'null')).toEqual([font.id]);
    expect((await poll(account, id)).status).toBe('complete');

    // the family deleted: renders of the template are a 422 naming it, not an image in a fallback font
    expect((await del(`/api/v1/fonts/${font.id}`, bearer(account.apiKey))).status).toBe(204);
    const gone = await expectProblem(
      await generate({ template: branded.id, vars: { title: 'After delete' } }, bearer(account.apiKey)),
      422,
      'font_family_unknown',
    );
    expect(gone.detail).toMatch(/brand script/i);
  });

  it('font_family on a user template draws its house font (Inter) in the uploaded family', async () => {
    const account = await signup();
    expect(
      (await postJson('/api/v1/fonts', { family: 'House Script', data: Buffer.from(new Uint8Array(pacificoWoff)).toString('base64') }, bearer(account.apiKey)))
        .status,
    ).toBe(201);
    const tpl = await create(account, cardSource());
    const vars = { title: 'House font swap', bg: '#0f172a' };
    const a = await pixels(await render(account, { template: tpl.id, vars }));
    const b = await pixels(await render(account, { template: tpl.id, font_family: 'House Script', vars }));
    expect(differingShare(a, b)).toBeGreaterThan(0.01);
  });

  it('an update makes the next version; images made and renders queued before keep the version they asked for; a request may pin a version', async () => {
    const account = await signup();
    const tpl = await create(account, cardSource());
    const vars = { title: `Versioned ${crypto.randomUUID().slice(0, 8)}`, bg: '#7c3aed' };
    const v1 = await render(account, { template: tpl.id, engine: 'takumi', vars });
    // a v1 render recorded as the async route records one, whose job runs only after the update
    const queuedId = await unqueuedPendingRow({ account, template: tpl.id, vars: { ...vars, title: `${vars.title} q` } });

    const renamed = await patchJson(`/api/v1/templates/${tpl.id}`, { name: 'Renamed' }, bearer(account.apiKey));
    expect(renamed.status).toBe(200);
    expect(await renamed.json<Template>()).toMatchObject({ name: 'Renamed', version: 1 });

    // a new source: a yellow band across the top
    const html = cardSource().html.replace('<img', '<div style="position:absolute;top:0;left:0;width:600px;height:20px;background:#facc15"></div><img');
    const res = await patchJson(`/api/v1/templates/${tpl.id}`, { html }, bearer(account.apiKey));
    const v2tpl = await res.json<Template>();
    expect(res.status, JSON.stringify(v2tpl)).toBe(200);
    expect(v2tpl).toMatchObject({ version: 2, name: 'Renamed', html });

    const v2 = await render(account, { template: tpl.id, engine: 'takumi', vars });
    expect(v2.url).not.toBe(v1.url);
    expect(v2.cached).toBe(false);
    expect(at(await pixels(v2), 300, 5)).toEqual([250, 204, 21]);
    // the v1 image is still there, unchanged
    expect(at(await pixels(v1), 300, 5)).toEqual([124, 58, 237]);
    // a request may pin a version: v1 is the v1 image (the same content address: a cache hit), v2 the v2 one
    const pinned1 = await render(account, { template: `${tpl.id}@1`, engine: 'takumi', vars });
    expect(pinned1).toMatchObject({ url: v1.url, cached: true, template: tpl.id });
    expect((await render(account, { template: `${tpl.id}@2`, engine: 'takumi', vars })).url).toBe(v2.url);
    const fresh = await render(account, { template: `${tpl.id}@1`, engine: 'takumi', vars: { ...vars, title: `${vars.title} pinned` } });
    expect(at(await pixels(fresh), 300, 5)).toEqual([124, 58, 237]);
    await expectProblem(await generate({ template: `${tpl.id}@3`, vars }, bearer(account.apiKey)), 404, 'template_not_found');
    await runJob(queuedId);
    const done = await poll(account, queuedId);
    expect(done.status).toBe('complete');
    const record = await env.DB.prepare('SELECT template_version FROM renders WHERE id = ?1').bind(queuedId).first<{ template_version: number }>();
    expect(record?.template_version).toBe(1);
    expect(at(await pixels(done as Render), 300, 5)).toEqual([124, 58, 237]);

    // an update that breaks the template is refused and leaves the current version in place
    const broken = await patchJson(`/api/v1/templates/${tpl.id}`, { html: '<table><tr><td>{{title}}</td></tr></table>' }, bearer(account.apiKey));
    await expectProblem(broken, 422, 'template_invalid');
    expect((await (await get(`/api/v1/templates/${tpl.id}`, bearer(account.apiKey))).json<Template>()).version).toBe(2);
  });

  it('deleted: 404 on read, update, render (pinned too) and a second delete; a queued render still draws the version it named', async () => {
    const account = await signup();
    const tpl = await create(account, cardSource());
    const queuedId = await unqueuedPendingRow({ account, template: tpl.id, vars: { title: `Before delete ${crypto.randomUUID()}` } });
    // a pinned version read before the delete (this isolate keeps it): the delete forgets it
    expect((await render(account, { template: `${tpl.id}@1`, vars: { title: 'Pinned before delete' } })).template).toBe(tpl.id);
    expect((await del(`/api/v1/templates/${tpl.id}`, bearer(account.apiKey))).status).toBe(204);
    await expectProblem(await get(`/api/v1/templates/${tpl.id}`, bearer(account.apiKey)), 404, 'template_not_found');
    await expectProblem(await patchJson(`/api/v1/templates/${tpl.id}`, { name: 'x' }, bearer(account.apiKey)), 404, 'template_not_found');
    await expectProblem(await generate({ template: tpl.id, vars: { title: 'x' } }, bearer(account.apiKey)), 404, 'template_not_found');
    await expectProblem(await generate({ template: `${tpl.id}@1`, vars: { title: 'x' } }, bearer(account.apiKey)), 404, 'template_not_found');
    await expectProblem(await del(`/api/v1/templates/${tpl.id}`, bearer(account.apiKey)), 404, 'template_not_found');
    const list = await (await get('/api/v1/templates', bearer(account.apiKey))).json<{ data: Template[] }>();
    expect(list.data.some((t) => t.id === tpl.id)).toBe(false);
    await runJob(queuedId);
    expect((await poll(account, queuedId)).status).toBe('complete');
  });

  it("another account's template is a 404 everywhere, as a missing one is", async () => {
    const [owner, other] = [await signup(), await signup()];
    const tpl = await create(owner, cardSource());
    await expectProblem(await get(`/api/v1/templates/${tpl.id}`, bearer(other.apiKey)), 404, 'template_not_found');
    await expectProblem(await patchJson(`/api/v1/templates/${tpl.id}`, { name: 'mine now' }, bearer(other.apiKey)), 404, 'template_not_found');
    await expectProblem(await del(`/api/v1/templates/${tpl.id}`, bearer(other.apiKey)), 404, 'template_not_found');
    await expectProblem(await generate({ template: tpl.id, vars: { title: 'x' } }, bearer(other.apiKey)), 404, 'template_not_found');
    const list = await (await get('/api/v1/templates', bearer(other.apiKey))).json<{ data: Template[] }>();
    expect(list.data.every((t) => t.builtin)).toBe(true);
    // built-in templates cannot be changed or deleted
    await expectProblem(await patchJson('/api/v1/templates/og-card', { name: 'x' }, bearer(other.apiKey)), 404, 'template_not_found');
    await expectProblem(await del('/api/v1/templates/og-card', bearer(other.apiKey)), 404, 'template_not_found');
  });

  it('what the engines cannot use is a 422 before anything is kept, with a field path', async () => {
    const account = await signup();
    const cases: [Record<string, unknown>, string, string][] = [
      [{ html: '<table><tr><td>x</td></tr></table>' }, 'template_invalid', 'html'],
      [{ html: '<div><script>alert(1)</script></div>' }, 'template_invalid', 'html'],
      [{ html: '<div class="title">x</div>' }, 'template_invalid', 'html'],
      [{ html: '<img src="https://example.com/logo.png">' }, 'template_invalid', 'html'],
      [{ html: '<div style="background-image:url(https://example.com/x.png)">x</div>' }, 'template_invalid', 'html'],
      [{ html: '<div style="color:{{c}}">x</div>', vars: {} }, 'template_invalid', 'vars.c'],
      [{ html: '<div style="display:grid">x</div>', vars: {}, example: {} }, 'template_invalid', 'html'],
      [{ html: '<!-- nothing -->', vars: {}, example: {} }, 'template_invalid', 'html'],
      [{ example: { title: 'x', bg: 'not a colour' } }, 'template_invalid', 'example.bg'],
      [{ vars: { title: { type: 'text' }, bg: { type: 'color', default: 'blue-ish' } } }, 'template_invalid', 'vars.bg.default'],
    ];
    for (const [change, code, path] of cases) {
      const res = await postJson('/api/v1/templates', { ...cardSource(), ...change }, bearer(account.apiKey));
      const problem = await expectProblem(res, 422, code);
      expect(
        problem.errors?.map((e) => e.path),
        JSON.stringify(change),
      ).toContain(path);
    }
    // request shape: 400 with paths; too big: 413
    const shape = await expectProblem(
      await postJson('/api/v1/templates', { ...cardSource(), width: 5000, vars: { '9bad': { type: 'text' } } }, bearer(account.apiKey)),
      400,
      'validation_failed',
    );
    expect(shape.errors?.map((e) => e.path)).toEqual(expect.arrayContaining(['width', 'vars.9bad']));
    await expectProblem(
      await postJson('/api/v1/templates', { ...cardSource(), html: 'x'.repeat(600 * 1024) }, bearer(account.apiKey)),
      413,
      'payload_too_large',
    );
    const list = await (await get('/api/v1/templates', bearer(account.apiKey))).json<{ data: Template[] }>();
    expect(list.data.every((t) => t.builtin)).toBe(true);
  });

  it('SVG shapes and a PNG data: URL in the markup render on both engines', async () => {
    const account = await signup();
    const red = Buffer.from(await (await fetch(`${env.TEST_IMAGE_ORIGIN}/logo.png`)).arrayBuffer()).toString('base64');
    const tpl = await create(account, {
      name: 'Shapes',
      width: 300,
      height: 200,
      html: `<div style="display:flex;width:100%;height:100%;background:#ffffff">
        <svg width="100" height="100" viewBox="0 0 10 10"><rect x="0" y="0" width="10" height="10" fill="{{fill}}"/></svg>
        <img src="data:image/png;base64,${red}" width="100" height="100">
      </div>`,
      vars: { fill: { type: 'color', default: '#16a34a' } },
    });
    for (const engine of ['takumi', 'satori'] as const) {
      const img = await pixels(await render(account, { template: tpl.id, engine, vars: {} }));
      expect(at(img, 50, 50), engine).toEqual([22, 163, 74]);
      // the picture's top-left half is red
      expect(at(img, 110, 10), engine).toEqual([220, 38, 38]);
    }
  });
});

describe('user templates: found in review', () => {
  it('a render an engine refuses with values other than the example is a 422 naming the template, never a 500', async () => {
    const account = await signup();
    // satori needs display:flex on a box with more than one child: with the badge there are two
    const tpl = await create(account, {
      name: 'Badge',
      width: 400,
      height: 200,
      html: '<div style="display:flex;width:100%;height:100%;background:#fff"><div style="display:block;font-size:32px">Hello<span data-if="badge">{{badge}}</span></div></div>',
      example: {},
    });
    const res = await generate({ template: tpl.id, engine: 'satori', vars: { badge: 'New' } }, bearer(account.apiKey));
    const problem = await expectProblem(res, 422, 'template_invalid');
    expect(problem.errors?.[0]?.path).toBe('template');
    expect(problem.detail).toContain(tpl.id);
  });

  it('font_family naming a family the template names too is another image than the template alone (its content address says which draws Inter)', async () => {
    const account = await signup();
    const data = Buffer.from(new Uint8Array(pacificoWoff)).toString('base64');
    expect((await postJson('/api/v1/fonts', { family: 'Brand', data }, bearer(account.apiKey))).status).toBe(201);
    const tpl = await create(account, cardSource(CARD.replace('{{font}}', "'Brand', Inter")));
    const vars = { title: 'Same vars', subtitle: 'Subtitle in the house font' };
    const alone = await render(account, { template: tpl.id, vars });
    const withHouse = await render(account, { template: tpl.id, font_family: 'Brand', vars });
    expect(withHouse.url).not.toBe(alone.url);
    expect(withHouse.cached).toBe(false);
    expect(differingShare(await pixels(alone), await pixels(withHouse))).toBeGreaterThan(0.005);
  });

  it('a PATCH of one side that takes the size past the pixel limit is refused', async () => {
    const account = await signup();
    const tpl = await create(account, { ...cardSource(), width: 2400, height: 1200 });
    const problem = await expectProblem(await patchJson(`/api/v1/templates/${tpl.id}`, { height: 2400 }, bearer(account.apiKey)), 422, 'template_invalid');
    expect(problem.errors?.map((e) => e.path)).toEqual(['width']);
  });

  it('an update checked against a version another update has replaced is refused (409), never applied on top of it', async () => {
    const account = await signup();
    const tpl = await create(account, cardSource());
    expect((await patchJson(`/api/v1/templates/${tpl.id}`, { width: 640 }, bearer(account.apiKey))).status).toBe(200);
    // what a second update, read at version 1 while the first was being checked, would write
    expect(await updateTemplate(env.DB, account.id, tpl.id, 1, { source: '{}' }, new Date().toISOString())).toBe('conflict');
    expect(await updateTemplate(env.DB, account.id, 'tpl_01JD5X1Q4ZB8R3W2K7T6YV9N0M', 1, { name: 'x' }, new Date().toISOString())).toBe('missing');
    const now = await (await get(`/api/v1/templates/${tpl.id}`, bearer(account.apiKey))).json<Template>();
    expect(now).toMatchObject({ version: 2, size: { width: 640, height: 315 } });
  });

  it("an image var's default is checked by the SSRF guard when the template is made", async () => {
    const account = await signup();
    const problem = await expectProblem(
      await postJson(
        '/api/v1/templates',
        { ...cardSource(), vars: { ...cardSource().vars, logo: { type: 'image', default: 'https://169.254.169.254/logo.png' } } },
        bearer(account.apiKey),
      ),
      422,
      'remote_image_blocked',
    );
    expect(problem.errors?.map((e) => e.path)).toEqual(['vars.logo.default']);
  });
});

describe('template preview', () => {
  it('draws unsaved markup with values and answers the image itself: TEST watermark, nothing stored, no quota', async () => {
    const account = await signup();
    const before = await unitsUsed(account.id);
    const rows = async () => (await env.DB.prepare('SELECT COUNT(*) AS n FROM renders WHERE account_id = ?1').bind(account.id).first<{ n: number }>())?.n;
    const stored = async () => (await env.OUTPUT.list({ prefix: 'img/' })).objects.length;
    const [rowsBefore, storedBefore] = [await rows(), await stored()];
    const res = await postJson('/api/v1/templates/preview', { ...cardSource(), values: { title: 'Previewed', bg: '#16a34a' } }, bearer(account.apiKey));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const img = decodePng(await res.arrayBuffer());
    expect([img.width, img.height]).toEqual([600, 315]);
    expect(at(img, 5, 5)).toEqual([22, 163, 74]);
    // the TEST watermark's red badge
    expect(share(img, [220, 38, 38])).toBeGreaterThan(0.002);
    expect(await rows()).toBe(rowsBefore);
    expect(await stored()).toBe(storedBefore);
    expect(await unitsUsed(account.id)).toBe(before);
    // the list has no template: nothing was kept
    const list = await (await get('/api/v1/templates', bearer(account.apiKey))).json<{ data: Template[] }>();
    expect(list.data.every((t) => t.builtin)).toBe(true);
  });

  it('WebP on request; the example when no values; the same checks as create and generate', async () => {
    const account = await signup();
    const webp = await postJson('/api/v1/templates/preview', { ...cardSource(), format: 'webp' }, bearer(account.apiKey));
    expect(webp.headers.get('content-type')).toBe('image/webp');
    expect(new TextDecoder().decode(new Uint8Array(await webp.arrayBuffer()).subarray(8, 12))).toBe('WEBP');
    await expectProblem(
      await postJson('/api/v1/templates/preview', { ...cardSource(), html: '<table></table>' }, bearer(account.apiKey)),
      422,
      'template_invalid',
    );
    const bad = await expectProblem(
      await postJson('/api/v1/templates/preview', { ...cardSource(), values: { title: 'x', bg: 'nope' } }, bearer(account.apiKey)),
      400,
      'validation_failed',
    );
    expect(bad.errors?.map((e) => e.path)).toEqual(['values.bg']);
    const blocked = await expectProblem(
      await postJson('/api/v1/templates/preview', { ...cardSource(), values: { title: 'x', logo: 'https://10.0.0.1/logo.png' } }, bearer(account.apiKey)),
      422,
      'remote_image_blocked',
    );
    expect(blocked.errors?.map((e) => e.path)).toEqual(['values.logo']);
  });

  it('an Idempotency-Key on a preview runs it again rather than replaying an image kept as text', async () => {
    const account = await signup();
    const headers = { ...bearer(account.apiKey), 'Idempotency-Key': crypto.randomUUID() };
    for (let i = 0; i < 2; i++) {
      const res = await postJson('/api/v1/templates/preview', cardSource(), headers);
      expect(res.status).toBe(200);
      expect(res.headers.get('idempotent-replayed')).toBeNull();
      expect(decodePng(await res.arrayBuffer()).width).toBe(600);
    }
  });
});

/** Hands the Worker's queue handler one render job, as the Queue would. */
async function runJob(renderId: string): Promise<void> {
  const message = {
    id: `msg-${renderId}`,
    timestamp: new Date(),
    attempts: 1,
    body: { renderId },
    ack: () => {},
    retry: () => {},
  } satisfies Message<RenderJobMessage>;
  await worker.queue(
    { queue: 'picstream-render-jobs', messages: [message], ackAll: () => {}, retryAll: () => {} } as unknown as MessageBatch<RenderJobMessage>,
    env,
  );
}

async function poll(account: TestAccount, id: string): Promise<Render> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const body = await (await get(`/api/v1/renders/${id}`, bearer(account.apiKey))).json<Render>();
    if (body.status !== 'pending' && body.status !== 'running') return body;
    if (Date.now() > deadline) return body;
    await new Promise((r) => setTimeout(r, 100));
  }
}
