/**
 * Typed queries on `renders`. All SQL for render records lives here, as bound statements.
 *
 * A render that charges the quota is inserted in the same transaction as its reservation (and only
 * if the reservation held); a render that fails, or turns out to be a cache hit, gives its units
 * back in the same transaction that closes it, guarded by its status, so a unit returns once.
 *
 * Storage is bounded (issue 15): `vars` — the one column a caller sizes, up to the body limit — is
 * kept only while a render is open (its runner draws from it) and cleared in the statement that
 * finishes it; a cache hit's record never holds it. Finished records go after their retention
 * (RetentionPolicy in config.ts), deleted here in bounded batches; an open render is never deleted.
 */
import type { KeyMode } from '../auth/keys';
import type { EngineName, ImageFormat } from '../render/engine';
import { reserveStatement } from './usage';

export type RenderStatus = 'pending' | 'running' | 'complete' | 'failed';

export interface RenderRow {
  id: string;
  account_id: string | null;
  type: 'image' | 'pdf';
  template: string;
  template_version: number;
  engine: EngineName;
  format: ImageFormat | 'pdf';
  width: number;
  height: number;
  scale: number;
  vars: string;
  cache_key: string;
  status: RenderStatus;
  attempts: number;
  lease_until: number | null;
  object_key: string | null;
  bytes: number | null;
  render_ms: number | null;
  cached: 0 | 1 | null;
  error_code: string | null;
  error_message: string | null;
  created_at: string;
  completed_at: string | null;
  key_id: string | null;
  mode: KeyMode | null;
  /** Quota units this render still holds (0 for cache hits, test keys, and once given back). */
  units: number;
  quota_period: string | null;
  /** PDFs: the page count. */
  pages: number | null;
  /** JSON array of the custom font ids the image is drawn with (`font_family`), or null. */
  font_faces: string | null;
  /** The uploaded family the request's `font_family` named (drawn instead of the house font), or null. */
  font_family: string | null;
  /** The quota lease its units were spent from (db/leases.ts), or null. */
  lease_id: string | null;
}

export type NewRender = Pick<
  RenderRow,
  | 'id'
  | 'type'
  | 'template'
  | 'template_version'
  | 'engine'
  | 'format'
  | 'width'
  | 'height'
  | 'scale'
  | 'vars'
  | 'cache_key'
  | 'object_key'
  | 'created_at'
  | 'account_id'
  | 'key_id'
  | 'mode'
  | 'units'
  | 'quota_period'
  | 'pages'
  | 'font_faces'
  | 'font_family'
> & { lease_id?: string | null };

export interface Completion {
  bytes: number;
  render_ms: number;
  cached: boolean;
  completed_at: string;
}

/** The columns every new record sets, in bind order ?1 … ?22 (a constant: no SQL is built from input). */
const RECORD_COLUMNS =
  'id, type, template, template_version, engine, format, width, height, scale, vars, cache_key, object_key, created_at, account_id, key_id, mode, units, quota_period, pages, font_faces, font_family, lease_id';
const RECORD_PARAMS = '?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22';

function recordValues(r: NewRender): unknown[] {
  return [
    r.id,
    r.type,
    r.template,
    r.template_version,
    r.engine,
    r.format,
    r.width,
    r.height,
    r.scale,
    r.vars,
    r.cache_key,
    r.object_key,
    r.created_at,
    r.account_id,
    r.key_id,
    r.mode,
    r.units,
    r.quota_period,
    r.pages,
    r.font_faces,
    r.font_family,
    r.lease_id ?? null,
  ];
}

export interface Inserted {
  row: RenderRow;
  /** The account's usage for the period after the reservation; null when the render charges nothing. */
  used: number | null;
}

/**
 * Records a new render: pending (for the queue), or already claimed with a lease (the sync path
 * runs it at once). A render that charges units (`r.units > 0`) is inserted only if reserving them
 * keeps the account within `quotaLimit`, in one transaction; null means the quota is exhausted.
 */
