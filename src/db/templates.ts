/**
 * Typed queries on `templates` and `template_versions`: an account's own templates.
 *
 * Versions are bounded (issue 15): an update that adds one prunes, in the same transaction, every
 * version older than the latest `kept` unless it is among the `kept` most recently pinned ones
 * (`last_pinned_at`, set at most once a day by a request naming `tpl_…@3`) or an open render
 * names it; the sweep purges a deleted template's versions once no open render names them. So a
 * template holds at most 2 × kept versions plus those queued renders still need.
 */

/** An open render (pending or running) names this version: it must stay until the render is done. */
const OPEN_RENDER_NAMES_VERSION = `EXISTS (SELECT 1 FROM renders r WHERE r.status IN ('pending', 'running')
  AND r.template = template_versions.template_id AND r.template_version = template_versions.version)`;

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

/** A version as a pinned request reads it: also when a request last pinned it (to the day). */
export interface PinnedVersion extends TemplateWithSource {
  last_pinned_at: string | null;
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
): Promise<PinnedVersion | null> {
  return db
    .prepare(
      `SELECT t.id, t.account_id, t.name, t.description, v.version, t.created_at, t.updated_at, t.deleted_at, v.source, v.last_pinned_at
       FROM templates t JOIN template_versions v ON v.template_id = t.id
       WHERE t.id = ?1 AND t.account_id = ?2 AND v.version = ?3 AND (?4 OR t.deleted_at IS NULL)`,
    )
    .bind(id, accountId, version, options.deleted ? 1 : 0)
    .first<PinnedVersion>();
}

/** Records that a request pinned this version on `day` (YYYY-MM-DD): one write a day at most, whoever reads it. */
export async function markPinned(db: D1Database, id: string, version: number, day: string): Promise<void> {
  await db
    .prepare('UPDATE template_versions SET last_pinned_at = ?3 WHERE template_id = ?1 AND version = ?2 AND (last_pinned_at IS NULL OR last_pinned_at < ?3)')
    .bind(id, version, day)
    .run();
}

/** Which versions an update keeps besides the current one (see the module header). */
export interface VersionRetention {
  /** The latest versions kept, and also how many lately pinned older ones are. */
  kept: number;
  /** A version pinned on or after this day (YYYY-MM-DD) counts as lately pinned. */
  pinnedSince: string;
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
  retention?: VersionRetention,
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
  const updated = statements.length - 1;
  if (change.source !== undefined && retention) {
    // relative to the version now current (the update above, or a concurrent one if that lost): a prune is right either way
    statements.push(
      db
        .prepare(
          `DELETE FROM template_versions
           WHERE template_id = ?1
             AND version <= (SELECT version FROM templates WHERE id = ?1 AND account_id = ?2) - ?3
             AND version NOT IN (
               SELECT version FROM template_versions WHERE template_id = ?1 AND last_pinned_at >= ?4 ORDER BY last_pinned_at DESC, version DESC LIMIT ?3)
             AND NOT ${OPEN_RENDER_NAMES_VERSION}`,
        )
        .bind(id, accountId, retention.kept, retention.pinnedSince),
    );
  }
  const results = await db.batch(statements);
  if (results[updated]?.meta.changes !== 1) return (await getTemplate(db, accountId, id)) ? 'conflict' : 'missing';
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

/**
 * Purges up to `limit` templates deleted before `before` (oldest first): their versions, except
 * those an open render still names, and then the template rows left without versions. Returns
 * the versions deleted.
 */
export async function purgeDeletedTemplates(db: D1Database, before: string, limit: number): Promise<number> {
  const [versions] = await db.batch([
    db
      .prepare(
        `DELETE FROM template_versions
         WHERE template_id IN (SELECT id FROM templates WHERE deleted_at IS NOT NULL AND deleted_at < ?1 ORDER BY deleted_at LIMIT ?2)
           AND NOT ${OPEN_RENDER_NAMES_VERSION}`,
      )
      .bind(before, limit),
    db
      .prepare(
        `DELETE FROM templates WHERE id IN (
           SELECT id FROM templates t WHERE deleted_at IS NOT NULL AND deleted_at < ?1
             AND NOT EXISTS (SELECT 1 FROM template_versions v WHERE v.template_id = t.id)
           ORDER BY deleted_at LIMIT ?2)`,
      )
      .bind(before, limit),
  ]);
  return versions?.meta.changes ?? 0;
}
