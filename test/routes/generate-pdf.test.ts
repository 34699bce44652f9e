/**
 * POST /api/v1/generate/pdf: real PDFs checked by real tools (qpdf --check, pdfinfo, pdftotext,
 * pdffonts, pdfimages, pdftoppm through the global setup) and by pdf-lib; signed URLs; page
 * limits before any work; one quota unit per page; the account-scoped cache.
 */
import { env } from 'cloudflare:test';
import { PDFDocument, PDFName, PDFRawStream } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { bearer, expectProblem, fetchWithEnv, get, pathOf, postJson, signup, type TestAccount } from '../helpers/api';
import { renderCount, setUnitsUsed, unitsUsed } from '../helpers/db';
import { inspectPdf, type PdfInspection, pagePixels, wordsOutside } from '../helpers/pdf';

const PDF = '/api/v1/generate/pdf';

interface PdfBody {
  id: string;
  type: 'pdf';
  status: string;
  template: string;
  pages: number;
  url: string;
  expires_at: string;
  bytes: number;
  render_ms: number;
  cached: boolean;
}

const seller = { name: 'Northwind Studio GmbH', address: ['Torstraße 140', '10119 Berlin'], email: 'billing@northwind.studio' };
const buyer = { name: 'Lumen Analytics Ltd', address: ['22 Wharf Road', 'London N1 7GR'] };

function invoice(
  number: string,
  items: { description: string; quantity?: number; unit_price: number; tax_rate?: number }[],
  extra: Record<string, unknown> = {},
) {
  return { template: 'invoice', vars: { number, issue_date: '2026-11-28', currency: 'EUR', seller, buyer, items, tax_rate: 19, tax_label: 'VAT', ...extra } };
}

/** 2 × 1800 + 5 × 240 + 49 at 19 %, 650 at 7 %: subtotal 5,499.00, VAT 921.31 + 45.50, total 6,465.81. */
const SMALL_ITEMS = [
  { description: 'Brand identity workshop (two days, on site)', quantity: 2, unit_price: 1800 },
  { description: 'Social card template design', quantity: 5, unit_price: 240 },
  { description: 'PicStream Pro subscription, November 2026', quantity: 1, unit_price: 49 },
  { description: 'Illustration licence', quantity: 1, unit_price: 650, tax_rate: 7 },
];

/** Items whose descriptions start and end with tokens naming the item, some long enough to wrap. */
function longItems(count: number) {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(3, '0');
    const filler =
      i % 4 === 0
        ? ' consulting and implementation work on the rendering pipeline, including review meetings, written notes and follow-up fixes'
        : ' design work';
    return { description: `ITEM${n}${filler} END${n}`, quantity: (i % 3) + 1, unit_price: 100 + i };
  });
}

async function fetchPdf(url: string): Promise<{ res: Response; bytes: Uint8Array }> {
  const u = new URL(url);
  const res = await get(`${u.pathname}${u.search}`, {});
  return { res, bytes: new Uint8Array(await res.arrayBuffer()) };
}

async function generatePdf(body: unknown, key?: string): Promise<PdfBody> {
  const res = await postJson(PDF, body, key ? bearer(key) : {});
  const json = await res.json<PdfBody>();
  expect(res.status, JSON.stringify(json)).toBe(200);
  return json;
}

const cert = (recipient: string, achievement: string) => ({ recipient, achievement, date: '2026-11-28', issuer: 'PicStream Academy' });

const allText = (i: PdfInspection) => i.pages.map((p) => p.text).join('\n');
const squash = (s: string) => s.replace(/\s+/g, ' ');

