/**
 * The job builder, without I/O: each check a new image request meets (in the order the routes
 * answer them), the content address, and the queued path — a job rebuilt from recorded faces is
 * the job the request built, address and all.
 */
import { describe, expect, it } from 'vitest';
import { config } from '../../src/config';
import type { FontFace } from '../../src/fonts/custom';
import { type BuildContext, buildImageJob, checkVars, type ImageJobRequest, prepareImage, RENDER_PIPELINE } from '../../src/renders/build-job';
import { onlyTemplate, type ResolvedImageTemplate } from '../../src/renders/resolve';
import { compileTemplate } from '../../src/user-templates/compile';
import { TEMPLATES } from '../../templates/index';
import { problemOf } from '../helpers/problems';

const policy = config({}).remoteImages;
const og = (): ResolvedImageTemplate => ({ template: TEMPLATES.get('og-card') as NonNullable<ReturnType<typeof TEMPLATES.get>>, version: 1 });
const face = (id: string, family: string): FontFace => ({ id, account_id: 'acc_1', family, weight: 400, style: 'normal', sha256: `sha-${id}`, bytes: 1000 });
const context = (faces: Record<string, FontFace[]> = {}): BuildContext & { looked: string[] } => {
  const looked: string[] = [];
  return {
    looked,
    policy,
    defaultEngine: undefined,
    fonts: {
      lookup: async (family) => {
        looked.push(family);
        return faces[family.toLowerCase()] ?? [];
      },
    },
  };
};
const request = (over: Partial<ImageJobRequest> = {}): ImageJobRequest => ({ vars: { title: 'Hello' }, format: 'png', scale: 1, ...over });

describe('a new request', () => {
  it('validated vars with defaults, the template size, the default engine, and a content address', async () => {
    const { job, varsJson, cacheKey, objectKey } = await buildImageJob(og(), request(), context());
    expect(job).toMatchObject({
      engine: 'takumi',
      format: 'png',
      width: 1200,
      height: 630,
      scale: 1,
      watermark: false,
      vars: { title: 'Hello', theme: 'dark' },
    });
    expect(job.fonts).toBeUndefined();
    expect(varsJson).toBe('{"theme":"dark","title":"Hello"}');
    expect(cacheKey).toMatch(/^[0-9a-f]{40}$/);
    expect(objectKey).toBe(`img/${cacheKey}.png`);
    expect(RENDER_PIPELINE).toBe('p2');
  });

  it.each([
    ['the same request', {}, true],
    ['vars in another order, defaults spelled out', { vars: { theme: 'dark', title: 'Hello' } }, true],
    ['another format', { format: 'webp' as const }, false],
    ['another engine', { engine: 'satori' as const }, false],
    ['a test key', { watermark: true }, false],
    ['another scale', { scale: 2 }, false],
  ])('%s: same address %s', async (_name, over, same) => {
    const a = await buildImageJob(og(), request(), context());
    const b = await buildImageJob(og(), request(over), context());
    expect(a.cacheKey === b.cacheKey).toBe(same);
  });

  it('SVG is drawn by satori; an engine named is kept', async () => {
    expect((await buildImageJob(og(), request({ format: 'svg' }), context())).job.engine).toBe('satori');
    expect((await buildImageJob(og(), request({ engine: 'satori' }), context())).job.engine).toBe('satori');
    expect((await buildImageJob(og(), request(), { ...context(), defaultEngine: 'satori' })).job.engine).toBe('satori');
  });

  it.each([
    [
      'vars that do not fit',
      request({ vars: { title: '' } }),
      { code: 'validation_failed', detail: 'vars do not match template "og-card"', errors: [{ path: 'vars.title', message: expect.any(String) }] },
    ],
    [
      'a preview’s values',
      request({ vars: {}, varsPath: 'values' }),
      { code: 'validation_failed', detail: 'values do not match template "og-card"', errors: [{ path: 'values.title', message: expect.any(String) }] },
    ],
    [
      'SVG from takumi',
      request({ engine: 'takumi', format: 'svg' }),
      {
        code: 'engine_format_unsupported',
        detail: 'Engine "takumi" cannot write svg; use engine "satori" or omit engine.',
        errors: [{ path: 'engine', message: 'does not support format svg' }],
      },
    ],
    [
      'right-to-left text for satori',
      request({ engine: 'satori', vars: { title: 'שלום עולם' } }),
      {
        code: 'engine_script_unsupported',
        detail: expect.stringContaining('vars.title holds'),
        errors: [{ path: 'vars.title', message: 'right-to-left or Indic text: use engine "takumi"' }],
      },
    ],
    [
      'more pixels than an output may have',
      request({ scale: 4 }),
      {
        code: 'image_too_large',
        detail: expect.stringContaining('the limit is 4200000'),
        errors: [{ path: 'width', message: 'width×height×scale² exceeds 4,200,000 pixels' }],
      },
    ],
    [
      'a blocked image URL',
      request({ vars: { title: 'x', logo: 'http://127.0.0.1/logo.png' } }),
      { code: 'remote_image_blocked', detail: expect.stringMatching(/^vars\.logo: /), errors: [{ path: 'vars.logo', message: expect.any(String) }] },
    ],
    [
      'a font family the caller has not uploaded',
      request({ font_family: 'Brand' }),
      {
        code: 'font_family_unknown',
        detail: 'font_family: no uploaded font family "Brand" (GET /api/v1/fonts lists yours)',
        errors: [{ path: 'font_family', message: 'no uploaded font has this family name' }],
      },
    ],
  ])('%s is refused', async (_name, req, problem) => {
    expect(await problemOf(() => buildImageJob(og(), req, context()))).toEqual(problem);
  });

  it('vars are checked before the engine, the URLs after the size (the order the routes answer in)', async () => {
    const both = request({ engine: 'takumi', format: 'svg', vars: { title: '' } });
    expect((await problemOf(() => buildImageJob(og(), both, context()))).code).toBe('validation_failed');
    const late = request({ scale: 4, vars: { title: 'x', logo: 'http://127.0.0.1/logo.png' } });
    expect((await problemOf(() => buildImageJob(og(), late, context()))).code).toBe('image_too_large');
  });

  it('a user template’s families are looked up, and the faces named in the address', async () => {
    const definition = compileTemplate(
      { id: 'tpl_01JD5X1Q4ZB8R3W2K7T6YV9N0M', version: 2, name: 'Mine', description: '' },
      { width: 400, height: 200, html: '<div style="font-family:Brand">{{title}}</div>', vars: {} },
    );
    const ctx = context({ brand: [face('fnt_1', 'Brand')] });
    const prepared = await prepareImage({ template: definition.id, ...request() }, { ...ctx, templates: onlyTemplate(definition) });
    expect(ctx.looked).toEqual(['Brand']);
    expect(prepared.job.fonts?.map((f) => f.id)).toEqual(['fnt_1']);
    const missing = await problemOf(() => prepareImage({ template: definition.id, ...request() }, { ...context(), templates: onlyTemplate(definition) }));
    expect(missing).toMatchObject({ code: 'font_family_unknown', errors: [{ path: 'template', message: 'no uploaded font has the family "Brand"' }] });
  });
});

