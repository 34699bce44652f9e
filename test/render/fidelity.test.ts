/**
 * Engine fidelity: every built-in template, rendered by takumi and by satori+resvg, must come out
 * the same size and the same picture, up to what the two engines legitimately do differently.
 *
 * Cases: each template's example and every case in templates/<id>.preview.json (minimal, longest
 * text, each theme, edge cases). Image vars given there as "fixture:…" are dropped — they are
 * optional, and inside the vitest pool takumi draws no images (test/e2e checks that in workerd).
 *
 * Two measures, each with a control case below that it must catch:
 * - visibleShare: pixels of one image with no counterpart in the other within ±4 px horizontally
 *   and ±1 px vertically whose channels are all within 48/255. The tolerance absorbs what differs
 *   legitimately: sub-pixel glyph placement, and satori setting text ≈ 0.5 % wider (it does not
 *   apply Inter's GPOS kerning), which drifts the end of a long line by a few pixels. Built-in
 *   cases score ≤ 0.7 %; where a line fits by less than that 0.5 %, the engines wrap one word
 *   differently (blog-post "wide-avatar": 1.75 %; both renders are correct). Broken output scores
 *   more: a missing subtitle 3.2 %, a lineClamp that fails to clamp 10 %. Threshold: 2.5 %.
 * - blockDelta: mean colour difference of 40×40 blocks — blind to glyph drift, sensitive to
 *   wrong fills, gradients and themes. Built-in cases score ≤ 1.5, a one-word rewrap 4.4; a wrong
 *   theme scores ≈ 70. Threshold: 6.
 */
import { describe, expect, it } from 'vitest';
import { satoriEngine } from '../../src/render/engines/satori';
import { takumiEngine } from '../../src/render/engines/takumi';
import type { TemplateElement } from '../../src/render/jsx';
import { TEMPLATES } from '../../templates/index';
import { colourCount, decodePng } from '../helpers/api';

const MAX_VISIBLE_SHARE = 0.025;
const MAX_BLOCK_DELTA = 6;
const VISIBLE_DELTA = 48;
const SHIFT_X = 4;
const SHIFT_Y = 1;

type Vars = Record<string, unknown>;

const PREVIEW_CASES = import.meta.glob<Record<string, Vars>>('../../templates/*.preview.json', { eager: true, import: 'default' });

function casesFor(id: string): [string, Vars][] {
  const cases: [string, Vars][] = [['example', TEMPLATES.get(id)?.example as Vars]];
  for (const [name, vars] of Object.entries(PREVIEW_CASES[`../../templates/${id}.preview.json`] ?? {})) {
    cases.push([name, Object.fromEntries(Object.entries(vars).filter(([, v]) => !(typeof v === 'string' && v.startsWith('fixture:'))))]);
  }
  return cases;
}

function close(a: Uint8Array, i: number, b: Uint8Array, j: number): boolean {
  return (
    Math.abs((a[i] as number) - (b[j] as number)) <= VISIBLE_DELTA &&
    Math.abs((a[i + 1] as number) - (b[j + 1] as number)) <= VISIBLE_DELTA &&
    Math.abs((a[i + 2] as number) - (b[j + 2] as number)) <= VISIBLE_DELTA
  );
}

function visibleShare(a: Uint8Array, b: Uint8Array, width: number, height: number): number {
  let visible = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      if (close(a, i, b, i)) continue;
      let matched = false;
      for (let dy = -SHIFT_Y; dy <= SHIFT_Y && !matched; dy++) {
        for (let dx = -SHIFT_X; dx <= SHIFT_X && !matched; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx >= 0 && ny >= 0 && nx < width && ny < height) matched = close(a, i, b, (ny * width + nx) * 4);
        }
      }
      if (!matched) visible++;
    }
  }
  return visible / (width * height);
}

