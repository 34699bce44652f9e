/** product-card: a product share card — photo, brand, name, price with currency, optional badge. */
import { z } from 'zod';
import { h } from '../src/render/jsx';
import { defineTemplate } from './define';
import { CURRENCY_CODES, formatPrice } from './format';
import { Clamp, contrastText, hexColor, imageUrl, scaler, THEMES, text, themeName, withAlpha } from './ui';

void h;

const SIZE = { width: 1200, height: 630 };

const vars = z.object({
  name: text(120).min(1).describe('Product name; wraps to three lines, then ends with an ellipsis'),
  price: z.number().min(0).max(999_999_999).describe('Price in major units (49.9 = 49.90); whole amounts drop the decimals'),
  currency: z.enum(CURRENCY_CODES).default('USD').describe('ISO 4217 currency code; sets the symbol and decimals ($, €, £, ¥ …)'),
  image: imageUrl()
    .optional()
    .describe('Product photo (https URL of a PNG, JPEG, WebP or AVIF), cropped to a square; a placeholder panel is shown when absent'),
  badge: text(16).optional().describe('Short badge on the photo, e.g. "NEW" or "-20%"'),
  brand: text(60).optional().describe('Brand or shop name, shown above the product name'),
  theme: themeName().default('light').describe('Colour theme'),
  accent: hexColor().optional().describe("Accent colour for the badge, brand and placeholder, e.g. #e11d48; defaults to the theme's"),
});

type Vars = z.output<typeof vars>;

function nameSize(name: string): number {
  if (name.length <= 28) return 64;
  if (name.length <= 60) return 54;
  return 46;
}

/**
 * Long prices step down so that even "CHF 999,999,999.99" fits the text column (Inter bold
 * averages about 0.53 em a character for digits, symbols and separators).
 */
function priceSize(label: string, columnWidth: number, max: number): number {
  return Math.min(max, Math.floor(columnWidth / (label.length * 0.58)));
}

/** A shopping-bag outline, drawn on a 48×48 grid. */
function bagIcon(size: number, color: string) {
  return (
    <svg width={size} height={size} viewBox="0 0 48 48" fill="none">
      <path d="M10 16h28l-2.2 24.2a3 3 0 0 1-3 2.8H15.2a3 3 0 0 1-3-2.8L10 16z" stroke={color} stroke-width={2.5} fill="none" />
      <path d="M17 20v-6a7 7 0 0 1 14 0v6" stroke={color} stroke-width={2.5} fill="none" />
    </svg>
  );
}

/** Sizes and colours both parts of the card share. */
interface Layout {
  t: (typeof THEMES)[keyof typeof THEMES];
  accent: string;
  s: ReturnType<typeof scaler>;
  panel: number;
  gutter: number;
  column: number;
  price: string;
}

/** The left column: brand, name and price, spread top to bottom. */
function copyColumn(vars: Vars, l: Layout) {
  const { t, accent, s, gutter, column, price } = l;
  return (
    <div
      style={{
        display: 'flex',
        flexDirection: 'column',
        justifyContent: 'space-between',
        flexGrow: 1,
        flexShrink: 1,
        flexBasis: 0,
        padding: `${s(12)}px ${gutter}px ${s(12)}px ${s(12)}px`,
      }}
    >
      <div style={{ display: 'flex', alignItems: 'center', height: s(32) }}>
        {vars.brand ? (
          <div style={{ display: 'flex', width: s(12), height: s(12), borderRadius: s(6), background: accent, marginRight: s(14), flexShrink: 0 }} />
        ) : null}
        {vars.brand ? (
          <Clamp lines={1} style={{ fontSize: s(22), fontWeight: 700, letterSpacing: s(2.5), lineHeight: 1.3, color: t.muted }}>
            {vars.brand.toUpperCase()}
          </Clamp>
        ) : null}
      </div>
      <Clamp lines={3} style={{ fontSize: s(nameSize(vars.name)), fontWeight: 700, lineHeight: 1.1, letterSpacing: s(-1) }}>
        {vars.name}
      </Clamp>
      <div style={{ display: 'flex', flexDirection: 'column' }}>
        <div style={{ display: 'flex', width: s(64), height: s(6), borderRadius: s(3), background: accent, marginBottom: s(20) }} />
        <div style={{ display: 'flex', fontSize: priceSize(price, column, s(88)), fontWeight: 700, lineHeight: 1, letterSpacing: s(-2) }}>{price}</div>
      </div>
    </div>
  );
}

/** The square panel on the right: the product image (or a bag icon) and the badge. */
function imagePanel(vars: Vars, l: Layout) {
  const { accent, s, panel } = l;
  return (
    <div
      style={{
        display: 'flex',
        position: 'relative',
        width: panel,
        height: panel,
        flexShrink: 0,
        alignSelf: 'center',
        borderRadius: s(32),
        overflow: 'hidden',
        background: `linear-gradient(135deg, ${withAlpha(accent, 0.1)} 0%, ${withAlpha(accent, 0.28)} 100%)`,
        alignItems: 'center',
        justifyContent: 'center',
      }}
    >
      {vars.image ? (
        <img src={vars.image} width={panel} height={panel} style={{ width: panel, height: panel, objectFit: 'cover' }} />
      ) : (
        <div
          style={{
            display: 'flex',
            alignItems: 'center',
            justifyContent: 'center',
            width: s(168),
            height: s(168),
            borderRadius: s(84),
            background: withAlpha(accent, 0.14),
          }}
        >
          {bagIcon(s(88), accent)}
        </div>
      )}
      {vars.badge ? (
        <div
          style={{
            display: 'flex',
            position: 'absolute',
            top: s(28),
            left: s(28),
            height: s(52),
            alignItems: 'center',
            padding: `0 ${s(22)}px`,
            borderRadius: s(26),
            background: accent,
            color: contrastText(accent),
            fontSize: s(24),
            fontWeight: 700,
            letterSpacing: s(1),
          }}
        >
          {vars.badge.toUpperCase()}
        </div>
      ) : null}
    </div>
  );
}

export default defineTemplate({
  id: 'product-card',
  version: 1,
  name: 'Product card',
  description: 'A 1200×630 product card: photo (or a placeholder), brand, name, price and an optional badge.',
  kind: 'image',
  size: SIZE,
  vars,
  example: {
    name: 'Aurora wireless headphones',
    price: 249,
    currency: 'USD',
    badge: 'NEW',
    brand: 'Northwind Audio',
    theme: 'light',
  },
  imageVars: ['image'],
  render(vars, { width, height }) {
    const t = THEMES[vars.theme];
    const s = scaler(width, height, SIZE);
    const pad = s(60);
    const panel = Math.min(height - pad * 2, Math.round(width * 0.43));
    const gutter = s(56);
    const l: Layout = {
      t,
      accent: vars.accent ?? t.accent,
      s,
      panel,
      gutter,
      column: width - pad * 2 - panel - gutter - s(12),
      price: formatPrice(vars.price, vars.currency),
    };
    return (
      <div
        style={{
          display: 'flex',
          width,
          height,
          padding: pad,
          background: t.background,
          color: t.foreground,
          fontFamily: 'Inter',
        }}
      >
        {copyColumn(vars, l)}
        {imagePanel(vars, l)}
      </div>
    );
  },
});
