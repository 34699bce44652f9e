/**
 * Retention (issue 15, finding 6): what a request stores goes away again. Cache hits keep slim
 * records, finished records lose their vars, the sweep deletes records and test outputs past their
 * period in bounded batches (never an open render, never an output a live or newer record needs),
 * and template versions are bounded. Also measures D1 bytes per render (printed; see the notes).
 */
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { claimRender, completeRender, failRender, insertFinishedBatch, insertRender, type NewRender } from '../../src/db/renders';
import { deleteTemplate, insertTemplate, updateTemplate } from '../../src/db/templates';
import worker from '../../src/index';
import { finishedKey, finishedRenders } from '../../src/jobs/memo';
import { sweepRetention } from '../../src/jobs/sweep';
import { newId } from '../../src/lib/ids';
import { currentPeriod } from '../../src/quota/period';
import { bearer, generate, get, patchJson, postJson, signup } from '../helpers/api';

const DAY = 24 * 3600_000;
const daysAgo = (n: number, from = Date.now()) => new Date(from - n * DAY).toISOString();
const hex40 = () => [...crypto.getRandomValues(new Uint8Array(20))].map((b) => b.toString(16).padStart(2, '0')).join('');

function record(o: {
  account: string;
  mode: 'live' | 'test';
  createdAt?: string;
  cacheKey?: string;
  vars?: string;
  template?: string;
  version?: number;
}): NewRender {
  const cacheKey = o.cacheKey ?? hex40();
  return {
    id: newId('rnd'),
    type: 'image',
    template: o.template ?? 'og-card',
    template_version: o.version ?? 1,
    engine: 'takumi',
    format: 'png',
    width: 1200,
    height: 630,
    scale: 1,
    vars: o.vars ?? '{"theme":"dark","title":"Launch week: what we shipped"}',
    cache_key: cacheKey,
    object_key: `img/${cacheKey}.png`,
    created_at: o.createdAt ?? new Date().toISOString(),
    account_id: o.account,
    key_id: newId('key'),
    mode: o.mode,
    units: 0,
    quota_period: currentPeriod().period,
    pages: null,
    font_faces: null,
    font_family: null,
  };
}

type State = 'pending' | 'running' | 'complete' | 'failed' | 'hit';

/** A render record in the given state, made by the same queries the job paths use. */
async function stored(state: State, o: Parameters<typeof record>[0]): Promise<NewRender> {
  const r = record(o);
  const completion = { bytes: 1234, render_ms: 40, cached: false, completed_at: r.created_at };
  if (state === 'hit') {
    await insertFinishedBatch(env.DB, [{ record: { ...r, units: 0 }, completion: { ...completion, cached: true } }]);
    return r;
  }
  await insertRender(env.DB, r, null, 1000);
  if (state === 'pending') return r;
  await claimRender(env.DB, r.id, Date.now(), 60_000);
  if (state === 'complete') await completeRender(env.DB, r.id, completion);
  if (state === 'failed') await failRender(env.DB, r.id, 'render_failed', 'no', r.created_at);
  return r;
}

async function exists(id: string): Promise<boolean> {
  return (await env.DB.prepare('SELECT 1 AS x FROM renders WHERE id = ?1').bind(id).first()) !== null;
}

async function putObject(key: string): Promise<void> {
  await env.OUTPUT.put(key, new Uint8Array([1, 2, 3]), { httpMetadata: { contentType: 'image/png' } });
}

