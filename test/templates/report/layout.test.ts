/**
 * The report's layout as pure functions: how sections flow across pages (a heading kept with its
 * paragraph's start, a paragraph split with two lines or more on each side) and where the table
 * of contents goes. Text is measured by a fixed-advance stand-in, so no fonts are needed.
 */
import { describe, expect, it } from 'vitest';
import report from '../../../templates/report';
import { HEADING, HEADING_GAP, layoutReport, PARA, paginateSections } from '../../../templates/report/layout';
import type { Vars } from '../../../templates/report/schema';

const measure = (s: string, size: number) => Array.from(s).length * size * 0.5;
const A4 = { width: (595.28 * 4) / 3, height: (841.89 * 4) / 3 };
const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`);
/** A one-line heading's height, and n paragraph lines'. */
const HEAD = HEADING.lineHeight + HEADING_GAP;
const para = (n: number) => n * PARA.lineHeight;

describe('paginateSections', () => {
  it('keeps a short section on one page', () => {
    const { pages, sectionPage } = paginateSections([{ heading: ['Intro'], paragraphs: [lines(3)] }], 1000);
    expect(pages).toEqual([
      [
        { kind: 'heading', section: 1, lines: ['Intro'], top: 0 },
        { kind: 'para', lines: lines(3), top: 0 },
      ],
    ]);
    expect(sectionPage).toEqual([0]);
  });

  it('splits a paragraph at a line boundary and continues at the top of the next page', () => {
    const { pages } = paginateSections([{ heading: ['A'], paragraphs: [lines(10)] }], HEAD + para(5));
    expect(pages.map((p) => p.map((b) => b.lines.length))).toEqual([[1, 5], [5]]);
    expect(pages[1]![0]!.top).toBe(0);
  });

  it('moves a paragraph of three lines whole rather than leave one line behind', () => {
    const { pages } = paginateSections([{ heading: ['A'], paragraphs: [lines(1), lines(3)] }], HEAD + para(1) + 11 + para(2));
    expect(pages.map((p) => p.map((b) => b.lines.length))).toEqual([[1, 1], [3]]);
  });

  it('moves a heading that would end its page to the next one, with its section', () => {
    const usable = HEAD + para(4);
    const { pages, sectionPage } = paginateSections(
      [
        { heading: ['A'], paragraphs: [lines(3)] },
        { heading: ['B'], paragraphs: [lines(2)] },
      ],
      usable,
    );
    expect(sectionPage).toEqual([0, 1]);
    expect(pages[1]![0]).toEqual({ kind: 'heading', section: 2, lines: ['B'], top: 0 });
  });

  it('never fills a page past the room given', () => {
    const sections = Array.from({ length: 12 }, (_, s) => ({
      heading: lines((s % 3) + 1),
      paragraphs: Array.from({ length: s % 5 }, (_, p) => lines((((s + p) * 7) % 30) + 1)),
    }));
    for (const usable of [200, 400, 900]) {
      for (const page of paginateSections(sections, usable).pages) {
        const used = page.reduce(
          (sum, b) => sum + b.top + (b.kind === 'heading' ? b.lines.length * HEADING.lineHeight + HEADING_GAP : para(b.lines.length)),
          0,
        );
        expect(used).toBeLessThanOrEqual(usable);
      }
    }
  });
});

describe('layoutReport', () => {
  const parse = (extra: Partial<Vars>) => report.vars.parse({ ...report.example, ...extra }) as Vars;

  it('puts the contents on the cover when they fit, and numbers pages from 2', () => {
    const L = layoutReport(parse({}), A4, measure);
    expect(L.tocOnCover).toBe(true);
    expect(L.firstContentPage).toBe(2);
    expect(L.sectionPage[0]).toBe(2);
    expect(L.total).toBe(1 + L.flow.length);
  });

  it('gives the contents a page of their own when they do not fit under the cover', () => {
    const sections = Array.from({ length: 30 }, (_, i) => ({ heading: `Section ${i + 1}`, paragraphs: ['Text.'] }));
    const L = layoutReport(parse({ sections }), A4, measure);
    expect(L.tocOnCover).toBe(false);
    expect(L.firstContentPage).toBe(3);
    expect(L.sectionPage[0]).toBe(3);
    expect(L.total).toBe(2 + L.flow.length);
  });

  it('has no contents for a single section or when turned off', () => {
    expect(layoutReport(parse({ sections: [{ heading: 'Only', paragraphs: [] }] }), A4, measure).toc).toBe(false);
    expect(layoutReport(parse({ table_of_contents: false }), A4, measure).toc).toBe(false);
  });
});
