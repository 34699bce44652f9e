/**
 * invoice: an A4 invoice whose line items flow onto as many pages as they need. Page 1 carries the
 * seller, buyer and dates; continuation pages a compact header; the last page the totals and notes.
 *
 * Pagination is decided by the template, not by the renderer: every block has an explicit height
 * computed from `page.measureText` (a description is word-wrapped into lines, one div per line), so
 * a row is never split and nothing can run past the bottom margin. That layout is pure and lives in
 * layout.ts; this file draws it.
 */
import { h, type TemplateElement } from '../../src/render/jsx';
import { definePdfTemplate, type PageContext } from '../define';
import { fitSize, Lines, type Measure, memoMeasure, oneLine, pageStyle, type Weight } from '../pdf-text';
import {
  COL,
  CONT_H,
  DETAIL_ROW_H,
  DETAILS_PAD,
  DETAILS_W,
  type FirstHeader,
  FOOTER_GAP,
  FOOTER_H,
  type InvoiceLayout,
  LABEL,
  layoutInvoice,
  NOTE_TEXT,
  NOTES_MARGIN,
  PAD_BOTTOM,
  PAD_TOP,
  PAD_X,
  PARTIES_GAP,
  PARTIES_MARGIN,
  PARTY_LINE,
  PARTY_NAME,
  type Party,
  ROW_PAD,
  ROW_TEXT,
  type Row,
  TERMS_MARGIN,
  THEAD_H,
  TOP_H,
  TOTAL_ROW_H,
  TOTALS_MARGIN,
  TOTALS_ROW_H,
  TOTALS_W,
  type Totals,
} from './layout';
import { type Vars, vars } from './schema';

void h;

const INK = '#0f172a';
const MUTED = '#64748b';
const RULE = '#e2e8f0';

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

