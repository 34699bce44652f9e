/** blog-post: an article card — tag, title, author with avatar, publish date and reading time. */
import { z } from 'zod';
import { h } from '../src/render/jsx';
import { defineTemplate } from './define';
import { formatIsoDate } from './format';
import { Avatar, Clamp, THEMES, contrastText, imageUrl, text, themeName } from './ui';

void h;

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
  size: { width: 1200, height: 630 },
  vars: z.object({
    title: text(200).min(1).describe('Article title; wraps to three lines, then ends with an ellipsis'),
    author: text(80).min(1).describe("Author's name; also the source of the initials when there is no avatar"),
    avatar: imageUrl().optional().describe("Author's portrait (https URL of a PNG or JPEG); initials are shown when absent"),
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
        <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', height: 48 }}>
          {vars.tag ? (
            <div
              style={{
                display: 'flex',
                alignItems: 'center',
                height: 48,
                maxWidth: 560,
                padding: '0 24px',
                borderRadius: 24,
                background: t.accent,
                color: contrastText(t.accent),
              }}
            >
              <Clamp lines={1} style={{ fontSize: 20, fontWeight: 700, letterSpacing: 1.6, lineHeight: 1.2 }}>
                {vars.tag.toUpperCase()}
              </Clamp>
            </div>
          ) : (
            <div style={{ display: 'flex', width: 56, height: 8, borderRadius: 4, background: t.accent }} />
          )}
          {vars.site ? (
            <div style={{ display: 'flex', maxWidth: 440, marginLeft: 32 }}>
              <Clamp lines={1} style={{ fontSize: 24, fontWeight: 600, lineHeight: 1.2, color: t.muted }}>
                {vars.site}
              </Clamp>
            </div>
          ) : null}
        </div>
        <Clamp
          lines={3}
          style={{ fontSize: titleSize(vars.title), fontWeight: 700, lineHeight: 1.12, letterSpacing: -1.5 }}
        >
          {vars.title}
        </Clamp>
        <div style={{ display: 'flex', alignItems: 'center', height: 80 }}>
          <Avatar src={vars.avatar} name={vars.author} size={80} color={t.accent} />
          <div style={{ display: 'flex', flexDirection: 'column', marginLeft: 24, maxWidth: 880 }}>
            <Clamp lines={1} style={{ fontSize: 30, fontWeight: 600, lineHeight: 1.25 }}>
              {vars.author}
            </Clamp>
            <div style={{ display: 'flex', alignItems: 'center', marginTop: 6, fontSize: 24, fontWeight: 400, lineHeight: 1.25, color: t.muted }}>
              <div style={{ display: 'flex' }}>{formatIsoDate(vars.date)}</div>
              {vars.reading_time_minutes ? (
                <div style={{ display: 'flex', width: 6, height: 6, borderRadius: 3, margin: '0 16px', background: t.muted }} />
              ) : null}
              {vars.reading_time_minutes ? <div style={{ display: 'flex' }}>{`${vars.reading_time_minutes} min read`}</div> : null}
            </div>
          </div>
        </div>
      </div>
    );
  },
});
