/** Typed queries on `fonts`: an account's uploaded font faces. */

export type FontStyle = 'normal' | 'italic';
export type FontUploadFormat = 'ttf' | 'otf' | 'woff';

export interface FontRow {
  id: string;
  account_id: string;
  family: string;
  weight: number;
  style: FontStyle;
  format: FontUploadFormat;
  bytes: number;
  sha256: string;
  glyphs: number;
  created_at: string;
}

/**
 * Inserts a face unless the account already has it, or has `maxFaces` faces, or the family would
 * pass `maxFamilyBytes` — checked in the same statement, so concurrent uploads cannot overshoot.
 */
export async function insertFont(db: D1Database, row: FontRow, limits: { maxFaces: number; maxFamilyBytes: number }): Promise<boolean> {
  const result = await db
    .prepare(
      `INSERT INTO fonts (id, account_id, family, weight, style, format, bytes, sha256, glyphs, created_at)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10
       WHERE (SELECT COUNT(*) FROM fonts WHERE account_id = ?2) < ?11
         AND (SELECT COALESCE(SUM(bytes), 0) FROM fonts WHERE account_id = ?2 AND family = ?3) + ?7 <= ?12
       ON CONFLICT (account_id, family, weight, style) DO NOTHING`,
    )
    .bind(
      row.id,
      row.account_id,
      row.family,
      row.weight,
      row.style,
      row.format,
      row.bytes,
      row.sha256,
      row.glyphs,
      row.created_at,
      limits.maxFaces,
      limits.maxFamilyBytes,
    )
    .run();
  return result.meta.changes === 1;
}

/** Whether the account has this face (family compared case-insensitively). */
export async function hasFace(db: D1Database, row: Pick<FontRow, 'account_id' | 'family' | 'weight' | 'style'>): Promise<boolean> {
  const found = await db
    .prepare('SELECT 1 AS one FROM fonts WHERE account_id = ?1 AND family = ?2 AND weight = ?3 AND style = ?4')
    .bind(row.account_id, row.family, row.weight, row.style)
    .first();
  return found !== null;
}

export async function listFonts(db: D1Database, accountId: string): Promise<FontRow[]> {
  const { results } = await db.prepare('SELECT * FROM fonts WHERE account_id = ?1 ORDER BY family, weight, style').bind(accountId).all<FontRow>();
  return results;
}

export async function countFonts(db: D1Database, accountId: string): Promise<number> {
  return (await db.prepare('SELECT COUNT(*) AS n FROM fonts WHERE account_id = ?1').bind(accountId).first<{ n: number }>())?.n ?? 0;
}

/** The faces of one family (names compare case-insensitively, as CSS family names do). */
export async function familyFaces(db: D1Database, accountId: string, family: string): Promise<FontRow[]> {
  const { results } = await db
    .prepare('SELECT * FROM fonts WHERE account_id = ?1 AND lower(family) = lower(?2) ORDER BY weight, style, id')
    .bind(accountId, family)
    .all<FontRow>();
  return results;
}

export async function fontsByIds(db: D1Database, accountId: string, ids: readonly string[]): Promise<FontRow[]> {
  if (ids.length === 0) return [];
  const { results } = await db
    .prepare(`SELECT * FROM fonts WHERE account_id = ?1 AND id IN (SELECT value FROM json_each(?2)) ORDER BY weight, style, id`)
    .bind(accountId, JSON.stringify(ids))
    .all<FontRow>();
  return results;
}

export async function getFont(db: D1Database, accountId: string, id: string): Promise<FontRow | null> {
  return db.prepare('SELECT * FROM fonts WHERE account_id = ?1 AND id = ?2').bind(accountId, id).first<FontRow>();
}

export async function deleteFont(db: D1Database, accountId: string, id: string): Promise<FontRow | null> {
  return db.prepare('DELETE FROM fonts WHERE account_id = ?1 AND id = ?2 RETURNING *').bind(accountId, id).first<FontRow>();
}
