/**
 * Typed queries on `quota_leases` (src/quota/leases.ts says why they exist). A lease's units are
 * added to `usage.used` when it is granted, in the same transaction that records it; settling it
 * gives back what no render row charged — its units minus the SUM of the units of the renders that
 * name it — and deletes it, in one transaction, so a lease is settled once whoever settles it.
 */

export interface LeaseGrant {
  id: string;
  accountId: string;
  period: string;
  /** Units the caller needs now: the grant fails unless at least these fit. */
  need: number;
  limit: number;
  /** The block: a 1/divisor share of what remains, between `need` and `maxBlock`. */
  maxBlock: number;
  divisor: number;
  now: number;
  expiresAt: number;
}

export interface Granted {
  units: number;
  /** usage.used after the grant (every lease outstanding included). */
  used: number;
}

const USED = 'COALESCE((SELECT used FROM usage WHERE account_id = ?2 AND period = ?3), 0)';

/** Reserves a block of units for a lease, or null when not even `need` fit in the month. */
export async function grantLease(db: D1Database, g: LeaseGrant): Promise<Granted | null> {
  const [lease, usage] = await db.batch<{ units: number } | { used: number }>([
    db
      .prepare(
        `INSERT INTO quota_leases (id, account_id, period, units, created_at, expires_at)
         SELECT ?1, ?2, ?3, CAST(MAX(?4, MIN(?6, (?5 - ${USED}) / ?7)) AS INTEGER), ?8, ?9
         WHERE ${USED} + ?4 <= ?5
         RETURNING units`,
      )
      .bind(g.id, g.accountId, g.period, g.need, g.limit, g.maxBlock, g.divisor, g.now, g.expiresAt),
    // changes() is the lease insert's: the units are added only when the lease was recorded
    db
      .prepare(
        `INSERT INTO usage (account_id, period, used) SELECT ?2, ?3, (SELECT units FROM quota_leases WHERE id = ?1) WHERE changes() = 1
         ON CONFLICT (account_id, period) DO UPDATE SET used = used + excluded.used
         RETURNING used`,
      )
      .bind(g.id, g.accountId, g.period),
  ]);
  const units = (lease?.results[0] as { units: number } | undefined)?.units;
  if (units === undefined) return null;
  const used = (usage?.results[0] as { used: number } | undefined)?.used;
  if (used === undefined) throw new Error(`lease ${g.id} was recorded without its units`);
  return { units, used };
}

/** Gives back a lease's unspent units (those no render row charged) and deletes it; a second settle does nothing. */
export async function settleLease(db: D1Database, id: string): Promise<void> {
  await db.batch([
    db
      .prepare(
        `UPDATE usage SET used = MAX(0, used - MAX(0, l.units - COALESCE((SELECT SUM(units) FROM renders WHERE lease_id = ?1), 0)))
         FROM (SELECT account_id, period, units FROM quota_leases WHERE id = ?1) AS l
         WHERE usage.account_id = l.account_id AND usage.period = l.period`,
      )
      .bind(id),
    db.prepare('DELETE FROM quota_leases WHERE id = ?1').bind(id),
  ]);
}

/** Leases that lapsed before `before` (epoch ms), oldest first. */
export async function lapsedLeases(db: D1Database, before: number, limit: number): Promise<string[]> {
  const { results } = await db
    .prepare('SELECT id FROM quota_leases WHERE expires_at < ?1 ORDER BY expires_at LIMIT ?2')
    .bind(before, limit)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}
