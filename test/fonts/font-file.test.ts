/** The pure reading of an uploaded font file (src/fonts/font-file.ts): the container, the checks, the face it declares. */

import interBoldWoff from '@fontsource/inter/files/inter-latin-700-normal.woff';
import pacificoWoff from '@fontsource/pacifico/files/pacifico-latin-400-normal.woff';
import { describe, expect, it } from 'vitest';
import { ProblemError } from '../../src/errors/problem';
import { MAX_FONT_BYTES } from '../../src/fonts/custom';
import { faceOf, readFontFile } from '../../src/fonts/font-file';
import { SfntFont } from '../../src/fonts/sfnt';

async function refusal(bytes: Uint8Array): Promise<ProblemError> {
  const err = await readFontFile(bytes).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProblemError);
  const problem = err as ProblemError;
  expect(problem.code).toBe('font_invalid');
  expect(problem.errors).toEqual([{ path: 'data', message: expect.any(String) }]);
  return problem;
}

describe('readFontFile', () => {
  it('unpacks a WOFF to the TrueType both engines read, and reads its face', async () => {
    const font = await readFontFile(new Uint8Array(interBoldWoff));
    expect(font).toMatchObject({ format: 'woff', weightClass: 700, italic: false });
    expect(String.fromCharCode(...font.sfnt.subarray(0, 4))).toBe('\u0000\u0001\u0000\u0000');
    expect(new SfntFont(font.sfnt).glyphCount).toBe(font.glyphs);
    expect(font.glyphs).toBeGreaterThan(100);
  });

  it('takes the unpacked TrueType as it is', async () => {
    const { sfnt } = await readFontFile(new Uint8Array(pacificoWoff));
    const again = await readFontFile(sfnt);
    expect(again.format).toBe('ttf');
    expect(again.sfnt).toBe(sfnt);
  });

  it.each([
    ['under 64 bytes', new Uint8Array(63), /too short/],
    ['over the size limit', new Uint8Array(MAX_FONT_BYTES + 1), new RegExp(`fonts may have up to ${MAX_FONT_BYTES}`)],
    ['an OpenType header with no tables', new Uint8Array([...new TextEncoder().encode('OTTO'), ...new Uint8Array(100)]), /not a readable font/],
  ])('refuses a file %s', async (_, bytes, detail) => {
    expect((await refusal(bytes)).message).toMatch(detail);
  });
});

describe('faceOf', () => {
  it.each([
    [{ weightClass: 400, italic: false }, {}, { weight: 400, style: 'normal' }],
    [{ weightClass: 350, italic: true }, {}, { weight: 400, style: 'italic' }],
    [{ weightClass: 249, italic: false }, {}, { weight: 200, style: 'normal' }],
    [{ weightClass: 1, italic: false }, {}, { weight: 100, style: 'normal' }],
    [{ weightClass: 1000, italic: false }, {}, { weight: 900, style: 'normal' }],
    [{ weightClass: 950, italic: true }, { weight: 300 }, { weight: 300, style: 'italic' }],
    [
      { weightClass: 700, italic: true },
      { weight: 500, style: 'normal' as const },
      { weight: 500, style: 'normal' },
    ],
  ])('a file of %o, asked %o → %o', (font, asked, face) => {
    expect(faceOf(font, asked)).toEqual(face);
  });
});
