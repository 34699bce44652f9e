/**
 * Multi-page vector PDFs: each section's template lays out its pages (a PDF template may flow onto
 * several; an image template is one page). A page is drawn straight from its yoga layout
 * (direct.ts) when it uses only what that path covers, otherwise satori lays it out with text left
 * as words and svg-to-pdf draws its SVG; either way as paths, images and real text in embedded fonts.
 */
import { renderSvg } from '../engines/satori';
import { loadYoga } from '../engines/yoga';
import { DirectLayout } from './direct';
import { type PdfOutput, writePdf } from './document';
import { type LaidOutPage, layoutPages, type PdfJob, pageMeasure } from './layout';

export * from './document';
export * from './layout';

/** One per isolate: its yoga config and its per-font caches of measured text are reused. */
let direct: DirectLayout | undefined;

export async function renderPdf(job: PdfJob, pages?: LaidOutPage[]): Promise<PdfOutput> {
  const { faces, measure } = pageMeasure();
  const laidOut = pages ?? layoutPages(job.sections, measure, job.watermark);
  direct ??= new DirectLayout(await loadYoga(), faces);
  return writePdf(job, laidOut, faces, (element, width, height) => renderSvg(element, width, height, { embedFont: false }), direct);
}
