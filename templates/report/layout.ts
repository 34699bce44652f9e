/**
 * The report's layout, apart from its drawing: the cover's text and heights, whether the table of
 * contents fits on the cover, and the flow of the sections across pages. Paragraphs are wrapped
 * with `page.measureText` and a page break may fall between two lines of a paragraph, so each page
 * gets its part as its own block. `paginateSections` is the pure core (lines in, pages of blocks
 * out), tested without drawing in test/templates/report/layout.test.ts.
 */
import { formatIsoDate } from '../format';
import { clampLines, type LinesStyle, type Measure, wrap } from '../pdf-text';
import type { Vars } from './schema';

// ---------------------------------------------------------------------------------------------
// Layout (CSS px). Every height is exact: pages are filled by adding them up.

export const INK = '#0f172a';
export const BODY = '#1e293b';

export const PAD_X = 64;
export const PAD_TOP = 44;
export const PAD_BOTTOM = 36;
export const HEADER_H = 22;
export const HEADER_GAP = 28;
export const FOOTER_GAP = 14;
export const FOOTER_H = 26;
/** Left empty at the bottom of every page's content area: room for a wrap we did not foresee. */
const SPARE = 14;

export const PARA: LinesStyle = { fontSize: 13, lineHeight: 21, weight: 400, color: BODY };
const PARA_GAP = 11;
export const HEADING: LinesStyle = { fontSize: 19, lineHeight: 26, weight: 700, color: INK };
const HEADING_MAX_LINES = 4;
const SECTION_GAP = 30;
export const HEADING_GAP = 12;
export const NUMBER_W = 40;

const TOC_TITLE_H = 30 + 14;
export const TOC_ROW_H = 26;

/** A block of a content page: a section's heading, or the part of a paragraph that page holds. `top` is its margin. */
export type Block = { kind: 'heading'; section: number; lines: string[]; top: number } | { kind: 'para'; lines: string[]; top: number };

/** A section as wrapped lines: its heading's, and each (non-empty) paragraph's. */
export interface WrappedSection {
  heading: string[];
  paragraphs: string[][];
}

/** The cover: a band with the title and subtitle, then up to three meta columns and room below. */
export interface Cover {
  bandH: number;
  titleSize: number;
  titleLH: number;
  titleLines: string[];
  subtitleLines: string[];
  meta: [string, string][];
  metaColW: number;
  metaH: number;
  /** Height left under the meta columns, where the table of contents goes when it fits. */
  rest: number;
}

export interface ReportLayout {
  cw: number;
  contentH: number;
  date: string | undefined;
  cover: Cover;
  /** Whether there is a table of contents, and whether it is on the cover (else on page 2). */
  toc: boolean;
  tocOnCover: boolean;
  tocH: number;
  /** The page number of the first content page, and of each section's heading. */
  firstContentPage: number;
  sectionPage: number[];
  /** The content pages' blocks, from `firstContentPage` on. */
  flow: Block[][];
  /** Pages in all: cover, contents page if any, content pages. */
  total: number;
}

function coverLayout(v: Vars, page: { width: number; height: number }, measure: Measure, cw: number, date: string | undefined): Cover {
  const bandH = Math.round(page.height * 0.5);
  const titleSize = v.title.length <= 40 ? 40 : v.title.length <= 90 ? 34 : 28;
  const titleLH = Math.round(titleSize * 1.18);
  const titleLines = clampLines(measure, v.title, cw, titleSize, 700, 4);
  const subtitleLines = v.subtitle ? clampLines(measure, v.subtitle, cw, 16, 400, 3) : [];
  const meta: [string, string][] = [];
  if (v.author) meta.push(['AUTHOR', v.author]);
  if (v.organization) meta.push(['ORGANISATION', v.organization]);
  if (date) meta.push(['DATE', date]);
  const metaColW = (cw - 24 * 2) / 3;
  const metaH = meta.length ? 16 + 4 + 2 * 20 : 0;
  const rest = page.height - bandH - 40 - metaH - 36 - PAD_BOTTOM - FOOTER_H;
  return { bandH, titleSize, titleLH, titleLines, subtitleLines, meta, metaColW, metaH, rest };
}