describe('a queued render, rebuilt from its record', () => {
  it('draws the faces it recorded, looks nothing up, and has the address the request had', async () => {
    const brand = [face('fnt_1', 'Brand'), face('fnt_2', 'Brand')];
    const asked = await buildImageJob(og(), request({ font_family: 'Brand' }), context({ brand }));
    const recorded = await buildImageJob(
      og(),
      {
        vars: asked.job.vars,
        format: asked.job.format,
        engine: asked.job.engine,
        width: asked.job.width,
        height: asked.job.height,
        scale: asked.job.scale,
        font_family: 'Brand',
      },
      { policy, defaultEngine: 'satori', fonts: { recorded: brand } },
    );
    expect(recorded.job).toEqual(asked.job);
    expect(recorded.cacheKey).toBe(asked.cacheKey);
    const none = await buildImageJob(og(), request(), { policy, defaultEngine: undefined, fonts: { recorded: undefined } });
    expect(none.job.fonts).toBeUndefined();
  });
});

describe('checkVars (PDF sections)', () => {
  it('names fields under the section’s path and the detail by the plain word', async () => {
    const template = og().template;
    expect(await problemOf(() => checkVars(template, {}, { path: 'pages.2.vars', label: 'vars' }, policy))).toEqual({
      code: 'validation_failed',
      detail: 'vars do not match template "og-card"',
      errors: [{ path: 'pages.2.vars.title', message: expect.any(String) }],
    });
    const { urls } = checkVars(template, { title: 'x', logo: 'https://example.com/a.png' }, { path: 'vars', label: 'vars' }, policy);
    expect([...urls]).toEqual(['https://example.com/a.png']);
  });
});