describe('records', () => {
  it('a cache hit stores a slim record (no vars), and GET /api/v1/renders/{id} still answers it from D1', async () => {
    const account = await signup();
    const request = { template: 'og-card', vars: { title: `Slim hit ${crypto.randomUUID()}`, subtitle: 'Twelve things we shipped. '.repeat(10).trim() } };
    const fresh = await (await generate(request, bearer(account.apiKey))).json<{ id: string; url: string; cached: boolean }>();
    const hit = await (await generate(request, bearer(account.apiKey))).json<{ id: string; url: string; cached: boolean }>();
    expect([fresh.cached, hit.cached]).toEqual([false, true]);

    const row = await vi.waitFor(async () => {
      const r = await env.DB.prepare('SELECT vars, font_faces, cached, status, object_key FROM renders WHERE id = ?1').bind(hit.id).first();
      expect(r).not.toBeNull();
      return r;
    });
    expect(row).toEqual({ vars: '', font_faces: null, cached: 1, status: 'complete', object_key: new URL(hit.url).pathname.slice(1) });

    // from D1, not from this isolate's memo: what a poll reaching another isolate sees
    finishedRenders.delete(finishedKey(account.id, hit.id));
    const polled = await get(`/api/v1/renders/${hit.id}`, bearer(account.apiKey));
    expect(polled.status).toBe(200);
    expect(await polled.json()).toMatchObject({ id: hit.id, status: 'complete', cached: true, url: hit.url, template: 'og-card', width: 1200, height: 630 });
  });

  it('a finished render keeps no vars; an open one keeps them for its runner', async () => {
    const account = newId('acc');
    const vars = '{"title":"still needed"}';
    const open = await stored('pending', { account, mode: 'live', vars });
    const done = await stored('complete', { account, mode: 'live', vars });
    const failed = await stored('failed', { account, mode: 'test', vars });
    const varsOf = async (id: string) => env.DB.prepare('SELECT vars FROM renders WHERE id = ?1').bind(id).first<string>('vars');
    expect(await varsOf(open.id)).toBe(vars);
    expect(await varsOf(done.id)).toBe('');
    expect(await varsOf(failed.id)).toBe('');
  });

  it('D1 bytes per million renders, as D1 reports its size (meta.size_after)', async () => {
    const N = 1000;
    const account = newId('acc');
    const size = async () => (await env.DB.prepare('SELECT 1').run()).meta.size_after as number;
    // og-card as the README's quick start asks for it; a hit of the same request
    const vars = '{"subtitle":"Twelve things we shipped, and the one we did not","theme":"dark","title":"Launch week: what we shipped"}';
    const perMillion = async (state: State) => {
      const before = await size();
      for (let i = 0; i < N; i += 100) {
        const rows = Array.from({ length: 100 }, () => record({ account, mode: 'live', vars }));
        if (state === 'hit') {
          await insertFinishedBatch(
            env.DB,
            rows.map((r) => ({ record: { ...r, units: 0 }, completion: { bytes: 48_000, render_ms: 1, cached: true, completed_at: r.created_at } })),
          );
        } else {
          // as the sync path records a fresh render: inserted claimed, then completed
          for (const r of rows) {
            await insertRender(env.DB, r, Date.now() + 60_000, 1000);
            await completeRender(env.DB, r.id, { bytes: 48_000, render_ms: 45, cached: false, completed_at: r.created_at });
          }
        }
      }
      return Math.round((((await size()) - before) / N) * 1e6);
    };
    const fresh = await perMillion('complete');
    const hits = await perMillion('hit');
    console.log(`D1 bytes per million renders: finished uncached ${fresh}, cache hits ${hits}`);
    // a slim record with its four index entries: well under a kilobyte a render
    expect(hits).toBeLessThan(800e6);
    expect(fresh).toBeLessThan(800e6);
  });

  it('a cache hit with large vars stores no more than one with none', async () => {
    const account = newId('acc');
    const size = async () => (await env.DB.prepare('SELECT 1').run()).meta.size_after as number;
    const before = await size();
    const big = JSON.stringify({ title: 'x', note: 'y'.repeat(8000) });
    for (let i = 0; i < 5; i++) {
      const rows = Array.from({ length: 100 }, () => record({ account, mode: 'test', vars: big }));
      await insertFinishedBatch(
        env.DB,
        rows.map((r) => ({ record: r, completion: { bytes: 1, render_ms: 1, cached: true, completed_at: r.created_at } })),
      );
    }
    // 500 hits: 4 MB with their vars (before), about 0.3 MB slim
    expect((await size()) - before).toBeLessThan(500 * 1000);
  });
});

