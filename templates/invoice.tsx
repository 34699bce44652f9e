/**
 * invoice: an A4 invoice whose line items flow onto as many pages as they need. Page 1 carries the
 * seller, buyer and dates; continuation pages a compact header; the last page the totals and notes.
 *
 * Pagination is decided here, not by the renderer: every block has an explicit height computed
 * from `page.measureText` (a description is word-wrapped into lines, one div per line), so a row
 * is never split and nothing can run past the bottom margin.
 */
import { z } from 'zod';
import { h, type TemplateElement } from '../src/render/jsx';
import { definePdfTemplate, type PageContext } from './define';
import { formatIsoDate } from './format';
import { clampLines, ELLIPSIS, ellipsize, fitSize, Lines, type Measure, memoMeasure, oneLine, pageStyle, type Weight, WIDE, wrap } from './pdf-text';
import { hexColor, imageUrl, text } from './ui';

void h;

// ---------------------------------------------------------------------------------------------
// Money. Amounts are summed in minor units (cents) so totals add up exactly.

/** Rounds half away from zero; toPrecision first, so binary artefacts (1.005 × 100) round as written. */
function roundHalfAway(x: number): number {
  const m = Math.round(Math.abs(Number(x.toPrecision(15))));
  return x < 0 && m !== 0 ? -m : m;
}

function money(currency: string) {
  const total = new Intl.NumberFormat('en-US', { style: 'currency', currency });
  const digits = total.resolvedOptions().maximumFractionDigits ?? 2;
  const unit = new Intl.NumberFormat('en-US', { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: Math.max(digits, 4) });
  const scale = 10 ** digits;
  return {
    /** An amount in major units → minor units, rounded half away from zero as written. */
    toMinor: (amount: number) => roundHalfAway(amount * scale),
    minor: (m: number) => total.format(m === 0 ? 0 : m / scale),
    unit: (amount: number) => unit.format(amount === 0 ? 0 : amount),
  };
}

const quantityFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });
const rateText = (rate: number) => `${Number(rate.toFixed(3))}%`;

// ---------------------------------------------------------------------------------------------
// Schema.

const party = (who: string) =>
  z.object({
    name: text(100).min(1).describe(`${who}'s name or company name`),
    address: z.array(text(100)).max(6).default([]).describe('Address lines, top to bottom (at most 6)'),
    email: text(120).optional().describe('Contact e-mail'),
    tax_id: text(40).optional().describe('VAT number or other tax id, shown as "Tax ID: …"'),
  });

const item = z.object({
  description: text(300).min(1).describe('What was sold; wraps inside its column (at most 300 characters)'),
  quantity: z.number().min(0).max(1_000_000).default(1).describe('Quantity (up to 3 decimals shown)'),
  unit_price: z.number().min(-1_000_000_000).max(1_000_000_000).describe('Price of one unit, before tax, in `currency`; negative for a discount line'),
  tax_rate: z.number().min(0).max(100).optional().describe('Tax rate in percent for this item; the invoice-wide `tax_rate` when absent'),
});

const MAX_TAX_RATES = 6;

const vars = z
  .object({
    title: text(30).min(1).default('Invoice').describe('Document title, e.g. "Invoice", "Tax invoice" or "Credit note"'),
    number: text(40).min(1).describe('Invoice number, e.g. "INV-2026-0042"'),
    issue_date: z.iso.date().describe('Issue date, YYYY-MM-DD; shown as "Mar 4, 2026"'),
    due_date: z.iso.date().optional().describe('Payment due date, YYYY-MM-DD'),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like USD or EUR')
      .default('USD')
      .describe('ISO 4217 currency code of all amounts (USD, EUR, GBP, JPY, …)'),
    seller: party('Seller').describe('Who issues the invoice'),
    buyer: party('Buyer').describe('Who is billed'),
    logo: imageUrl().optional().describe("Seller's logo (https URL of a PNG, JPEG, WebP or AVIF), shown top left"),
    items: z.array(item).min(1).max(500).describe('Line items (1 to 500); they flow onto as many pages as needed'),
    tax_rate: z.number().min(0).max(100).default(0).describe('Tax rate in percent for items without their own `tax_rate`'),
    tax_label: text(20).min(1).default('Tax').describe('Name of the tax, e.g. "VAT", "GST" or "Sales tax"'),
    notes: text(1000).optional().describe('Free-form notes shown under the totals (line breaks kept; about 12 lines at most)'),
    payment_terms: text(500).optional().describe('Payment terms or bank details shown under the notes (about 6 lines at most)'),
    accent: hexColor().default('#1d4ed8').describe('Accent colour (hex) of the title and total'),
  })
  .superRefine((v, ctx) => {
    const rates = new Set(v.items.map((i) => i.tax_rate ?? v.tax_rate).filter((r) => r > 0));
    if (rates.size > MAX_TAX_RATES) ctx.addIssue({ code: 'custom', path: ['items'], message: `at most ${MAX_TAX_RATES} different tax rates` });
  });

