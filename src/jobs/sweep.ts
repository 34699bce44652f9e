/**
 * The cron sweep: no render stays pending forever. Queue jobs are covered by retries and the
 * dead-letter consumer; this closes what falls outside them — a sync render whose isolate died
 * mid-render (nothing will retry it) or a record whose queue message was lost. Their quota units
 * go back, and their webhooks hear of it. It also drops Idempotency-Keys past their 24 hours and
 * re-sends webhook deliveries whose queue message was lost, and keeps the webhook event log to 30 days,
 * and settles the quota leases of isolates that died (their unspent units go back).
 *
 * Retention (RetentionPolicy in config.ts): finished render records past their period go, test ones with the
 * outputs no other record still needs, and deleted templates' versions once no open render names
 * them — each run in bounded batches (at most SWEEP_BATCHES × SWEEP_BATCH records of each kind), so
 * a run's work is bounded and a backlog drains over the following runs (every 5 minutes).
 */
import { config } from '../config';
import { deleteExpiredKeys } from '../db/idempotency';
import { lapsedLeases, settleLease } from '../db/leases';
import { deleteExpiredLiveRenders, deleteTestRenders, expiredTestRenders, failAbandoned } from '../db/renders';
import { purgeDeletedTemplates } from '../db/templates';
import { deleteFinishedDeliveries } from '../db/webhooks';
import type { Bindings } from '../env';
import { isoNow, now } from '../lib/time';
import { LEASE_GRACE_MS } from '../quota/leases';
import { resendStrandedDeliveries } from '../webhooks/deliver';
import { announceRender } from '../webhooks/events';

/**
 * Settles quota leases that lapsed more than LEASE_GRACE_MS ago (quota/leases.ts): their isolate
 * died or went quiet before settling them. Each gives back what no render record charged.
 */
export async function sweepLapsedLeases(env: Bindings, at = now()): Promise<number> {
  let settled = 0;
  for (let batch = 0; batch < 10; batch++) {
    const ids = await lapsedLeases(env.DB, at - LEASE_GRACE_MS, 100);
    for (const id of ids) await settleLease(env.DB, id);
    settled += ids.length;
    if (ids.length < 100) break;
  }
  if (settled > 0) console.warn(`settled ${settled} lapsed quota lease(s)`);
  return settled;
}

/** How long after its lease lapsed a claimed job may still be taken over by a queue retry. */
export const ABANDON_AFTER_LEASE_MS = 15 * 60_000;
/** Far beyond the queue's retry schedule (a few minutes) and its dead-letter hand-off. */
export const ABANDON_PENDING_AFTER_MS = 60 * 60_000;

export async function sweepAbandonedRenders(env: Bindings, at = now()): Promise<number> {
  const closed = await failAbandoned(env.DB, at - ABANDON_AFTER_LEASE_MS, new Date(at - ABANDON_PENDING_AFTER_MS).toISOString(), isoNow());
  if (closed.length > 0) console.warn(`closed ${closed.length} abandoned render(s)`);
  for (const row of closed) {
    try {
      await announceRender(env, row);
    } catch (err) {
      console.error(`announcing abandoned render ${row.id} failed`, err);
    }
  }
  return closed.length;
}

/** How long the event log keeps a finished delivery. */
export const DELIVERY_RETENTION_MS = 30 * 24 * 3600_000;

/** Webhook deliveries whose queue message was lost get a new one; finished ones past retention go. */
export async function sweepWebhookDeliveries(env: Bindings, at = now()): Promise<number> {
  await deleteFinishedDeliveries(env.DB, new Date(at - DELIVERY_RETENTION_MS).toISOString(), 1000);
  return resendStrandedDeliveries(env, at);
}

export async function sweepExpiredIdempotencyKeys(env: Bindings, at = now()): Promise<number> {
  return deleteExpiredKeys(env.DB, at);
}

/** Records per retention statement; also the most keys one R2 delete takes (1,000). */
export const SWEEP_BATCH = 1000;
/** Batches of each kind per run: 10,000 records a kind per run, 2.88 million a day at one run per 5 minutes. */
export const SWEEP_BATCHES = 10;
/** Deleted templates purged per batch (each holds at most 2 × TEMPLATE_VERSIONS_KEPT versions, up to 256 KB each). */
export const TEMPLATE_PURGE_BATCH = 20;

export interface RetentionSweep {
  liveRenders: number;
  testRenders: number;
  testOutputs: number;
  templateVersions: number;
}

/** How much one run may do (the constants above; tests make them small to see a backlog drain). */
export interface SweepLimits {
  batch: number;
  batches: number;
  templates: number;
}

const LIMITS: SweepLimits = { batch: SWEEP_BATCH, batches: SWEEP_BATCHES, templates: TEMPLATE_PURGE_BATCH };

export async function sweepRetention(env: Bindings, at = now(), limits = LIMITS): Promise<RetentionSweep> {
  const policy = config(env).retention;
  const done: RetentionSweep = { liveRenders: 0, testRenders: 0, testOutputs: 0, templateVersions: 0 };

  const liveBefore = new Date(at - policy.renderMs).toISOString();
  for (let i = 0; i < limits.batches; i++) {
    const n = await deleteExpiredLiveRenders(env.DB, liveBefore, limits.batch);
    done.liveRenders += n;
    if (n < limits.batch) break;
  }

  const testBefore = new Date(at - policy.testRenderMs).toISOString();
  for (let i = 0; i < limits.batches; i++) {
    const expired = await expiredTestRenders(env.DB, testBefore, limits.batch);
    if (expired.length === 0) break;
    const outputs = [...new Set(expired.flatMap((r) => (r.unshared === 1 && r.object_key ? [r.object_key] : [])))];
    // outputs first: should this run die between the two, the records are still there to find them by
    if (outputs.length > 0) await env.OUTPUT.delete(outputs);
    done.testOutputs += outputs.length;
    done.testRenders += await deleteTestRenders(
      env.DB,
      expired.map((r) => r.id),
    );
    if (expired.length < limits.batch) break;
  }

  // past the abandon window: no render that resolved the template before its deletion is still being recorded
  const deletedBefore = new Date(at - ABANDON_PENDING_AFTER_MS).toISOString();
  for (let i = 0; i < limits.batches; i++) {
    const n = await purgeDeletedTemplates(env.DB, deletedBefore, limits.templates);
    done.templateVersions += n;
    if (n === 0) break;
  }
  return done;
}
