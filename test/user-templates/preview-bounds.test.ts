/**
 * Issue 15, findings 1 and 4 through the door an attacker with a free account uses: POST
 * /api/v1/templates/preview with a test key. A template with huge sizes in em, vw, in, upper-case
 * PX, nested em and a huge shadow blur is drawn at a bounded cost (a 200 with the picture at the
 * canvas size); a length the compiler cannot read there is a 422 naming it; 250 KB of the
 * backtracking shapes are a 422 (on the code before, the request never came back).
 */
import { describe, expect, it } from 'vitest';
import { bearer, decodePng, expectProblem, postJson, signup } from '../helpers/api';

const source = (html: string) => ({ width: 400, height: 200, html, vars: {} });

describe('preview: sizes in every unit are bounded, adversarial markup is refused', () => {
  it('font-size 100em nested, a 500vw svg, 50PX, a 1000em shadow blur: 200 image/png at the canvas size', async () => {
    const account = await signup();
    const nested = `${'<div style="font-size:10em">'.repeat(6)}W${'</div>'.repeat(6)}`;
    const html = `<div style="display:flex;flex-direction:column;background:#fff;box-shadow:0 0 1000em #000">
      <div style="font-size:100em">A</div>
      <div style="font-size:50PX;border:100em solid #000">B</div>
      ${nested}
      <svg width="500vw" height="100in" viewBox="0 0 10 10"><rect width="10" height="10" fill="#0f0"/></svg>
      <svg style="width:100000%;flex-grow:1" viewBox="0 0 10 10"><rect width="10" height="10" fill="#00f"/></svg>
    </div>`;
    const res = await postJson('/api/v1/templates/preview', source(html), bearer(account.testKey));
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const img = decodePng(await res.arrayBuffer());
    expect([img.width, img.height]).toEqual([400, 200]);
  });

  it('calc() in font-size is a 422 template_invalid naming the property', async () => {
    const account = await signup();
    const problem = await expectProblem(
      await postJson('/api/v1/templates/preview', source('<div style="font-size:calc(100vw * 100)">x</div>'), bearer(account.testKey)),
      422,
      'template_invalid',
    );
    expect(problem.errors).toEqual([{ path: 'html', message: expect.stringContaining('fontSize "calc(100vw * 100)" must be a length') }]);
  });

  it.each([
    ['an unclosed url( and 250 KB of spaces', `<div style="background:url(${' '.repeat(250 * 1024)}x">x</div>`],
    ['data-if="{{" and 250 KB of spaces', `<div data-if="{{${' '.repeat(250 * 1024)}x">x</div>`],
  ])('%s: a 422 template_invalid', async (_name, html) => {
    const account = await signup();
    const problem = await expectProblem(await postJson('/api/v1/templates/preview', source(html), bearer(account.testKey)), 422, 'template_invalid');
    expect(problem.errors?.map((e) => e.path)).toEqual(['html']);
  });
});
