/**
 * Quota leases (src/quota/leases.ts): a sync image render charges its unit from a block this
 * isolate reserved, with no D1 round trip of its own; blocks shrink to one unit near the quota
 * edge; what a lease did not spend goes back when it is settled — by its isolate, or by the cron
 * sweep when the isolate died — and never more than that.
 */
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { sweepLapsedLeases } from '../../src/jobs/sweep';
import { forgetLeases, LEASE_DIVISOR, LEASE_GRACE_MS, LEASE_MAX_BLOCK, LEASE_TTL_MS } from '../../src/quota/leases';
import { currentPeriod } from '../../src/quota/period';
import { BASE, bearer, generate, get, signup } from '../helpers/api';
import { afterAnswers, setUnitsUsed, unitsReserved, unitsUsed } from '../helpers/db';

const unique = (label: string) => ({ template: 'og-card', vars: { title: `${label} ${crypto.randomUUID()}` } });
const primaryTrips = (res: Response) => Number(res.headers.get('server-timing')?.match(/rtt;desc="primary (\d+)/)?.[1] ?? Number.NaN);

async function leasesOf(accountId: string): Promise<{ id: string; units: number }[]> {
  const { results } = await env.DB.prepare('SELECT id, units FROM quota_leases WHERE account_id = ?1 ORDER BY created_at')
    .bind(accountId)
    .all<{ id: string; units: number }>();
  return results;
}

describe('quota leases', () => {
  it('the first render reserves a block (a twentieth of what is left, at most 50); the next ones spend it without a D1 round trip', async () => {
    const account = await signup();
    const first = await generate(unique('Lease'), bearer(account.apiKey));
    expect(first.status).toBe(200);
    const leases = await leasesOf(account.id);
    expect(leases).toEqual([{ id: expect.stringMatching(/^qls_/), units: Math.min(LEASE_MAX_BLOCK, Math.floor(1000 / LEASE_DIVISOR)) }]);
    // usage holds the block; what the account is shown (and billed) is what it spent
    expect(await unitsReserved(account.id)).toBe(50);
    expect(await unitsUsed(account.id)).toBe(1);
    const usage = await (await get('/api/v1/usage', bearer(account.apiKey))).json<{ used: number; remaining: number }>();
    expect(usage).toMatchObject({ used: 1, remaining: 999 });

    // a render charged from the lease: its own path costs no primary round trip (compare a cache hit,
    // which never charged anything: the same count, whatever the key lookup costs)
    const fresh = await SELF.fetch(`${BASE}/api/v1/generate/image`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(account.apiKey) },
      body: JSON.stringify(unique('Spent from the lease')),
    });
    expect(fresh.status).toBe(200);
    expect((await fresh.json<{ cached: boolean }>()).cached).toBe(false);
    expect(fresh.headers.get('x-quota-remaining')).toBe('998');
    const repeat = unique('Repeat');
    await generate(repeat, bearer(account.apiKey));
    const hit = await SELF.fetch(`${BASE}/api/v1/generate/image`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(account.apiKey) },
      body: JSON.stringify(repeat),
    });
    expect((await hit.json<{ cached: boolean }>()).cached).toBe(true);
    expect(primaryTrips(fresh)).toBe(primaryTrips(hit));
    await afterAnswers();
    expect(await leasesOf(account.id)).toHaveLength(1);
    expect(await unitsUsed(account.id)).toBe(3);
    const { results } = await env.DB.prepare('SELECT units, lease_id FROM renders WHERE account_id = ?1 AND cached = 0').bind(account.id).all();
    expect(results).toEqual(Array.from({ length: 3 }, () => ({ units: 1, lease_id: leases[0]?.id })));
  });

  it('near the quota edge a lease is a single unit, so the edge stays exact', async () => {
    const account = await signup();
    await setUnitsUsed(account.id, 990);
    for (let i = 0; i < 10; i++) expect((await generate(unique(`Edge ${i}`), bearer(account.apiKey))).status).toBe(200);
    const refused = await generate(unique('One too many'), bearer(account.apiKey));
    expect(refused.status).toBe(429);
    expect(await unitsUsed(account.id)).toBe(1000);
    expect(await unitsReserved(account.id)).toBe(1000);
  });

  it('with 999 used, 200 concurrent fresh renders → exactly 1 succeeds', async () => {
    const account = await signup();
    await setUnitsUsed(account.id, 999);
    const responses = await Promise.all(Array.from({ length: 200 }, (_, i) => generate(unique(`Crowd ${i}`), bearer(account.apiKey))));
    expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 429)).toHaveLength(199);
    expect(await unitsUsed(account.id)).toBe(1000);
  });

  it('the lease of an isolate that died is settled by the sweep: its unspent units come back, the spent ones stay', async () => {
    const account = await signup();
    for (let i = 0; i < 3; i++) expect((await generate(unique(`Before the crash ${i}`), bearer(account.apiKey))).status).toBe(200);
    expect(await unitsReserved(account.id)).toBe(50);
    forgetLeases(account.id); // the isolate dies: nobody here will settle its lease
    // not before it has lapsed and its grace has passed (its last records may still be landing)
    await sweepLapsedLeases(env, Date.now() + LEASE_TTL_MS);
    expect(await leasesOf(account.id)).toHaveLength(1);
    await sweepLapsedLeases(env, Date.now() + LEASE_TTL_MS + LEASE_GRACE_MS + 1000);
    expect(await leasesOf(account.id)).toEqual([]);
    expect(await unitsReserved(account.id)).toBe(3);
    expect(await unitsUsed(account.id)).toBe(3);
    // a second sweep gives nothing back twice
    await sweepLapsedLeases(env, Date.now() + LEASE_TTL_MS + LEASE_GRACE_MS + 1000);
    expect(await unitsReserved(account.id)).toBe(3);
  });

  it('a lease whose renders were never recorded (the isolate died before the flush) gives every unit back', async () => {
    const account = await signup();
    const period = currentPeriod().period;
    await env.DB.batch([
      env.DB.prepare('INSERT INTO quota_leases (id, account_id, period, units, created_at, expires_at) VALUES (?1, ?2, ?3, 20, ?4, ?4)').bind(
        'qls_lost',
        account.id,
        period,
        Date.now() - 10 * 60_000,
      ),
      env.DB.prepare('INSERT INTO usage (account_id, period, used) VALUES (?1, ?2, 25)').bind(account.id, period),
    ]);
    expect(await unitsUsed(account.id)).toBe(5);
    await sweepLapsedLeases(env);
    expect(await unitsReserved(account.id)).toBe(5);
  });

  it('a failed render gives its unit back to the lease: the next render spends it', async () => {
    const account = await signup();
    await generate(unique('Opens the lease'), bearer(account.apiKey));
    const failed = await generate(
      { template: 'og-card', vars: { title: `No logo ${crypto.randomUUID()}`, logo: `${env.TEST_IMAGE_ORIGIN}/missing.png` } },
      bearer(account.apiKey),
    );
    expect(failed.status).toBe(422);
    const next = await generate(unique('After the failure'), bearer(account.apiKey));
    expect(next.headers.get('x-quota-remaining')).toBe('998');
    expect(await unitsUsed(account.id)).toBe(2);
    const row = await env.DB.prepare(`SELECT units, lease_id FROM renders WHERE account_id = ?1 AND status = 'failed'`).bind(account.id).first();
    expect(row).toEqual({ units: 0, lease_id: null });
  });
});
