/**
 * satori → SVG → resvg (WASM) → PNG. The design's reference engine and the only source of SVG
 * output. satori lays out with yoga (WASM) and writes an SVG with text as paths; resvg rasterises it.
 */

import { Buffer } from 'node:buffer';
import { Resvg } from '@resvg/resvg-wasm';
import satori, { init as initSatori } from 'satori/wasm';
import { ProblemError } from '../../errors/problem';
import { BUNDLED_FONTS, type FontWeight } from '../../fonts/bundled';
import type { CustomFont } from '../../fonts/custom';
import { splitEmoji, type TextAssets } from '../../fonts/text-assets';
import { BoundedMap } from '../../lib/bounded-map';
import { registerCache, stringBytes } from '../../lib/caches';
import { encodePng, unpremultiply } from '../encode/png';
import { encodeWebp } from '../encode/webp';
import type { Engine, RenderOutput, RenderRequest } from '../engine';
import { CONTENT_TYPES } from '../engine';
import type { TemplateElement, TemplateNode } from '../jsx';
import { useResvg } from './resvg';
import { loadYoga } from './yoga';

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
  })();
  ready.catch(() => {
    ready = undefined; // let a later request retry a failed initialisation
  });
  return ready;
}

type SatoriFont = (typeof SATORI_FONTS)[number];

/** The bytes as an ArrayBuffer of their own (what satori parses). */
const exactBuffer = (data: Uint8Array): ArrayBuffer =>
  data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? (data.buffer as ArrayBuffer) : (data.slice().buffer as ArrayBuffer);

/**
 * The font list for a render with fallback subsets: the bundled fonts, then the subsets in
 * fallback order, each under its own name (satori falls back through every font it was given by
 * glyph coverage, in list order). Kept per combination so satori's parsed-font cache, keyed by the
 * list's identity, is hit again by the next render of the same script.
 */
const fontLists = new BoundedMap<string, SatoriFont[]>(16, 60 * 60 * 1000, {
  name: 'satori font lists',
  // the font bytes it keeps alive, and satori's parsed fonts for the list (keyed by its identity):
  // opentype.js's tables of a subset, estimated at three times its bytes
  sizeOf: (key, list) => stringBytes(key) + 4 * list.reduce((n, f) => n + (BUNDLED_DATA.has(f.data) ? 0 : f.data.byteLength), 0),
});
const BUNDLED_DATA = new Set<ArrayBuffer>(SATORI_FONTS.map((f) => f.data));
function fontsFor(text: TextAssets | undefined, custom: readonly CustomFont[] = []): SatoriFont[] {
  if ((!text || text.fonts.length === 0) && custom.length === 0) return SATORI_FONTS;
  const key = [...custom.map((f) => f.key), ...(text?.fonts ?? []).map((f) => f.key)].join('|');
  let list = fontLists.get(key);
  if (!list) {
    // the caller's faces first, then the bundled fonts, then the fallback subsets
    const own = custom.map((f) => ({ name: f.family, data: exactBuffer(f.data), weight: f.weight as FontWeight, style: f.style }));
    const extra = (text?.fonts ?? []).map((f) => ({
      name: `${f.family} ${f.subset}`,
      data: exactBuffer(f.data),
      weight: f.weight as FontWeight,
      style: 'normal' as const,
    }));
    list = [...own, ...SATORI_FONTS, ...extra] as SatoriFont[];
    fontLists.set(key, list);
  }
  return list;
}

/** Emoji as satori's grapheme images (inline, one em, aligned with the text). */
function graphemeImages(text: TextAssets | undefined): Record<string, string> | undefined {
  if (!text || text.emoji.size === 0) return undefined;
  const images: Record<string, string> = {};
  for (const [grapheme, svg] of text.emoji) images[grapheme] = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
  return images;
}

/**
 * The tree without variation selectors outside emoji: satori draws U+FE0E/U+FE0F as a glyph of
 * their own (an empty box), where they only ask for text or emoji presentation.
 */
function withoutSelectors(node: TemplateNode): TemplateNode {
  if (typeof node === 'number') return node;
  if (typeof node === 'string') {
    if (!/[\uFE0E\uFE0F]/.test(node)) return node;
    return splitEmoji(node)
      .map((p) => (typeof p === 'string' ? p.replace(/[\uFE0E\uFE0F]/g, '') : p.emoji))
      .join('');
  }
  const children = node.props.children;
  if (children === undefined) return node;
  return {
    ...node,
    props: { ...node.props, children: Array.isArray(children) ? children.map(withoutSelectors) : withoutSelectors(children) },
  };
}

/** satori's SVG for a tree at its layout size (text as glyph outlines, unless `embedFont: false`). */
/**
 * satori 0.15 keeps the images of its last render in a module-level cache keyed by src (whole
 * data: URLs, up to 100) and clears it only when the next render starts, so an idle isolate holds
 * the last render's pictures. It exports no way to clear it; a render of an empty box does (it
 * clears at its start and adds nothing). That drawing runs when the last satori render in flight
 * ends, never during another's (satori reads the cache back while laying out).
 */
let inFlight = 0;
/** What satori's image cache may hold now: the data: URLs given since it was last cleared. */
let heldImageBytes = 0;
registerCache('satori image cache', () => heldImageBytes);

async function clearSatoriImages(): Promise<void> {
  if (inFlight > 0 || heldImageBytes === 0) return;
  inFlight++;
  try {
    await satori({ type: 'div', props: { style: { display: 'flex' } } } as unknown as Parameters<typeof satori>[0], {
      width: 1,
      height: 1,
      fonts: SATORI_FONTS,
    });
    if (inFlight === 1) heldImageBytes = 0;
  } finally {
    inFlight--;
  }
}

