/**
 * The native reference: the same templates rendered in Node with native engines — satori (JS) +
 * @resvg/resvg-js (Rust, N-API) and @takumi-rs/core (Rust, N-API). The benchmark measures it in the
 * same run as the Worker to report WASM/native ratios; `npm run preview` uses it to write PNGs of
 * every template for a quick look. Bundled by esbuild (see bench/build-native.mjs).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import { Renderer } from '@takumi-rs/core';
import { fromJsx } from '@takumi-rs/helpers/jsx';
import { PDFDocument } from 'pdf-lib';
import satori from 'satori';
import initYoga, { type Yoga } from 'yoga-wasm-web';
import { DirectLayout } from '../src/render/pdf/direct';
import { writePdf } from '../src/render/pdf/document';
import { layoutPages, pageMeasure } from '../src/render/pdf/layout';
import { compileTemplate, type TemplateSource } from '../src/user-templates/compile';
import { PAPER_SIZES } from '../templates/define';
import { PDF_TEMPLATES, TEMPLATES } from '../templates/index';

const require = createRequire(import.meta.url);

const FONT_FILES = [
  ['Inter', 400, '@fontsource/inter/files/inter-latin-400-normal'],
  ['Inter', 500, '@fontsource/inter/files/inter-latin-500-normal'],
  ['Inter', 600, '@fontsource/inter/files/inter-latin-600-normal'],
  ['Inter', 700, '@fontsource/inter/files/inter-latin-700-normal'],
  ['Noto Sans Latin Ext', 400, '@fontsource/noto-sans/files/noto-sans-latin-ext-400-normal'],
  ['Noto Sans Latin Ext', 700, '@fontsource/noto-sans/files/noto-sans-latin-ext-700-normal'],
  ['Noto Sans Greek', 400, '@fontsource/noto-sans/files/noto-sans-greek-400-normal'],
  ['Noto Sans Greek', 700, '@fontsource/noto-sans/files/noto-sans-greek-700-normal'],
  ['Noto Sans Cyrillic', 400, '@fontsource/noto-sans/files/noto-sans-cyrillic-400-normal'],
  ['Noto Sans Cyrillic', 700, '@fontsource/noto-sans/files/noto-sans-cyrillic-700-normal'],
] as const;

const satoriFonts = FONT_FILES.map(([name, weight, file]) => ({
  name,
  weight,
  style: 'normal' as const,
  data: readFileSync(require.resolve(`${file}.woff`)),
}));

let takumi: Promise<Renderer> | undefined;
function takumiRenderer(): Promise<Renderer> {
  takumi ??= (async () => {
    const r = new Renderer();
    for (const [name, weight, file] of FONT_FILES) {
      await r.registerFont({ name, weight, style: 'normal', data: readFileSync(require.resolve(`${file}.woff2`)) });
    }
    return r;
  })();
  return takumi;
}

export type NativeEngine = 'satori' | 'takumi';

/** The bundled families in fallback order, as the Worker gives them to takumi. */
export const NATIVE_FAMILIES = [...new Set(FONT_FILES.map(([name]) => name))];

/**
 * Registers an extra face (a fallback subset, e.g. one unicode-range slice of Noto Sans JP) with
 * the native takumi renderer, as the Worker does for the subsets a render's text needs.
 */
export async function registerNativeFont(font: { name: string; weight: number; data: Uint8Array; unicodeRange: [number, number][] }): Promise<void> {
  await (await takumiRenderer()).registerFont({ ...font, style: 'normal' });
}

/** takumi render options beyond the size: the fallback chain and the language (CJK forms). */
export interface NativeTextOptions {
  fontFamilies?: string[];
  lang?: string;
}

/**
 * Renders a built-in template to PNG natively. `vars` are validated by the template's schema;
 * `images` then replaces image vars by name (normally with data: URLs), as the job runner does
 * after it has fetched the validated remote URLs.
 */