describe('the retention sweep', () => {
  it('deletes expired records and test outputs; keeps open renders, newer records and outputs a live or newer record needs', async () => {
    const account = newId('acc');
    const at = Date.now();
    // live: 30 days
    const oldLive = await stored('complete', { account, mode: 'live', createdAt: daysAgo(31, at) });
    const oldLiveFailed = await stored('failed', { account, mode: 'live', createdAt: daysAgo(40, at) });
    const recentLive = await stored('complete', { account, mode: 'live', createdAt: daysAgo(29, at) });
    const oldPending = await stored('pending', { account, mode: 'live', createdAt: daysAgo(60, at) });
    const oldRunning = await stored('running', { account, mode: 'test', createdAt: daysAgo(60, at) });
    await putObject(oldLive.object_key as string);

    // test: 7 days, with their outputs
    const oldTest = await stored('complete', { account, mode: 'test', createdAt: daysAgo(8, at) });
    await putObject(oldTest.object_key as string);
    const oldTestHit = await stored('hit', { account, mode: 'test', createdAt: daysAgo(9, at), cacheKey: oldTest.cache_key });
    // an output an expired test record made, still answered to a newer test hit
    const sharedOld = await stored('complete', { account, mode: 'test', createdAt: daysAgo(10, at) });
    const sharedNew = await stored('hit', { account, mode: 'test', createdAt: daysAgo(1, at), cacheKey: sharedOld.cache_key });
    await putObject(sharedOld.object_key as string);
    // an output a live record points at (addresses of test and live outputs differ; the sweep checks anyway)
    const testOfLive = await stored('complete', { account, mode: 'test', createdAt: daysAgo(10, at) });
    const liveOfTest = await stored('complete', { account, mode: 'live', createdAt: daysAgo(10, at), cacheKey: testOfLive.cache_key });
    await putObject(testOfLive.object_key as string);
    // an output an open test render is making
    const testBeforeOpen = await stored('failed', { account, mode: 'test', createdAt: daysAgo(10, at) });
    const openTest = await stored('pending', { account, mode: 'test', createdAt: daysAgo(8, at), cacheKey: testBeforeOpen.cache_key });
    await putObject(testBeforeOpen.object_key as string);
    const recentTest = await stored('complete', { account, mode: 'test', createdAt: daysAgo(6, at) });
    await putObject(recentTest.object_key as string);

    await sweepRetention(env, at);

    for (const gone of [oldLive, oldLiveFailed, oldTest, oldTestHit, sharedOld, testOfLive, testBeforeOpen]) expect(await exists(gone.id), gone.id).toBe(false);
    for (const kept of [recentLive, oldPending, oldRunning, sharedNew, liveOfTest, openTest, recentTest]) expect(await exists(kept.id), kept.id).toBe(true);

    expect(await env.OUTPUT.head(oldTest.object_key as string)).toBeNull();
    // live outputs are never swept (their URLs are public and embedded); shared and open ones stay
    for (const kept of [oldLive, sharedOld, testOfLive, testBeforeOpen, recentTest])
      expect(await env.OUTPUT.head(kept.object_key as string), kept.id).not.toBeNull();

    // once the newer hit has expired too, the shared output goes with it
    await sweepRetention(env, at + 7 * DAY);
    expect(await exists(sharedNew.id)).toBe(false);
    expect(await env.OUTPUT.head(sharedOld.object_key as string)).toBeNull();
    expect(await exists(oldPending.id)).toBe(true);
  });

  it('does bounded work per run: a backlog drains over the following runs', async () => {
    const account = newId('acc');
    // long before anything else in this database: only these records are past their retention then
    const at = Date.parse('2001-03-01T00:00:00.000Z');
    const live = await Promise.all(Array.from({ length: 5 }, () => stored('complete', { account, mode: 'live', createdAt: daysAgo(31, at) })));
    const test = await Promise.all(Array.from({ length: 5 }, () => stored('complete', { account, mode: 'test', createdAt: daysAgo(8, at) })));
    const before = await env.DB.prepare(`SELECT COUNT(*) AS n FROM renders WHERE status IN ('complete', 'failed')`).first<number>('n');

    const first = await sweepRetention(env, at, { batch: 2, batches: 2, templates: 1 });
    expect(first.liveRenders).toBe(4);
    expect(first.testRenders).toBe(4);
    const left = await env.DB.prepare(`SELECT COUNT(*) AS n FROM renders WHERE status IN ('complete', 'failed')`).first<number>('n');
    expect((before as number) - (left as number)).toBe(8);

    for (let i = 0; i < 20 && (await env.DB.prepare(`SELECT COUNT(*) AS n FROM renders WHERE status IN ('complete', 'failed')`).first<number>('n')); i++) {
      await sweepRetention(env, at, { batch: 2, batches: 2, templates: 1 });
    }
    for (const r of [...live, ...test]) expect(await exists(r.id)).toBe(false);
  });

  it('runs from the cron trigger', async () => {
    const account = newId('acc');
    const old = await stored('complete', { account, mode: 'live', createdAt: daysAgo(45) });
    const controller = createScheduledController({ scheduledTime: new Date(), cron: '*/5 * * * *' });
    const ctx = createExecutionContext();
    await worker.scheduled(controller, env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await exists(old.id)).toBe(false);
  });
});