export async function insertRender(db: D1Database, r: NewRender, leaseUntil: number | null, quotaLimit: number): Promise<Inserted | null> {
  const state = leaseUntil === null ? ['pending', 0, null] : ['running', 1, leaseUntil];
  if (r.units === 0) {
    const row = await db
      .prepare(`INSERT INTO renders (${RECORD_COLUMNS}, status, attempts, lease_until) VALUES (${RECORD_PARAMS}, ?23, ?24, ?25) RETURNING *`)
      .bind(...recordValues(r), ...state)
      .first<RenderRow>();
    return { row: row as RenderRow, used: null };
  }
  if (!r.account_id || !r.quota_period) throw new Error('a charged render needs an account and a period');
  const [reserved, inserted] = await db.batch<{ used: number } | RenderRow>([
    reserveStatement(db, r.account_id, r.quota_period, r.units, quotaLimit),
    // changes() is the reservation's row count: the render exists only if the units were reserved
    db
      .prepare(`INSERT INTO renders (${RECORD_COLUMNS}, status, attempts, lease_until) SELECT ${RECORD_PARAMS}, ?23, ?24, ?25 WHERE changes() = 1 RETURNING *`)
      .bind(...recordValues(r), ...state),
  ]);
  const row = inserted?.results[0] as RenderRow | undefined;
  if (!row) return null;
  const used = (reserved?.results[0] as { used: number } | undefined)?.used;
  if (used === undefined) throw new Error(`render ${r.id} was inserted without a reservation`);
  return { row, used };
}

/**
 * A cache hit's record as stored: what GET /api/v1/renders/{id} shows (template, format, size, URL,
 * times), without the vars and font ids only a runner would need — a hit is complete from the start.
 */
export function slimHit(record: NewRender): NewRender {
  return { ...record, vars: '', font_faces: null, units: 0 };
}

/**
 * A render that ended before its record was written (the sync image path, src/jobs/create.ts): a
 * cache hit or a fresh render, complete, or a failure. Its record is slim, as every finished one is.
 */
export interface Finished {
  record: NewRender;
  completion?: Completion;
  failure?: { code: string; message: string; completed_at: string };
}

/** A finished record as stored: no vars and no font ids — nothing will draw it again. Its units stay. */
export function slimFinished(record: NewRender): NewRender {
  return { ...record, vars: '', font_faces: null };
}

/** Records renders that ended before their records were written (complete or failed), in one batch. */
export async function insertFinishedBatch(db: D1Database, rows: readonly Finished[]): Promise<void> {
  if (rows.length === 0) return;
  const statement = db.prepare(
    `INSERT INTO renders (${RECORD_COLUMNS}, status, cached, bytes, render_ms, error_code, error_message, completed_at)
     VALUES (${RECORD_PARAMS}, ?23, ?24, ?25, ?26, ?27, ?28, ?29)`,
  );
  await db.batch(
    rows.map(({ record, completion: c, failure: f }) =>
      c
        ? statement.bind(...recordValues(slimFinished(record)), 'complete', c.cached ? 1 : 0, c.bytes, c.render_ms, null, null, c.completed_at)
        : statement.bind(
            ...recordValues(slimFinished({ ...record, units: 0 })),
            'failed',
            null,
            null,
            null,
            f?.code ?? 'render_failed',
            f?.message ?? '',
            f?.completed_at ?? null,
          ),
    ),
  );
}

/**
 * Which rows a closing statement may close — the refund that runs before it in the same batch uses
 * the very same condition, so units go back exactly when the row is closed, and only once.
 * (Constants: no SQL is built from input.)
 */
const CLOSABLE = {
  /** a failure: any open render */
  open: `status IN ('pending', 'running')`,
  /** a runner's own completion: the render it holds */
  running: `status = 'running'`,
  /** the dead-letter queue: a render nobody holds (pending, or its runner's lease lapsed at ?2) */
  unheld: `(status = 'pending' OR (status = 'running' AND lease_until < ?2))`,
} as const;

