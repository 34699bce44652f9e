/** blog-post: an article card — tag, title, author with avatar, publish date and reading time. */
import { z } from 'zod';
import { h } from '../src/render/jsx';
import { defineTemplate } from './define';
import { formatIsoDate } from './format';
import { Avatar, Clamp, contrastText, imageUrl, scaler, THEMES, text, themeName } from './ui';

void h;

const SIZE = { width: 1200, height: 630 };

/** Shorter titles get bigger type; three lines always fit. */
function titleSize(title: string): number {
  if (title.length <= 40) return 76;
  if (title.length <= 80) return 66;
  return 58;
}

export default defineTemplate({
  id: 'blog-post',
  version: 1,
  name: 'Blog post',
  description: 'A 1200×630 article card: tag, title, author with avatar, publish date and reading time.',
  kind: 'image',
  size: SIZE,
  vars: z.object({
    title: text(200).min(1).describe('Article title; wraps to three lines, then ends with an ellipsis'),
    author: text(80).min(1).describe("Author's name; also the source of the initials when there is no avatar"),
    avatar: imageUrl().optional().describe("Author's portrait (https URL of a PNG, JPEG, WebP or AVIF); initials are shown when absent"),
    date: z
      .union([z.iso.date(), z.iso.datetime({ offset: true })])
      .describe('Publish date, ISO 8601 (2026-03-04 or 2026-03-04T09:30:00Z); shown as "Mar 4, 2026", calendar date as written'),
    reading_time_minutes: z.number().int().min(1).max(999).optional().describe('Reading time in minutes, shown as "6 min read"'),
    tag: text(40).optional().describe('Category or tag, shown upper-case in a pill above the title'),
    site: text(60).optional().describe('Blog or site name, shown top right'),
    theme: themeName().default('light').describe('Colour theme'),
  }),
  example: {
    title: 'How we cut our image pipeline latency by 80% with edge rendering',
    author: 'Maya Chen',
    date: '2026-03-04',
    reading_time_minutes: 6,
    tag: 'Engineering',
    site: 'blog.picstream.dev',
    theme: 'light',
  },
  imageVars: ['avatar'],
  render(vars, { width, height }) {
    const t = THEMES[vars.theme];
    const s = scaler(width, height, SIZE);
    return (
      <div
        style={{
          display: 'flex',
          flexDirection: 'column',
          justifyContent: 'space-between',
          width,
          height,
          padding: s(72),
          background: t.background,
          color: t.foreground,
          fontFamily: 'Inter',
        }}
      >
        <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', height: s(48) }}>
          {vars.tag ? (
            <div
              style={{
                display: 'flex',
                alignItems: 'center',
                height: s(48),
                maxWidth: s(560),
                padding: `0 ${s(24)}px`,
                borderRadius: s(24),
                background: t.accent,
                color: contrastText(t.accent),
              }}
            >
              <Clamp lines={1} style={{ fontSize: s(20), fontWeight: 700, letterSpacing: s(1.6), lineHeight: 1.2 }}>
                {vars.tag.toUpperCase()}
              </Clamp>
            </div>
          ) : (
            <div style={{ display: 'flex', width: s(56), height: s(8), borderRadius: s(4), background: t.accent }} />
          )}
          {vars.site ? (
            <div style={{ display: 'flex', maxWidth: s(440), marginLeft: s(32) }}>
              <Clamp lines={1} style={{ fontSize: s(24), fontWeight: 600, lineHeight: 1.2, color: t.muted }}>
                {vars.site}
              </Clamp>
            </div>
          ) : null}
        </div>
        <Clamp lines={3} style={{ fontSize: s(titleSize(vars.title)), fontWeight: 700, lineHeight: 1.12, letterSpacing: s(-1.5) }}>
          {vars.title}
        </Clamp>
        <div style={{ display: 'flex', alignItems: 'center', height: s(80) }}>
          <Avatar src={vars.avatar} name={vars.author} size={s(80)} color={t.accent} />
          <div style={{ display: 'flex', flexDirection: 'column', marginLeft: s(24), maxWidth: s(880) }}>
            <Clamp lines={1} style={{ fontSize: s(30), fontWeight: 600, lineHeight: 1.25 }}>
              {vars.author}
            </Clamp>
            <div style={{ display: 'flex', alignItems: 'center', marginTop: s(6), fontSize: s(24), fontWeight: 400, lineHeight: 1.25, color: t.muted }}>
              <div style={{ display: 'flex' }}>{formatIsoDate(vars.date)}</div>
              {vars.reading_time_minutes ? (
                <div style={{ display: 'flex', width: s(6), height: s(6), borderRadius: s(3), margin: `0 ${s(16)}px`, background: t.muted }} />
              ) : null}
              {vars.reading_time_minutes ? <div style={{ display: 'flex' }}>{`${vars.reading_time_minutes} min read`}</div> : null}
            </div>
          </div>
        </div>
      </div>
    );
  },
});
