/**
 * The monthly quota, counted in D1: reserved atomically before rendering, given back when a render
 * fails, free for cache hits and test keys; 429 with Retry-After to the reset when used up.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { currentPeriod } from '../../src/quota/period';
import { bearer, decodePng, expectProblem, generate, get, pathOf, postJson, signup, type TestAccount } from '../helpers/api';
import { renderCount, setUnitsUsed, unitsUsed } from '../helpers/db';

const newLiveKey = async (account: TestAccount) =>
  (await (await postJson('/api/v1/keys', { name: 'fresh' }, bearer(account.apiKey))).json<{ key: string }>()).key;

const unique = (label: string) => ({ template: 'og-card', vars: { title: `${label} ${crypto.randomUUID()}` } });

describe('monthly quota', () => {
  it('with 999 used, 50 concurrent fresh renders → exactly 1 succeeds, 49 get 429 with Retry-After', async () => {
    const account = await signup();
    await setUnitsUsed(account.id, 999);
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => generate(unique(`Race ${i}`), bearer(account.apiKey))));
    const ok = responses.filter((r) => r.status === 200);
    const refused = responses.filter((r) => r.status === 429);
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(49);
    const resetsIn = (currentPeriod().resetsAt - Date.now()) / 1000;
    for (const res of refused) {
      await expectProblem(res, 429, 'quota_exceeded');
      const retryAfter = Number(res.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(Math.abs(retryAfter - resetsIn)).toBeLessThan(120);
      expect(res.headers.get('x-quota-limit')).toBe('1000');
      expect(res.headers.get('x-quota-remaining')).toBe('0');
    }
    expect((ok[0] as Response).headers.get('x-quota-remaining')).toBe('0');
    expect(await unitsUsed(account.id)).toBe(1000);
    // no record was written for a refused render
    expect(await renderCount(account.id)).toBe(1);
  });

  it('refuses a queued render too, before anything is queued', async () => {
    const account = await signup();
    await setUnitsUsed(account.id, 1000);
    await expectProblem(await generate({ ...unique('Queued'), async: true }, bearer(account.apiKey)), 429, 'quota_exceeded');
    expect(await renderCount(account.id)).toBe(0);
  });

  it('a cache hit counts nothing', async () => {
    const account = await signup();
    const request = unique('Hit');
    expect((await generate(request, bearer(account.apiKey))).status).toBe(200);
    // a hit's quota headers show the account's usage as its key was last looked up (the key cache
    // serves it up to 10 s old, src/auth/key-cache.ts), so each step asks with a key not looked up yet
    const hit = await generate(request, bearer(await newLiveKey(account)));
    expect(await hit.json()).toMatchObject({ cached: true });
    expect(hit.headers.get('x-quota-remaining')).toBe('999');
    expect(await unitsUsed(account.id)).toBe(1);
    // even for an account that has used it all up
    await setUnitsUsed(account.id, 1000);
    const again = await generate(request, bearer(await newLiveKey(account)));
    expect(again.status).toBe(200);
    expect(again.headers.get('x-quota-remaining')).toBe('0');
  });

  it('a failed sync render gives its unit back', async () => {
    const account = await signup();
    await setUnitsUsed(account.id, 10);
    const res = await generate(
      { template: 'og-card', vars: { title: `Missing logo ${crypto.randomUUID()}`, logo: `${env.TEST_IMAGE_ORIGIN}/missing.png` } },
      bearer(account.apiKey),
    );
    await expectProblem(res, 422, 'remote_image_fetch_failed');
    expect(await unitsUsed(account.id)).toBe(10);
    const row = await env.DB.prepare('SELECT status, units FROM renders WHERE account_id = ?1').bind(account.id).first();
    expect(row).toEqual({ status: 'failed', units: 0 });
  });

  it('a failed queued render gives its unit back', async () => {
    const account = await signup();
    const res = await generate(
      { template: 'og-card', vars: { title: `Broken ${crypto.randomUUID()}`, logo: `${env.TEST_IMAGE_ORIGIN}/corrupt.png` }, async: true },
      bearer(account.apiKey),
    );
    expect(res.status).toBe(202);
    expect(res.headers.get('x-quota-remaining')).toBe('999');
    const { id } = await res.json<{ id: string }>();
    await vi.waitFor(
      async () => {
        const body = await (await get(`/api/v1/renders/${id}`, bearer(account.apiKey))).json<{ status: string }>();
        expect(body.status).toBe('failed');
      },
      { timeout: 15_000, interval: 100 },
    );
    expect(await unitsUsed(account.id)).toBe(0);
  });

  it('test keys never count, and their images carry a visible TEST watermark', async () => {
    const account = await signup();
    await setUnitsUsed(account.id, 1000); // even with the quota used up
    const request = unique('Watermarked');
    const res = await generate(request, bearer(account.testKey));
    expect(res.status).toBe(200);
    const testBody = await res.json<{ url: string; cached: boolean }>();
    expect(testBody.cached).toBe(false);
    expect(await unitsUsed(account.id)).toBe(1000);
    const row = await env.DB.prepare('SELECT mode, units FROM renders WHERE account_id = ?1').bind(account.id).first();
    expect(row).toEqual({ mode: 'test', units: 0 });

    await setUnitsUsed(account.id, 0);
    const liveBody = await (await generate(request, bearer(account.apiKey))).json<{ url: string; cached: boolean }>();
    // a live render of the same request is its own image, not the watermarked one from the cache
    expect(liveBody.cached).toBe(false);
    expect(liveBody.url).not.toBe(testBody.url);

    const testPng = decodePng(await (await get(pathOf(testBody.url))).arrayBuffer());
    const livePng = decodePng(await (await get(pathOf(liveBody.url))).arrayBuffer());
    const redShare = (png: { width: number; height: number; data: Uint8Array }, x0: number, y0: number, x1: number, y1: number) => {
      let red = 0;
      let all = 0;
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const i = (y * png.width + x) * 4;
          all++;
          if ((png.data[i] as number) > 190 && (png.data[i + 1] as number) < 70 && (png.data[i + 2] as number) < 70) red++;
        }
      }
      return red / all;
    };
    // the badge in the top-right corner and the band along the bottom edge
    expect(redShare(testPng, 1100, 34, 1168, 40)).toBeGreaterThan(0.9);
    expect(redShare(testPng, 0, 624, 1200, 630)).toBeGreaterThan(0.95);
    expect(redShare(livePng, 1100, 34, 1168, 40)).toBeLessThan(0.05);
    expect(redShare(livePng, 0, 624, 1200, 630)).toBeLessThan(0.05);
  });
});
