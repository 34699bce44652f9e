/** POST /api/v1/fonts — upload a font face for `font_family` in generate requests. */
import { Buffer } from 'node:buffer';
import { createRoute, z } from '@hono/zod-openapi';
import { MAX_FONT_BYTES, MAX_FONTS_PER_ACCOUNT } from '../../../fonts/custom';
import { uploadFont } from '../../../fonts/service';
import { type App, liveKeyOnly, only, problems } from '../../shared';
import { FontFamilyName, FontSchema, toFont } from './schema';

/** Base64 characters of the largest font accepted. */
const MAX_DATA_CHARS = Math.ceil(MAX_FONT_BYTES / 3) * 4;

export const CreateFontBody = z
  .object({
    family: FontFamilyName.openapi({ description: 'The name generate requests use in `font_family` (compared case-insensitively)' }),
    weight: z
      .number()
      .int()
      .min(100)
      .max(900)
      .multipleOf(100)
      .optional()
      .openapi({ description: "Defaults to the font's own weight class (OS/2), rounded to a hundred" }),
    style: z.enum(['normal', 'italic']).optional().openapi({ description: "Defaults to the font's own (italic when it slants)" }),
    data: z
      .string()
      .min(1)
      .max(MAX_DATA_CHARS)
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'standard base64')
      .openapi({
        description: `The font file (TTF, OTF or WOFF; at most ${MAX_FONT_BYTES / 1024 / 1024} MB), base64-encoded`,
        example: 'd09GRgABAAAAAMkYABIAAAABZ/Q=',
      }),
  })
  .strict()
  .openapi('CreateFontRequest');

export const route = createRoute(
  liveKeyOnly({
    method: 'post',
    path: '/api/v1/fonts',
    operationId: 'fonts.create',
    tags: ['Fonts'],
    summary: 'Upload a font',
    description: `One face (family, weight, style) of a font, TTF, OTF or WOFF, at most ${MAX_FONT_BYTES / 1024 / 1024} MB. Checked before it is kept: its tables, and one drawing with each engine; a file that is not a usable font is a 422 \`font_invalid\`. WOFF2 is not accepted (upload the TTF/OTF/WOFF). Then \`font_family\` on a generate request draws the template's text in the family. At most ${MAX_FONTS_PER_ACCOUNT} faces per account; a face already uploaded is a 409 (delete it first).`,
    request: { body: { required: true, content: { 'application/json': { schema: CreateFontBody } } } },
    responses: {
      201: { description: 'Uploaded', content: { 'application/json': { schema: FontSchema } } },
      ...problems(400, 401, only(409, 'font_exists', 'font_limit_reached', 'idempotency_key_in_progress'), 413, 415, 422, 429),
    },
  }),
);

export function registerCreateFont(app: App): void {
  app.openapi(route, async (c) => {
    const { data, ...face } = c.req.valid('json');
    const row = await uploadFont(c.env, c.get('auth').accountId, { ...face, data: new Uint8Array(Buffer.from(data, 'base64')) });
    return c.json(toFont(row), 201);
  });
}
