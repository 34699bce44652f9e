/**
 * satori → SVG → resvg (WASM) → PNG. The design's reference engine and the only source of SVG
 * output. satori lays out with yoga (WASM) and writes an SVG with text as paths; resvg rasterises it.
 */
import { initWasm as initResvg, Resvg } from '@resvg/resvg-wasm';
import resvgWasm from '@resvg/resvg-wasm/index_bg.wasm';
import satori, { init as initSatori } from 'satori/wasm';
import type { Engine, RenderOutput, RenderRequest } from '../engine';
import { CONTENT_TYPES } from '../engine';
import { BUNDLED_FONTS } from '../fonts';
import type { TemplateElement } from '../jsx';
import { encodePng, unpremultiply } from '../png';
import { encodeWebp } from '../webp';
import { loadYoga } from '../yoga';

// Module-level so satori's font cache (keyed by this array's identity) survives across requests.
const SATORI_FONTS = BUNDLED_FONTS.map((f) => ({
  name: f.family,
  data: f.woff,
  weight: f.weight,
  style: 'normal' as const,
}));

let ready: Promise<void> | undefined;
function init(): Promise<void> {
  ready ??= (async () => {
    initSatori(await loadYoga());
    await initResvg(resvgWasm);
  })();
  ready.catch(() => {
    ready = undefined; // let a later request retry a failed initialisation
  });
  return ready;
}

/** satori's SVG for a tree at its layout size (text as glyph outlines, unless `embedFont: false`). */
export async function renderSvg(element: TemplateElement, width: number, height: number, options: { embedFont?: boolean } = {}): Promise<string> {
  await init();
  // satori's types want a ReactNode; our trees are structurally the same plain elements.
  // embedFont: false writes text as positioned <text> words instead of glyph outlines (vector PDFs draw them as real text).
  return satori(element as unknown as Parameters<typeof satori>[0], { width, height, fonts: SATORI_FONTS, embedFont: options.embedFont ?? true });
}

export const satoriEngine: Engine = {
  name: 'satori',
  formats: ['png', 'webp', 'svg'],
  async render({ element, width, height, scale, format }: RenderRequest): Promise<RenderOutput> {
    const svg = await renderSvg(element, width, height);
    if (format === 'svg') {
      return { bytes: new TextEncoder().encode(svg), contentType: CONTENT_TYPES.svg, width, height };
    }
    const resvg = new Resvg(svg, {
      fitTo: { mode: 'width', value: width * scale },
      font: { loadSystemFonts: false },
    });
    const image = resvg.render();
    try {
      const out = { width: image.width, height: image.height, contentType: CONTENT_TYPES[format] };
      const rgba = unpremultiply(image.pixels);
      const bytes = format === 'png' ? encodePng(rgba, image.width, image.height) : await encodeWebp(rgba, image.width, image.height);
      return { ...out, bytes };
    } finally {
      image.free();
      resvg.free();
    }
  },
};
