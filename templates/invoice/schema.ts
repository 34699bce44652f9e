/** The invoice's vars: seller and buyer, dates, currency, line items, tax, notes and terms. */
import { z } from 'zod';
import { hexColor, imageUrl, text } from '../ui';

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

export const vars = z
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

export type Vars = z.output<typeof vars>;
