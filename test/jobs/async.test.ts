/**
 * Async renders through the real Queue simulator, and the job runner's at-least-once guarantees
 * exercised by handing the Worker's queue handler message batches directly.
 */
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { RenderJobMessage } from '../../src/env';
import worker from '../../src/index';
import { decodePng, expectProblem, generate, get, pathOf, signup } from '../helpers/api';
import { setUnitsUsed, unitsUsed } from '../helpers/db';
import { unqueuedPendingRow } from '../helpers/renders';

interface RenderBody {
  id: string;
  status: string;
  url?: string;
  cached?: boolean;
  error?: { code: string; message: string };
}

async function poll(id: string, until = (r: RenderBody) => r.status !== 'pending', timeoutMs = 15_000, key?: string): Promise<RenderBody> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await get(`/api/v1/renders/${id}`, key ? { authorization: `Bearer ${key}` } : {});
    expect(res.status).toBe(200);
    const body = await res.json<RenderBody>();
    if (until(body) || Date.now() > deadline) return body;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Hands the Worker's queue handler a batch and records what it does with each message,
 * including the retry delay it asks for (the pool's getQueueResult does not report delays).
 */
async function runBatch(queue: string, ids: string[], attempts = 1) {
  const explicitAcks: string[] = [];
  const retryMessages: { msgId: string; delaySeconds?: number }[] = [];
  const messages = ids.map((renderId, i) => {
    const id = `msg-${i}-${renderId}`;
    return {
      id,
      timestamp: new Date(),
      attempts,
      body: { renderId },
      ack: () => explicitAcks.push(id),
      retry: (options?: QueueRetryOptions) => retryMessages.push({ msgId: id, delaySeconds: options?.delaySeconds }),
    } satisfies Message<RenderJobMessage>;
  });
  const batch = { queue, messages, ackAll: () => {}, retryAll: () => {} } as unknown as MessageBatch<RenderJobMessage>;
  await worker.queue(batch, env);
  return { explicitAcks, retryMessages };
}

describe('async renders', () => {
  it('answers 202, the consumer completes the job, and polling shows a URL that serves the image', async () => {
    const res = await generate({ template: 'og-card', vars: { title: 'Async hello' }, async: true });
    expect(res.status).toBe(202);
    const accepted = await res.json<{ id: string; status: string; poll_url: string }>();
    expect(accepted).toMatchObject({ status: 'pending', poll_url: `/api/v1/renders/${accepted.id}` });
    expect(res.headers.get('location')).toBe(accepted.poll_url);

    const done = await poll(accepted.id);
    expect(done.status).toBe('complete');
    expect(done.cached).toBe(false);
    const png = decodePng(await (await get(pathOf(done.url as string))).arrayBuffer());
    expect([png.width, png.height]).toEqual([1200, 630]);
  });

  it('renders a duplicated message once', async () => {
    const id = await unqueuedPendingRow();
    // Two deliveries of the same job in one batch, then a third later: one render, one record.
    const first = await runBatch('picstream-render-jobs', [id, id]);
    expect(first.explicitAcks.length).toBe(2);
    expect(first.retryMessages).toEqual([]);
    const row = await env.DB.prepare('SELECT status, attempts, cached FROM renders WHERE id = ?1').bind(id).first();
    expect(row).toMatchObject({ status: 'complete', attempts: 1, cached: 0 });
    const again = await runBatch('picstream-render-jobs', [id]);
    expect(again.explicitAcks.length).toBe(1);
    expect(await env.DB.prepare('SELECT attempts FROM renders WHERE id = ?1').bind(id).first('attempts')).toBe(1);
  });

  it('a job whose render throws is retried with backoff, then ends failed with a stable code', async () => {
    const id = await unqueuedPendingRow();
    // Corrupt the stored job: the runner throws on it every time.
    await env.DB.prepare(`UPDATE renders SET vars = '{not json' WHERE id = ?1`).bind(id).run();

    const maxAttempts = Number(env.RENDER_MAX_ATTEMPTS);
    const delays: number[] = [];
    for (let attempt = 1; attempt < maxAttempts; attempt++) {
      const result = await runBatch('picstream-render-jobs', [id], attempt);
      expect(result.retryMessages.length).toBe(1);
      delays.push(result.retryMessages[0]?.delaySeconds ?? -1);
      expect((await poll(id, () => true)).status).toBe('pending');
    }
    expect(delays).toEqual([2, 4, 8]);
    const last = await runBatch('picstream-render-jobs', [id], maxAttempts);
    expect(last.explicitAcks.length).toBe(1);
    const failed = await poll(id, () => true);
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('render_failed');
  });

  it('a job whose remote image is broken fails at once with the image error', async () => {
    const res = await generate({ template: 'og-card', vars: { title: 'Broken logo', logo: `${env.TEST_IMAGE_ORIGIN}/corrupt.png` }, async: true });
    expect(res.status).toBe(202);
    const { id } = await res.json<{ id: string }>();
    const done = await poll(id);
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe('remote_image_undecodable');
    expect(done.error?.message).toContain('vars.logo');
  });

  it('a job whose template is gone fails with template_unavailable', async () => {
    const id = await unqueuedPendingRow();
    await env.DB.prepare('UPDATE renders SET template_version = 999 WHERE id = ?1').bind(id).run();
    const result = await runBatch('picstream-render-jobs', [id]);
    expect(result.explicitAcks.length).toBe(1);
    const body = await poll(id, () => true);
    expect(body.status).toBe('failed');
    expect(body.error?.code).toBe('template_unavailable');
  });

  it('the dead-letter consumer marks a job the queue gave up on as failed', async () => {
    const id = await unqueuedPendingRow();
    const result = await runBatch('picstream-render-jobs-dlq', [id]);
    expect(result.explicitAcks.length).toBe(1);
    const row = await env.DB.prepare('SELECT status, error_code FROM renders WHERE id = ?1').bind(id).first();
    expect(row).toMatchObject({ status: 'failed', error_code: 'dead_lettered' });
  });

  it('a job claimed by a live runner is retried after its lease, not run twice', async () => {
    const id = await unqueuedPendingRow();
    const lease = Date.now() + 30_000;
    await env.DB.prepare(`UPDATE renders SET status = 'running', lease_until = ?2, completed_at = NULL WHERE id = ?1`).bind(id, lease).run();
    const result = await runBatch('picstream-render-jobs', [id]);
    expect(result.retryMessages.length).toBe(1);
    expect(result.retryMessages[0]?.delaySeconds).toBeGreaterThanOrEqual(29);
    expect(await env.DB.prepare('SELECT status FROM renders WHERE id = ?1').bind(id).first('status')).toBe('running');
  });

  it('async requests are validated up front: errors come back at once, and no job is queued', async () => {
    await expectProblem(await generate({ template: 'og-card', vars: {}, async: true }), 400, 'validation_failed');
    await expectProblem(
      await generate({ template: 'og-card', vars: { title: 'Never queued', logo: 'https://169.254.169.254/' }, async: true }),
      422,
      'remote_image_blocked',
    );
    expect(await env.DB.prepare(`SELECT count(*) AS n FROM renders WHERE vars LIKE '%Never queued%' OR vars = '{}'`).first<number>('n')).toBe(0);
  });
});

describe('quota on the queue path', () => {
  it('the dead-letter consumer gives the unit back, but leaves a job a runner still holds alone', async () => {
    const account = await signup();
    const given = await unqueuedPendingRow({ account, units: 1 });
    const held = await unqueuedPendingRow({ account, units: 1 });
    await env.DB.prepare(`UPDATE renders SET status = 'running', attempts = 1, lease_until = ?2 WHERE id = ?1`)
      .bind(held, Date.now() + 30_000)
      .run();
    expect(await unitsUsed(account.id)).toBe(2);
    await runBatch('picstream-render-jobs-dlq', [given, held]);
    const row = (id: string) => env.DB.prepare('SELECT status, error_code, units FROM renders WHERE id = ?1').bind(id).first();
    expect(await row(given)).toEqual({ status: 'failed', error_code: 'dead_lettered', units: 0 });
    expect(await row(held)).toEqual({ status: 'running', error_code: null, units: 1 });
    expect(await unitsUsed(account.id)).toBe(1);
    // a second delivery of the same dead letter changes nothing
    await runBatch('picstream-render-jobs-dlq', [given]);
    expect(await unitsUsed(account.id)).toBe(1);
  });

  it('a queued job that finds its image already made by another render completes as a free cache hit', async () => {
    const account = await signup();
    const title = `Made elsewhere ${crypto.randomUUID()}`;
    const first = await unqueuedPendingRow({ account, units: 1, title });
    await runBatch('picstream-render-jobs', [first]);
    const second = await unqueuedPendingRow({ account, units: 1, title });
    expect(await unitsUsed(account.id)).toBe(2);
    await runBatch('picstream-render-jobs', [second]);
    const row = await env.DB.prepare('SELECT status, cached, units FROM renders WHERE id = ?1').bind(second).first();
    expect(row).toEqual({ status: 'complete', cached: 1, units: 0 });
    expect(await unitsUsed(account.id)).toBe(1);
  });

  it("a retry that finds its own earlier attempt's image keeps the unit (it was rendered)", async () => {
    const account = await signup();
    const id = await unqueuedPendingRow({ account, units: 1 });
    const objectKey = (await env.DB.prepare('SELECT object_key FROM renders WHERE id = ?1').bind(id).first<string>('object_key')) as string;
    // an earlier attempt stored the image, then died before recording it
    await env.OUTPUT.put(objectKey, new Uint8Array([1, 2, 3]), { customMetadata: { render_id: id } });
    await runBatch('picstream-render-jobs', [id], 2);
    const row = await env.DB.prepare('SELECT status, cached, units FROM renders WHERE id = ?1').bind(id).first();
    expect(row).toEqual({ status: 'complete', cached: 0, units: 1 });
    expect(await unitsUsed(account.id)).toBe(1);
  });

  it('an async request whose image already exists is queued free of charge, even with the quota used up', async () => {
    const account = await signup();
    const body = { template: 'og-card', vars: { title: `Queued hit ${crypto.randomUUID()}` } };
    expect((await generate(body, { authorization: `Bearer ${account.apiKey}` })).status).toBe(200);
    await setUnitsUsed(account.id, 1000);
    const res = await generate({ ...body, async: true }, { authorization: `Bearer ${account.apiKey}` });
    expect(res.status).toBe(202);
    const done = await poll((await res.json<{ id: string }>()).id, undefined, 15_000, account.apiKey);
    expect(done).toMatchObject({ status: 'complete', cached: true });
    expect(await unitsUsed(account.id)).toBe(1000);
  });
});

describe('the cron sweep', () => {
  it('fails renders nobody will finish and gives their units back, and leaves live ones alone', async () => {
    const account = await signup();
    const dead = await unqueuedPendingRow({ account, units: 1 }); // a sync render whose isolate died: claimed, lease long gone
    const live = await unqueuedPendingRow({ account, units: 1 }); // claimed by a runner that is still working
    const lost = await unqueuedPendingRow({ account, units: 1 }); // pending for hours: its queue message never came
    const fresh = await unqueuedPendingRow({ account, units: 1 }); // just queued
    expect(await unitsUsed(account.id)).toBe(4);
    const nowMs = Date.now();
    await env.DB.prepare(`UPDATE renders SET status = 'running', lease_until = ?2 WHERE id = ?1`)
      .bind(dead, nowMs - 20 * 60_000)
      .run();
    await env.DB.prepare(`UPDATE renders SET status = 'running', lease_until = ?2 WHERE id = ?1`)
      .bind(live, nowMs + 30_000)
      .run();
    await env.DB.prepare('UPDATE renders SET created_at = ?2 WHERE id = ?1')
      .bind(lost, new Date(nowMs - 2 * 3600_000).toISOString())
      .run();

    const controller = createScheduledController({ scheduledTime: new Date(nowMs), cron: '*/5 * * * *' });
    const ctx = createExecutionContext();
    await worker.scheduled(controller, env, ctx);
    await waitOnExecutionContext(ctx);

    const status = async (id: string) => env.DB.prepare('SELECT status, error_code FROM renders WHERE id = ?1').bind(id).first();
    expect(await status(dead)).toEqual({ status: 'failed', error_code: 'abandoned' });
    expect(await status(lost)).toEqual({ status: 'failed', error_code: 'abandoned' });
    expect(await status(live)).toEqual({ status: 'running', error_code: null });
    expect(await status(fresh)).toEqual({ status: 'pending', error_code: null });
    expect(await unitsUsed(account.id)).toBe(2);
  });
});
