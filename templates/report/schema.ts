/** The report's vars: cover fields, accent, and sections of plain-text paragraphs. */
import { z } from 'zod';
import { hexColor, imageUrl, text } from '../ui';

const MAX_TOTAL_CHARS = 120_000;

export const vars = z
  .object({
    title: text(150).min(1).describe('Report title; up to four lines on the cover'),
    subtitle: text(300).optional().describe('Subtitle or summary line under the title on the cover'),
    author: text(100).optional().describe('Author or team, shown on the cover'),
    organization: text(100).optional().describe('Organisation, shown on the cover'),
    date: z.iso.date().optional().describe('Report date, YYYY-MM-DD; shown as "Mar 4, 2026" on the cover and in the running header'),
    logo: imageUrl().optional().describe('Logo (https URL of a PNG, JPEG, WebP or AVIF), shown on the cover'),
    accent: hexColor().default('#0f766e').describe('Accent colour (hex) of the cover band, section numbers and rules'),
    table_of_contents: z.boolean().default(true).describe('List the sections with their page numbers (on the cover when they fit, else on page 2)'),
    sections: z
      .array(
        z.object({
          heading: text(150).min(1).describe('Section heading'),
          paragraphs: z.array(text(4000)).max(60).default([]).describe('Paragraphs of plain text (each at most 4,000 characters, at most 60)'),
        }),
      )
      .min(1)
      .max(30)
      .describe('Sections, numbered in order (1 to 30); paragraphs flow across pages'),
  })
  .superRefine((v, ctx) => {
    const total = v.sections.reduce((sum, s) => sum + s.heading.length + s.paragraphs.reduce((a, p) => a + p.length, 0), 0);
    if (total > MAX_TOTAL_CHARS) ctx.addIssue({ code: 'custom', path: ['sections'], message: `at most ${MAX_TOTAL_CHARS} characters of text in all` });
  });

export type Vars = z.output<typeof vars>;
