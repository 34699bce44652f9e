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
 * Units the account has spent in `period`: `usage.used` less what its outstanding quota leases
 * reserved but no render has charged yet (db/leases.ts). A render's row lands just after its answer
 * (src/jobs/record-log.ts), so a render is counted here within about a second of it.
 */
/**
 * SQL for the units quota leases of account ?1 in period ?2 reserved and no render has charged:
 * what `usage.used` holds beyond what was spent.
 */
export const UNSPENT_LEASED = `COALESCE((SELECT SUM(MAX(0, l.units - COALESCE((SELECT SUM(r.units) FROM renders r WHERE r.lease_id = l.id), 0)))
  FROM quota_leases l WHERE l.account_id = ?1 AND l.period = ?2), 0)`;

export async function getUsed(db: D1Database, accountId: string, period: string): Promise<number> {
  const row = await db
    .prepare(`SELECT COALESCE((SELECT used FROM usage WHERE account_id = ?1 AND period = ?2), 0) - ${UNSPENT_LEASED} AS used`)
    .bind(accountId, period)
    .first<{ used: number }>();
  return Math.max(0, row?.used ?? 0);
}