function cellText(value: string, size: number, weight: Weight, color = INK): TemplateElement {
  return (
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
}

function tableHead(v: Vars, L: InvoiceLayout): TemplateElement {
  return (
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
      <div style={{ display: 'flex', width: L.descW + COL.gap }}>DESCRIPTION</div>
      <div style={{ display: 'flex', width: COL.qty, justifyContent: 'flex-end' }}>QTY</div>
      <div style={{ display: 'flex', width: COL.unit, justifyContent: 'flex-end' }}>UNIT PRICE</div>
      {L.hasTax ? (
        <div style={{ display: 'flex', width: COL.tax, justifyContent: 'flex-end' }}>{v.tax_label.length <= 6 ? v.tax_label.toUpperCase() : 'TAX'}</div>
      ) : null}
      <div style={{ display: 'flex', width: COL.amount, justifyContent: 'flex-end' }}>AMOUNT</div>
    </div>
  );
}

function rowView(measure: Measure, L: InvoiceLayout, r: Row): TemplateElement {
  // a number takes the row's size, or a smaller one that fits its column
  const numberCell = (value: string, width: number, weight: Weight) =>
    cellText(value, fitSize(measure, value, width - 8, ROW_TEXT.fontSize, 8, weight), weight);
  return (
    <div style={{ display: 'flex', height: r.height, flexShrink: 0, paddingTop: ROW_PAD, paddingBottom: ROW_PAD, borderBottom: `1px solid ${RULE}` }}>
      <div style={{ display: 'flex', width: L.descW + COL.gap, paddingRight: COL.gap }}>
        <Lines align="left" lines={r.lines} style={{ ...ROW_TEXT, color: INK }} />
      </div>
      <div style={{ display: 'flex', width: COL.qty, justifyContent: 'flex-end' }}>{numberCell(r.quantity, COL.qty, 400)}</div>
      <div style={{ display: 'flex', width: COL.unit, justifyContent: 'flex-end' }}>{numberCell(r.unit, COL.unit, 400)}</div>
      {L.hasTax ? <div style={{ display: 'flex', width: COL.tax, justifyContent: 'flex-end' }}>{cellText(r.tax, 11, 400, MUTED)}</div> : null}
      <div style={{ display: 'flex', width: COL.amount, justifyContent: 'flex-end' }}>{numberCell(r.amount, COL.amount, 500)}</div>
    </div>
  );
}

function partyColumn(label: string, p: Party, width: number): TemplateElement {
  return (
    <div style={{ display: 'flex', flexDirection: 'column', width, marginRight: PARTIES_GAP }}>
      <Label>{label}</Label>
      <Lines align="left" lines={p.name} style={{ ...PARTY_NAME, color: INK }} />
      <Lines align="left" lines={p.lines} style={{ ...PARTY_LINE, color: '#334155' }} />
    </div>
  );
}

function detailRow(measure: Measure, v: Vars, label: string, value: string, strong = false): TemplateElement {
  const inner = DETAILS_W - 2 * DETAILS_PAD;
  const labelW = 76;
  const size = strong ? fitSize(measure, value, inner - labelW, 13, 8, 700) : fitSize(measure, value, inner - labelW, 11.5, 8, 500);
  return (
    <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', height: DETAIL_ROW_H }}>
      <div style={{ display: 'flex', fontSize: 11, color: MUTED }}>{label}</div>
      <div style={{ display: 'flex', fontSize: size, fontWeight: strong ? 700 : 500, color: strong ? v.accent : INK, whiteSpace: 'nowrap' }}>{value}</div>
    </div>
  );
}

function firstHeader(measure: Measure, v: Vars, hd: FirstHeader, totalText: string): TemplateElement {
  return (
    <div style={{ display: 'flex', flexDirection: 'column', flexShrink: 0, height: hd.height }}>
      <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', height: TOP_H }}>
        <div style={{ display: 'flex', alignItems: 'center' }}>
          {v.logo ? <img src={v.logo} width={56} height={56} style={{ width: 56, height: 56, marginRight: 16, objectFit: 'contain' }} /> : null}
          <div style={{ display: 'flex', fontSize: hd.sellerSize, fontWeight: 700, color: INK, whiteSpace: 'nowrap' }}>{hd.sellerName}</div>
        </div>
        <div style={{ display: 'flex', flexDirection: 'column', alignItems: 'flex-end', width: hd.rightW }}>
          <div style={{ display: 'flex', height: 36, alignItems: 'center', fontSize: hd.titleSize, fontWeight: 700, color: v.accent, whiteSpace: 'nowrap' }}>
            {v.title}
          </div>
          <div style={{ display: 'flex', height: 20, alignItems: 'center', fontSize: 12, fontWeight: 500, color: MUTED, whiteSpace: 'nowrap' }}>
            {hd.numberText}
          </div>
        </div>
      </div>
      <div style={{ display: 'flex', height: 1, marginTop: 20, marginBottom: 20, backgroundColor: RULE }} />
      <div style={{ display: 'flex', height: hd.partiesH, marginBottom: PARTIES_MARGIN }}>
        {partyColumn('FROM', hd.from, hd.partyW)}
        {partyColumn('BILL TO', hd.to, hd.partyW)}
        <div
          style={{
            display: 'flex',
            flexDirection: 'column',
            width: DETAILS_W,
            height: hd.detailsH,
            padding: DETAILS_PAD,
            backgroundColor: '#f8fafc',
            border: `1px solid ${RULE}`,
            borderRadius: 8,
          }}
        >
          {hd.details.map(([label, value]) => detailRow(measure, v, label, value))}
          <div style={{ display: 'flex', height: 1, marginTop: 4, marginBottom: 4, backgroundColor: RULE }} />
          {detailRow(measure, v, 'Amount due', totalText, true)}
        </div>
      </div>
    </div>
  );
}

function contHeader(measure: Measure, v: Vars, cw: number, n: number, count: number): TemplateElement {
  return (
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
}

function totalsBlock(measure: Measure, v: Vars, t: Totals): TemplateElement {
  return (
    <div style={{ display: 'flex', flexDirection: 'column', flexShrink: 0, height: t.height }}>
      <div style={{ display: 'flex', justifyContent: 'flex-end', marginTop: TOTALS_MARGIN }}>
        <div style={{ display: 'flex', flexDirection: 'column', width: TOTALS_W }}>
          {t.lines.map(([label, value]) => (
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
            <div style={{ display: 'flex', fontSize: fitSize(measure, t.totalText, 170, 16, 8, 700), fontWeight: 700, color: v.accent, whiteSpace: 'nowrap' }}>
              {t.totalText}
            </div>
          </div>
        </div>
      </div>
      {t.notes.map((b, i) => (
        <div style={{ display: 'flex', flexDirection: 'column', marginTop: i === 0 ? NOTES_MARGIN : TERMS_MARGIN }}>
          <Label>{b.label}</Label>
          <Lines align="left" lines={b.lines} style={{ ...NOTE_TEXT, color: '#334155' }} />
        </div>
      ))}
    </div>
  );
}

function footer(text: string, n: number, count: number): TemplateElement {
  return (
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
      <div style={{ display: 'flex', whiteSpace: 'nowrap' }}>{text}</div>
      <div style={{ display: 'flex', whiteSpace: 'nowrap' }}>{`Page ${n} of ${count}`}</div>
    </div>
  );
}

function pages(v: Vars, page: PageContext): TemplateElement[] {
  const measure = memoMeasure(page);
  const L = layoutInvoice(v, page, measure);
  const count = L.plan.length;
  const footerLeft = oneLine(measure, `${v.seller.name} · ${v.title} ${v.number}`, L.cw - 120, 10, 400);
  return L.plan.map((indexes, p) => {
    const n = p + 1;
    return (
      <div style={pageStyle({ width: page.width, height: page.height, top: PAD_TOP, bottom: PAD_BOTTOM, x: PAD_X, color: INK })}>
        <div style={{ display: 'flex', flexDirection: 'column', height: L.contentH, flexShrink: 0 }}>
          {n === 1 ? firstHeader(measure, v, L.header, L.totals.totalText) : contHeader(measure, v, L.cw, n, count)}
          {indexes.length > 0 ? tableHead(v, L) : null}
          {indexes.map((i) => rowView(measure, L, L.rows[i]!))}
          {n === count ? totalsBlock(measure, v, L.totals) : null}
        </div>
        {footer(footerLeft, n, count)}
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
