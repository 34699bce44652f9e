/**
 * Page layout for PDFs, apart from rendering: which template makes which pages at what size.
 * Cheap (no satori, no fonts beyond their metrics), so page counts — the quota units and the
 * limits — are known before any work starts.
 */
import type { PageContext, PdfTemplateDefinition, TemplateDefinition } from '../../../templates/define';
import { type LoadedFace, measureWith, pdfFaces } from '../../fonts/pdf';
import type { TemplateElement } from '../jsx';
import { withTestWatermark } from '../watermark';

/** CSS px → PDF points. */
export const PX_TO_PT = 0.75;

export type AnyTemplate = TemplateDefinition | PdfTemplateDefinition;

/** A page size in PDF points. */
export interface PagePoints {
  width: number;
  height: number;
}

/** One part of a document: a template, its validated vars, and the size of its pages. */
export interface PdfSection {
  template: AnyTemplate;
  vars: Record<string, unknown>;
  page: PagePoints;
}

export interface PdfJob {
  sections: PdfSection[];
  title?: string;
  /** Made with a test key: every page carries the TEST watermark. */
  watermark: boolean;
}

export interface LaidOutPage {
  element: TemplateElement;
  /** CSS px (the layout size) and points (the PDF page). */
  width: number;
  height: number;
  page: PagePoints;
}

/** The fonts the PDF renderer and paginating templates measure with (loaded once per isolate). */
export function pageMeasure(): { faces: LoadedFace[]; measure: PageContext['measureText'] } {
  const faces = pdfFaces();
  return { faces, measure: measureWith(faces) };
}

/**
 * Lays out every page of a document: cheap (no rendering), so page counts are known before any
 * work. With `stopAfter`, stops at the first section that takes the count past it.
 */
export function layoutPages(
  sections: readonly PdfSection[],
  measure: PageContext['measureText'],
  watermark: boolean,
  stopAfter = Number.POSITIVE_INFINITY,
): LaidOutPage[] {
  const out: LaidOutPage[] = [];
  for (const section of sections) {
    const width = section.page.width / PX_TO_PT;
    const height = section.page.height / PX_TO_PT;
    const t = section.template;
    const trees =
      t.kind === 'pdf' ? t.pages(section.vars as never, { width, height, measureText: measure }) : [t.render(section.vars as never, { width, height })];
    for (const tree of trees) {
      out.push({ element: watermark ? withTestWatermark(tree, width, height) : tree, width, height, page: section.page });
    }
    // past the limit the caller refuses the document anyway: the rest need not be laid out
    if (out.length > stopAfter) break;
  }
  return out;
}