/** Bytes of the data: URLs a tree hands satori (img src, url(…) in styles). */
function dataUrlBytes(node: TemplateNode): number {
  if (typeof node !== 'object') return 0;
  let n = 0;
  const src = node.type === 'img' || node.type === 'image' ? (node.props.src ?? node.props.href) : undefined;
  if (typeof src === 'string' && src.startsWith('data:')) n += stringBytes(src);
  for (const v of Object.values(node.props.style ?? {})) if (typeof v === 'string' && v.includes('data:')) n += stringBytes(v);
  const children = node.props.children;
  for (const child of Array.isArray(children) ? children : children === undefined ? [] : [children]) n += dataUrlBytes(child);
  return n;
}

export async function renderSvg(
  element: TemplateElement,
  width: number,
  height: number,
  options: { embedFont?: boolean; text?: TextAssets; custom?: readonly CustomFont[] } = {},
): Promise<string> {
  await init();
  // satori's types want a ReactNode; our trees are structurally the same plain elements.
  // embedFont: false writes text as positioned <text> words instead of glyph outlines (vector PDFs draw them as real text).
  const tree = options.text ? withoutSelectors(element) : element;
  inFlight++;
  heldImageBytes += dataUrlBytes(tree);
  try {
    return await satori(tree as unknown as Parameters<typeof satori>[0], {
      width,
      height,
      fonts: fontsFor(options.text, options.custom),
      embedFont: options.embedFont ?? true,
      graphemeImages: graphemeImages(options.text),
    });
  } finally {
    inFlight--;
    await clearSatoriImages();
  }
}

/** Whether satori (opentype.js) can parse a font and lay text out with it: one small drawing. Throws what it says. */
export async function probeFont(data: Uint8Array): Promise<void> {
  await init();
  const element = { type: 'div', props: { style: { display: 'flex', fontFamily: 'PicStream Probe', fontSize: 24 }, children: 'Aa09' } };
  await satori(element as unknown as Parameters<typeof satori>[0], {
    width: 96,
    height: 32,
    fonts: [{ name: 'PicStream Probe', data: exactBuffer(data), weight: 400, style: 'normal' }],
  });
}

/**
 * resvg draws each picture of satori's SVG into a pixmap of the size it is drawn at (with a mask
 * and a clip of that size beside it) before compositing it, so what a render makes resvg allocate
 * grows with the pictures' drawn area, which the remote-image budget (their decoded size) does not
 * see: ten uses of one small logo stretched over a 2048² canvas took resvg past 170 MB and then
 * trapped. The pictures drawn (img, background tiles, emoji) may cover the canvas once over plus
 * a megapixel (a full-bleed background and a logo); a render that draws more is refused before
 * resvg runs. takumi composites as it goes and does not need this (test/render/memory.test.ts).
 */
export const MAX_DRAWN_IMAGE_PIXELS_OVER_CANVAS = 1_000_000;

/** The pixels satori's SVG asks resvg to draw pictures over, at the output's scale. */
export function drawnImagePixels(svg: string, scale: number): number {
  let total = 0;
  for (let at = svg.indexOf('<image '); at !== -1; at = svg.indexOf('<image ', at + 7)) {
    const end = svg.indexOf('>', at);
    const tag = svg.slice(at, end === -1 ? svg.length : end);
    const width = Number(attribute(tag, 'width'));
    const height = Number(attribute(tag, 'height'));
    if (width > 0 && height > 0) total += width * height * scale * scale;
  }
  return total;
}

function attribute(tag: string, name: string): string | undefined {
  const start = tag.indexOf(` ${name}="`);
  if (start === -1) return undefined;
  const from = start + name.length + 3;
  const end = tag.indexOf('"', from);
  return end === -1 ? undefined : tag.slice(from, end);
}

function checkDrawnImages(svg: string, scale: number, outputPixels: number): void {
  const drawn = drawnImagePixels(svg, scale);
  const limit = outputPixels + MAX_DRAWN_IMAGE_PIXELS_OVER_CANVAS;
  if (drawn > limit) {
    throw new ProblemError(
      'template_invalid',
      `The satori engine would draw pictures over ${Math.round(drawn)} pixels; a render may draw them over ${limit} (the canvas once, plus ${MAX_DRAWN_IMAGE_PIXELS_OVER_CANVAS}).`,
      { errors: [{ path: 'template', message: `pictures drawn over ${Math.round(drawn)} pixels, more than ${limit}` }] },
    );
  }
}

export const satoriEngine: Engine = {
  name: 'satori',
  formats: ['png', 'webp', 'svg'],
  fontFormat: 'woff',
  async render({ element, text, custom, width, height, scale, format }: RenderRequest): Promise<RenderOutput> {
    const svg = await renderSvg(element, width, height, { text, custom });
    if (format === 'svg') {
      return { bytes: new TextEncoder().encode(svg), contentType: CONTENT_TYPES.svg, width, height };
    }
    checkDrawnImages(svg, scale, width * height * scale * scale);
    const {
      rgba,
      width: w,
      height: h,
    } = await useResvg(() => {
      const resvg = new Resvg(svg, {
        fitTo: { mode: 'width', value: width * scale },
        font: { loadSystemFonts: false },
      });
      try {
        const image = resvg.render();
        try {
          return { rgba: unpremultiply(image.pixels), width: image.width, height: image.height };
        } finally {
          image.free();
        }
      } finally {
        resvg.free();
      }
    });
    const bytes = format === 'png' ? encodePng(rgba, w, h) : await encodeWebp(rgba, w, h);
    return { width: w, height: h, contentType: CONTENT_TYPES[format], bytes };
  },
};
