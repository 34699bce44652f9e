/**
 * The invoice's layout as pure functions: money in minor units, the page plan (whole rows, the
 * totals after the last one), and that no page's blocks add up past its content area. Text is
 * measured by a fixed-advance stand-in, so the numbers are exact and need no fonts.
 */
import { describe, expect, it } from 'vitest';
import invoice from '../../../templates/invoice';
import { CONT_H, layoutInvoice, money, paginateRows, roundHalfAway, THEAD_H } from '../../../templates/invoice/layout';
import type { Vars } from '../../../templates/invoice/schema';

/** Every character half the font size wide. */
const measure = (s: string, size: number) => Array.from(s).length * size * 0.5;
const A4 = { width: (595.28 * 4) / 3, height: (841.89 * 4) / 3 };
const example = (extra: Partial<Vars> = {}): Vars => invoice.vars.parse({ ...invoice.example, ...extra }) as Vars;

describe('roundHalfAway', () => {
  it.each([
    [2.5, 3],
    [-2.5, -3],
    [2.4, 2],
    [-0.4, 0],
    [1.005 * 100, 101],
    [0, 0],
  ])('%d → %d', (x, expected) => {
    expect(Object.is(roundHalfAway(x), expected)).toBe(true);
  });
});

describe('money', () => {
  it('sums in minor units and formats per currency', () => {
    const eur = money('EUR');
    expect(eur.toMinor(19.99)).toBe(1999);
    expect(eur.minor(123456)).toBe('€1,234.56');
    expect(eur.unit(0.1234)).toBe('€0.1234');
    const jpy = money('JPY');
    expect(jpy.toMinor(1500)).toBe(1500);
    expect(jpy.minor(1500)).toBe('¥1,500');
  });
});

describe('paginateRows', () => {
  it.each<[string, number[], { first: number; next: number; tail: number }, number[][]]>([
    ['everything on page 1', [10, 10], { first: 100, next: 200, tail: 30 }, [[0, 1]]],
    ['rows flow on, the totals under the last row', [60, 60, 10], { first: 100, next: 200, tail: 30 }, [[0], [1, 2]]],
    ['page 1 keeps its header alone rather than overflow', [150], { first: 100, next: 200, tail: 10 }, [[], [0]]],
    ['a continuation page takes a row even when it is too tall', [50, 300], { first: 100, next: 200, tail: 0 }, [[0], [1], []]],
    ['the totals on a page of their own carry the last row with them', [60, 60, 60], { first: 100, next: 125, tail: 10 }, [[0], [1], [2]]],
    ['a lone last row is not carried (its page would be empty)', [90, 90], { first: 100, next: 100, tail: 20 }, [[0], [1], []]],
    ['no carry when the row and the totals would not fit together', [40, 40, 40, 40], { first: 100, next: 85, tail: 50 }, [[0, 1], [2, 3], []]],
  ])('%s', (_name, heights, room, expected) => {
    expect(paginateRows(heights, room)).toEqual(expected);
  });
});

describe('layoutInvoice', () => {
  it('adds up the example: tax per rate, total, amount due', () => {
    const L = layoutInvoice(example(), A4, measure);
    expect(L.hasTax).toBe(true);
    expect(L.rows.map((r) => r.amount)).toEqual(['€3,600.00', '€1,200.00', '€49.00', '€650.00']);
    expect(L.totals.lines).toEqual([
      ['Subtotal', '€5,499.00'],
      ['VAT 7%', '€45.50'],
      ['VAT 19%', '€921.31'],
    ]);
    expect(L.totals.totalText).toBe('€6,465.81');
    expect(L.plan).toEqual([[0, 1, 2, 3]]);
  });

  it('drops the tax column when no item is taxed', () => {
    const L = layoutInvoice(example({ tax_rate: 0, items: [{ description: 'A', quantity: 1, unit_price: 5 }] }), A4, measure);
    expect(L.hasTax).toBe(false);
    expect(L.totals.lines).toEqual([['Subtotal', '€5.00']]);
  });

  it('never fills a page past its content area, and puts every row on exactly one page', () => {
    for (const count of [1, 10, 25, 26, 27, 60, 200, 500]) {
      const items = Array.from({ length: count }, (_, k) => ({
        description: 'word '.repeat(((k * 7) % 50) + 1).trim(),
        quantity: 1,
        unit_price: k,
      }));
      const L = layoutInvoice(example({ items, notes: 'n '.repeat(400) }), A4, measure);
      expect(L.plan.flat()).toEqual(items.map((_, k) => k));
      L.plan.forEach((indexes, p) => {
        const header = p === 0 ? L.header.height : CONT_H;
        const rows = indexes.reduce((sum, i) => sum + L.rows[i]!.height, 0);
        const tail = p === L.plan.length - 1 ? L.totals.height : 0;
        expect(header + (indexes.length ? THEAD_H : 0) + rows + tail).toBeLessThanOrEqual(L.contentH);
      });
    }
  });
});
