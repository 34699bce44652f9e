/**
 * Custom fonts: an account uploads font faces (TTF, OTF or WOFF; POST /api/v1/fonts) and draws a
 * template's text in them by family name (`font_family` on a generate request).
 *
 * An upload is checked before it is kept: the container by its magic bytes (WOFF is unpacked to
 * the TrueType/OpenType it wraps, which is what both engines read — takumi does not read WOFF,
 * satori does not read WOFF2), the sfnt's tables (head, hhea, maxp, hmtx, cmap; at least one
 * character mapped), then one small drawing with each engine, so a font either engine would choke
 * on is a 422 now rather than a failed render later. WOFF2 is refused: no WOFF2 decoder runs in
 * workerd here (Brotli plus the glyf transform), and satori cannot read it.
 *
 * The file lives in the FONTS bucket under `custom/<account>/<font id>.<ttf|otf>`; renders read it
 * once per isolate. A render names the faces it drew with (their ids and digests are part of its
 * content address), so a face deleted or uploaded again never serves a stale cached image.
 */
import type { FontRow, FontStyle, FontUploadFormat } from '../db/fonts';
import { ProblemError } from '../errors/problem';
import { ByteCache } from '../lib/byte-cache';
import { FONT_BUDGET, megabytes } from '../render/budget';
import { probeFont as probeSatori } from '../render/engines/satori';
import { probeFont as probeTakumi } from '../render/engines/takumi';
import { SfntFont, unpackWoff, WoffTooLarge } from '../render/pdf/sfnt';

/** Largest font file accepted (decoded): a full Latin+Cyrillic+Greek family face is 100–800 KB. */
export const MAX_FONT_BYTES = 4 * 1024 * 1024;
/** What a WOFF may unpack to (its tables' declared sizes, checked before inflating any). */
const MAX_UNPACKED_BYTES = 2 * MAX_FONT_BYTES;
/** The faces of one family together (a render loads them all): keeps a render's memory bounded. */
export const MAX_FAMILY_BYTES = 12 * 1024 * 1024;
/** Faces an account may keep. */
export const MAX_FONTS_PER_ACCOUNT = 20;

export interface ReadFont {
  /** The TrueType/OpenType file both engines read. */
  sfnt: Uint8Array;
  format: FontUploadFormat;
  glyphs: number;
  /** OS/2 usWeightClass (400 when absent). */
  weightClass: number;
  italic: boolean;
}

function invalid(message: string): never {
  throw new ProblemError('font_invalid', `data ${message}`, { errors: [{ path: 'data', message }] });
}

const tagOf = (bytes: Uint8Array) => String.fromCharCode(...bytes.subarray(0, 4));

/** Reads and checks an uploaded font file; throws 422 `font_invalid` naming `data`. */
export async function readFontFile(bytes: Uint8Array): Promise<ReadFont> {
  if (bytes.byteLength < 64) invalid('is too short to be a font');
  if (bytes.byteLength > MAX_FONT_BYTES) invalid(`is ${bytes.byteLength} bytes; fonts may have up to ${MAX_FONT_BYTES}`);
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
      invalid(`is ${err instanceof WoffTooLarge ? 'an oversized' : 'a damaged'} WOFF file: ${(err as Error).message}`);
    }
  } else if (tag === 'wOF2') {
    invalid('is WOFF2, which cannot be decoded here: upload the TTF, OTF or WOFF file');
  } else if (tag === 'ttcf') {
    invalid('is a font collection (TTC): upload one face as a TTF or OTF file');
  } else {
    invalid('is not a TrueType, OpenType or WOFF font');
  }
  let font: SfntFont;
  try {
    font = new SfntFont(sfnt);
  } catch (err) {
    invalid(`is not a readable font: ${(err as Error).message}`);
  }
  const { unitsPerEm, weightClass, italicAngle } = font.metrics;
  if (unitsPerEm < 16 || unitsPerEm > 16384) invalid(`has ${unitsPerEm} units per em (16–16384 are valid)`);
  if (font.glyphCount < 2) invalid('has no glyphs');
  if (font.mappedCount === 0) invalid('maps no characters to glyphs (its cmap is empty)');
  return { sfnt, format, glyphs: font.glyphCount, weightClass: weightClass >= 1 && weightClass <= 1000 ? weightClass : 400, italic: italicAngle !== 0 };
}