function blockDelta(a: Uint8Array, b: Uint8Array, width: number, height: number): number {
  const SIZE = 40;
  let total = 0;
  let blocks = 0;
  for (let by = 0; by < height; by += SIZE) {
    for (let bx = 0; bx < width; bx += SIZE) {
      const sums = [0, 0, 0];
      let n = 0;
      for (let y = by; y < Math.min(by + SIZE, height); y++) {
        for (let x = bx; x < Math.min(bx + SIZE, width); x++) {
          const i = (y * width + x) * 4;
          for (let c = 0; c < 3; c++) sums[c] = (sums[c] as number) + (a[i + c] as number) - (b[i + c] as number);
          n++;
        }
      }
      total += sums.reduce((s, v) => s + Math.abs(v), 0) / (3 * n);
      blocks++;
    }
  }
  return total / blocks;
}

type Image = { width: number; height: number; data: Uint8Array };

function compare(a: Image, b: Image) {
  return { visibleShare: visibleShare(a.data, b.data, a.width, a.height), blockDelta: blockDelta(a.data, b.data, a.width, a.height) };
}

function tree(templateId: string, vars: Vars): TemplateElement {
  const template = TEMPLATES.get(templateId);
  if (!template) throw new Error(templateId);
  return template.render(template.vars.parse(vars) as never, template.size);
}

async function render(engine: typeof takumiEngine, element: TemplateElement): Promise<Image> {
  return decodePng((await engine.render({ element, width: 1200, height: 630, scale: 1, format: 'png' })).bytes);
}

describe('engine fidelity', () => {
  for (const template of TEMPLATES.values()) {
    it.each(casesFor(template.id))(`${template.id} (%s): takumi and satori agree`, async (name, vars) => {
      const element = tree(template.id, vars);
      const [a, b] = await Promise.all([render(takumiEngine, element), render(satoriEngine, element)]);
      expect([a.width, a.height]).toEqual([template.size.width, template.size.height]);
      expect([b.width, b.height]).toEqual([template.size.width, template.size.height]);
      expect(colourCount(a)).toBeGreaterThan(20);
      expect(colourCount(b)).toBeGreaterThan(20);
      const diff = compare(a, b);
      console.log(template.id, name, JSON.stringify(diff));
      expect(diff.visibleShare).toBeLessThan(MAX_VISIBLE_SHARE);
      expect(diff.blockDelta).toBeLessThan(MAX_BLOCK_DELTA);
    });
  }

  describe('controls: what the measures exist to catch', () => {
    const card = { title: 'Ship images at the edge', subtitle: 'Templates in, PNGs out, in tens of milliseconds.', site: 'picstream.dev' };

    it('a missing element (the subtitle) fails visibleShare', async () => {
      const a = await render(takumiEngine, tree('og-card', card));
      const b = await render(satoriEngine, tree('og-card', { ...card, subtitle: undefined }));
      const diff = compare(a, b);
      console.log('missing-element control', JSON.stringify(diff));
      expect(diff.visibleShare).toBeGreaterThan(MAX_VISIBLE_SHARE);
    });

    it('text that escapes its clamp fails visibleShare', async () => {
      const title = 'A remarkably long headline that keeps going well past the point where any editor would stop it, and on';
      const a = await render(takumiEngine, tree('og-card', { title }));
      // the same tree with lineClamp removed: what a broken clamp would draw
      const unclamp = (node: unknown): unknown => {
        if (!node || typeof node !== 'object') return node;
        const el = node as TemplateElement;
        const { lineClamp: _dropped, ...style } = el.props.style ?? {};
        const kids = el.props.children;
        return { ...el, props: { ...el.props, style, children: Array.isArray(kids) ? kids.map(unclamp) : unclamp(kids) } };
      };
      const b = await render(satoriEngine, unclamp(tree('og-card', { title })) as TemplateElement);
      const diff = compare(a, b);
      console.log('unclamped control', JSON.stringify(diff));
      expect(diff.visibleShare).toBeGreaterThan(MAX_VISIBLE_SHARE);
    });

    it('wrong colours (another theme) fail blockDelta', async () => {
      const a = await render(takumiEngine, tree('og-card', { ...card, theme: 'dark' }));
      const b = await render(satoriEngine, tree('og-card', { ...card, theme: 'ocean' }));
      const diff = compare(a, b);
      console.log('wrong-theme control', JSON.stringify(diff));
      expect(diff.blockDelta).toBeGreaterThan(MAX_BLOCK_DELTA);
    });
  });
});
