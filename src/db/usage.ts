/**
 * Monthly usage in D1, the authority for the quota. Units are reserved by one conditional upsert
 * (it adds only while the total stays within the limit) and given back by the render queries in
 * db/renders.ts, in the same transaction that closes the render, so a unit is returned once.
 */

/**
 * Adds `units` to the account's usage for `period` unless that would pass `limit`. Run it in a
 * batch with the statement that depends on it: that statement can test `changes() = 1`.
 */
export function reserveStatement(db: D1Database, accountId: string, period: string, units: number, limit: number): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO usage (account_id, period, used) SELECT ?1, ?2, ?3 WHERE ?3 <= ?4
       ON CONFLICT (account_id, period) DO UPDATE SET used = used + excluded.used WHERE used + excluded.used <= ?4
       RETURNING used`,
    )
    .bind(accountId, period, units, limit);
}

/**
 * SQL for the units the quota leases of account `account` in period `period` (SQL expressions:
 * bound parameters or columns) reserved and no render has charged: what `usage.used` holds beyond
 * what was spent (db/leases.ts).
 */
export function unspentLeased(account: string, period: string): string {
  return `COALESCE((SELECT SUM(MAX(0, l.units - COALESCE((SELECT SUM(r.units) FROM renders r WHERE r.lease_id = l.id), 0)))
  FROM quota_leases l WHERE l.account_id = ${account} AND l.period = ${period}), 0)`;
}

/**
 * SQL for what account `account` has spent in `period` (SQL expressions), never below 0: its
 * `usage.used` less what its outstanding leases hold unspent. A render's row lands just after its
 * answer (src/jobs/record-log.ts), so a render is counted here within about a second of it.
 */
export function spentUnits(account: string, period: string): string {
  return `MAX(0, COALESCE((SELECT used FROM usage WHERE account_id = ${account} AND period = ${period}), 0) - ${unspentLeased(account, period)})`;
}

export async function getUsed(db: D1Database, accountId: string, period: string): Promise<number> {
  const row = await db
    .prepare(`SELECT ${spentUnits('?1', '?2')} AS used`)
    .bind(accountId, period)
    .first<{ used: number }>();
  return Math.max(0, row?.used ?? 0);
}
