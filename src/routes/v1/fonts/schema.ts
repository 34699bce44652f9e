/** Custom fonts as the API shows them. */
import { z } from '@hono/zod-openapi';
import type { FontRow } from '../../../db/fonts';

/** A family name as CSS would take it unquoted or quoted: no quotes, commas, semicolons or braces. */
export const FontFamilyName = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[^"',;{}\\<>]+$/, 'no quotes, commas, semicolons, braces, angle brackets or backslashes')
  .refine((name) => ![...name].some((c) => (c.codePointAt(0) ?? 0) < 0x20 || c === '\u007f'), 'no control characters')
  .openapi({ example: 'Brand Sans' });

export const FontSchema = z
  .object({
    id: z.string().openapi({ example: 'fnt_01JD5X1Q4ZB8R3W2K7T6YV9N0M' }),
    family: z.string().openapi({ example: 'Brand Sans' }),
    weight: z.number().int().openapi({ example: 700 }),
    style: z.enum(['normal', 'italic']),
    format: z.enum(['ttf', 'otf', 'woff']).openapi({ description: 'As uploaded (WOFF is kept unpacked, as TrueType/OpenType)' }),
    bytes: z.number().int().openapi({ description: 'Size of the stored font file' }),
    glyphs: z.number().int(),
    sha256: z.string().openapi({ description: 'SHA-256 of the stored font file, hex' }),
    created_at: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Font');

export function toFont(row: FontRow): z.infer<typeof FontSchema> {
  const { account_id: _account, ...font } = row;
  return font;
}