/** Gives back the units render ?1 holds, if it is closable under `when`. */
function refundStatement(db: D1Database, when: keyof typeof CLOSABLE, id: string, nowMs?: number): D1PreparedStatement {
  const statement = db.prepare(
    `UPDATE usage SET used = MAX(0, used - r.units)
     FROM (SELECT account_id, quota_period, units FROM renders WHERE id = ?1 AND ${CLOSABLE[when]} AND units > 0) AS r
     WHERE usage.account_id = r.account_id AND usage.period = r.quota_period`,
  );
  return when === 'unheld' ? statement.bind(id, nowMs) : statement.bind(id);
}

export function getRender(db: D1Database, id: string): Promise<RenderRow | null> {
  return db.prepare('SELECT * FROM renders WHERE id = ?1').bind(id).first<RenderRow>();
}

/**
 * Claims a job for one runner: a pending job, or a running one whose lease has lapsed (its runner
 * died). Exactly one of several concurrent claimers gets the row back; the rest get null.
 */
export function claimRender(db: D1Database, id: string, nowMs: number, leaseMs: number): Promise<RenderRow | null> {
  return db
    .prepare(
      `UPDATE renders SET status = 'running', attempts = attempts + 1, lease_until = ?2
       WHERE id = ?1 AND (status = 'pending' OR (status = 'running' AND lease_until < ?3))
       RETURNING *`,
    )
    .bind(id, nowMs + leaseMs, nowMs)
    .first<RenderRow>();
}

/**
 * Marks a claimed job complete; returns the row as it now stands (null if no longer ours). A job
 * that found its output already stored is a cache hit: it gives its units back.
 */
export async function completeRender(db: D1Database, id: string, c: Completion): Promise<RenderRow | null> {
  const complete = db
    .prepare(
      `UPDATE renders SET status = 'complete', bytes = ?2, render_ms = ?3, cached = ?4, completed_at = ?5, lease_until = NULL, vars = '',
         error_code = NULL, error_message = NULL, units = CASE WHEN ?4 = 1 THEN 0 ELSE units END
       WHERE id = ?1 AND status = 'running'
       RETURNING *`,
    )
    .bind(id, c.bytes, c.render_ms, c.cached ? 1 : 0, c.completed_at);
  if (!c.cached) return complete.first<RenderRow>();
  const [, done] = await db.batch<RenderRow>([refundStatement(db, 'running', id), complete]);
  return done?.results[0] ?? null;
}

/** Marks an open job failed and gives its units back, in one transaction. */
export async function failRender(db: D1Database, id: string, code: string, message: string, completedAt: string): Promise<void> {
  await db.batch([
    refundStatement(db, 'open', id),
    db
      .prepare(
        `UPDATE renders SET status = 'failed', error_code = ?2, error_message = ?3, completed_at = ?4, lease_until = NULL, units = 0, vars = ''
         WHERE id = ?1 AND ${CLOSABLE.open}`,
      )
      .bind(id, code, message.slice(0, 1000), completedAt),
  ]);
}

/**
 * The dead-letter queue's verdict: fails a job nobody holds (pending, or whose runner's lease has
 * lapsed) and gives its units back. A job a runner still holds is left to that runner, or to the
 * sweep once its lease is long gone.
 */
export async function failDeadLettered(db: D1Database, id: string, nowMs: number, completedAt: string): Promise<void> {
  await db.batch([
    refundStatement(db, 'unheld', id, nowMs),
    db
      .prepare(
        `UPDATE renders SET status = 'failed', error_code = 'dead_lettered', completed_at = ?3, lease_until = NULL, units = 0, vars = '',
           error_message = 'The render queue gave up on this job after its retries'
         WHERE id = ?1 AND ${CLOSABLE.unheld}`,
      )
      .bind(id, nowMs, completedAt),
  ]);
}

/** Gives a claimed job back so a retry can claim it. */
export async function releaseRender(db: D1Database, id: string): Promise<void> {
  await db.prepare(`UPDATE renders SET status = 'pending', lease_until = NULL WHERE id = ?1 AND status = 'running'`).bind(id).run();
}

