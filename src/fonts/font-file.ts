/**
 * An uploaded font file read and checked, with no I/O (service.ts stores what passes). The
 * container is told by its magic bytes; WOFF is unpacked to the TrueType/OpenType it wraps, which
 * is what both engines read (takumi does not read WOFF, satori does not read WOFF2). WOFF2 is
 * refused: no WOFF2 decoder runs in workerd here (Brotli plus the glyf transform), and satori
 * cannot read it. Then the sfnt's tables (head, hhea, maxp, hmtx, cmap; at least one character
 * mapped) and the face the file declares (OS/2 weight class, italic angle), which fill in what the
 * upload left out. Every refusal is a 422 `font_invalid` naming `data`.
 */
import type { FontStyle, FontUploadFormat } from '../db/fonts';
import { ProblemError } from '../errors/problem';
import { MAX_FONT_BYTES } from './custom';
import { SfntFont, unpackWoff, WoffTooLarge } from './sfnt';

/** What a WOFF may unpack to (its tables' declared sizes, checked before inflating any). */
const MAX_UNPACKED_BYTES = 2 * MAX_FONT_BYTES;

export interface ReadFont {
  /** The TrueType/OpenType file both engines read. */
  sfnt: Uint8Array;
  format: FontUploadFormat;
  glyphs: number;
  /** OS/2 usWeightClass (400 when absent). */
  weightClass: number;
  italic: boolean;
}

/** Throws the 422 `font_invalid` naming `data`: `message` says what is wrong with the file. */
export function fontInvalid(message: string): never {
  throw new ProblemError('font_invalid', `data ${message}`, { errors: [{ path: 'data', message }] });
}

const tagOf = (bytes: Uint8Array) => String.fromCharCode(...bytes.subarray(0, 4));

/** Reads and checks an uploaded font file; throws 422 `font_invalid` naming `data`. */
export async function readFontFile(bytes: Uint8Array): Promise<ReadFont> {
  if (bytes.byteLength < 64) fontInvalid('is too short to be a font');
  if (bytes.byteLength > MAX_FONT_BYTES) fontInvalid(`is ${bytes.byteLength} bytes; fonts may have up to ${MAX_FONT_BYTES}`);
  const tag = tagOf(bytes);
  let format: FontUploadFormat;
  let sfnt: Uint8Array;
  if (tag === '\u0000\u0001\u0000\u0000' || tag === 'true') {
    format = 'ttf';
    sfnt = bytes;
  } else if (tag === 'OTTO') {
    format = 'otf';
    sfnt = bytes;
  } else if (tag === 'wOFF') {
    format = 'woff';
    try {
      sfnt = await unpackWoff(bytes, MAX_UNPACKED_BYTES);
    } catch (err) {
      fontInvalid(`is ${err instanceof WoffTooLarge ? 'an oversized' : 'a damaged'} WOFF file: ${(err as Error).message}`);
    }
  } else if (tag === 'wOF2') {
    fontInvalid('is WOFF2, which cannot be decoded here: upload the TTF, OTF or WOFF file');
  } else if (tag === 'ttcf') {
    fontInvalid('is a font collection (TTC): upload one face as a TTF or OTF file');
  } else {
    fontInvalid('is not a TrueType, OpenType or WOFF font');
  }
  let font: SfntFont;
  try {
    font = new SfntFont(sfnt);
  } catch (err) {
    fontInvalid(`is not a readable font: ${(err as Error).message}`);
  }
  const { unitsPerEm, weightClass, italicAngle } = font.metrics;
  if (unitsPerEm < 16 || unitsPerEm > 16384) fontInvalid(`has ${unitsPerEm} units per em (16–16384 are valid)`);
  if (font.glyphCount < 2) fontInvalid('has no glyphs');
  if (font.mappedCount === 0) fontInvalid('maps no characters to glyphs (its cmap is empty)');
  return { sfnt, format, glyphs: font.glyphCount, weightClass: weightClass >= 1 && weightClass <= 1000 ? weightClass : 400, italic: italicAngle !== 0 };
}

/**
 * The face an upload is kept as: the weight and style asked for, else the file's own — its weight
 * class rounded to a hundred within 100–900 (CSS weights), italic when it slants.
 */
export function faceOf(font: Pick<ReadFont, 'weightClass' | 'italic'>, asked: { weight?: number; style?: FontStyle }): { weight: number; style: FontStyle } {
  return {
    weight: asked.weight ?? Math.min(900, Math.max(100, Math.round(font.weightClass / 100) * 100)),
    style: asked.style ?? (font.italic ? 'italic' : 'normal'),
  };
}
