/**
 * The template lint (issue 18's "Template preflight"): a report of what would go wrong with these
 * vars — text that overflows or is clamped (which var, by how much), characters no font draws,
 * images that fail — for a built-in template, the account's own, or a source being edited, with
 * nothing stored. Real D1, R2 and the FONTS bucket; remote images from the local image server.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { LintReport } from '../../src/renders/lint/index';
import { bearer, expectProblem, postJson, signup, type TestAccount } from '../helpers/api';
import { renderCount } from '../helpers/db';

const LONG_TITLE =
  'A remarkably long headline that keeps going well past the point where any sensible editor would have stopped it, to prove that wrapping and clamping hold up';

let account: TestAccount | undefined;
async function lint(body: unknown): Promise<{ status: number; report: LintReport }> {
  account ??= await signup();
  const res = await postJson('/api/v1/templates/lint', body, bearer(account.apiKey));
  const text = await res.text();
  expect(res.headers.get('content-type'), text).toMatch(/^application\/json/);
  return { status: res.status, report: JSON.parse(text) as LintReport };
}

const errors = (r: LintReport) => r.issues.filter((i) => i.severity === 'error');

async function objectCount(bucket: R2Bucket): Promise<number> {
  let n = 0;
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ limit: 1000, ...(cursor ? { cursor } : {}) });
    n += page.objects.length;
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return n;
}

describe('POST /api/v1/templates/lint', () => {
  it('a clean template: ok, no errors, and what was checked', async () => {
    const { status, report } = await lint({ template: 'og-card', vars: { title: 'Hello World', site: 'picstream.dev' } });
    expect(status).toBe(200);
    expect(report.ok).toBe(true);
    expect(errors(report)).toEqual([]);
    expect(report.issues.filter((i) => i.path.startsWith('vars.'))).toEqual([]);
    expect(report.checked).toEqual({ template: 'og-card', engine: 'takumi', width: 1200, height: 630 });
  });

  it('a too-long title: clamped, naming vars.title and how much is hidden', async () => {
    const { report } = await lint({ template: 'og-card', vars: { title: LONG_TITLE } });
    const clamp = report.issues.find((i) => i.code === 'text_clamped');
    expect(clamp, JSON.stringify(report)).toMatchObject({ path: 'vars.title', var: 'title', severity: 'warning', lines: 3 });
    // five lines at 68 px × 1.12 line height: two hidden, ~152 px
    expect(clamp?.lines_hidden).toBe(2);
    expect(clamp?.overflow_px).toBeGreaterThan(140);
    expect(clamp?.overflow_px).toBeLessThan(165);
    expect(clamp?.message).toContain('vars.title');
  });

  it('a title that fits is not reported', async () => {
    const { report } = await lint({ template: 'og-card', vars: { title: 'Three words fit' } });
    expect(report.issues.filter((i) => i.code === 'text_clamped' || i.code === 'text_overflow')).toEqual([]);
  });

  it('a title in a script no font covers: tofu, with the characters and the script', async () => {
    const { report } = await lint({ template: 'og-card', vars: { title: 'ሰላም ዓለም', subtitle: 'Hello' } });
    expect(report.ok).toBe(false);
    const tofu = report.issues.find((i) => i.code === 'tofu');
    expect(tofu, JSON.stringify(report)).toMatchObject({ path: 'vars.title', var: 'title', severity: 'error', scripts: ['Ethiopic'] });
    expect(tofu?.chars).toContain('U+1230 ሰ');
    expect(report.issues.filter((i) => i.code === 'tofu' && i.path !== 'vars.title')).toEqual([]);
  });

  it('a script the fallback fonts do cover (Japanese, Arabic) is not tofu', async () => {
    const { report } = await lint({ template: 'og-card', vars: { title: 'こんにちは世界', subtitle: 'مرحبا بالعالم' } });
    expect(report.issues.filter((i) => i.code === 'tofu')).toEqual([]);
  });

  it('a logo on a host that is down: image_unreachable at vars.logo with its URL', async () => {
    const url = 'http://localhost:1/logo.png';
    const { report } = await lint({ template: 'og-card', vars: { title: 'Hello', logo: url } });
    expect(report.ok).toBe(false);
    expect(
      report.issues.find((i) => i.path === 'vars.logo'),
      JSON.stringify(report),
    ).toMatchObject({ code: 'image_unreachable', severity: 'error', var: 'logo', url });
  });

  it('a logo that is not an image, one that answers 404, one the guard blocks, and one that works', async () => {
    const origin = env.TEST_IMAGE_ORIGIN;
    const cases: [string, string | undefined][] = [
      [`${origin}/corrupt.png`, 'image_invalid'],
      [`${origin}/missing.png`, 'image_unreachable'],
      ['https://169.254.169.254/latest/meta-data.png', 'image_blocked'],
      [`${origin}/logo.png`, undefined],
    ];
    for (const [url, code] of cases) {
      const { report } = await lint({ template: 'og-card', vars: { title: 'Hello', logo: url } });
      const issue = report.issues.find((i) => i.path === 'vars.logo');
      if (code) expect(issue, `${url}: ${JSON.stringify(report)}`).toMatchObject({ code, url });
      else expect(issue, url).toBeUndefined();
    }
  });

  it('bad vars become issues at vars.<name>, and the rest is still checked', async () => {
    const { status, report } = await lint({ template: 'og-card', vars: { title: LONG_TITLE, theme: 'neon', logo: 'ftp://example.com/x.png' } });
    expect(status).toBe(200);
    expect(report.ok).toBe(false);
    const paths = report.issues.filter((i) => i.code === 'vars_invalid').map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['vars.theme', 'vars.logo']));
    expect(report.issues.some((i) => i.code === 'text_clamped' && i.path === 'vars.title')).toBe(true);
  });

  it('an unknown template and a PDF template are issues, not errors', async () => {
    const unknown = await lint({ template: 'no-such-template', vars: {} });
    expect(unknown.status).toBe(200);
    expect(unknown.report).toMatchObject({ ok: false, issues: [{ path: 'template', code: 'template_not_found', severity: 'error' }] });
    const other = await lint({ template: 'tpl_01JD5X1Q4ZB8R3W2K7T6YV9N0M', vars: {} });
    expect(other.report.issues[0]).toMatchObject({ path: 'template', code: 'template_not_found' });
    const pdf = await lint({ template: 'invoice', vars: {} });
    expect(pdf.report.issues[0]).toMatchObject({ path: 'template', code: 'template_kind_mismatch' });
  });

  describe('the source form (as preview takes it)', () => {
    const source = {
      width: 600,
      height: 200,
      html: '<div style="display:flex;flex-direction:column;width:100%;height:100%;padding:24px;background:#111827;color:#ffffff"><h1 style="font-size:40px;margin:0;white-space:nowrap">{{title}}</h1><p style="font-size:20px;display:grid">By {{author}}</p></div>',
      vars: { title: { type: 'text', required: true }, author: { type: 'text' } },
      example: { title: 'Short', author: 'Ada' },
    };

    it('the example by default: clean apart from the CSS satori ignores', async () => {
      const { status, report } = await lint(source);
      expect(status).toBe(200);
      expect(report.ok, JSON.stringify(report)).toBe(true);
      expect(report.checked).toMatchObject({ template: 'source', width: 600, height: 200 });
      expect(report.issues).toEqual([
        expect.objectContaining({ code: 'css_unsupported', path: 'html', property: 'display', value: 'grid', engines: ['satori'] }),
      ]);
    });

    it('values that overflow: a nowrap title past the edge of the image, at values.title', async () => {
      const { report } = await lint({ ...source, values: { title: 'A title far too long to stay on one line of six hundred pixels', author: 'Ada' } });
      const overflow = report.issues.find((i) => i.code === 'text_overflow');
      expect(overflow, JSON.stringify(report)).toMatchObject({ path: 'values.title', var: 'title', severity: 'error' });
      expect(overflow?.overflow_px).toBeGreaterThan(100);
    });

    it('text mixed with a var is named by the var ("By {{author}}")', async () => {
      const { report } = await lint({ ...source, values: { title: 'Hi', author: 'ሰላም' } });
      expect(report.issues.find((i) => i.code === 'tofu')).toMatchObject({ path: 'values.author', var: 'author' });
    });

    it('markup that does not compile: template_invalid at html, as a report', async () => {
      const { status, report } = await lint({ ...source, html: '<div style="display:flex"><script>alert(1)</script></div>' });
      expect(status).toBe(200);
      expect(report.ok).toBe(false);
      expect(report.issues[0]).toMatchObject({ path: 'html', code: 'template_invalid', severity: 'error' });
    });
  });

  it("an account's own template by id", async () => {
    account ??= await signup();
    const made = await postJson(
      '/api/v1/templates',
      {
        name: 'Lint me',
        width: 400,
        height: 120,
        html: '<div style="display:flex;width:100%;height:100%;font-size:48px">{{title}}</div>',
        vars: { title: { type: 'text' } },
        example: { title: 'Hi' },
      },
      bearer(account.apiKey),
    );
    expect(made.status).toBe(201);
    const { id } = (await made.json()) as { id: string };
    const { report } = await lint({ template: id, vars: { title: 'ሰላም' } });
    expect(report.checked?.template).toBe(id);
    expect(report.issues.find((i) => i.code === 'tofu')).toMatchObject({ path: 'vars.title' });
  });

  it('stores nothing: no render rows, no R2 objects (outputs, image cache)', async () => {
    account ??= await signup();
    const rows = await renderCount(account.id);
    const objects = await objectCount(env.OUTPUT);
    await lint({ template: 'og-card', vars: { title: LONG_TITLE, logo: `${env.TEST_IMAGE_ORIGIN}/logo.png?lint-stores-nothing` } });
    await lint({ width: 300, height: 100, html: '<div style="display:flex">{{title}}</div>', values: { title: 'x' } });
    expect(await renderCount(account.id)).toBe(rows);
    expect(await objectCount(env.OUTPUT)).toBe(objects);
  });

  it('a malformed body is a 400 problem naming the field', async () => {
    account ??= await signup();
    const key = bearer(account.apiKey);
    const both = await expectProblem(
      await postJson('/api/v1/templates/lint', { template: 'og-card', html: '<div></div>', width: 100, height: 100 }, key),
      400,
      'validation_failed',
    );
    expect(both.errors?.[0]?.path).toBe('html');
    const neither = await expectProblem(await postJson('/api/v1/templates/lint', { vars: {} }, key), 400, 'validation_failed');
    expect(neither.errors?.[0]?.path).toBe('template');
    const sized = await expectProblem(await postJson('/api/v1/templates/lint', { html: '<div></div>' }, key), 400, 'validation_failed');
    expect(sized.errors?.map((e) => e.path)).toEqual(['width', 'height']);
    await expectProblem(await postJson('/api/v1/templates/lint', { template: 'og-card', bogus: 1 }, key), 400, 'validation_failed');
    await expectProblem(await postJson('/api/v1/templates/lint', '{"template":', key), 400, 'malformed_json');
  });
});