type Vars = z.output<typeof vars>;

// ---------------------------------------------------------------------------------------------
// Layout (CSS px). Every height below is exact: pages are filled by adding them up.

const INK = '#0f172a';
const MUTED = '#64748b';
const RULE = '#e2e8f0';

const PAD_X = 56;
const PAD_TOP = 48;
const PAD_BOTTOM = 36;
const FOOTER_GAP = 12;
const FOOTER_H = 28;
/** Left empty at the bottom of every page's content area: room for a wrap we did not foresee. */
const SPARE = 16;

const TOP_H = 64;
const DIVIDER_H = 1 + 20 + 20;
const LABEL = { h: 16, gap: 6, size: 9.5 };
const PARTY_NAME = { fontSize: 12.5, lineHeight: 18, weight: 600 } as const;
const PARTY_LINE = { fontSize: 11.5, lineHeight: 16, weight: 400 } as const;
const DETAIL_ROW_H = 22;
const DETAILS_W = 214;
const DETAILS_PAD = 12;
const PARTIES_GAP = 20;
const PARTIES_MARGIN = 28;

const CONT_H = 36 + 1 + 16;
const THEAD_H = 30;

const ROW_PAD = 9;
const ROW_TEXT = { fontSize: 12, lineHeight: 17, weight: 400 } as const;
const COL = { qty: 64, unit: 108, tax: 60, amount: 116, gap: 12 };

const TOTALS_W = 300;
const TOTALS_MARGIN = 20;
const TOTALS_ROW_H = 26;
const TOTAL_ROW_H = 40;
const NOTES_MARGIN = 28;
const NOTE_TEXT = { fontSize: 11.5, lineHeight: 17, weight: 400 } as const;
const NOTES_LINES = 12;
const TERMS_LINES = 6;
const TERMS_MARGIN = 16;

interface Row {
  lines: string[];
  quantity: string;
  unit: string;
  tax: string;
  amount: string;
  height: number;
}

interface Block {
  label: string;
  lines: string[];
}

function Label(props: { children?: string; width?: number }) {
  return (
    <div
      style={{
        display: 'flex',
        height: LABEL.h,
        marginBottom: LABEL.gap,
        fontSize: LABEL.size,
        lineHeight: LABEL.h / LABEL.size,
        fontWeight: 600,
        letterSpacing: 0.8,
        color: MUTED,
      }}
    >
      {props.children}
    </div>
  );
}

/** Wrapped lines of free text that may hold line breaks, at most `max` lines in all. */
function paragraphLines(measure: Measure, value: string, width: number, max: number): string[] {
  const out: string[] = [];
  // split at line breaks, dropping the spaces around each (what /\s*\n\s*/ did, quadratically on long space runs)
  const lines = value.split('\n');
  const paragraphs = lines
    .map((l, i) => (i > 0 ? l.trimStart() : l))
    .map((l, i) => (i < lines.length - 1 ? l.trimEnd() : l))
    .filter(Boolean);
  for (const [i, p] of paragraphs.entries()) {
    const rest = max - out.length;
    if (rest <= 0) break;
    const lines = clampLines(measure, p, width, NOTE_TEXT.fontSize, NOTE_TEXT.weight, rest);
    out.push(...lines);
    if (out.length === max && (i < paragraphs.length - 1 || lines.length < wrap(measure, p, width, NOTE_TEXT.fontSize, NOTE_TEXT.weight).length)) {
      const last = out[max - 1]!;
      if (!last.endsWith(ELLIPSIS)) out[max - 1] = ellipsize(measure, `${last} …`, width, NOTE_TEXT.fontSize, NOTE_TEXT.weight);
    }
  }
  return out;
}

