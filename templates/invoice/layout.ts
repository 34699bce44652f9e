/**
 * The invoice's layout, apart from its drawing: amounts summed in minor units, every block's text
 * wrapped and its exact height, and the pagination — which line items go on which page, and where
 * the totals go. Pure: given the vars, the page size and a text measurer it returns numbers and
 * strings, so it is tested without drawing anything (test/templates/invoice/layout.test.ts).
 */
import { formatIsoDate } from '../format';
import { clampLines, ELLIPSIS, ellipsize, fitSize, type Measure, oneLine, WIDE, wrap } from '../pdf-text';
import type { Vars } from './schema';

// ---------------------------------------------------------------------------------------------
// Money. Amounts are summed in minor units (cents) so totals add up exactly.

/** Rounds half away from zero; toPrecision first, so binary artefacts (1.005 × 100) round as written. */
export function roundHalfAway(x: number): number {
  const m = Math.round(Math.abs(Number(x.toPrecision(15))));
  return x < 0 && m !== 0 ? -m : m;
}

export type Money = ReturnType<typeof money>;

export function money(currency: string) {
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
export const rateText = (rate: number) => `${Number(rate.toFixed(3))}%`;

// ---------------------------------------------------------------------------------------------
// Layout (CSS px). Every height below is exact: pages are filled by adding them up.

export const PAD_X = 56;
export const PAD_TOP = 48;
export const PAD_BOTTOM = 36;
export const FOOTER_GAP = 12;
export const FOOTER_H = 28;
/** Left empty at the bottom of every page's content area: room for a wrap we did not foresee. */
const SPARE = 16;

export const TOP_H = 64;
const DIVIDER_H = 1 + 20 + 20;
export const LABEL = { h: 16, gap: 6, size: 9.5 };
export const PARTY_NAME = { fontSize: 12.5, lineHeight: 18, weight: 600 } as const;
export const PARTY_LINE = { fontSize: 11.5, lineHeight: 16, weight: 400 } as const;
export const DETAIL_ROW_H = 22;
export const DETAILS_W = 214;
export const DETAILS_PAD = 12;
export const PARTIES_GAP = 20;
export const PARTIES_MARGIN = 28;

export const CONT_H = 36 + 1 + 16;
export const THEAD_H = 30;

export const ROW_PAD = 9;
export const ROW_TEXT = { fontSize: 12, lineHeight: 17, weight: 400 } as const;
export const COL = { qty: 64, unit: 108, tax: 60, amount: 116, gap: 12 };

export const TOTALS_W = 300;
export const TOTALS_MARGIN = 20;
export const TOTALS_ROW_H = 26;
export const TOTAL_ROW_H = 40;
export const NOTES_MARGIN = 28;
export const NOTE_TEXT = { fontSize: 11.5, lineHeight: 17, weight: 400 } as const;
const NOTES_LINES = 12;
const TERMS_LINES = 6;
export const TERMS_MARGIN = 16;

/** A line item, wrapped and formatted: never split across pages. */
export interface Row {
  lines: string[];
  quantity: string;
  unit: string;
  tax: string;
  amount: string;
  height: number;
}

/** A labelled block of text under the totals (notes, payment terms). */
export interface Block {
  label: string;
  lines: string[];
}

export interface Party {
  name: string[];
  lines: string[];
  height: number;
}

/** Page 1's header: the seller and title line, then the two parties and the dates box. */
export interface FirstHeader {
  titleSize: number;
  numberText: string;
  /** Width of the title column (right), which the seller's name (left) leaves room for. */
  rightW: number;
  sellerSize: number;
  sellerName: string;
  partyW: number;
  from: Party;
  to: Party;
  details: [string, string][];
  detailsH: number;
  partiesH: number;
  height: number;
}

/** The last page's tail: subtotal, a line per tax rate, the total, then notes and terms. */
export interface Totals {
  lines: [string, string][];
  totalText: string;
  notes: Block[];
  height: number;
}

export interface InvoiceLayout {
  /** Content width and height of every page (inside the margins, above the footer). */
  cw: number;
  contentH: number;
  hasTax: boolean;
  /** Width of the description column, the rest of the row being fixed number columns. */
  descW: number;
  rows: Row[];
  header: FirstHeader;
  totals: Totals;
  /** For each page, the indexes of its rows; the last page also carries the totals. */
  plan: number[][];
}

/** Wrapped lines of free text that may hold line breaks, at most `max` lines in all. */
export function paragraphLines(measure: Measure, value: string, width: number, max: number): string[] {
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

const rateOf = (v: Vars, i: Vars['items'][number]) => i.tax_rate ?? v.tax_rate;

/** Each line's amount, the subtotal, the tax per rate (ascending) and the total, in minor units. */
export function amounts(v: Vars, m: Money) {
  const lineMinor = v.items.map((i) => m.toMinor(i.quantity * i.unit_price));
  const subtotal = lineMinor.reduce((a, b) => a + b, 0);
  const byRate = new Map<number, number>();
  v.items.forEach((i, n) => {
    const r = rateOf(v, i);
    if (r > 0) byRate.set(r, (byRate.get(r) ?? 0) + lineMinor[n]!);
  });
  const taxes = [...byRate.entries()].sort((a, b) => a[0] - b[0]).map(([rate, base]) => ({ rate, minor: roundHalfAway((base * rate) / 100) }));
  const total = subtotal + taxes.reduce((a, t) => a + t.minor, 0);
  return { lineMinor, subtotal, taxes, total };
}

function firstHeader(v: Vars, measure: Measure, cw: number): FirstHeader {
  const titleSize = fitSize(measure, v.title, 320, 28, 18, 700);
  const numberText = oneLine(measure, `No. ${v.number}`, 320, 12, 500);
  const rightW = Math.min(320, Math.max(measure(v.title, titleSize, 700), measure(numberText, 12, 500)) * WIDE + 2);
  const logoW = v.logo ? 56 + 16 : 0;
  const sellerW = cw - rightW - 24 - logoW;
  const sellerSize = fitSize(measure, v.seller.name, sellerW, 20, 14, 700);
  const sellerName = oneLine(measure, v.seller.name, sellerW, sellerSize, 700);

  const partyW = (cw - DETAILS_W - 2 * PARTIES_GAP) / 2;
  const party = (p: Vars['seller']): Party => {
    const clamp = (s: string) => clampLines(measure, s, partyW, PARTY_LINE.fontSize, PARTY_LINE.weight, 2);
    const name = clampLines(measure, p.name, partyW, PARTY_NAME.fontSize, PARTY_NAME.weight, 2);
    const lines: string[] = [];
    for (const a of p.address) lines.push(...clamp(a));
    if (p.email) lines.push(...clamp(p.email));
    if (p.tax_id) lines.push(...clamp(`Tax ID: ${p.tax_id}`));
    return { name, lines, height: LABEL.h + LABEL.gap + name.length * PARTY_NAME.lineHeight + lines.length * PARTY_LINE.lineHeight };
  };
  const from = party(v.seller);
  const to = party(v.buyer);
  const details: [string, string][] = [['Issue date', formatIsoDate(v.issue_date)]];
  if (v.due_date) details.push(['Due date', formatIsoDate(v.due_date)]);
  const detailsH = 2 * DETAILS_PAD + 2 + (details.length + 1) * DETAIL_ROW_H + 9;
  const partiesH = Math.max(from.height, to.height, detailsH);
  const height = TOP_H + DIVIDER_H + partiesH + PARTIES_MARGIN;
  return { titleSize, numberText, rightW, sellerSize, sellerName, partyW, from, to, details, detailsH, partiesH, height };
}

function totals(v: Vars, measure: Measure, cw: number, m: Money, sums: ReturnType<typeof amounts>): Totals {
  const lines: [string, string][] = [['Subtotal', m.minor(sums.subtotal)]];
  for (const t of sums.taxes) lines.push([`${v.tax_label} ${rateText(t.rate)}`, m.minor(t.minor)]);
  const notes: Block[] = [];
  if (v.notes) notes.push({ label: 'NOTES', lines: paragraphLines(measure, v.notes, cw, NOTES_LINES) });
  if (v.payment_terms) notes.push({ label: 'PAYMENT TERMS', lines: paragraphLines(measure, v.payment_terms, cw, TERMS_LINES) });
  const notesH = notes.reduce((sum, b, i) => sum + (i === 0 ? NOTES_MARGIN : TERMS_MARGIN) + LABEL.h + LABEL.gap + b.lines.length * NOTE_TEXT.lineHeight, 0);
  const height = TOTALS_MARGIN + lines.length * TOTALS_ROW_H + TOTAL_ROW_H + notesH;
  return { lines, totalText: m.minor(sums.total), notes, height };
}

/** Room for rows on page 1 (under its header) and on the continuation pages, and the totals' height. */
export interface PageRoom {
  first: number;
  next: number;
  tail: number;
}

/**
 * Whole rows only, in order, the totals (`tail` high) after the last row: for each page the
 * indexes of its rows. A page takes at least one row (a full page holds the tallest row the schema
 * allows), except page 1, which would rather hold the header alone than an overflowing row. When
 * the totals do not fit under the last row they go on a page of their own, with the last row
 * carried over when that leaves rows behind and both still fit, so that page does not start with
 * the totals alone.
 */
export function paginateRows(heights: readonly number[], room: PageRoom): number[][] {
  const plan: number[][] = [[]];
  let used = 0;
  let avail = room.first;
  heights.forEach((h, n) => {
    if ((plan[plan.length - 1]!.length > 0 || plan.length === 1) && used + h > avail) {
      plan.push([]);
      used = 0;
      avail = room.next;
    }
    plan[plan.length - 1]!.push(n);
    used += h;
  });
  if (used + room.tail > avail) {
    const last = plan[plan.length - 1]!;
    const carried = last.length > 1 && heights[last[last.length - 1]!]! + room.tail <= room.next ? [last.pop()!] : [];
    plan.push(carried);
  }
  return plan;
}

/** Everything the drawing needs: the text of each block, its height, and the page plan. */
export function layoutInvoice(v: Vars, page: { width: number; height: number }, measure: Measure): InvoiceLayout {
  const cw = page.width - 2 * PAD_X;
  const contentH = page.height - PAD_TOP - PAD_BOTTOM - FOOTER_GAP - FOOTER_H;
  const usable = contentH - SPARE;
  const m = money(v.currency);
  const sums = amounts(v, m);

  const hasTax = v.items.some((i) => rateOf(v, i) > 0);
  const descW = cw - COL.qty - COL.unit - (hasTax ? COL.tax : 0) - COL.amount - COL.gap;
  const rows: Row[] = v.items.map((i, n) => {
    const lines = wrap(measure, i.description, descW, ROW_TEXT.fontSize, ROW_TEXT.weight);
    if (lines.length === 0) lines.push('');
    return {
      lines,
      quantity: quantityFormat.format(i.quantity),
      unit: m.unit(i.unit_price),
      tax: rateText(rateOf(v, i)),
      amount: m.minor(sums.lineMinor[n]!),
      height: 2 * ROW_PAD + lines.length * ROW_TEXT.lineHeight + 1,
    };
  });

  const header = firstHeader(v, measure, cw);
  const tail = totals(v, measure, cw, m, sums);
  const plan = paginateRows(
    rows.map((r) => r.height),
    { first: usable - header.height - THEAD_H, next: usable - CONT_H - THEAD_H, tail: tail.height },
  );
  return { cw, contentH, hasTax, descW, rows, header, totals: tail, plan };
}
