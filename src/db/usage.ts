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

export async function getUsed(db: D1Database, accountId: string, period: string): Promise<number> {
  const row = await db.prepare('SELECT used FROM usage WHERE account_id = ?1 AND period = ?2').bind(accountId, period).first<{ used: number }>();
  return row?.used ?? 0;
}