function pages(v: Vars, page: PageContext): TemplateElement[] {
  const { width: W, height: H } = page;
  const measure = memoMeasure(page);
  const cw = W - 2 * PAD_X;
  const contentH = H - PAD_TOP - PAD_BOTTOM - FOOTER_GAP - FOOTER_H;
  const usable = contentH - SPARE;
  const m = money(v.currency);

  // --- amounts
  const rateOf = (i: Vars['items'][number]) => i.tax_rate ?? v.tax_rate;
  const hasTax = v.items.some((i) => rateOf(i) > 0);
  const lineMinor = v.items.map((i) => m.toMinor(i.quantity * i.unit_price));
  const subtotal = lineMinor.reduce((a, b) => a + b, 0);
  const byRate = new Map<number, number>();
  v.items.forEach((i, n) => {
    const r = rateOf(i);
    if (r > 0) byRate.set(r, (byRate.get(r) ?? 0) + lineMinor[n]!);
  });
  const taxes = [...byRate.entries()].sort((a, b) => a[0] - b[0]).map(([rate, base]) => ({ rate, minor: roundHalfAway((base * rate) / 100) }));
  const total = subtotal + taxes.reduce((a, t) => a + t.minor, 0);

  // --- columns
  const taxW = hasTax ? COL.tax : 0;
  const descW = cw - COL.qty - COL.unit - taxW - COL.amount - COL.gap;
  const numberCell = (value: string, width: number, weight: Weight) => ({
    value,
    size: fitSize(measure, value, width - 8, ROW_TEXT.fontSize, 8, weight),
  });

  const rows: Row[] = v.items.map((i, n) => {
    const lines = wrap(measure, i.description, descW, ROW_TEXT.fontSize, ROW_TEXT.weight);
    if (lines.length === 0) lines.push('');
    return {
      lines,
      quantity: quantityFormat.format(i.quantity),
      unit: m.unit(i.unit_price),
      tax: rateText(rateOf(i)),
      amount: m.minor(lineMinor[n]!),
      height: 2 * ROW_PAD + lines.length * ROW_TEXT.lineHeight + 1,
    };
  });

  // --- page 1 header
  const title = v.title;
  const titleSize = fitSize(measure, title, 320, 28, 18, 700);
  const numberText = oneLine(measure, `No. ${v.number}`, 320, 12, 500);
  const rightW = Math.min(320, Math.max(measure(title, titleSize, 700), measure(numberText, 12, 500)) * WIDE + 2);
  const logoW = v.logo ? 56 + 16 : 0;
  const sellerW = cw - rightW - 24 - logoW;
  const sellerSize = fitSize(measure, v.seller.name, sellerW, 20, 14, 700);
  const sellerName = oneLine(measure, v.seller.name, sellerW, sellerSize, 700);

  const partyW = (cw - DETAILS_W - 2 * PARTIES_GAP) / 2;
  const partyBlock = (p: Vars['seller']) => {
    const name = clampLines(measure, p.name, partyW, PARTY_NAME.fontSize, PARTY_NAME.weight, 2);
    const lines: string[] = [];
    for (const a of p.address) lines.push(...clampLines(measure, a, partyW, PARTY_LINE.fontSize, PARTY_LINE.weight, 2));
    if (p.email) lines.push(...clampLines(measure, p.email, partyW, PARTY_LINE.fontSize, PARTY_LINE.weight, 2));
    if (p.tax_id) lines.push(...clampLines(measure, `Tax ID: ${p.tax_id}`, partyW, PARTY_LINE.fontSize, PARTY_LINE.weight, 2));
    return { name, lines, height: LABEL.h + LABEL.gap + name.length * PARTY_NAME.lineHeight + lines.length * PARTY_LINE.lineHeight };
  };
  const from = partyBlock(v.seller);
  const to = partyBlock(v.buyer);
  const details: [string, string][] = [['Issue date', formatIsoDate(v.issue_date)]];
  if (v.due_date) details.push(['Due date', formatIsoDate(v.due_date)]);
  const detailsH = 2 * DETAILS_PAD + 2 + (details.length + 1) * DETAIL_ROW_H + 9;
  const partiesH = Math.max(from.height, to.height, detailsH);
  const firstHeaderH = TOP_H + DIVIDER_H + partiesH + PARTIES_MARGIN;

  // --- totals and notes (last page)
  const totalsLines: [string, string][] = [['Subtotal', m.minor(subtotal)]];
  for (const t of taxes) totalsLines.push([`${v.tax_label} ${rateText(t.rate)}`, m.minor(t.minor)]);
  const totalText = m.minor(total);
  const notes: Block[] = [];
  if (v.notes) notes.push({ label: 'NOTES', lines: paragraphLines(measure, v.notes, cw, NOTES_LINES) });
  if (v.payment_terms) notes.push({ label: 'PAYMENT TERMS', lines: paragraphLines(measure, v.payment_terms, cw, TERMS_LINES) });
  const notesH = notes.reduce((sum, b, i) => sum + (i === 0 ? NOTES_MARGIN : TERMS_MARGIN) + LABEL.h + LABEL.gap + b.lines.length * NOTE_TEXT.lineHeight, 0);
  const totalsH = TOTALS_MARGIN + totalsLines.length * TOTALS_ROW_H + TOTAL_ROW_H + notesH;

  // --- pagination: whole rows only, the totals after the last row
  const firstAvail = usable - firstHeaderH - THEAD_H;
  const contAvail = usable - CONT_H - THEAD_H;
  const plan: number[][] = [[]];
  let used = 0;
  let avail = firstAvail;
  rows.forEach((r, n) => {
    // A page takes at least one row (a full page holds the tallest row the schema allows), except
    // page 1, which would rather hold the header alone than an overflowing row.
    if ((plan[plan.length - 1]!.length > 0 || plan.length === 1) && used + r.height > avail) {
      plan.push([]);
      used = 0;
      avail = contAvail;
    }
    plan[plan.length - 1]!.push(n);
    used += r.height;
  });
  if (used + totalsH > avail) {
    // The totals go on a page of their own, with the last row carried over when that leaves
    // rows behind and both still fit, so that page does not start with the totals alone.
    const last = plan[plan.length - 1]!;
    const carried = last.length > 1 && rows[last[last.length - 1]!]!.height + totalsH <= contAvail ? [last.pop()!] : [];
    plan.push(carried);
  }
  const count = plan.length;

  // --- rendering
  const accent = v.accent;
  const cellText = (value: string, size: number, weight: Weight, color = INK) => (
    <div
      style={{
        display: 'flex',
        justifyContent: 'flex-end',
        height: ROW_TEXT.lineHeight,
        alignItems: 'center',
        fontSize: size,
        fontWeight: weight,
        color,
        whiteSpace: 'nowrap',
      }}
    >
      {value}
    </div>
  );

  const tableHead = () => (
    <div
      style={{
        display: 'flex',
        alignItems: 'center',
        height: THEAD_H,
        flexShrink: 0,
        borderBottom: `1.5px solid ${INK}`,
        fontSize: 9.5,
        fontWeight: 600,
        letterSpacing: 0.8,
        color: MUTED,
      }}
    >
      <div style={{ display: 'flex', width: descW + COL.gap }}>DESCRIPTION</div>
      <div style={{ display: 'flex', width: COL.qty, justifyContent: 'flex-end' }}>QTY</div>
      <div style={{ display: 'flex', width: COL.unit, justifyContent: 'flex-end' }}>UNIT PRICE</div>
      {hasTax ? (
        <div style={{ display: 'flex', width: COL.tax, justifyContent: 'flex-end' }}>{v.tax_label.length <= 6 ? v.tax_label.toUpperCase() : 'TAX'}</div>
      ) : null}
      <div style={{ display: 'flex', width: COL.amount, justifyContent: 'flex-end' }}>AMOUNT</div>
    </div>
  );

  const row = (r: Row) => {
    const q = numberCell(r.quantity, COL.qty, 400);
    const u = numberCell(r.unit, COL.unit, 400);
    const a = numberCell(r.amount, COL.amount, 500);
    return (
      <div style={{ display: 'flex', height: r.height, flexShrink: 0, paddingTop: ROW_PAD, paddingBottom: ROW_PAD, borderBottom: `1px solid ${RULE}` }}>
        <div style={{ display: 'flex', width: descW + COL.gap, paddingRight: COL.gap }}>
          <Lines align="left" lines={r.lines} style={{ ...ROW_TEXT, color: INK }} />
        </div>
        <div style={{ display: 'flex', width: COL.qty, justifyContent: 'flex-end' }}>{cellText(q.value, q.size, 400)}</div>
        <div style={{ display: 'flex', width: COL.unit, justifyContent: 'flex-end' }}>{cellText(u.value, u.size, 400)}</div>
        {hasTax ? <div style={{ display: 'flex', width: COL.tax, justifyContent: 'flex-end' }}>{cellText(r.tax, 11, 400, MUTED)}</div> : null}
        <div style={{ display: 'flex', width: COL.amount, justifyContent: 'flex-end' }}>{cellText(a.value, a.size, 500)}</div>
      </div>
    );
  };

  const partyColumn = (label: string, p: ReturnType<typeof partyBlock>) => (
    <div style={{ display: 'flex', flexDirection: 'column', width: partyW, marginRight: PARTIES_GAP }}>
      <Label>{label}</Label>
      <Lines align="left" lines={p.name} style={{ ...PARTY_NAME, color: INK }} />
      <Lines align="left" lines={p.lines} style={{ ...PARTY_LINE, color: '#334155' }} />
    </div>
  );

  const detailRow = (label: string, value: string, strong = false) => {
    const inner = DETAILS_W - 2 * DETAILS_PAD;
    const labelW = 76;
    const size = strong ? fitSize(measure, value, inner - labelW, 13, 8, 700) : fitSize(measure, value, inner - labelW, 11.5, 8, 500);
    return (
      <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', height: DETAIL_ROW_H }}>
        <div style={{ display: 'flex', fontSize: 11, color: MUTED }}>{label}</div>
        <div style={{ display: 'flex', fontSize: size, fontWeight: strong ? 700 : 500, color: strong ? accent : INK, whiteSpace: 'nowrap' }}>{value}</div>
      </div>
    );
  };

  const firstHeader = () => (
    <div style={{ display: 'flex', flexDirection: 'column', flexShrink: 0, height: firstHeaderH }}>
      <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', height: TOP_H }}>
        <div style={{ display: 'flex', alignItems: 'center' }}>
          {v.logo ? <img src={v.logo} width={56} height={56} style={{ width: 56, height: 56, marginRight: 16, objectFit: 'contain' }} /> : null}
          <div style={{ display: 'flex', fontSize: sellerSize, fontWeight: 700, color: INK, whiteSpace: 'nowrap' }}>{sellerName}</div>
        </div>
        <div style={{ display: 'flex', flexDirection: 'column', alignItems: 'flex-end', width: rightW }}>
          <div style={{ display: 'flex', height: 36, alignItems: 'center', fontSize: titleSize, fontWeight: 700, color: accent, whiteSpace: 'nowrap' }}>
            {title}
          </div>
          <div style={{ display: 'flex', height: 20, alignItems: 'center', fontSize: 12, fontWeight: 500, color: MUTED, whiteSpace: 'nowrap' }}>
            {numberText}
          </div>
        </div>
      </div>
      <div style={{ display: 'flex', height: 1, marginTop: 20, marginBottom: 20, backgroundColor: RULE }} />
      <div style={{ display: 'flex', height: partiesH, marginBottom: PARTIES_MARGIN }}>
        {partyColumn('FROM', from)}
        {partyColumn('BILL TO', to)}
        <div
          style={{
            display: 'flex',
            flexDirection: 'column',
            width: DETAILS_W,
            height: detailsH,
            padding: DETAILS_PAD,
            backgroundColor: '#f8fafc',
            border: `1px solid ${RULE}`,
            borderRadius: 8,
          }}
        >
          {details.map(([label, value]) => detailRow(label, value))}
          <div style={{ display: 'flex', height: 1, marginTop: 4, marginBottom: 4, backgroundColor: RULE }} />
          {detailRow('Amount due', totalText, true)}
        </div>
      </div>
    </div>
  );

  const contHeader = (n: number) => (
    <div style={{ display: 'flex', flexDirection: 'column', flexShrink: 0, height: CONT_H }}>
      <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', height: 36 }}>
        <div style={{ display: 'flex', fontSize: 13, fontWeight: 600, color: INK, whiteSpace: 'nowrap' }}>
          {oneLine(measure, `${v.title} ${v.number} — continued`, cw - 120, 13, 600)}
        </div>
        <div style={{ display: 'flex', fontSize: 11, color: MUTED, whiteSpace: 'nowrap' }}>{`Page ${n} of ${count}`}</div>
      </div>
      <div style={{ display: 'flex', height: 1, marginBottom: 16, backgroundColor: RULE }} />
    </div>
  );

  const totalsBlock = () => (
    <div style={{ display: 'flex', flexDirection: 'column', flexShrink: 0, height: totalsH }}>
      <div style={{ display: 'flex', justifyContent: 'flex-end', marginTop: TOTALS_MARGIN }}>
        <div style={{ display: 'flex', flexDirection: 'column', width: TOTALS_W }}>
          {totalsLines.map(([label, value]) => (
            <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', height: TOTALS_ROW_H, fontSize: 12, color: '#334155' }}>
              <div style={{ display: 'flex', whiteSpace: 'nowrap' }}>{oneLine(measure, label, 150, 12, 400)}</div>
              <div style={{ display: 'flex', fontSize: fitSize(measure, value, 140, 12, 8, 500), fontWeight: 500, color: INK, whiteSpace: 'nowrap' }}>
                {value}
              </div>
            </div>
          ))}
          <div
            style={{
              display: 'flex',
              alignItems: 'center',
              justifyContent: 'space-between',
              height: TOTAL_ROW_H,
              marginTop: 0,
              borderTop: `1.5px solid ${INK}`,
            }}
          >
            <div style={{ display: 'flex', fontSize: 14, fontWeight: 700, color: INK }}>{`Total (${v.currency})`}</div>
            <div style={{ display: 'flex', fontSize: fitSize(measure, totalText, 170, 16, 8, 700), fontWeight: 700, color: accent, whiteSpace: 'nowrap' }}>
              {totalText}
            </div>
          </div>
        </div>
      </div>
      {notes.map((b, i) => (
        <div style={{ display: 'flex', flexDirection: 'column', marginTop: i === 0 ? NOTES_MARGIN : TERMS_MARGIN }}>
          <Label>{b.label}</Label>
          <Lines align="left" lines={b.lines} style={{ ...NOTE_TEXT, color: '#334155' }} />
        </div>
      ))}
    </div>
  );

  const footerLeft = oneLine(measure, `${v.seller.name} · ${v.title} ${v.number}`, cw - 120, 10, 400);

  return plan.map((indexes, p) => {
    const n = p + 1;
    return (
      <div style={pageStyle({ width: W, height: H, top: PAD_TOP, bottom: PAD_BOTTOM, x: PAD_X, color: INK })}>
        <div style={{ display: 'flex', flexDirection: 'column', height: contentH, flexShrink: 0 }}>
          {n === 1 ? firstHeader() : contHeader(n)}
          {indexes.length > 0 ? tableHead() : null}
          {indexes.map((i) => row(rows[i]!))}
          {n === count ? totalsBlock() : null}
        </div>
        <div
          style={{
            display: 'flex',
            alignItems: 'center',
            justifyContent: 'space-between',
            height: FOOTER_H,
            marginTop: FOOTER_GAP,
            flexShrink: 0,
            borderTop: `1px solid ${RULE}`,
            fontSize: 10,
            color: MUTED,
          }}
        >
          <div style={{ display: 'flex', whiteSpace: 'nowrap' }}>{footerLeft}</div>
          <div style={{ display: 'flex', whiteSpace: 'nowrap' }}>{`Page ${n} of ${count}`}</div>
        </div>
      </div>
    );
  });
}