export async function renderNative(
  templateId: string,
  rawVars: unknown,
  engine: NativeEngine,
  images: Record<string, string> = {},
  text: NativeTextOptions = {},
): Promise<Uint8Array> {
  const template = TEMPLATES.get(templateId);
  if (!template) throw new Error(`unknown template ${templateId}`);
  const vars = { ...(template.vars.parse(rawVars) as Record<string, unknown>), ...images };
  const { width, height } = template.size;
  const element = template.render(vars as never, template.size);
  if (engine === 'takumi') {
    const { node } = await fromJsx(element as never, { defaultStyles: false });
    return (await takumiRenderer()).render(node, { width, height, format: 'png', ...text });
  }
  const svg = await satori(element as never, { width, height, fonts: satoriFonts });
  return new Resvg(svg, { fitTo: { mode: 'width', value: width }, font: { loadSystemFonts: false } }).render().asPng();
}

/** A user template's source compiled as the Worker compiles it, drawn natively by takumi. */
export async function renderNativeUser(source: TemplateSource, rawVars: unknown): Promise<Uint8Array> {
  const template = compileTemplate({ id: 'tpl_native', version: 1, name: 'native', description: '' }, source);
  const element = template.render(template.vars.parse(rawVars) as never, template.size);
  const { node } = await fromJsx(element as never, { defaultStyles: false });
  return (await takumiRenderer()).render(node, { ...template.size, format: 'png' });
}

export function templateIds(): string[] {
  return [...TEMPLATES.keys()];
}

export function exampleVars(templateId: string): unknown {
  return TEMPLATES.get(templateId)?.example;
}

export type PdfMode = 'vector' | 'raster';

let yoga: Promise<Yoga> | undefined;

/**
 * A PDF template's document rendered in Node, two ways, for the benchmark's same-run comparison:
 * - vector: the product's own pipeline (template pagination → the direct yoga layout → PDF
 *   operators with subset fonts; satori's JS build for any page the direct path hands over);
 * - raster: the screenshot approach — each page rasterised by native takumi at 2× (144 dpi, what
 *   print-quality text needs) and embedded as a full-page PNG with pdf-lib.
 */
export async function renderPdfNative(
  templateId: string,
  rawVars: unknown,
  mode: PdfMode,
  images: Record<string, string> = {},
): Promise<{ bytes: Uint8Array; pages: number }> {
  const template = PDF_TEMPLATES.get(templateId);
  if (!template) throw new Error(`unknown PDF template ${templateId}`);
  const vars = { ...(template.vars.parse(rawVars) as Record<string, unknown>), ...images };
  const paper = PAPER_SIZES[template.paper];
  const page = template.orientation === 'landscape' ? { width: paper.height, height: paper.width } : { ...paper };
  const job = { sections: [{ template, vars, page }], watermark: false };
  const { faces, measure } = pageMeasure();
  const pages = layoutPages(job.sections, measure, false);
  if (mode === 'vector') {
    yoga ??= initYoga(readFileSync(require.resolve('yoga-wasm-web/dist/yoga.wasm')));
    const direct = new DirectLayout(await yoga, faces);
    return writePdf(job, pages, faces, (element, width, height) => satori(element as never, { width, height, fonts: satoriFonts, embedFont: false }), direct);
  }
  const doc = await PDFDocument.create();
  const renderer = await takumiRenderer();
  for (const p of pages) {
    const { node } = await fromJsx(p.element as never, { defaultStyles: false });
    const png = await renderer.render(node, { width: Math.round(p.width * 2), height: Math.round(p.height * 2), devicePixelRatio: 2, format: 'png' });
    const image = await doc.embedPng(png);
    doc.addPage([p.page.width, p.page.height]).drawImage(image, { x: 0, y: 0, width: p.page.width, height: p.page.height });
  }
  return { bytes: await doc.save(), pages: pages.length };
}

export function pdfTemplateIds(): string[] {
  return [...PDF_TEMPLATES.keys()];
}

export function pdfExampleVars(templateId: string): unknown {
  return PDF_TEMPLATES.get(templateId)?.example;
}
