/**
 * An account's uploaded font faces: upload, list, get and delete, for the API routes and the
 * dashboard alike. An upload is checked before it is kept — the file read by font-file.ts, then one
 * small drawing with each engine, so a font either engine would choke on is a 422 now rather than
 * a failed render later. The file is written to the FONTS bucket before its row, so a row never
 * names a missing file (a file without a row is only unused); the row's insert checks the account's
 * face count and the family's bytes in the same statement, so concurrent uploads cannot overshoot.
 * Takes plain values and throws ProblemError; it never sees HTTP.
 */
import { countFonts, deleteFont, type FontRow, type FontStyle, getFont, hasFace, insertFont, listFonts } from '../db/fonts';
import type { Bindings } from '../env';
import { ProblemError } from '../errors/problem';
import { sha256Hex } from '../lib/hash';
import { newId } from '../lib/ids';
import { isoNow } from '../lib/time';
import { probeFont as probeSatori } from '../render/engines/satori';
import { probeFont as probeTakumi } from '../render/engines/takumi';
import { fontObjectKey, MAX_FAMILY_BYTES, MAX_FONTS_PER_ACCOUNT } from './custom';
import { faceOf, fontInvalid, readFontFile } from './font-file';

type FontStore = Pick<Bindings, 'DB' | 'FONTS'>;

export interface FontUpload {
  family: string;
  /** Defaults to the file's own weight class. */
  weight?: number;
  /** Defaults to the file's own (italic when it slants). */
  style?: FontStyle;
  /** The file as uploaded: TTF, OTF or WOFF. */
  data: Uint8Array;
}

/** Draws with the font in both engines once; throws 422 `font_invalid` with what the engine said. */
async function probeFont(sfnt: Uint8Array): Promise<void> {
  for (const [engine, probe] of [
    ['takumi', probeTakumi],
    ['satori', probeSatori],
  ] as const) {
    try {
      await probe(sfnt);
    } catch (err) {
      fontInvalid(`could not be drawn by ${engine}: ${(err as Error).message ?? String(err)}`);
    }
  }
}

/** Checks and keeps a face: 422 `font_invalid`, 409 `font_exists` or `font_limit_reached`. */
export async function uploadFont(env: FontStore, accountId: string, upload: FontUpload): Promise<FontRow> {
  if ((await countFonts(env.DB, accountId)) >= MAX_FONTS_PER_ACCOUNT) {
    throw new ProblemError('font_limit_reached', `An account may keep ${MAX_FONTS_PER_ACCOUNT} font faces; delete one first`);
  }
  const font = await readFontFile(upload.data);
  await probeFont(font.sfnt);
  const row: FontRow = {
    id: newId('fnt'),
    account_id: accountId,
    family: upload.family,
    ...faceOf(font, upload),
    format: font.format,
    bytes: font.sfnt.byteLength,
    sha256: await sha256Hex(font.sfnt),
    glyphs: font.glyphs,
    created_at: isoNow(),
  };
  await env.FONTS.put(fontObjectKey(row), font.sfnt, { httpMetadata: { contentType: font.format === 'otf' ? 'font/otf' : 'font/ttf' } });
  if (!(await insertFont(env.DB, row, { maxFaces: MAX_FONTS_PER_ACCOUNT, maxFamilyBytes: MAX_FAMILY_BYTES }))) {
    await env.FONTS.delete(fontObjectKey(row));
    if (await hasFace(env.DB, row)) {
      throw new ProblemError('font_exists', `"${row.family}" ${row.weight} ${row.style} is uploaded already; delete it first to replace it`, {
        errors: [{ path: 'family', message: 'this face is uploaded already' }],
      });
    }
    throw new ProblemError(
      'font_limit_reached',
      `An account may keep ${MAX_FONTS_PER_ACCOUNT} font faces, and a family's faces may total ${MAX_FAMILY_BYTES / 1024 / 1024} MB; delete one first`,
    );
  }
  return row;
}

/** The account's faces, by family, weight and style. */
export function accountFonts(env: FontStore, accountId: string): Promise<FontRow[]> {
  return listFonts(env.DB, accountId);
}

/** One of the account's faces; another account's is a 404 like a missing one. */
export async function accountFont(env: FontStore, accountId: string, id: string): Promise<FontRow> {
  const row = await getFont(env.DB, accountId, id);
  if (!row) throw new ProblemError('font_not_found', `No font ${id}`);
  return row;
}

/** Deletes a face and its file; renders already made keep their images. */
export async function removeFont(env: FontStore, accountId: string, id: string): Promise<void> {
  const row = await deleteFont(env.DB, accountId, id);
  if (!row) throw new ProblemError('font_not_found', `No font ${id}`);
  await env.FONTS.delete(fontObjectKey(row));
}
