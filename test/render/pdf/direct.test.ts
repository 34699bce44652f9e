/**
 * The direct PDF path against satori: the same pages written both ways must put the same words in
 * the same places (pdftotext -bbox), and a tree the direct path does not draw goes to satori.
 */
import { describe, expect, it } from 'vitest';
import { renderSvg } from '../../../src/render/engines/satori';
import { loadYoga } from '../../../src/render/engines/yoga';
import { h } from '../../../src/render/jsx';
import { DirectLayout, Unsupported } from '../../../src/render/pdf/direct';
import { writePdf } from '../../../src/render/pdf/document';
import { layoutPages, type PdfJob, pageMeasure } from '../../../src/render/pdf/layout';
import { PAPER_SIZES } from '../../../templates/define';
import { PDF_TEMPLATES } from '../../../templates/index';
import { inspectPdf, type PdfWord } from '../../helpers/pdf';

const toSvg = (element: Parameters<typeof renderSvg>[0], width: number, height: number) => renderSvg(element, width, height, { embedFont: false });

async function both(job: PdfJob) {
  const { faces, measure } = pageMeasure();
  const pages = layoutPages(job.sections, measure, job.watermark);
  const direct = await writePdf(job, pages, faces, toSvg, new DirectLayout(await loadYoga(), faces));
  const satori = await writePdf(job, pages, faces, toSvg);
  return { pages, direct, satori };
}

describe('direct PDF path', () => {
  for (const id of ['invoice', 'certificate', 'report']) {
    it(`${id}: the direct path draws every page, with the words where satori puts them (±2 pt)`, async () => {
      const template = PDF_TEMPLATES.get(id);
      if (!template) throw new Error(id);
      const paper = PAPER_SIZES[template.paper];
      const page = template.orientation === 'landscape' ? { width: paper.height, height: paper.width } : { ...paper };
      const job: PdfJob = { sections: [{ template, vars: template.vars.parse(template.example) as Record<string, unknown>, page }], watermark: true };
      const { pages, direct, satori } = await both(job);
      expect(direct.direct).toBe(pages.length);
      expect(satori.direct).toBe(0);
      const [a, b] = await Promise.all([inspectPdf(direct.bytes), inspectPdf(satori.bytes)]);
      expect(a.qpdf.ok).toBe(true);
      for (let p = 0; p < pages.length; p++) {
        const wa = a.words[p]?.words ?? [];
        const wb = b.words[p]?.words ?? [];
        expect(wa.map((w) => w.text)).toEqual(wb.map((w) => w.text));
        const off = (x: PdfWord, y: PdfWord) =>
          Math.max(Math.abs(x.xMin - y.xMin), Math.abs(x.yMin - y.yMin), Math.abs(x.xMax - y.xMax), Math.abs(x.yMax - y.yMax));
        const worst = Math.max(0, ...wa.map((w, i) => off(w, wb[i] as PdfWord)));
        expect(worst, `page ${p + 1}`).toBeLessThan(2);
      }
    });
  }

  it('hands a tree it does not draw (a gradient, a shadow, a transform, em units) to satori, and the page still comes out', async () => {
    const { faces } = pageMeasure();
    const layout = new DirectLayout(await loadYoga(), faces);
    for (const style of [
      { backgroundImage: 'linear-gradient(90deg, red, blue)' },
      { boxShadow: '0 1px 2px black' },
      { transform: 'rotate(3deg)' },
      { border: '1px dashed red' },
      { fontSize: '1.2em' },
      { letterSpacing: '0.1em' },
      { textAlign: 'justify' },
    ]) {
      expect(() => layout.layout(h('div', { style: { display: 'flex', width: 100, height: 100, ...style } }), 100, 100)).toThrow(Unsupported);
    }
    // through writePdf: the page goes to satori, and its text is still real text
    const page = { width: 200, height: 100 };
    const element = h(
      'div',
      { style: { display: 'flex', width: 266.67, height: 133.33, backgroundImage: 'linear-gradient(90deg, #fde68a, #fca5a5)' } },
      'Gradient page',
    );
    const out = await writePdf({ sections: [], watermark: false }, [{ element, width: 266.67, height: 133.33, page }], faces, toSvg, layout);
    expect(out.direct).toBe(0);
    const info = await inspectPdf(out.bytes);
    expect(info.qpdf.ok).toBe(true);
    expect(info.pages[0]?.text).toContain('Gradient page');
  });

  it('clamps and ellipsizes text, and aligns a lone line, as satori does', async () => {
    const long = 'A sentence long enough to need more than two lines in a narrow box of this width';
    const tree = h(
      'div',
      { style: { display: 'flex', flexDirection: 'column', width: 266.67, height: 400, padding: 10, fontFamily: 'Inter', fontSize: 14, color: '#111111' } },
      h('div', { style: { display: 'block', lineClamp: 2, width: 150 } }, long),
      h('div', { style: { display: 'flex', whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis', width: 120 } }, long),
      h('div', { style: { display: 'flex', textAlign: 'right', width: 200 } }, '€1,234.00'),
    );
    const { faces } = pageMeasure();
    const pages = [{ element: tree, width: 266.67, height: 400, page: { width: 200, height: 300 } }];
    const job: PdfJob = { sections: [], watermark: false };
    const direct = await writePdf(job, pages, faces, toSvg, new DirectLayout(await loadYoga(), faces));
    const satori = await writePdf(job, pages, faces, toSvg);
    expect(direct.direct).toBe(1);
    const [a, b] = await Promise.all([inspectPdf(direct.bytes), inspectPdf(satori.bytes)]);
    const words = (i: typeof a) => (i.words[0]?.words ?? []).map((w) => w.text);
    expect(words(a)).toEqual(words(b));
    expect(words(a).join(' ')).toContain('…');
    const amount = (i: typeof a) => i.words[0]?.words.find((w) => w.text === '€1,234.00');
    expect(amount(a)).toBeDefined();
    expect(Math.abs((amount(a)?.xMax ?? 0) - (amount(b)?.xMax ?? 0))).toBeLessThan(2);
  });
});
