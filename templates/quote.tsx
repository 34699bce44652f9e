/** quote: a pull-quote card — big quotation mark, the quote, and who said it. */
import { z } from 'zod';
import { h } from '../src/render/jsx';
import { defineTemplate } from './define';
import { Avatar, Clamp, imageUrl, scaler, THEMES, text, themeName } from './ui';

void h;

const SIZE = { width: 1200, height: 630 };

/** Type size and line budget by length: short quotes read big, the longest still get six lines. */
function quoteType(quote: string): { fontSize: number; lines: number } {
  if (quote.length <= 70) return { fontSize: 60, lines: 3 };
  if (quote.length <= 140) return { fontSize: 48, lines: 4 };
  if (quote.length <= 210) return { fontSize: 42, lines: 5 };
  return { fontSize: 36, lines: 6 };
}

/**
 * An opening quotation mark (“) as two filled "6" shapes. Drawn rather than typeset: Inter's
 * quote glyph is a pair of straight strokes, and a path sits at the same spot in both engines.
 */
function quoteMark(width: number, color: string) {
  const mark = (x: number) => [
    <path d={`M${x} 24C${x} 10 ${x + 8} 1.5 ${x + 21} 0L${x + 22} 5C${x + 14} 7 ${x + 10} 11 ${x + 9.5} 14Z`} fill={color} />,
    <circle cx={x + 12} cy={24} r={12} fill={color} />,
  ];
  return (
    <svg width={width} height={Math.round((width * 36) / 52)} viewBox="0 0 52 36">
      {mark(0)}
      {mark(28)}
    </svg>
  );
}

export default defineTemplate({
  id: 'quote',
  version: 1,
  name: 'Quote',
  description: 'A 1200×630 pull-quote card: a large quotation mark, the quote, and its author with avatar and role.',
  kind: 'image',
  size: SIZE,
  vars: z.object({
    quote: text(300).min(1).describe('The quotation, without quote marks; type size adapts to length, then it ends with an ellipsis'),
    author: text(80).min(1).describe('Who said it; also the source of the initials when there is no avatar'),
    role: text(80).optional().describe('Role, title or source, e.g. "CTO, Acme" or "The Pragmatic Programmer"'),
    avatar: imageUrl().optional().describe("Author's portrait (https URL of a PNG, JPEG, WebP or AVIF); initials are shown when absent"),
    theme: themeName().default('dark').describe('Colour theme'),
  }),
  example: {
    quote: 'We swapped a fleet of headless browsers for a single API call. Every social card now renders in under 50 ms.',
    author: 'Dana Okafor',
    role: 'Head of Platform, Lumen',
    theme: 'dark',
  },
  imageVars: ['avatar'],
  render(vars, { width, height }) {
    const t = THEMES[vars.theme];
    const type = quoteType(vars.quote);
    const s = scaler(width, height, SIZE);
    return (
      <div
        style={{
          display: 'flex',
          flexDirection: 'column',
          width,
          height,
          padding: `${s(56)}px ${s(80)}px ${s(64)}px`,
          background: t.background,
          color: t.foreground,
          fontFamily: 'Inter',
        }}
      >
        <div style={{ display: 'flex', flexDirection: 'column', justifyContent: 'center', flexGrow: 1, paddingBottom: s(32) }}>
          {quoteMark(s(88), t.accent)}
          <Clamp lines={type.lines} style={{ marginTop: s(24), fontSize: s(type.fontSize), fontWeight: 600, lineHeight: 1.28, letterSpacing: s(-0.5) }}>
            {vars.quote}
          </Clamp>
        </div>
        <div style={{ display: 'flex', alignItems: 'center', height: s(72) }}>
          <Avatar src={vars.avatar} name={vars.author} size={s(72)} color={t.accent} />
          <div style={{ display: 'flex', flexDirection: 'column', marginLeft: s(22), maxWidth: s(900) }}>
            <Clamp lines={1} style={{ fontSize: s(28), fontWeight: 700, lineHeight: 1.25 }}>
              {vars.author}
            </Clamp>
            {vars.role ? (
              <Clamp lines={1} style={{ marginTop: s(4), fontSize: s(22), fontWeight: 400, lineHeight: 1.3, color: t.muted }}>
                {vars.role}
              </Clamp>
            ) : null}
          </div>
        </div>
      </div>
    );
  },
});
