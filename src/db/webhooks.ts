/** Typed queries on webhook endpoints, deliveries and attempts. */

export interface EndpointRow {
  id: string;
  account_id: string;
  url: string;
  description: string;
  events: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: number | null;
  failing_since: number | null;
  last_failure_at: number | null;
  disabled_at: string | null;
  disabled_reason: string | null;
  created_at: string;
  updated_at: string;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface DeliveryRow {
  id: string;
  endpoint_id: string;
  account_id: string;
  event: string;
  job_id: string | null;
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  round_start: number;
  lease_until: number | null;
  next_attempt_at: number | null;
  created_at: string;
  completed_at: string | null;
}

export interface AttemptRow {
  delivery_id: string;
  attempt: number;
  attempted_at: string;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
}

// ---- endpoints -------------------------------------------------------------------------------

/** Adds an endpoint unless the account already has `max`; null when it has. */
export function insertEndpointWithin(db: D1Database, e: EndpointRow, max: number): Promise<EndpointRow | null> {
  return db
    .prepare(
      `INSERT INTO webhook_endpoints (id, account_id, url, description, events, secret, created_at, updated_at)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7
       WHERE (SELECT COUNT(*) FROM webhook_endpoints WHERE account_id = ?2) < ?8
       RETURNING *`,
    )
    .bind(e.id, e.account_id, e.url, e.description, e.events, e.secret, e.created_at, max)
    .first<EndpointRow>();
}

export function getEndpoint(db: D1Database, accountId: string, id: string): Promise<EndpointRow | null> {
  return db.prepare('SELECT * FROM webhook_endpoints WHERE id = ?1 AND account_id = ?2').bind(id, accountId).first<EndpointRow>();
}

export function getEndpointById(db: D1Database, id: string): Promise<EndpointRow | null> {
  return db.prepare('SELECT * FROM webhook_endpoints WHERE id = ?1').bind(id).first<EndpointRow>();
}

export async function listEndpoints(db: D1Database, accountId: string): Promise<EndpointRow[]> {
  const { results } = await db.prepare('SELECT * FROM webhook_endpoints WHERE account_id = ?1 ORDER BY id').bind(accountId).all<EndpointRow>();
  return results;
}

/** The enabled endpoints of an account that take `event`. */
export async function subscribedEndpoints(db: D1Database, accountId: string, event: string): Promise<EndpointRow[]> {
  const { results } = await db
    .prepare(
      `SELECT * FROM webhook_endpoints
       WHERE account_id = ?1 AND disabled_at IS NULL AND EXISTS (SELECT 1 FROM json_each(events) WHERE value = ?2)`,
    )
    .bind(accountId, event)
    .all<EndpointRow>();
  return results;
}

export interface EndpointChanges {
  url?: string;
  description?: string;
  events?: string;
  /** true re-enables (and forgets the failing streak); false disables by hand. */
  enabled?: boolean;
}

export function updateEndpoint(db: D1Database, accountId: string, id: string, c: EndpointChanges, at: string): Promise<EndpointRow | null> {
  return db
    .prepare(
      `UPDATE webhook_endpoints SET
         url = COALESCE(?3, url),
         description = COALESCE(?4, description),
         events = COALESCE(?5, events),
         disabled_at = CASE ?6 WHEN 1 THEN NULL WHEN 0 THEN COALESCE(disabled_at, ?7) ELSE disabled_at END,
         disabled_reason = CASE ?6 WHEN 1 THEN NULL WHEN 0 THEN COALESCE(disabled_reason, 'disabled by the account') ELSE disabled_reason END,
         failing_since = CASE ?6 WHEN 1 THEN NULL ELSE failing_since END,
         last_failure_at = CASE ?6 WHEN 1 THEN NULL ELSE last_failure_at END,
         updated_at = ?7
       WHERE id = ?1 AND account_id = ?2
       RETURNING *`,
    )
    .bind(id, accountId, c.url ?? null, c.description ?? null, c.events ?? null, c.enabled === undefined ? null : c.enabled ? 1 : 0, at)
    .first<EndpointRow>();
}

/** Deletes an endpoint; its deliveries still waiting end failed in the same transaction. */
export async function deleteEndpoint(db: D1Database, accountId: string, id: string, at: string): Promise<boolean> {
  const [, deleted] = await db.batch([
    db
      .prepare(
        `UPDATE webhook_deliveries SET status = 'failed', lease_until = NULL, next_attempt_at = NULL, completed_at = ?3
         WHERE endpoint_id = ?1 AND account_id = ?2 AND status = 'pending'`,
      )
      .bind(id, accountId, at),
    db.prepare('DELETE FROM webhook_endpoints WHERE id = ?1 AND account_id = ?2').bind(id, accountId),
  ]);
  return (deleted?.meta.changes ?? 0) > 0;
}

/** Puts a new secret in place; the old one keeps signing until `previousExpiresAt`. */
export function rotateSecret(
  db: D1Database,
  accountId: string,
  id: string,
  secret: string,
  previousExpiresAt: number,
  at: string,
): Promise<EndpointRow | null> {
  return db
    .prepare(
      `UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_expires_at = ?4, secret = ?3, updated_at = ?5
       WHERE id = ?1 AND account_id = ?2
       RETURNING *`,
    )
    .bind(id, accountId, secret, previousExpiresAt, at)
    .first<EndpointRow>();
}

/**
 * After an attempt: a success ends the failing streak; a failure starts one, or continues it —
 * unless the endpoint was quiet for longer than `quietGapMs` since its last failure (failures
 * days apart with nothing in between are not "failing for days straight").
 */
export async function recordEndpointOutcome(db: D1Database, id: string, ok: boolean, nowMs: number, quietGapMs: number): Promise<EndpointRow | null> {
  return db
    .prepare(
      `UPDATE webhook_endpoints SET
         failing_since = CASE
           WHEN ?2 = 1 THEN NULL
           WHEN failing_since IS NULL OR last_failure_at IS NULL OR ?3 - last_failure_at > ?4 THEN ?3
           ELSE failing_since END,
         last_failure_at = CASE WHEN ?2 = 1 THEN NULL ELSE ?3 END
       WHERE id = ?1 RETURNING *`,
    )
    .bind(id, ok ? 1 : 0, nowMs, quietGapMs)
    .first<EndpointRow>();
}

export async function disableEndpoint(db: D1Database, id: string, reason: string, at: string): Promise<void> {
  await db
    .prepare(
      'UPDATE webhook_endpoints SET disabled_at = COALESCE(disabled_at, ?3), disabled_reason = COALESCE(disabled_reason, ?2), updated_at = ?3 WHERE id = ?1',
    )
    .bind(id, reason, at)
    .run();
}

// ---- deliveries ------------------------------------------------------------------------------

export type NewDelivery = Pick<DeliveryRow, 'id' | 'endpoint_id' | 'account_id' | 'event' | 'job_id' | 'payload' | 'created_at'>;

/**
 * Records deliveries; one per (endpoint, event, job) ever, so announcing a render twice (a
 * duplicated queue message) adds nothing. Returns the ids of all of them still waiting for their
 * first attempt — new or not — so a retried announcement sends what an earlier one may not have.
 */
export async function insertDeliveries(db: D1Database, deliveries: readonly NewDelivery[]): Promise<string[]> {
  if (deliveries.length === 0) return [];
  const insert = db.prepare(
    `INSERT INTO webhook_deliveries (id, endpoint_id, account_id, event, job_id, payload, status, created_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7)
     ON CONFLICT (endpoint_id, event, job_id) DO NOTHING`,
  );
  const waiting = db.prepare(
    `SELECT id FROM webhook_deliveries WHERE endpoint_id = ?1 AND event = ?2 AND job_id IS ?3 AND status = 'pending' AND attempts = 0`,
  );
  // deliveries of no job (webhook.test) are each their own: nothing to find again
  const ofJobs = deliveries.filter((d) => d.job_id !== null);
  const results = await db.batch<{ id: string }>([
    ...deliveries.map((d) => insert.bind(d.id, d.endpoint_id, d.account_id, d.event, d.job_id, d.payload, d.created_at)),
    ...ofJobs.map((d) => waiting.bind(d.endpoint_id, d.event, d.job_id)),
  ]);
  return [...deliveries.filter((d) => d.job_id === null).map((d) => d.id), ...results.slice(deliveries.length).flatMap((r) => r.results.map((row) => row.id))];
}

/**
 * Claims a pending delivery for one attempt: not leased by another sender, and due. Exactly one of
 * several concurrent claimers (duplicated messages) gets the row back.
 */
export function claimDelivery(db: D1Database, id: string, nowMs: number, leaseMs: number): Promise<DeliveryRow | null> {
  return db
    .prepare(
      `UPDATE webhook_deliveries SET attempts = attempts + 1, lease_until = ?2
       WHERE id = ?1 AND status = 'pending' AND (lease_until IS NULL OR lease_until < ?3) AND (next_attempt_at IS NULL OR next_attempt_at <= ?3)
       RETURNING *`,
    )
    .bind(id, nowMs + leaseMs, nowMs)
    .first<DeliveryRow>();
}

/** Records an attempt and where it leaves the delivery: succeeded, failed, or pending until `nextAttemptAt`. */
/**
 * Records an attempt and where it leaves the delivery: succeeded, failed, or pending until
 * `nextAttemptAt`. Only the holder of the claim (`lease`) may move the delivery on, and a failure
 * only within the round it was made in (a redelivery meanwhile started a new one). Returns false
 * when the delivery was not moved on — the caller then releases its lease and carries the new round.
 */
export async function recordAttempt(
  db: D1Database,
  attempt: AttemptRow,
  claim: { lease: number | null; roundStart: number },
  outcome: { status: 'succeeded' | 'failed'; completedAt: string } | { status: 'pending'; nextAttemptAt: number },
): Promise<boolean> {
  const insert = db
    .prepare('INSERT OR REPLACE INTO webhook_attempts (delivery_id, attempt, attempted_at, status_code, duration_ms, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6)')
    .bind(attempt.delivery_id, attempt.attempt, attempt.attempted_at, attempt.status_code, attempt.duration_ms, attempt.error);
  const held = `id = ?1 AND status = 'pending' AND lease_until IS ?2`;
  const update =
    outcome.status === 'pending'
      ? db
          .prepare(`UPDATE webhook_deliveries SET lease_until = NULL, next_attempt_at = ?4 WHERE ${held} AND round_start = ?3`)
          .bind(attempt.delivery_id, claim.lease, claim.roundStart, outcome.nextAttemptAt)
      : outcome.status === 'failed'
        ? db
            .prepare(
              `UPDATE webhook_deliveries SET status = 'failed', lease_until = NULL, next_attempt_at = NULL, completed_at = ?4 WHERE ${held} AND round_start = ?3`,
            )
            .bind(attempt.delivery_id, claim.lease, claim.roundStart, outcome.completedAt)
        : db
            .prepare(`UPDATE webhook_deliveries SET status = 'succeeded', lease_until = NULL, next_attempt_at = NULL, completed_at = ?3 WHERE ${held}`)
            .bind(attempt.delivery_id, claim.lease, outcome.completedAt);
  const [, moved] = await db.batch([insert, update]);
  return (moved?.meta.changes ?? 0) > 0;
}

/** Lets go of a claim without moving the delivery on. */
export async function releaseDelivery(db: D1Database, id: string, lease: number | null): Promise<void> {
  await db.prepare('UPDATE webhook_deliveries SET lease_until = NULL WHERE id = ?1 AND lease_until IS ?2').bind(id, lease).run();
}

/** When a held delivery's lease lapses (epoch ms), or null if it is not held. */
export async function leaseOf(db: D1Database, id: string): Promise<number | null> {
  const row = await db
    .prepare(`SELECT lease_until FROM webhook_deliveries WHERE id = ?1 AND status = 'pending'`)
    .bind(id)
    .first<{ lease_until: number | null }>();
  return row?.lease_until ?? null;
}

/**
 * The queue gave up on a delivery's message: if nobody holds the delivery and its next attempt is
 * due, it ends failed, with a line in its log saying why. (One still in the middle of its schedule
 * is left alone: the message that holds it carries it on.)
 */
export async function failDeadLetteredDelivery(db: D1Database, id: string, nowMs: number, at: string): Promise<void> {
  const due = `status = 'pending' AND (lease_until IS NULL OR lease_until < ?2) AND (next_attempt_at IS NULL OR next_attempt_at <= ?2)`;
  await db.batch([
    db
      .prepare(
        `INSERT OR REPLACE INTO webhook_attempts (delivery_id, attempt, attempted_at, status_code, duration_ms, error)
         SELECT id, attempts + 1, ?3, NULL, 0, 'the queue gave up on this delivery' FROM webhook_deliveries WHERE id = ?1 AND ${due}`,
      )
      .bind(id, nowMs, at),
    db
      .prepare(
        `UPDATE webhook_deliveries SET status = 'failed', attempts = attempts + 1, lease_until = NULL, next_attempt_at = NULL, completed_at = ?3
         WHERE id = ?1 AND ${due}`,
      )
      .bind(id, nowMs, at),
  ]);
}

/** Deliveries nobody is carrying: pending, not held, and due for longer than `graceMs` (their message was lost). */
export async function strandedDeliveries(db: D1Database, nowMs: number, graceMs: number, limit: number): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT id FROM webhook_deliveries
       WHERE status = 'pending' AND (lease_until IS NULL OR lease_until < ?1)
         AND COALESCE(next_attempt_at, CAST(strftime('%s', created_at) AS INTEGER) * 1000) < ?1 - ?2
       ORDER BY id LIMIT ?3`,
    )
    .bind(nowMs, graceMs, limit)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

/**
 * Starts a new round of attempts now (same webhook-id, the schedule from the top): for a finished
 * delivery, or a pending one waiting for its next attempt. An attempt in flight finishes; only a
 * success counts from it (recordAttempt), and its message carries the new round on.
 */
export function restartDelivery(db: D1Database, accountId: string, id: string, nowMs: number): Promise<DeliveryRow | null> {
  return db
    .prepare(
      `UPDATE webhook_deliveries SET status = 'pending', round_start = attempts, next_attempt_at = ?3, completed_at = NULL
       WHERE id = ?1 AND account_id = ?2
       RETURNING *`,
    )
    .bind(id, accountId, nowMs)
    .first<DeliveryRow>();
}

export function getAccountDelivery(db: D1Database, accountId: string, id: string): Promise<DeliveryRow | null> {
  return db.prepare('SELECT * FROM webhook_deliveries WHERE id = ?1 AND account_id = ?2').bind(id, accountId).first<DeliveryRow>();
}

/** An endpoint's deliveries, newest first, `limit` of them after the cursor (a delivery id). */
export async function listDeliveries(db: D1Database, endpointId: string, limit: number, before?: string): Promise<DeliveryRow[]> {
  const { results } = await db
    .prepare('SELECT * FROM webhook_deliveries WHERE endpoint_id = ?1 AND (?2 IS NULL OR id < ?2) ORDER BY id DESC LIMIT ?3')
    .bind(endpointId, before ?? null, limit)
    .all<DeliveryRow>();
  return results;
}

export async function attemptsOf(db: D1Database, deliveryIds: readonly string[]): Promise<AttemptRow[]> {
  if (deliveryIds.length === 0) return [];
  const { results } = await db
    .prepare('SELECT a.* FROM webhook_attempts a JOIN json_each(?1) j ON a.delivery_id = j.value ORDER BY a.delivery_id, a.attempt')
    .bind(JSON.stringify(deliveryIds))
    .all<AttemptRow>();
  return results;
}

/** Drops finished deliveries (and their attempts) completed before `before`; returns how many. */
export async function deleteFinishedDeliveries(db: D1Database, before: string, limit: number): Promise<number> {
  const old = `SELECT id FROM webhook_deliveries WHERE status != 'pending' AND completed_at < ?1 ORDER BY completed_at LIMIT ?2`;
  const [, deleted] = await db.batch([
    db.prepare(`DELETE FROM webhook_attempts WHERE delivery_id IN (${old})`).bind(before, limit),
    db.prepare(`DELETE FROM webhook_deliveries WHERE id IN (${old})`).bind(before, limit),
  ]);
  return deleted?.meta.changes ?? 0;
}