describe('POST /api/v1/generate/pdf', () => {
  it('renders an invoice: a valid vector PDF with real text, metadata, and a signed URL valid 24 h', async () => {
    const before = Date.now();
    const body = await generatePdf({ ...invoice('INV-2026-0042', SMALL_ITEMS), title: 'Invoice INV-2026-0042' });
    expect(body).toMatchObject({ type: 'pdf', status: 'complete', template: 'invoice', pages: 1, cached: false });
    expect(body.url).toMatch(/^http:\/\/localhost:8787\/files\/[a-f0-9]{40}\.pdf\?expires=\d+&signature=[\w-]{43}$/);
    const expires = Number(new URL(body.url).searchParams.get('expires'));
    expect(expires * 1000 - before).toBeGreaterThan(24 * 3600_000 - 5_000);
    expect(expires * 1000 - before).toBeLessThan(24 * 3600_000 + 5_000);
    expect(Date.parse(body.expires_at)).toBe(expires * 1000);

    const { res, bytes } = await fetchPdf(body.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('cache-control')).toMatch(/^private/);
    expect(bytes.byteLength).toBe(body.bytes);

    // pdf-lib parses it
    const doc = await PDFDocument.load(bytes, { updateMetadata: false });
    expect(doc.getPageCount()).toBe(1);
    expect(doc.getTitle()).toBe('Invoice INV-2026-0042');
    expect(doc.getProducer()).toMatch(/PicStream/);
    expect(doc.getCreationDate()?.getTime()).toBeGreaterThan(before - 5_000);

    // the real tools agree
    const info = await inspectPdf(bytes, { png: [1] });
    expect(info.qpdf.ok, info.qpdf.output).toBe(true);
    expect(info.info?.pages).toBe(1);
    expect(info.info?.pageSizes[0]?.width).toBeCloseTo(595.28, 1);
    expect(info.info?.pageSizes[0]?.height).toBeCloseTo(841.89, 1);
    expect(info.info?.title).toBe('Invoice INV-2026-0042');
    expect(info.info?.producer).toMatch(/PicStream/);
    expect(info.info?.creationDate).toBeTruthy();

    // real text: the number, the parties and every total are extractable
    const text = squash(allText(info));
    for (const expected of ['INV-2026-0042', 'Northwind Studio GmbH', 'Torstraße 140', 'Lumen Analytics Ltd', '5,499.00', '921.31', '45.50', '6,465.81']) {
      expect(text).toContain(expected);
    }
    // fonts embedded, with a Unicode map; no raster images: the page is vector
    expect(info.fonts.length).toBeGreaterThan(0);
    expect(info.fonts.every((f) => f.embedded && f.unicode)).toBe(true);
    expect(info.images.rows).toHaveLength(0);

    // and the page shows it: ink (pixels far from white) where pdftotext found the invoice number
    const page = pagePixels(info, 1);
    const word = info.words[0]?.words.find((w) => w.text.includes('INV-2026-0042'));
    expect(word).toBeDefined();
    const s = page.dpi / 72;
    let dark = 0;
    for (let y = Math.floor((word?.yMin ?? 0) * s); y < Math.ceil((word?.yMax ?? 0) * s); y++) {
      for (let x = Math.floor((word?.xMin ?? 0) * s); x < Math.ceil((word?.xMax ?? 0) * s); x++) {
        const i = (y * page.width + x) * 4;
        if (Math.min(page.data[i] ?? 255, page.data[i + 1] ?? 255, page.data[i + 2] ?? 255) < 160) dark++;
      }
    }
    expect(dark).toBeGreaterThan(20);
  });

  it('flows a long invoice onto several pages: no line item split, nothing outside the page', async () => {
    const items = longItems(60);
    const body = await generatePdf(invoice('INV-LONG-60', items));
    expect(body.pages).toBeGreaterThanOrEqual(3);
    expect((await env.OUTPUT.head(pathOf(body.url).replace(/^\/files\//, 'pdf/')))?.customMetadata?.direct_pages).toBe(String(body.pages));
    const info = await inspectPdf((await fetchPdf(body.url)).bytes);
    expect(info.qpdf.ok).toBe(true);
    expect(info.info?.pages).toBe(body.pages);

    for (const page of info.words) {
      // every word lies inside the page, clear of a 20 pt margin
      expect(wordsOutside(page, 20)).toEqual([]);
    }
    // each item's first and last token are on the same page, and each item is on exactly one page
    for (let i = 1; i <= items.length; i++) {
      const n = String(i).padStart(3, '0');
      const startPages = info.words.filter((p) => p.words.some((w) => w.text === `ITEM${n}`)).map((p) => p.page);
      const endPages = info.words.filter((p) => p.words.some((w) => w.text === `END${n}`)).map((p) => p.page);
      expect(startPages, `ITEM${n}`).toHaveLength(1);
      expect(endPages, `END${n}`).toEqual(startPages);
    }
    // items in order across pages, and the invoice number on every page
    const firstPageOf = (n: number) => info.words.find((p) => p.words.some((w) => w.text === `ITEM${String(n).padStart(3, '0')}`))?.page ?? 0;
    for (let i = 2; i <= items.length; i++) expect(firstPageOf(i)).toBeGreaterThanOrEqual(firstPageOf(i - 1));
    for (const p of info.pages) expect(p.text).toContain('INV-LONG-60');
    // the total is on the last page only
    const total = items.reduce((sum, it) => sum + it.quantity * it.unit_price, 0) * 1.19;
    const totalText = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(total);
    expect(info.pages.at(-1)?.text).toContain(totalText);
  });

  it('lays out a landscape certificate and a report with a cover page; page_size and orientation are honoured', async () => {
    const certificate = await generatePdf({ template: 'certificate', vars: cert('Ada Lovelace', 'Analytical Engines 101') });
    const certInfo = await inspectPdf((await fetchPdf(certificate.url)).bytes);
    expect(certInfo.qpdf.ok).toBe(true);
    expect(certInfo.info?.pageSizes[0]).toMatchObject({ width: expect.closeTo(841.89, 1), height: expect.closeTo(595.28, 1) });
    expect(squash(allText(certInfo))).toContain('Ada Lovelace');

    const letter = await generatePdf({ template: 'certificate', vars: cert('Grace Hopper', 'Compilers'), page_size: 'Letter' });
    const letterInfo = await inspectPdf((await fetchPdf(letter.url)).bytes);
    expect(letterInfo.info?.pageSizes[0]).toMatchObject({ width: 792, height: 612 });

    const custom = await generatePdf({ ...invoice('INV-CUSTOM', SMALL_ITEMS), page_size: { width: 500, height: 700 } });
    const customInfo = await inspectPdf((await fetchPdf(custom.url)).bytes);
    expect(customInfo.info?.pageSizes.map((p) => [p.width, p.height])).toEqual(Array(custom.pages).fill([500, 700]));

    const report = await generatePdf({
      template: 'report',
      vars: {
        title: 'Quarterly report',
        sections: [
          { heading: 'Summary', paragraphs: ['Revenue grew. '.repeat(40), 'Costs fell. '.repeat(60)] },
          { heading: 'Outlook', paragraphs: ['We expect more of the same. '.repeat(80)] },
        ],
      },
    });
    expect(report.pages).toBeGreaterThanOrEqual(2);
    const reportInfo = await inspectPdf((await fetchPdf(report.url)).bytes);
    expect(reportInfo.info?.pages).toBe(report.pages);
    expect(reportInfo.pages[0]?.text).toContain('Quarterly report');
    expect(squash(allText(reportInfo))).toContain('Outlook');
    for (const page of reportInfo.words) expect(wordsOutside(page, 20)).toEqual([]);
  });

  it('takes pages: each section its own template, in order', async () => {
    const body = await generatePdf({
      pages: [
        { template: 'certificate', vars: cert('First Section', 'One') },
        { template: 'og-card', vars: { title: 'Second section card' } },
        { template: 'invoice', vars: invoice('INV-SECTION-3', SMALL_ITEMS).vars },
      ],
      title: 'Bundle',
    });
    expect(body).toMatchObject({ pages: 3, template: 'certificate+og-card+invoice' });
    // the document templates are drawn by the direct path; og-card's gradient sends its page through satori
    const object = await env.OUTPUT.head(pathOf(body.url).replace(/^\/files\//, 'pdf/'));
    expect(object?.customMetadata).toMatchObject({ pages: '3', direct_pages: '2' });
    const info = await inspectPdf((await fetchPdf(body.url)).bytes);
    expect(info.pages.map((p) => squash(p.text))).toEqual([
      expect.stringContaining('First Section'),
      expect.stringContaining('Second section card'),
      expect.stringContaining('INV-SECTION-3'),
    ]);
    expect(info.info?.pageSizes[0]?.width).toBeGreaterThan(info.info?.pageSizes[0]?.height ?? 0); // certificate: landscape
    expect(info.info?.pageSizes[1]?.width).toBeLessThan(info.info?.pageSizes[1]?.height ?? 0); // the rest A4 portrait
  });

  it('charges one unit per page, answers a repeat from the cache for free, and never shares a document across accounts', async () => {
    const [a, b] = await Promise.all([signup(), signup()]);
    const request = invoice('INV-QUOTA', longItems(40));
    const first = await generatePdf(request, a.apiKey);
    expect(first.pages).toBeGreaterThanOrEqual(2);
    expect(await unitsUsed(a.id)).toBe(first.pages);

    const again = await generatePdf(request, a.apiKey);
    expect(again).toMatchObject({ cached: true, pages: first.pages });
    expect(new URL(again.url).pathname).toBe(new URL(first.url).pathname);
    expect(await unitsUsed(a.id)).toBe(first.pages);

    // the same document for another account is its own file, charged to it
    const other = await generatePdf(request, b.apiKey);
    expect(other.cached).toBe(false);
    expect(new URL(other.url).pathname).not.toBe(new URL(first.url).pathname);
    expect(await unitsUsed(b.id)).toBe(other.pages);
  });

  it('refuses a document the month has no room for, before rendering', async () => {
    const account = await signup();
    const request = invoice('INV-NO-ROOM', longItems(40));
    const { pages } = await generatePdf(request, account.testKey); // test keys count pages but charge nothing
    expect(pages).toBeGreaterThanOrEqual(2);
    await setUnitsUsed(account.id, 1000 - pages + 1); // one unit short
    const res = await postJson(PDF, request, bearer(account.apiKey));
    const problem = await expectProblem(res, 429, 'quota_exceeded');
    expect(problem.detail).toMatch(/needs \d+ units/);
    expect(await unitsUsed(account.id)).toBe(1000 - pages + 1);
    expect(await renderCount(account.id)).toBe(1); // the test-key render only
    // with exactly enough left it goes through and uses the month up
    await setUnitsUsed(account.id, 1000 - pages);
    await generatePdf(request, account.apiKey);
    expect(await unitsUsed(account.id)).toBe(1000);
  });

  it('test keys pay nothing and every page carries the TEST badge (top right); live pages do not', async () => {
    const account = await signup();
    const request = invoice('INV-SANDBOX-1', longItems(40));
    const body = await generatePdf(request, account.testKey);
    expect(await unitsUsed(account.id)).toBe(0);
    const info = await inspectPdf((await fetchPdf(body.url)).bytes);
    expect(info.words.length).toBe(body.pages);
    // (the badge lies over the invoice's title, and pdftotext splits it around that word: "TE" "Invoice" "ST")
    const corner = (page: (typeof info.words)[number]) =>
      page.words
        .filter((w) => w.xMax > page.width / 2 && w.yMax < page.height / 4)
        .map((w) => w.text)
        .join('');
    for (const page of info.words) expect(corner(page).replace('Invoice', ''), `page ${page.page}`).toContain('TEST');
    const live = await inspectPdf((await fetchPdf((await generatePdf(request, account.apiKey)).url)).bytes);
    for (const page of live.words) expect(page.words.some((w) => w.text.includes('TEST'))).toBe(false);
  });

  it('embeds a remote logo once per document, drawn where the template puts it', async () => {
    const body = await generatePdf(invoice('INV-LOGO', longItems(40), { logo: `${env.TEST_IMAGE_ORIGIN}/logo.png` }));
    const info = await inspectPdf((await fetchPdf(body.url)).bytes, { png: [1] });
    expect(info.qpdf.ok).toBe(true);
    const images = info.images.rows.filter((r) => r.type === 'image');
    expect(images.length).toBeGreaterThanOrEqual(1);
    expect(new Set(images.map((r) => `${r.width}x${r.height}`))).toEqual(new Set(['128x128']));
    // one image object in the file, however many pages draw it
    const doc = await PDFDocument.load((await fetchPdf(body.url)).bytes);
    const imageObjects = doc.context
      .enumerateIndirectObjects()
      .filter(([, o]) => o instanceof PDFRawStream && o.dict.get(PDFName.of('Subtype')) === PDFName.of('Image'));
    expect(imageObjects).toHaveLength(1);
    // the logo's red shows on page 1
    const page = pagePixels(info, 1);
    let red = 0;
    for (let i = 0; i < page.data.length; i += 4) if ((page.data[i] ?? 0) > 180 && (page.data[i + 1] ?? 255) < 90 && (page.data[i + 2] ?? 255) < 90) red++;
    expect(red).toBeGreaterThan(20);
  });

  it('GET /api/v1/renders/:id signs a fresh URL for a PDF', async () => {
    const body = await generatePdf(invoice('INV-POLL', SMALL_ITEMS));
    const polled = await (await get(`/api/v1/renders/${body.id}`)).json<PdfBody>();
    expect(polled).toMatchObject({ id: body.id, type: 'pdf', status: 'complete', pages: 1 });
    expect(new URL(polled.url).pathname).toBe(new URL(body.url).pathname);
    expect(Number(new URL(polled.url).searchParams.get('expires'))).toBeGreaterThanOrEqual(Number(new URL(body.url).searchParams.get('expires')));
    expect((await fetchPdf(polled.url)).res.status).toBe(200);
    // PDFs are never reachable as public images
    expect((await get(`/img/${pathOf(body.url).split('/').pop()}`)).status).toBe(404);
  });
});

describe('POST /api/v1/generate/pdf — bad input gets a 4xx before any work', () => {
  async function expectNothingMade(account: TestAccount): Promise<void> {
    expect(await renderCount(account.id)).toBe(0);
    expect(await unitsUsed(account.id)).toBe(0);
  }

  it('over the page limit → 400 document_too_large, before rendering', async () => {
    const account = await signup();
    const started = Date.now();
    const items = Array.from({ length: 500 }, (_, i) => ({
      description: `Line ${i} ${'with a long description that wraps onto several lines '.repeat(4)}`,
      unit_price: 1,
    }));
    const problem = await expectProblem(await postJson(PDF, invoice('INV-HUGE', items), bearer(account.apiKey)), 400, 'document_too_large');
    expect(problem.detail).toMatch(/pages; the limit is 50/);
    expect(problem.errors?.[0]?.path).toBe('vars');
    expect(Date.now() - started).toBeLessThan(5_000);
    await expectNothingMade(account);

    const sections = Array.from({ length: 51 }, () => ({ template: 'og-card', vars: { title: 'x' } }));
    const tooMany = await expectProblem(await postJson(PDF, { pages: sections }, bearer(account.apiKey)), 400, 'validation_failed');
    expect(tooMany.errors?.[0]?.path).toBe('pages');
    // 40 reports of two pages or more: past 50 pages
    const report = { template: 'report', vars: { title: 'R', sections: [{ heading: 'H', paragraphs: ['Text. '.repeat(400)] }] } };
    const flowing = await expectProblem(await postJson(PDF, { pages: Array(40).fill(report) }, bearer(account.apiKey)), 400, 'document_too_large');
    expect(flowing.errors?.[0]?.path).toBe('pages');
    await expectNothingMade(account);
  });

  it('a page too large → 400 document_too_large; malformed requests → 400 with field paths', async () => {
    const account = await signup();
    const key = bearer(account.apiKey);
    await expectProblem(await postJson(PDF, { ...invoice('X', SMALL_ITEMS), page_size: { width: 2000, height: 2000 } }, key), 400, 'document_too_large');
    const cases: [unknown, string][] = [
      [{}, 'template'],
      [{ ...invoice('X', SMALL_ITEMS), pages: [{ template: 'og-card' }] }, 'pages'],
      [{ pages: [{ template: 'og-card', vars: { title: 'x' } }], vars: { a: 1 } }, 'vars'],
      [{ pages: [] }, 'pages'],
      [{ ...invoice('X', SMALL_ITEMS), page_size: 'A3' }, 'page_size'],
      [{ ...invoice('X', SMALL_ITEMS), page_size: { width: 10, height: 700 } }, 'page_size.width'],
      [{ ...invoice('X', SMALL_ITEMS), title: '' }, 'title'],
      [{ ...invoice('X', SMALL_ITEMS), extra: true }, '(body)'],
      [invoice('X', [{ description: 'a', unit_price: 'free' } as never]), 'vars.items.0.unit_price'],
      [
        {
          pages: [
            { template: 'og-card', vars: { title: 'ok' } },
            { template: 'certificate', vars: { ...cert('x', 'y'), recipient: 5 } },
          ],
        },
        'pages.1.vars.recipient',
      ],
    ];
    for (const [body, path] of cases) {
      const problem = await expectProblem(await postJson(PDF, body, key), 400, 'validation_failed');
      expect(
        problem.errors?.map((e) => e.path),
        JSON.stringify(body).slice(0, 120),
      ).toContain(path);
    }
    await expectProblem(await postJson(PDF, { template: 'no-such-template' }, key), 404, 'template_not_found');
    const unknownInPages = await expectProblem(await postJson(PDF, { pages: [{ template: 'nope' }] }, key), 404, 'template_not_found');
    expect(unknownInPages.errors?.[0]?.path).toBe('pages.0.template');
    // a PDF template is not an image
    await expectProblem(await postJson('/api/v1/generate/image', { template: 'invoice', vars: {} }, key), 400, 'template_kind_mismatch');
    // a blocked logo URL is refused before any fetch
    await expectProblem(await postJson(PDF, invoice('X', SMALL_ITEMS, { logo: 'http://169.254.169.254/logo.png' }), key), 422, 'remote_image_blocked');
    await expectNothingMade(account);
  });

  it('a body over 512 KB → 413; over 64 KB is fine for PDFs', async () => {
    const account = await signup();
    const key = bearer(account.apiKey);
    const items = Array.from({ length: 220 }, (_, i) => ({
      description: `Line ${i} ${'lorem ipsum dolor sit amet '.repeat(11)}`.slice(0, 300),
      unit_price: 1,
    }));
    const big = invoice('INV-BIG-BODY', items);
    expect(JSON.stringify(big).length).toBeGreaterThan(64 * 1024);
    const res = await postJson(PDF, big, key);
    const body = await res.json<PdfBody>();
    expect(res.status, JSON.stringify(body).slice(0, 300)).toBe(200);
    expect(body.pages).toBeGreaterThan(10);
    const huge = { ...invoice('X', SMALL_ITEMS), notes: 'y'.repeat(600 * 1024) };
    await expectProblem(await postJson(PDF, huge, key), 413, 'payload_too_large');
  });

  // (a GIF goes in as the PNG of its first frame: test/render/images/remote-images.test.ts)
  it('remote images: a picture too large to embed, an unreadable PNG → 422 naming the var; more than 10 distinct URLs → 400 before any fetch', async () => {
    const account = await signup();
    const key = bearer(account.apiKey);
    const origin = env.TEST_IMAGE_ORIGIN;
    const wide = await expectProblem(
      await postJson(
        PDF,
        {
          pages: [
            { template: 'og-card', vars: { title: 'a' } },
            { template: 'invoice', vars: invoice('X', SMALL_ITEMS, { logo: `${origin}/wide.png` }).vars },
          ],
        },
        key,
      ),
      422,
      'remote_image_too_large',
    );
    expect(wide.errors?.[0]?.path).toBe('pages.1.vars.logo');
    const corrupt = await expectProblem(
      await postJson(PDF, invoice('X', SMALL_ITEMS, { logo: `${origin}/corrupt.png` }), key),
      422,
      'remote_image_undecodable',
    );
    expect(corrupt.errors?.[0]?.path).toBe('vars.logo');
    expect(await unitsUsed(account.id)).toBe(0); // every failed render gave its unit back

    const sections = Array.from({ length: 11 }, (_, i) => ({
      template: 'invoice',
      vars: invoice(`X${i}`, SMALL_ITEMS, { logo: `${origin}/logo.png?v=${i}` }).vars,
    }));
    const before = await (await fetch(`${origin}/__hits`)).json<Record<string, number>>();
    await expectProblem(await postJson(PDF, { pages: sections }, key), 400, 'document_too_large');
    const after = await (await fetch(`${origin}/__hits`)).json<Record<string, number>>();
    expect(after['/logo.png'] ?? 0).toBe(before['/logo.png'] ?? 0);
    // the same logo on every section is one image: fetched once (a URL of its own, which the image cache has not seen)
    const logo = `${origin}/logo.png?same=${crypto.randomUUID()}`;
    const same = Array.from({ length: 11 }, (_, i) => ({ template: 'invoice', vars: invoice(`Y${i}`, SMALL_ITEMS, { logo }).vars }));
    const ok = await generatePdf({ pages: same }, account.apiKey);
    expect(ok.pages).toBe(11);
    const final = await (await fetch(`${origin}/__hits`)).json<Record<string, number>>();
    expect(final[logo.slice(origin.length)]).toBe(1);
  });

  it('without a signing secret PDFs are refused (503) before any work', async () => {
    const account = await signup();
    const objectsBefore = (await env.OUTPUT.list({ prefix: 'pdf/' })).objects.length;
    const res = await fetchWithEnv({ FILE_SIGNING_SECRET: '' } as never, PDF, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(account.apiKey) },
      body: JSON.stringify(invoice('INV-NO-SECRET', SMALL_ITEMS)),
    });
    await expectProblem(res, 503, 'signing_unavailable');
    await expectNothingMade(account);
    // and the object store holds nothing new
    expect((await env.OUTPUT.list({ prefix: 'pdf/' })).objects.length).toBe(objectsBefore);
  });
});