/** Draws with the font in both engines once; throws 422 `font_invalid` with what the engine said. */
export async function probeFont(sfnt: Uint8Array): Promise<void> {
  for (const [engine, probe] of [
    ['takumi', probeTakumi],
    ['satori', probeSatori],
  ] as const) {
    try {
      await probe(sfnt);
    } catch (err) {
      invalid(`could not be drawn by ${engine}: ${(err as Error).message ?? String(err)}`);
    }
  }
}

export function fontObjectKey(row: Pick<FontRow, 'account_id' | 'id'>): string {
  return `custom/${row.account_id}/${row.id}.sfnt`;
}

/** A face a render draws with: what the engines register, under the render's family name. */
export interface CustomFont {
  /** Unique per face and file: what an engine registers once. */
  key: string;
  /** The family name the render's tree uses (unique per set of faces, so accounts never collide). */
  family: string;
  weight: number;
  style: FontStyle;
  data: Uint8Array;
}

/** The faces of a job, as kept with it (and in its record). */
export type FontFace = Pick<FontRow, 'id' | 'account_id' | 'family' | 'weight' | 'style' | 'sha256' | 'bytes'>;

/**
 * Whether a render's faces fit FONT_BUDGET (render/budget.ts), from their rows' stored sizes —
 * known before any file is read. Undefined when they fit; else what they add up to, for the
 * caller's error (its code and field path are the caller's: `html`, `template` or `font_family`).
 */
export function fontBudgetExcess(faces: readonly FontFace[]): string | undefined {
  const unique = [...new Map(faces.map((f) => [f.id, f])).values()];
  const bytes = unique.reduce((n, f) => n + f.bytes, 0);
  if (unique.length <= FONT_BUDGET.maxFaces && bytes <= FONT_BUDGET.maxBytes) return undefined;
  const families = [...new Set(unique.map((f) => f.family))].map((f) => `"${f}"`).join(', ');
  return `loads ${unique.length} uploaded font faces (${megabytes(bytes)}) of ${families}; a render may load at most ${FONT_BUDGET.maxFaces} faces, ${megabytes(FONT_BUDGET.maxBytes)} in all`;
}

/**
 * The name a render's tree gives a family: per account and family (never the account's own name,
 * which another account may use too, and which need not parse as an unquoted CSS family). The same
 * for every render of the family, because takumi keeps one registration per font file: the same
 * file registered again under another name is ignored.
 */
export function renderFamily(faces: readonly FontFace[]): string {
  const first = faces[0];
  if (!first) throw new Error('a family has at least one face');
  let hash = 0x811c9dc5; // FNV-1a of the family's lower-case name
  for (const byte of new TextEncoder().encode(first.family.toLowerCase())) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return `PicStream Custom ${first.account_id} f${hash.toString(16).padStart(8, '0')}`;
}

/** Uploaded font files an isolate keeps: one render's faces at most (FONT_BUDGET), so they fit together. */
const files = new ByteCache('uploaded font files'); // 16 MB: lib/caches.ts

/** Reads the faces' files (once per isolate); a face whose file is gone is a 422 naming `font_family`. */
export async function loadCustomFonts(bucket: R2Bucket, faces: readonly FontFace[]): Promise<CustomFont[]> {
  const family = renderFamily(faces);
  return Promise.all(
    faces.map(async (face) => {
      const cacheKey = `${face.id}/${face.sha256}`;
      const data = await files.get(cacheKey, async () => {
        const object = await bucket.get(fontObjectKey(face));
        if (!object) {
          throw new ProblemError('font_family_unknown', `font_family: the face ${face.id} of "${face.family}" was deleted`, {
            errors: [{ path: 'font_family', message: 'a face of this family was deleted' }],
          });
        }
        return new Uint8Array(await object.arrayBuffer());
      });
      return { key: `custom/${cacheKey}`, family, weight: face.weight, style: face.style, data };
    }),
  );
}
