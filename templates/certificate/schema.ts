/** The certificate's vars: recipient, wording, achievement, date, issuer, signatures, images, accent. */
import { z } from 'zod';
import { hexColor, imageUrl, text } from '../ui';

export const vars = z.object({
  recipient: text(120).min(1).describe("Recipient's name; the type shrinks to fit one line, then two, then ends with an ellipsis"),
  title: text(60).min(1).default('Certificate of Completion').describe('Heading, e.g. "Certificate of Achievement"'),
  intro: text(80).default('This certificate is proudly presented to').describe('Line above the name'),
  reason: text(80).default('for successfully completing').describe('Line between the name and the achievement'),
  achievement: text(160).min(1).describe('Course or achievement title; two lines at most'),
  description: text(400).optional().describe('A sentence or two about the achievement; three lines at most'),
  date: z.iso.date().describe('Date of issue, YYYY-MM-DD; shown as "Mar 4, 2026"'),
  issuer: text(100).min(1).describe('Issuing organisation, shown at the top'),
  signatures: z
    .array(
      z.object({
        name: text(80).min(1).describe("Signatory's name, under the line"),
        title: text(80).optional().describe('Signatory\'s role, e.g. "Program Director"'),
      }),
    )
    .max(3)
    .default([])
    .describe('Signature lines (at most 3), left to right after the date'),
  certificate_id: text(60).optional().describe('Certificate id or verification code, shown small at the bottom'),
  logo: imageUrl().optional().describe("Issuer's logo (https URL of a PNG, JPEG, WebP or AVIF); a ring with the issuer's initials when absent"),
  signature: imageUrl().optional().describe('Image of a handwritten signature (PNG, JPEG, WebP or AVIF), drawn above the first signature line'),
  accent: hexColor().default('#a16207').describe('Accent colour (hex) of the frame, rules and name'),
});

export type Vars = z.output<typeof vars>;