export default definePdfTemplate({
  id: 'invoice',
  version: 1,
  name: 'Invoice',
  description: 'An A4 invoice: seller and buyer, dates, line items that flow onto as many pages as needed, tax per rate, totals, notes and payment terms.',
  kind: 'pdf',
  paper: 'A4',
  orientation: 'portrait',
  vars,
  example: {
    number: 'INV-2026-0042',
    issue_date: '2026-03-04',
    due_date: '2026-04-03',
    currency: 'EUR',
    seller: {
      name: 'Northwind Studio GmbH',
      address: ['Torstraße 140', '10119 Berlin', 'Germany'],
      email: 'billing@northwind.studio',
      tax_id: 'DE 312 456 789',
    },
    buyer: {
      name: 'Lumen Analytics Ltd',
      address: ['Attn: Accounts Payable', '22 Wharf Road', 'London N1 7GR', 'United Kingdom'],
      email: 'ap@lumen-analytics.co.uk',
    },
    items: [
      { description: 'Brand identity workshop (two days, on site, including preparation and a written summary)', quantity: 2, unit_price: 1800 },
      { description: 'Social card template design', quantity: 5, unit_price: 240 },
      { description: 'PicStream Pro subscription, March 2026', quantity: 1, unit_price: 49 },
      { description: 'Illustration licence, print run up to 10,000 copies', quantity: 1, unit_price: 650, tax_rate: 7 },
    ],
    tax_rate: 19,
    tax_label: 'VAT',
    notes: 'Thank you for your business. Please quote the invoice number with your payment.',
    payment_terms: 'Payable within 30 days by bank transfer to IBAN DE89 3704 0044 0532 0130 00 (BIC COBADEFFXXX).',
    accent: '#1d4ed8',
  },
  imageVars: ['logo'],
  pages,
});
