/**
 * Custom fonts at render time: the faces an account uploaded (service.ts keeps them), drawn by
 * family name (`font_family` on a generate request). A render's faces are counted against
 * FONT_BUDGET from their rows before any file is read, named per account and family so accounts
 * never collide in an engine's registry, and read from the FONTS bucket once per isolate.
 *
 * The file lives in the FONTS bucket under `custom/<account>/<font id>.sfnt`; a render names the
 * faces it drew with (their ids and digests are part of its content address), so a face deleted or
 * uploaded again never serves a stale cached image. The upload limits live here because the
 * family limit is what keeps a render's memory bounded.
 */
import type { FontRow, FontStyle } from '../db/fonts';
import { ProblemError } from '../errors/problem';
import { ByteCache } from '../lib/byte-cache';
import { FONT_BUDGET, megabytes } from '../render/budget';

/** Largest font file accepted (decoded): a full Latin+Cyrillic+Greek family face is 100–800 KB. */
export const MAX_FONT_BYTES = 4 * 1024 * 1024;
/** The faces of one family together (a render loads them all): keeps a render's memory bounded. */
export const MAX_FAMILY_BYTES = 12 * 1024 * 1024;
/** Faces an account may keep. */
export const MAX_FONTS_PER_ACCOUNT = 20;

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
