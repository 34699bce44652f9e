/**
 * PDF inspection from inside workerd: the bytes go to the global setup's local server
 * (POST /__pdf/inspect), which runs the real qpdf and poppler-utils on them (test/pdf-tools.ts).
 * Coordinates of words and lines are PDF points from the page's top left, y growing downwards.
 */
import { env } from 'cloudflare:test';
import type { InspectPdfOptions, PdfInspection, PdfPageWords, PdfWord } from '../pdf-tools';
import { decodePng } from './api';

export type {
  InspectPdfOptions,
  PdfBox,
  PdfFont,
  PdfImage,
  PdfImages,
  PdfInfo,
  PdfInspection,
  PdfLine,
  PdfPageInfo,
  PdfPagePng,
  PdfPageText,
  PdfPageWords,
  PdfQpdfCheck,
  PdfToolError,
  PdfWord,
} from '../pdf-tools';

/** Runs qpdf --check, pdfinfo, pdffonts, pdftotext (text and boxes), pdfimages and, for the pages asked, pdftoppm. */
export async function inspectPdf(bytes: Uint8Array | ArrayBuffer, options: InspectPdfOptions = {}): Promise<PdfInspection> {
  const url = new URL('/__pdf/inspect', env.TEST_IMAGE_ORIGIN);
  if (options.png?.length) url.searchParams.set('png', options.png.join(','));
  if (options.dpi !== undefined) url.searchParams.set('dpi', String(options.dpi));
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/pdf' }, body: bytes });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`PDF inspection failed: ${res.status} ${text}`);
  return JSON.parse(text) as PdfInspection;
}

/** A rasterised page (it must have been asked for in `png`) decoded to 8-bit RGBA pixels. */
export function pagePixels(inspection: PdfInspection, page: number): { width: number; height: number; dpi: number; data: Uint8Array } {
  const png = inspection.png.find((p) => p.page === page);
  if (!png) throw new Error(`page ${page} was not rasterised (ask for it with { png: [${page}] }); errors: ${JSON.stringify(inspection.errors)}`);
  const binary = atob(png.base64);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return { ...decodePng(bytes), dpi: png.dpi };
}

/** A box in PDF points (top-left origin, as pdftotext gives them) as pixel bounds at `dpi`, rounded outwards. */
export function pointsToPixels(box: Pick<PdfWord, 'xMin' | 'yMin' | 'xMax' | 'yMax'>, dpi: number): { x0: number; y0: number; x1: number; y1: number } {
  const k = dpi / 72;
  return { x0: Math.floor(box.xMin * k), y0: Math.floor(box.yMin * k), x1: Math.ceil(box.xMax * k), y1: Math.ceil(box.yMax * k) };
}

/** Words of a page that reach outside a box inset `margin` points from each page edge (0: the page itself). */
export function wordsOutside(page: PdfPageWords, margin = 0, tolerance = 0.5): PdfWord[] {
  return page.words.filter(
    (w) => w.xMin < margin - tolerance || w.yMin < margin - tolerance || w.xMax > page.width - margin + tolerance || w.yMax > page.height - margin + tolerance,
  );
}
