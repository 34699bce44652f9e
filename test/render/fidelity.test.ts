/**
 * Engine fidelity: every built-in template, rendered by takumi and by satori+resvg, must come out
 * the same size and nearly the same picture.
 *
 * Metric: the share of pixels of one image that have no pixel within one pixel's distance in the
 * other whose channels are all within 48 (of 255) — pixels a person would see as different even
 * allowing for sub-pixel glyph placement — and the mean absolute channel difference.
 *
 * Why 2 %: the engines place glyphs up to a pixel apart and satori sets text ~0.5 % wider, so the
 * ends of long lines drift a few pixels; on the built-in examples this scores 0.3–1.2 % (the
 * text-heaviest cards highest), all of it along glyph edges (looked at as a diff image). A real
 * divergence scores more: one word that reflows a title scores ≈ 3 % (the control case below).
 * Why a mean of 8: the same drift plus slightly different gradient rasterising gives 1.4–5.1;
 * a wrong theme (colours everywhere) scores far above it (control below).
 */
import { describe, expect, it } from 'vitest';
import { satoriEngine } from '../../src/render/engines/satori';
import { takumiEngine } from '../../src/render/engines/takumi';
import { TEMPLATES } from '../../templates/index';
import { colourCount, decodePng } from '../helpers/api';

const MAX_VISIBLE_SHARE = 0.02;
const MAX_MEAN_DELTA = 8;

const VISIBLE_DELTA = 48;

function close(a: Uint8Array, i: number, b: Uint8Array, j: number): boolean {
  return (
    Math.abs((a[i] as number) - (b[j] as number)) <= VISIBLE_DELTA &&
    Math.abs((a[i + 1] as number) - (b[j + 1] as number)) <= VISIBLE_DELTA &&
    Math.abs((a[i + 2] as number) - (b[j + 2] as number)) <= VISIBLE_DELTA
  );
}

/** Share of visibly different pixels (with a one-pixel tolerance) and mean channel difference. */
function compare(a: Uint8Array, b: Uint8Array, width: number, height: number) {
  let visible = 0;
  let sum = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      for (let c = 0; c < 3; c++) sum += Math.abs((a[i + c] as number) - (b[i + c] as number));
      if (close(a, i, b, i)) continue;
      let matched = false;
      for (let dy = -1; dy <= 1 && !matched; dy++) {
        for (let dx = -1; dx <= 1 && !matched; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx >= 0 && ny >= 0 && nx < width && ny < height) matched = close(a, i, b, (ny * width + nx) * 4);
        }
      }
      if (!matched) visible++;
    }
  }
  return { visibleShare: visible / (width * height), meanDelta: sum / (width * height * 3) };
}

async function renderBoth(templateId: string, rawVars: unknown) {
  const template = TEMPLATES.get(templateId);
  if (!template) throw new Error(templateId);
  const element = template.render(template.vars.parse(rawVars) as never, template.size);
  const request = { element, ...template.size, scale: 1, format: 'png' as const };
  const [t, s] = await Promise.all([takumiEngine.render(request), satoriEngine.render(request)]);
  return { takumi: decodePng(t.bytes), satori: decodePng(s.bytes), template };
}

describe('engine fidelity', () => {
  it('the metric sees a wrong theme', async () => {
    const { takumi: a } = await renderBoth('og-card', { title: 'Same words', theme: 'dark' });
    const { satori: b } = await renderBoth('og-card', { title: 'Same words', theme: 'ocean' });
    const diff = compare(a.data, b.data, a.width, a.height);
    expect(diff.meanDelta).toBeGreaterThan(MAX_MEAN_DELTA);
  });

  it('the metric has teeth: a one-word change that reflows the title fails it', async () => {
    const { takumi: a } = await renderBoth('og-card', { title: 'Ship images at the edge with templates' });
    const { takumi: b } = await renderBoth('og-card', { title: 'Ship all of your images at the edge with templates' });
    const diff = compare(a.data, b.data, a.width, a.height);
    console.log('reflow control', JSON.stringify(diff));
    expect(diff.visibleShare).toBeGreaterThan(MAX_VISIBLE_SHARE);
  });

  for (const template of TEMPLATES.values()) {
    it(`${template.id}: takumi and satori agree`, async () => {
      const { takumi: a, satori: b } = await renderBoth(template.id, template.example);
      expect([a.width, a.height]).toEqual([template.size.width, template.size.height]);
      expect([b.width, b.height]).toEqual([template.size.width, template.size.height]);
      expect(colourCount(a)).toBeGreaterThan(20);
      expect(colourCount(b)).toBeGreaterThan(20);
      const diff = compare(a.data, b.data, a.width, a.height);
      console.log(template.id, JSON.stringify(diff));
      expect(diff.visibleShare).toBeLessThan(MAX_VISIBLE_SHARE);
      expect(diff.meanDelta).toBeLessThan(MAX_MEAN_DELTA);
    });
  }
});
