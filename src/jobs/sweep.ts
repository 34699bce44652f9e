/**
 * The cron sweep: no render stays pending forever. Queue jobs are covered by retries and the
 * dead-letter consumer; this closes what falls outside them — a sync render whose isolate died
 * mid-render (nothing will retry it) or a record whose queue message was lost. Their quota units
 * go back, and their webhooks hear of it. It also drops Idempotency-Keys past their 24 hours and
 * re-sends webhook deliveries whose queue message was lost, and keeps the webhook event log to 30 days.
 */
import { deleteExpiredKeys } from '../db/idempotency';
import { failAbandoned } from '../db/renders';
import { deleteFinishedDeliveries } from '../db/webhooks';
import type { AppEnv } from '../env';
import { isoNow, now } from '../lib/time';
import { resendStrandedDeliveries } from '../webhooks/deliver';
import { announceRender } from '../webhooks/events';

/** How long after its lease lapsed a claimed job may still be taken over by a queue retry. */
export const ABANDON_AFTER_LEASE_MS = 15 * 60_000;
/** Far beyond the queue's retry schedule (a few minutes) and its dead-letter hand-off. */
export const ABANDON_PENDING_AFTER_MS = 60 * 60_000;

export async function sweepAbandonedRenders(env: AppEnv, at = now()): Promise<number> {
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
export async function sweepWebhookDeliveries(env: AppEnv, at = now()): Promise<number> {
  await deleteFinishedDeliveries(env.DB, new Date(at - DELIVERY_RETENTION_MS).toISOString(), 1000);
  return resendStrandedDeliveries(env, at);
}

export async function sweepExpiredIdempotencyKeys(env: AppEnv, at = now()): Promise<number> {
  return deleteExpiredKeys(env.DB, at);
}
