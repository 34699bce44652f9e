/** og-card: the general Open Graph card — title, subtitle, theme, optional logo and site name. */
import { z } from 'zod';
import { h } from '../src/render/jsx';
import { defineTemplate } from './define';
import { Clamp, imageUrl, THEMES, text, themeName } from './ui';

void h;

export default defineTemplate({
  id: 'og-card',
  version: 1,
  name: 'Open Graph card',
  description: 'A 1200×630 social card with a title, subtitle, site name and optional logo.',
  kind: 'image',
  size: { width: 1200, height: 630 },
  vars: z.object({
    title: text(200).min(1).describe('Headline; wraps to three lines, then ends with an ellipsis'),
    subtitle: text(300).optional().describe('Supporting line; two lines at most'),
    site: text(60).optional().describe('Site or brand name shown at the bottom'),
    theme: themeName().default('dark').describe('Colour theme'),
    logo: imageUrl().optional(),
  }),
  example: { title: 'Ship images at the edge', subtitle: 'Templates in, PNGs out, in tens of milliseconds.', site: 'picstream.dev', theme: 'dark' },
  imageVars: ['logo'],
  render(vars, { width, height }) {
    const t = THEMES[vars.theme];
    return (
      <div
        style={{
          display: 'flex',
          flexDirection: 'column',
          justifyContent: 'space-between',
          width,
          height,
          padding: 72,
          background: t.background,
          color: t.foreground,
          fontFamily: 'Inter',
        }}
      >
        <div style={{ display: 'flex', alignItems: 'center', height: 64 }}>
          {vars.logo ? <img src={vars.logo} width={64} height={64} style={{ width: 64, height: 64, borderRadius: 14, objectFit: 'cover' }} /> : null}
          <div style={{ display: 'flex', width: 56, height: 8, borderRadius: 4, background: t.accent, marginLeft: vars.logo ? 24 : 0 }} />
        </div>
        <div style={{ display: 'flex', flexDirection: 'column' }}>
          <Clamp lines={3} style={{ fontSize: 68, fontWeight: 700, lineHeight: 1.12, letterSpacing: -1.5 }}>
            {vars.title}
          </Clamp>
          {vars.subtitle ? (
            <Clamp lines={2} style={{ marginTop: 24, fontSize: 32, fontWeight: 400, lineHeight: 1.35, color: t.muted }}>
              {vars.subtitle}
            </Clamp>
          ) : null}
        </div>
        <div style={{ display: 'flex', alignItems: 'center', fontSize: 26, fontWeight: 600, color: t.muted, height: 32 }}>{vars.site}</div>
      </div>
    );
  },
});
