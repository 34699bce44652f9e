/**
 * Deterministic formatters for template text: dates, compact counts and prices. No Intl, no
 * locale, no clock — the same vars must always render the same pixels (the output is cached by
 * a hash of the vars), and Workers' Intl data is not something a template should depend on.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/**
 * "2026-03-04" or "2026-03-04T18:30:00+01:00" → "Mar 4, 2026". The calendar date is taken as
 * written (no time-zone conversion): it is the date the author meant.
 */
export function formatIsoDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  const month = m ? MONTHS[Number(m[2]) - 1] : undefined;
  if (!m || !month) return iso;
  return `${month} ${Number(m[3])}, ${m[1]}`;
}

const COMPACT_UNITS = [
  [1e9, 'B'],
  [1e6, 'M'],
  [1e3, 'k'],
] as const;

/**
 * GitHub-style compact counts: 999 → "999", 1234 → "1.2k", 45_321 → "45.3k", 123_456 → "123k",
 * 1_099_999 → "1.1M". One decimal below 100 of a unit, none above; a value that rounds up to
 * 1000 of a unit moves to the next one (999_999 → "1M", not "1000k").
 */
export function compactNumber(value: number): string {
  const n = Math.max(0, Math.floor(value));
  if (n < 1000) return String(n);
  for (let u = 0; u < COMPACT_UNITS.length; u++) {
    const [size, suffix] = COMPACT_UNITS[u]!;
    if (n < size) continue;
    const v = n / size;
    const decimals = v < 100 ? 1 : 0;
    const rounded = Math.round(v * 10 ** decimals) / 10 ** decimals;
    if (rounded >= 1000 && u > 0) return `1${COMPACT_UNITS[u - 1]![1]}`;
    return `${rounded.toFixed(decimals).replace(/\.0$/, '')}${suffix}`;
  }
  return String(n);
}

/** Currencies the price templates accept: symbol placement and minor units. */
export const CURRENCIES = {
  USD: { symbol: '$', decimals: 2 },
  EUR: { symbol: '€', decimals: 2 },
  GBP: { symbol: '£', decimals: 2 },
  JPY: { symbol: '¥', decimals: 0 },
  CAD: { symbol: 'CA$', decimals: 2 },
  AUD: { symbol: 'A$', decimals: 2 },
  CHF: { symbol: 'CHF ', decimals: 2 },
} as const;

export type CurrencyCode = keyof typeof CURRENCIES;
export const CURRENCY_CODES = Object.keys(CURRENCIES) as [CurrencyCode, ...CurrencyCode[]];

const group = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/**
 * 1299 USD → "$1,299", 49.9 USD → "$49.90", 12800 JPY → "¥12,800", 19.99 CHF → "CHF 19.99".
 * English-style grouping for every currency (one deterministic style); a whole amount drops its
 * ".00", any other amount shows all minor units.
 */
export function formatPrice(amount: number, currency: CurrencyCode): string {
  const { symbol, decimals } = CURRENCIES[currency];
  const scale = 10 ** decimals;
  // toPrecision(12) first, so that binary-float artefacts (1.005 * 100 = 100.4999…) round as written.
  const minor = Math.round(Number((Math.max(0, amount) * scale).toPrecision(12)));
  const whole = Math.floor(minor / scale);
  const fraction = minor - whole * scale;
  const tail = fraction === 0 ? '' : `.${String(fraction).padStart(decimals, '0')}`;
  return `${symbol}${group(String(whole))}${tail}`;
}