describe('template versions', () => {
  const versions = async (id: string) =>
    (await env.DB.prepare('SELECT version FROM template_versions WHERE template_id = ?1 ORDER BY version').bind(id).all<{ version: number }>()).results.map(
      (r) => r.version,
    );

  async function template(account: string): Promise<string> {
    const id = newId('tpl');
    const at = new Date().toISOString();
    await insertTemplate(
      env.DB,
      { id, account_id: account, name: 't', description: '', version: 1, created_at: at, updated_at: at, deleted_at: null },
      '{}',
      100,
    );
    return id;
  }

  it('an update keeps the last N, the N most lately pinned, and any version an open render names', async () => {
    const account = newId('acc');
    const id = await template(account);
    const at = new Date().toISOString();
    const retention = { kept: 3, pinnedSince: daysAgo(30).slice(0, 10) };
    for (let v = 1; v < 6; v++) expect(await updateTemplate(env.DB, account, id, v, { source: `{"v":${v + 1}}` }, at, retention)).not.toBe('conflict');
    expect(await versions(id)).toEqual([4, 5, 6]);

    // version 4 pinned lately, version 5 pinned long ago, version 6 wanted by a queued render
    await env.DB.prepare('UPDATE template_versions SET last_pinned_at = ?3 WHERE template_id = ?1 AND version = ?2').bind(id, 4, daysAgo(2).slice(0, 10)).run();
    await env.DB.prepare('UPDATE template_versions SET last_pinned_at = ?3 WHERE template_id = ?1 AND version = ?2')
      .bind(id, 5, daysAgo(90).slice(0, 10))
      .run();
    const queued = await stored('pending', { account, mode: 'live', template: id, version: 6 });
    for (let v = 6; v < 12; v++) await updateTemplate(env.DB, account, id, v, { source: `{"v":${v + 1}}` }, at, retention);
    expect(await versions(id)).toEqual([4, 6, 10, 11, 12]);

    // once the render is done its version may go
    await failRender(env.DB, queued.id, 'render_failed', 'no', at);
    await updateTemplate(env.DB, account, id, 12, { source: '{"v":13}' }, at, retention);
    expect(await versions(id)).toEqual([4, 11, 12, 13]);
  });

  it('PATCH prunes beyond TEMPLATE_VERSIONS_KEPT (20); a request pinning a version records the day, which keeps it', async () => {
    const account = await signup();
    const source = { name: 'Tiny', width: 120, height: 60, html: '<div style="display:flex;background:#123456;width:100%;height:100%">{{t}}</div>' };
    const created = await postJson('/api/v1/templates', { ...source, example: { t: 'a' } }, bearer(account.apiKey));
    expect(created.status).toBe(201);
    const { id } = await created.json<{ id: string }>();

    const pin = await generate({ template: `${id}@1`, vars: { t: 'pinned' } }, bearer(account.testKey));
    expect(pin.status).toBe(200);
    const pinnedAt = await env.DB.prepare('SELECT last_pinned_at FROM template_versions WHERE template_id = ?1 AND version = 1')
      .bind(id)
      .first('last_pinned_at');
    expect(pinnedAt).toBe(new Date().toISOString().slice(0, 10));

    for (let w = 1; w <= 21; w++) {
      const res = await patchJson(`/api/v1/templates/${id}`, { width: 120 + w }, bearer(account.apiKey));
      expect(res.status).toBe(200);
    }
    // 22 versions made: the last 20 (3–22) and the pinned version 1; version 2 went
    expect(await versions(id)).toEqual([1, ...Array.from({ length: 20 }, (_, i) => i + 3)]);
  });

  it('the sweep purges a deleted template once no open render names its versions', async () => {
    const account = newId('acc');
    const id = await template(account);
    await updateTemplate(env.DB, account, id, 1, { source: '{"v":2}' }, new Date().toISOString(), { kept: 20, pinnedSince: '2000-01-01' });
    const queued = await stored('pending', { account, mode: 'live', template: id, version: 1 });
    await deleteTemplate(env.DB, account, id, daysAgo(1));

    await sweepRetention(env);
    expect(await versions(id)).toEqual([1]);
    await failRender(env.DB, queued.id, 'render_failed', 'no', new Date().toISOString());
    await sweepRetention(env);
    expect(await versions(id)).toEqual([]);
    expect(await env.DB.prepare('SELECT 1 AS x FROM templates WHERE id = ?1').bind(id).first()).toBeNull();
  });
});
