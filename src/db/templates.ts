/** Typed queries on `templates` and `template_versions`: an account's own templates. */

export interface TemplateRow {
  id: string;
  account_id: string;
  name: string;
  description: string;
  version: number;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

/** A template with the source of its current version. */
export interface TemplateWithSource extends TemplateRow {
  /** JSON of the version's source. */
  source: string;
}

/**
 * Inserts a template and its first version unless the account has `maxTemplates` (counted in the
 * same statement, so concurrent creates cannot overshoot). False when the limit held it back.
 */
export async function insertTemplate(db: D1Database, row: TemplateRow, source: string, maxTemplates: number): Promise<boolean> {
  const [inserted] = await db.batch([
    db
      .prepare(
        `INSERT INTO templates (id, account_id, name, description, version, created_at, updated_at)
         SELECT ?1, ?2, ?3, ?4, 1, ?5, ?5
         WHERE (SELECT COUNT(*) FROM templates WHERE account_id = ?2 AND deleted_at IS NULL) < ?6`,
      )
      .bind(row.id, row.account_id, row.name, row.description, row.created_at, maxTemplates),
    db
      .prepare(`INSERT INTO template_versions (template_id, version, source, created_at) SELECT id, 1, ?2, ?3 FROM templates WHERE id = ?1`)
      .bind(row.id, source, row.created_at),
  ]);
  return inserted?.meta.changes === 1;
}

const CURRENT = `SELECT t.*, v.source FROM templates t JOIN template_versions v ON v.template_id = t.id AND v.version = t.version`;

/** The account's template with its current source; null when missing, deleted or another account's. */
export async function getTemplate(db: D1Database, accountId: string, id: string): Promise<TemplateWithSource | null> {
  return db.prepare(`${CURRENT} WHERE t.id = ?1 AND t.account_id = ?2 AND t.deleted_at IS NULL`).bind(id, accountId).first<TemplateWithSource>();
}

/** A template as a listing shows it: its row and the current version's size, not its source. */
export interface TemplateListing extends TemplateRow {
  width: number;
  height: number;
}

export async function listTemplates(db: D1Database, accountId: string): Promise<TemplateListing[]> {
  const { results } = await db
    .prepare(
      `SELECT t.*, json_extract(v.source, '$.width') AS width, json_extract(v.source, '$.height') AS height
       FROM templates t JOIN template_versions v ON v.template_id = t.id AND v.version = t.version
       WHERE t.account_id = ?1 AND t.deleted_at IS NULL ORDER BY t.created_at, t.id`,
    )
    .bind(accountId)
    .all<TemplateListing>();
  return results;
}

/**
 * One version's source: of a template still there (a request pinning a version), or also of a
 * deleted one (a queued render still draws the version it named).
 */
export async function templateVersion(
  db: D1Database,
  accountId: string,
  id: string,
  version: number,
  options: { deleted: boolean },
): Promise<TemplateWithSource | null> {
  return db
    .prepare(
      `SELECT t.id, t.account_id, t.name, t.description, v.version, t.created_at, t.updated_at, t.deleted_at, v.source
       FROM templates t JOIN template_versions v ON v.template_id = t.id
       WHERE t.id = ?1 AND t.account_id = ?2 AND v.version = ?3 AND (?4 OR t.deleted_at IS NULL)`,
    )
    .bind(id, accountId, version, options.deleted ? 1 : 0)
    .first<TemplateWithSource>();
}

/**
 * Updates name and description, and with a new source adds the next version and makes it current
 * — only if the template is still at `expected` (one transaction): an update checked against a
 * version another update has replaced since is refused, never applied on top of it.
 */
export async function updateTemplate(
  db: D1Database,
  accountId: string,
  id: string,
  expected: number,
  change: { name?: string; description?: string; source?: string },
  at: string,
): Promise<TemplateWithSource | 'missing' | 'conflict'> {
  const statements: D1PreparedStatement[] = [];
  if (change.source !== undefined) {
    statements.push(
      db
        .prepare(
          `INSERT INTO template_versions (template_id, version, source, created_at)
           SELECT id, version + 1, ?4, ?5 FROM templates WHERE id = ?1 AND account_id = ?2 AND deleted_at IS NULL AND version = ?3`,
        )
        .bind(id, accountId, expected, change.source, at),
    );
  }
  statements.push(
    db
      .prepare(
        `UPDATE templates SET name = COALESCE(?4, name), description = COALESCE(?5, description), updated_at = ?6,
           version = version + ?7
         WHERE id = ?1 AND account_id = ?2 AND deleted_at IS NULL AND version = ?3`,
      )
      .bind(id, accountId, expected, change.name ?? null, change.description ?? null, at, change.source !== undefined ? 1 : 0),
  );
  const results = await db.batch(statements);
  if (results.at(-1)?.meta.changes !== 1) return (await getTemplate(db, accountId, id)) ? 'conflict' : 'missing';
  return (await getTemplate(db, accountId, id)) ?? 'missing';
}

/** Marks the template deleted (its versions stay for renders already queued); its last version, or null when there was none to delete. */
export async function deleteTemplate(db: D1Database, accountId: string, id: string, at: string): Promise<number | null> {
  const row = await db
    .prepare('UPDATE templates SET deleted_at = ?3, updated_at = ?3 WHERE id = ?1 AND account_id = ?2 AND deleted_at IS NULL RETURNING version')
    .bind(id, accountId, at)
    .first<{ version: number }>();
  return row?.version ?? null;
}
