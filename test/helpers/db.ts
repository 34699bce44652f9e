/** Reading (and, for setting up a case, writing) an account's quota state straight from D1. */
import { env } from 'cloudflare:test';
import { currentPeriod } from '../../src/quota/period';

/** Units the account has used this period. */
export async function unitsUsed(accountId: string): Promise<number> {
  const row = await env.DB.prepare('SELECT used FROM usage WHERE account_id = ?1 AND period = ?2')
    .bind(accountId, currentPeriod().period)
    .first<{ used: number }>();
  return row?.used ?? 0;
}

/** Sets the account's usage this period, as if it had rendered that much. */
export async function setUnitsUsed(accountId: string, used: number): Promise<void> {
  await env.DB.prepare('INSERT INTO usage (account_id, period, used) VALUES (?1, ?2, ?3) ON CONFLICT DO UPDATE SET used = excluded.used')
    .bind(accountId, currentPeriod().period, used)
    .run();
}

/** How many render records the account has. */
export async function renderCount(accountId: string): Promise<number> {
  return (await env.DB.prepare('SELECT COUNT(*) AS n FROM renders WHERE account_id = ?1').bind(accountId).first<{ n: number }>())?.n ?? 0;
}
