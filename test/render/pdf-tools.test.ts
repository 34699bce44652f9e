/**
 * The PDF inspection plumbing (test/helpers/pdf.ts → the global setup's server → real qpdf and
 * poppler-utils), proven on a PDF built here with pdf-lib and on a truncated one.
 */
import { PDFDocument, rgb, StandardFonts } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { inspectPdf, pagePixels, pointsToPixels, wordsOutside } from '../helpers/pdf';

const A4: [number, number] = [595.28, 841.89];
const LETTER: [number, number] = [612, 792];

async function twoPagePdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle('Plumbing check');
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const a4 = doc.addPage(A4);
  a4.drawText('Invoice INV-0042', { x: 72, y: A4[1] - 100, size: 24, font, color: rgb(0, 0, 0) });
  const letter = doc.addPage(LETTER);
  letter.drawText('Second page total 99.50', { x: 72, y: LETTER[1] - 120, size: 14, font, color: rgb(0, 0, 0) });
  return doc.save();
}

describe('inspectPdf (qpdf and poppler-utils through the local server)', () => {
  it('reports a sound two-page pdf-lib PDF: check, sizes, title, text per page, boxes and pixels', async () => {
    const pdf = await twoPagePdf();
    const result = await inspectPdf(pdf, { png: [1] });

    expect(result.errors).toEqual([]);
    expect(result.bytes).toBe(pdf.byteLength);
    expect(result.qpdf, result.qpdf.output).toMatchObject({ ok: true, exitCode: 0, warnings: false });

    const info = result.info!;
    expect(info.pages).toBe(2);
    expect(info.title).toBe('Plumbing check');
    expect(info.producer).toContain('pdf-lib');
    expect(info.fileSize).toBe(pdf.byteLength);
    expect(info.pdfVersion).toMatch(/^1\.\d$/);
    expect(info.creationDate).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(info.pageSizes.map((p) => [p.page, p.width, p.height, p.paper])).toEqual([
      [1, ...A4, 'A4'],
      [2, ...LETTER, 'letter'],
    ]);

    expect(result.fonts).toEqual([expect.objectContaining({ name: 'Helvetica', type: 'Type 1', embedded: false })]);

    expect(result.pages.map((p) => p.page)).toEqual([1, 2]);
    expect(result.pages[0]!.text).toContain('Invoice INV-0042');
    expect(result.pages[0]!.text).not.toContain('Second page');
    expect(result.pages[1]!.text).toContain('Second page total 99.50');

    expect(result.words.map((p) => [p.width, p.height])).toEqual([A4, LETTER]);
    for (const page of result.words) expect(wordsOutside(page, 36)).toEqual([]);
    const [first, second] = result.words as [(typeof result.words)[0], (typeof result.words)[0]];
    expect(first.words.map((w) => w.text)).toEqual(['Invoice', 'INV-0042']);
    expect(second.lines.map((l) => l.text)).toEqual(['Second page total 99.50']);
    // pdftotext's y runs down from the top: the line drawn 100 pt below the top edge sits there
    const line = first.lines[0]!;
    expect(line.xMin).toBeCloseTo(72, 0);
    expect(line.yMax).toBeGreaterThan(90);
    expect(line.yMax).toBeLessThan(110);

    // a control: a box pushed off the page is caught
    expect(wordsOutside({ ...first, width: 150 })).toHaveLength(1);

    expect(result.images).toEqual({ perPage: [0, 0], rows: [] });

    // page 1 at 50 dpi: the A4 page's size in pixels (pdftoppm rounds up), dark where the text is, white elsewhere
    const px = pagePixels(result, 1);
    expect(px.dpi).toBe(50);
    expect(px.width).toBe(Math.ceil((A4[0] * 50) / 72));
    expect(px.height).toBe(Math.ceil((A4[1] * 50) / 72));
    const box = pointsToPixels(line, px.dpi);
    let darkInside = 0;
    let darkOutside = 0;
    for (let y = 0; y < px.height; y++) {
      for (let x = 0; x < px.width; x++) {
        const i = (y * px.width + x) * 4;
        const dark = (px.data[i] as number) < 128 && (px.data[i + 1] as number) < 128 && (px.data[i + 2] as number) < 128;
        if (!dark) continue;
        // glyphs may overshoot pdftotext's font-metric box by a pixel of anti-aliasing
        if (x >= box.x0 - 2 && x < box.x1 + 2 && y >= box.y0 - 2 && y < box.y1 + 2) darkInside++;
        else darkOutside++;
      }
    }
    expect(darkInside).toBeGreaterThan(100);
    expect(darkOutside).toBe(0);
  });

  it('reports a truncated PDF as failing qpdf --check, and the server keeps answering', async () => {
    const pdf = await twoPagePdf();
    const broken = await inspectPdf(pdf.slice(0, Math.floor(pdf.byteLength / 2)), { png: [1] });
    expect(broken.qpdf.ok).toBe(false);
    expect(broken.qpdf.exitCode).not.toBe(0);
    expect(broken.qpdf.output).not.toBe('');
    expect(broken.info).toBeNull();
    expect(broken.png).toEqual([]);
    expect(broken.errors.map((e) => e.tool)).toEqual(expect.arrayContaining(['pdfinfo', 'pdftotext', 'pdftoppm']));

    // not a PDF at all, then a sound one again: still answered
    const junk = await inspectPdf(new TextEncoder().encode('not a pdf'));
    expect(junk.qpdf.ok).toBe(false);
    const again = await inspectPdf((await twoPagePdf()).buffer as ArrayBuffer);
    expect(again.qpdf.ok).toBe(true);
    expect(again.info?.pages).toBe(2);
  });

  it('reports a page out of range as a pdftoppm error, the rest intact', async () => {
    const result = await inspectPdf(await twoPagePdf(), { png: [2, 7], dpi: 20 });
    expect(result.png.map((p) => [p.page, p.dpi])).toEqual([[2, 20]]);
    expect(result.errors).toEqual([expect.objectContaining({ tool: 'pdftoppm', exitCode: 99 })]);
    expect(pagePixels(result, 2).width).toBe(Math.ceil((LETTER[0] * 20) / 72));
    expect(() => pagePixels(result, 7)).toThrow(/not rasterised/);
  });
});
