/**
 * Writes a laid-out document: every page drawn onto a pdf-lib page as vectors — directly from its
 * layout where the direct path can, else through `toSvg` (satori with text left as words) —, fonts
 * embedded once, metadata set. Free of the WASM engine
 * imports, so the benchmark's native reference runs exactly this code in Node.
 */
import { PDFDocument } from 'pdf-lib';
import type { LoadedFace } from '../../fonts/pdf';
import type { TemplateElement } from '../jsx';
import { type DirectLayout, Unsupported } from './direct';
import type { LaidOutPage, PdfJob } from './layout';
import { DocumentCanvas, drawSvgPage } from './svg-to-pdf';

export interface PdfOutput {
  bytes: Uint8Array;
  pages: number;
  /** Pages drawn by the direct path (the rest went through satori). */
  direct: number;
}

export const PRODUCER = 'PicStream (satori + pdf-lib)';

export type ToSvg = (element: TemplateElement, width: number, height: number) => Promise<string>;

/**
 * Each page through the direct path when `direct` is given and the page keeps to what it draws,
 * otherwise through satori (`toSvg`) and svg-to-pdf.
 */
export async function writePdf(
  job: PdfJob,
  pages: readonly LaidOutPage[],
  faces: readonly LoadedFace[],
  toSvg: ToSvg,
  direct?: DirectLayout,
): Promise<PdfOutput> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const created = new Date();
  if (job.title) doc.setTitle(job.title, { showInWindowTitleBar: true });
  doc.setProducer(PRODUCER);
  doc.setCreator(`PicStream: ${[...new Set(job.sections.map((s) => s.template.id))].join(', ')}`);
  doc.setCreationDate(created);
  doc.setModificationDate(created);
  const canvas = new DocumentCanvas(doc, faces);
  let directPages = 0;
  for (const p of pages) {
    const page = doc.addPage([p.page.width, p.page.height]);
    if (direct) {
      let laidOut: ReturnType<DirectLayout['layout']> | undefined;
      try {
        laidOut = direct.layout(p.element, p.width, p.height);
      } catch (err) {
        if (!(err instanceof Unsupported)) throw err;
      }
      if (laidOut) {
        await direct.draw(canvas, page, laidOut);
        directPages++;
        continue;
      }
    }
    await drawSvgPage(canvas, page, await toSvg(p.element, p.width, p.height));
  }
  canvas.fonts.finish();
  const bytes = await doc.save({ useObjectStreams: true });
  return { bytes, pages: pages.length, direct: directPages };
}