/**
 * Fails renders nobody will finish: claimed ones whose lease lapsed long ago (their runner died and
 * no queue retry took them over — e.g. a sync render whose isolate was killed), and pending ones
 * far older than the queue's whole retry schedule. Their units go back. Returns the rows it closed.
 */
export async function failAbandoned(db: D1Database, leaseExpiredBefore: number, pendingCreatedBefore: string, completedAt: string): Promise<RenderRow[]> {
  const abandoned = `((status = 'running' AND lease_until < ?1) OR (status = 'pending' AND created_at < ?2))`;
  const [, closed] = await db.batch<RenderRow>([
    db
      .prepare(
        `UPDATE usage SET used = MAX(0, used - r.total)
         FROM (SELECT account_id, quota_period, SUM(units) AS total FROM renders WHERE units > 0 AND ${abandoned} GROUP BY account_id, quota_period) AS r
         WHERE usage.account_id = r.account_id AND usage.period = r.quota_period`,
      )
      .bind(leaseExpiredBefore, pendingCreatedBefore),
    db
      .prepare(
        `UPDATE renders SET status = 'failed', error_code = 'abandoned', completed_at = ?3, lease_until = NULL, units = 0, vars = '',
           error_message = 'The render stopped without finishing and was given up'
         WHERE ${abandoned}
         RETURNING *`,
      )
      .bind(leaseExpiredBefore, pendingCreatedBefore, completedAt),
  ]);
  return closed?.results ?? [];
}

/** Finished: the only records retention may delete (a pending or running render is never touched). */
const FINISHED = `status IN ('complete', 'failed')`;

/**
 * Deletes up to `limit` finished live records (and ones from before key modes, mode null) made
 * before `before`, oldest first. Their outputs stay: image URLs are public and embedded for years,
 * and live outputs are bounded by the quota that paid for them. Returns how many went.
 */
export async function deleteExpiredLiveRenders(db: D1Database, before: string, limit: number): Promise<number> {
  const { meta } = await db
    .prepare(
      `DELETE FROM renders WHERE rowid IN (
         SELECT rowid FROM renders WHERE ${FINISHED} AND created_at < ?1 AND mode IS NOT 'test' ORDER BY created_at LIMIT ?2)`,
    )
    .bind(before, limit)
    .run();
  return meta.changes;
}

export interface ExpiredTestRender {
  id: string;
  object_key: string | null;
  /**
   * 1 when no other record needs the output: none live, none open, none made since `before`. Outputs
   * are content-addressed and a test address differs from every live one (the TEST watermark is in
   * it), but the check is made on the records, not on that reasoning.
   */
  unshared: 0 | 1;
}

/** Up to `limit` finished test records made before `before`, oldest first, with whether their output may go. */
export async function expiredTestRenders(db: D1Database, before: string, limit: number): Promise<ExpiredTestRender[]> {
  const { results } = await db
    .prepare(
      `SELECT e.id, e.object_key, NOT EXISTS (
           SELECT 1 FROM renders r WHERE r.cache_key = e.cache_key
             AND (r.mode IS NOT 'test' OR r.status IN ('pending', 'running') OR r.created_at >= ?1)
         ) AS unshared
       FROM (SELECT id, object_key, cache_key FROM renders WHERE mode = 'test' AND ${FINISHED} AND created_at < ?1 ORDER BY created_at LIMIT ?2) AS e`,
    )
    .bind(before, limit)
    .all<ExpiredTestRender>();
  return results;
}

/** Deletes the given finished test records (never an open one, whatever the ids say). */
export async function deleteTestRenders(db: D1Database, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const { meta } = await db
    .prepare(`DELETE FROM renders WHERE id IN (SELECT value FROM json_each(?1)) AND mode = 'test' AND ${FINISHED}`)
    .bind(JSON.stringify(ids))
    .run();
  return meta.changes;
}
