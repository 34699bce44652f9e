/** Reading (and, for setting up a case, writing) an account's quota state straight from D1. */
import { env } from 'cloudflare:test';
import { getUsed } from '../../src/db/usage';
import { recordsPending } from '../../src/jobs/record-log';
import { forgetLeases } from '../../src/quota/leases';
import { currentPeriod } from '../../src/quota/period';
import { storesPending } from '../../src/storage/edge-outputs';

/**
 * Waits for what the Worker does after its answers (records written, outputs stored in R2): what
 * a test that reads D1 or R2 straight after a request needs. Tests of that lag itself do not call it.
 */
export async function afterAnswers(): Promise<void> {
  // polled, not awaited: the test runs in another I/O context than the requests, whose promises it may not await
  const until = Date.now() + 10_000;
  while (recordsPending() + storesPending() > 0) {
    if (Date.now() > until) throw new Error(`writes after answers still pending after 10 s (${recordsPending()} record batches, ${storesPending()} R2 puts)`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Units the account has spent this period (usage less what quota leases hold unspent), once its records have landed. */
export async function unitsUsed(accountId: string): Promise<number> {
  await afterAnswers();
  return getUsed(env.DB, accountId, currentPeriod().period);
}

/** What `usage` holds for the account this period, leases' reservations included. */
export async function unitsReserved(accountId: string): Promise<number> {
  await afterAnswers();
  const row = await env.DB.prepare('SELECT used FROM usage WHERE account_id = ?1 AND period = ?2')
    .bind(accountId, currentPeriod().period)
    .first<{ used: number }>();
  return row?.used ?? 0;
}

/**
 * Sets the account's usage this period, as if it had rendered that much: its quota leases go too
 * (in D1 and in this isolate), so the next render reserves from the usage set here.
 */
export async function setUnitsUsed(accountId: string, used: number): Promise<void> {
  await afterAnswers();
  forgetLeases(accountId);
  await env.DB.batch([
    env.DB.prepare('DELETE FROM quota_leases WHERE account_id = ?1').bind(accountId),
    env.DB.prepare('INSERT INTO usage (account_id, period, used) VALUES (?1, ?2, ?3) ON CONFLICT DO UPDATE SET used = excluded.used').bind(
      accountId,
      currentPeriod().period,
      used,
    ),
  ]);
}

/** How many render records the account has (once the records of answers so far have landed). */
export async function renderCount(accountId: string): Promise<number> {
  await afterAnswers();
  return (await env.DB.prepare('SELECT COUNT(*) AS n FROM renders WHERE account_id = ?1').bind(accountId).first<{ n: number }>())?.n ?? 0;
}