/**
 * Flows wrapped sections onto pages `usable` px high: for each page its blocks, and for each
 * section the index of the page its heading is on. A heading stays with the start of its first
 * paragraph (two lines, or all of a short one). A paragraph splits at a line boundary leaving at
 * least two lines on each side; one of three lines or fewer moves to the next page whole; at the
 * top of a page it takes what fits.
 */
export function paginateSections(sections: readonly WrappedSection[], usable: number): { pages: Block[][]; sectionPage: number[] } {
  const pages: Block[][] = [[]];
  let y = 0;
  const newPage = () => {
    pages.push([]);
    y = 0;
  };
  const put = (b: Block, height: number) => {
    pages[pages.length - 1]!.push(b);
    y += b.top + height;
  };
  const putParagraph = (all: string[], firstGap: number) => {
    let lines = all;
    let gap = firstGap;
    while (lines.length > 0) {
      if (y === 0) gap = 0;
      const room = Math.floor((usable - y - gap) / PARA.lineHeight);
      if (lines.length <= room) {
        put({ kind: 'para', lines, top: gap }, lines.length * PARA.lineHeight);
        return;
      }
      const k = y === 0 ? Math.max(1, Math.min(room, lines.length - 2 >= 2 ? lines.length - 2 : room)) : Math.min(room, lines.length - 2);
      if (k >= 2 || (y === 0 && k >= 1)) {
        put({ kind: 'para', lines: lines.slice(0, k), top: gap }, k * PARA.lineHeight);
        lines = lines.slice(k);
      }
      newPage();
      gap = 0;
    }
  };

  const sectionPage: number[] = [];
  sections.forEach((s, si) => {
    const headingH = s.heading.length * HEADING.lineHeight + HEADING_GAP;
    const first = s.paragraphs[0]?.length ?? 0;
    const keep = (first <= 3 ? first : 2) * PARA.lineHeight;
    let top = y === 0 ? 0 : SECTION_GAP;
    if (y > 0 && y + top + headingH + keep > usable) {
      newPage();
      top = 0;
    }
    sectionPage[si] = pages.length - 1;
    put({ kind: 'heading', section: si + 1, lines: s.heading, top }, headingH);
    for (const [pi, lines] of s.paragraphs.entries()) putParagraph(lines, pi === 0 ? 0 : PARA_GAP);
  });
  return { pages, sectionPage };
}

/** Everything the drawing needs: the cover's text, where the contents go, and the content pages. */
export function layoutReport(v: Vars, page: { width: number; height: number }, measure: Measure): ReportLayout {
  const cw = page.width - 2 * PAD_X;
  const contentH = page.height - PAD_TOP - PAD_BOTTOM - HEADER_H - HEADER_GAP - FOOTER_GAP - FOOTER_H;
  const usable = contentH - SPARE;
  const date = v.date ? formatIsoDate(v.date) : undefined;
  const cover = coverLayout(v, page, measure, cw, date);

  // the table of contents: on the cover when it fits, else a page of its own
  const toc = v.table_of_contents && v.sections.length >= 2;
  const tocH = TOC_TITLE_H + v.sections.length * TOC_ROW_H;
  const tocOnCover = toc && tocH <= cover.rest - SPARE;
  const firstContentPage = toc && !tocOnCover ? 3 : 2;

  const wrapped = v.sections.map((s) => ({
    heading: clampLines(measure, `${s.heading}`, cw - NUMBER_W, HEADING.fontSize, HEADING.weight, HEADING_MAX_LINES),
    paragraphs: s.paragraphs.map((p) => wrap(measure, p, cw, PARA.fontSize, PARA.weight)).filter((l) => l.length > 0),
  }));
  const { pages, sectionPage } = paginateSections(wrapped, usable);
  return {
    cw,
    contentH,
    date,
    cover,
    toc,
    tocOnCover,
    tocH,
    firstContentPage,
    sectionPage: sectionPage.map((p) => firstContentPage + p),
    flow: pages,
    total: firstContentPage - 1 + pages.length,
  };
}
