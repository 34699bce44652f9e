/** Typed queries on `renders`. All SQL for render records lives here, as bound statements. */
import type { EngineName, ImageFormat } from '../render/engine';

export type RenderStatus = 'pending' | 'running' | 'complete' | 'failed';

export interface RenderRow {
  id: string;
  account_id: string | null;
  type: 'image' | 'pdf';
  template: string;
  template_version: number;
  engine: EngineName;
  format: ImageFormat;
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
}

export type NewRender = Pick<
  RenderRow,
  'id' | 'type' | 'template' | 'template_version' | 'engine' | 'format' | 'width' | 'height' | 'scale' | 'vars' | 'cache_key' | 'object_key' | 'created_at'
>;

export interface Completion {
  bytes: number;
  render_ms: number;
  cached: boolean;
  completed_at: string;
}

/** The columns every new record sets, in bind order ?1 … ?13 (a constant: no SQL is built from input). */
const RECORD_COLUMNS = 'id, type, template, template_version, engine, format, width, height, scale, vars, cache_key, object_key, created_at';
const RECORD_PARAMS = '?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13';

function recordValues(r: NewRender): unknown[] {
  return [r.id, r.type, r.template, r.template_version, r.engine, r.format, r.width, r.height, r.scale, r.vars, r.cache_key, r.object_key, r.created_at];
}

/** Records an async render: pending until a runner claims it. */
export function insertPending(db: D1Database, r: NewRender): Promise<RenderRow | null> {
  return db
    .prepare(`INSERT INTO renders (${RECORD_COLUMNS}, status) VALUES (${RECORD_PARAMS}, 'pending') RETURNING *`)
    .bind(...recordValues(r))
    .first<RenderRow>();
}

/** Records a render that this runner starts at once (the sync path): inserted already claimed. */
export function insertClaimed(db: D1Database, r: NewRender, leaseUntil: number): Promise<RenderRow | null> {
  return db
    .prepare(`INSERT INTO renders (${RECORD_COLUMNS}, status, attempts, lease_until) VALUES (${RECORD_PARAMS}, 'running', 1, ?14) RETURNING *`)
    .bind(...recordValues(r), leaseUntil)
    .first<RenderRow>();
}

/** Records renders answered from the content cache, complete from the start, in one batch. */
export async function insertCachedBatch(db: D1Database, hits: readonly { record: NewRender; completion: Completion }[]): Promise<void> {
  if (hits.length === 0) return;
  const statement = db.prepare(
    `INSERT INTO renders (${RECORD_COLUMNS}, status, cached, bytes, render_ms, completed_at) VALUES (${RECORD_PARAMS}, 'complete', 1, ?14, ?15, ?16)`,
  );
  await db.batch(hits.map(({ record, completion: c }) => statement.bind(...recordValues(record), c.bytes, c.render_ms, c.completed_at)));
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

/** Marks a claimed job complete; returns the row as it now stands (null if no longer ours). */
export function completeRender(db: D1Database, id: string, c: Completion): Promise<RenderRow | null> {
  return db
    .prepare(
      `UPDATE renders SET status = 'complete', bytes = ?2, render_ms = ?3, cached = ?4, completed_at = ?5, lease_until = NULL,
         error_code = NULL, error_message = NULL
       WHERE id = ?1 AND status = 'running'
       RETURNING *`,
    )
    .bind(id, c.bytes, c.render_ms, c.cached ? 1 : 0, c.completed_at)
    .first<RenderRow>();
}

export async function failRender(db: D1Database, id: string, code: string, message: string, completedAt: string): Promise<void> {
  await db
    .prepare(
      `UPDATE renders SET status = 'failed', error_code = ?2, error_message = ?3, completed_at = ?4, lease_until = NULL
       WHERE id = ?1 AND status IN ('pending', 'running')`,
    )
    .bind(id, code, message.slice(0, 1000), completedAt)
    .run();
}

/** Gives a claimed job back so a retry can claim it. */
export async function releaseRender(db: D1Database, id: string): Promise<void> {
  await db.prepare(`UPDATE renders SET status = 'pending', lease_until = NULL WHERE id = ?1 AND status = 'running'`).bind(id).run();
}

/**
 * Fails renders nobody will finish: claimed ones whose lease lapsed long ago (their runner died and
 * no queue retry took them over — e.g. a sync render whose isolate was killed), and pending ones
 * far older than the queue's whole retry schedule. Returns how many it closed.
 */
export async function failAbandoned(db: D1Database, leaseExpiredBefore: number, pendingCreatedBefore: string, completedAt: string): Promise<number> {
  const result = await db
    .prepare(
      `UPDATE renders SET status = 'failed', error_code = 'abandoned', completed_at = ?3, lease_until = NULL,
         error_message = 'The render stopped without finishing and was given up'
       WHERE (status = 'running' AND lease_until < ?1) OR (status = 'pending' AND created_at < ?2)`,
    )
    .bind(leaseExpiredBefore, pendingCreatedBefore, completedAt)
    .run();
  return result.meta.changes;
}
