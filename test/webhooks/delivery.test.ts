/**
 * Webhook delivery against a real local receiver: signed per Standard Webhooks (checked with the
 * `standardwebhooks` package and with a WebCrypto HMAC), retried on the published schedule,
 * deduplicated, guarded, rotated, logged.
 */
import { env, SELF } from 'cloudflare:test';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it, vi } from 'vitest';
import { insertDeliveries } from '../../src/db/webhooks';
import type { WebhookMessage } from '../../src/env';
import worker from '../../src/index';
import { newId } from '../../src/lib/ids';
import { bearer, generate, get, postJson, signup, type TestAccount } from '../helpers/api';
import { createEndpoint, hmacSignature, received, receiverUrl, waitForReceived } from './helpers';

/** Hands the Worker's queue handler a batch of delivery messages and records what it does with each. */
async function runWebhookBatch(ids: string[], overrides: Partial<Cloudflare.Env> = {}, queue = 'picstream-webhooks') {
  const acks: string[] = [];
  const retries: { id: string; delaySeconds?: number }[] = [];
  const messages = ids.map((deliveryId, i) => ({
    id: `m${i}`,
    timestamp: new Date(),
    attempts: 1,
    body: { deliveryId },
    ack: () => acks.push(deliveryId),
    retry: (o?: QueueRetryOptions) => retries.push({ id: deliveryId, delaySeconds: o?.delaySeconds }),
  }));
  const batch = { queue, messages, ackAll: () => {}, retryAll: () => {} } as unknown as MessageBatch<WebhookMessage>;
  await worker.queue(batch as never, { ...env, ...overrides });
  return { acks, retries };
}

/** A delivery recorded directly (no queue message, so the live consumer cannot race the test). */
async function unqueuedDelivery(account: TestAccount, endpointId: string): Promise<string> {
  const id = newId('msg');
  const jobId = newId('rnd');
  const at = new Date().toISOString();
  // the shape the API sends (the receiver's bodies are held to the OpenAPI document's webhooks)
  const payload = JSON.stringify({
    event: 'render.complete',
    job_id: jobId,
    template: 'og-card',
    livemode: true,
    created_at: at,
    completed_at: at,
    url: `https://picstream.test/img/${'0'.repeat(40)}.png`,
    render_ms: 40,
    cached: false,
  });
  await insertDeliveries(env.DB, [{ id, endpoint_id: endpointId, account_id: account.id, event: 'render.complete', job_id: jobId, payload, created_at: at }]);
  return id;
}

interface LogEntry {
  id: string;
  event: string;
  job_id: string | null;
  status: string;
  attempts: { attempt: number; status_code: number | null; error: string | null; duration_ms: number }[];
  next_attempt_at: string | null;
}

async function log(account: TestAccount, endpointId: string): Promise<LogEntry[]> {
  return (await (await get(`/api/v1/webhooks/${endpointId}/deliveries`, bearer(account.apiKey))).json<{ data: LogEntry[] }>()).data;
}

const PUBLISHED = [5, 300, 1800, 7200, 18_000, 36_000, 36_000];

describe('webhook delivery', () => {
  it('an async render announces render.complete to a real receiver; the signature verifies with standardwebhooks, and fails after a 1-byte change', async () => {
    const account = await signup();
    const { url, name } = receiverUrl('ok');
    const endpoint = await createEndpoint(account, url);
    const res = await generate({ template: 'og-card', vars: { title: `Hooked ${crypto.randomUUID()}` }, async: true }, bearer(account.apiKey));
    expect(res.status).toBe(202);
    const { id: renderId } = await res.json<{ id: string }>();

    const [hit] = await waitForReceived(name);
    const headers = hit?.headers as Record<string, string>;
    const body = hit?.body as string;
    const payload = new Webhook(endpoint.secret).verify(body, headers) as Record<string, unknown>;
    expect(payload).toMatchObject({ event: 'render.complete', job_id: renderId, template: 'og-card', cached: false });
    expect(payload.url).toMatch(/\/img\/[a-f0-9]{40}\.png$/);
    expect(payload.render_ms).toBeTypeOf('number');
    expect(Date.parse(payload.created_at as string)).not.toBeNaN();
    expect(headers['webhook-id']).toMatch(/^msg_/);
    expect(Math.abs(Number(headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    expect(headers['webhook-signature']).toBe(
      await hmacSignature(endpoint.secret, headers['webhook-id'] as string, headers['webhook-timestamp'] as string, body),
    );

    const tampered = body.replace('"render.complete"', '"render.completE"');
    expect(tampered).not.toBe(body);
    expect(() => new Webhook(endpoint.secret).verify(tampered, headers)).toThrow();

    // the event log shows it delivered, once
    await vi.waitFor(async () => {
      const entries = await log(account, endpoint.id);
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ event: 'render.complete', job_id: renderId, status: 'succeeded', next_attempt_at: null });
      expect(entries[0]?.attempts.map((a) => a.status_code)).toEqual([200]);
    });
  });

  it('503 three times, then 200: delivered on the 4th attempt, one record with 4 attempts, waits on the published schedule', async () => {
    const account = await signup();
    const { url, name } = receiverUrl('flaky');
    const endpoint = await createEndpoint(account, url);
    const id = await unqueuedDelivery(account, endpoint.id);
    const production = { WEBHOOK_RETRY_SCHEDULE: '' };
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      const result = await runWebhookBatch([id], production);
      if (attempt < 4) {
        expect(result.retries).toHaveLength(1);
        delays.push(result.retries[0]?.delaySeconds as number);
        // the retry message arrives when it is due
        await env.DB.prepare('UPDATE webhook_deliveries SET next_attempt_at = ?2 WHERE id = ?1').bind(id, Date.now()).run();
      } else {
        expect(result.acks).toEqual([id]);
      }
    }
    delays.forEach((delay, i) => {
      expect(delay).toBeGreaterThanOrEqual(Math.floor((PUBLISHED[i] as number) * 0.9));
      expect(delay).toBeLessThanOrEqual(Math.ceil((PUBLISHED[i] as number) * 1.1));
    });
    const got = await received(name);
    expect(got.map((r) => r.status)).toEqual([503, 503, 503, 200]);
    // the same webhook-id on every attempt
    expect(new Set(got.map((r) => r.headers['webhook-id']))).toEqual(new Set([id]));
    const entries = await log(account, endpoint.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]?.status).toBe('succeeded');
    expect(entries[0]?.attempts.map((a) => [a.attempt, a.status_code])).toEqual([
      [1, 503],
      [2, 503],
      [3, 503],
      [4, 200],
    ]);
  });

  it('the retry schedule: each wait is the published step ±10 % jitter, and after the 7th retry the delivery fails', async () => {
    const { parseSchedule, retryDelaySeconds } = await import('../../src/webhooks/schedule');
    const schedule = parseSchedule('');
    expect(schedule).toEqual(PUBLISHED);
    for (const step of schedule) expect(step).toBeLessThanOrEqual(12 * 3600);
    expect(retryDelaySeconds(schedule, 1, () => 0)).toBe(5); // 4.5, rounded
    expect(retryDelaySeconds(schedule, 2, () => 0)).toBe(270);
    expect(retryDelaySeconds(schedule, 2, () => 1)).toBe(330);
    expect(retryDelaySeconds(schedule, 8)).toBeNull();
  });

  it('a receiver down for the whole schedule: the delivery ends failed after 8 attempts, visible in the log', async () => {
    const account = await signup();
    const { url, name } = receiverUrl('down');
    const endpoint = await createEndpoint(account, url);
    // through the real queue, with the schedule compressed to 0 s steps for the test run
    const queued = await postJson(`/api/v1/webhooks/${endpoint.id}/test`, {}, bearer(account.apiKey));
    expect(queued.status).toBe(202);
    const { delivery_id } = await queued.json<{ delivery_id: string }>();
    await vi.waitFor(
      async () => {
        const entries = await log(account, endpoint.id);
        expect(entries[0]?.status).toBe('failed');
      },
      { timeout: 20_000, interval: 200 },
    );
    const [entry] = await log(account, endpoint.id);
    expect(entry?.id).toBe(delivery_id);
    expect(entry?.attempts).toHaveLength(8);
    expect(entry?.attempts.every((a) => a.status_code === 503 && a.error === 'answered 503')).toBe(true);
    expect(await received(name)).toHaveLength(8);
  }, 30_000);

  it('down for the whole published schedule: 7 retries at the published waits, then failed (driving the consumer)', async () => {
    const account = await signup();
    const { url, name } = receiverUrl('down');
    const endpoint = await createEndpoint(account, url);
    const id = await unqueuedDelivery(account, endpoint.id);
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 8; attempt++) {
      const result = await runWebhookBatch([id], { WEBHOOK_RETRY_SCHEDULE: '' });
      if (attempt < 8) {
        delays.push(result.retries[0]?.delaySeconds as number);
        await env.DB.prepare('UPDATE webhook_deliveries SET next_attempt_at = ?2 WHERE id = ?1').bind(id, Date.now()).run();
      } else {
        expect(result.acks).toEqual([id]);
      }
    }
    expect(delays).toHaveLength(7);
    delays.forEach((delay, i) => {
      expect(Math.abs(delay - (PUBLISHED[i] as number))).toBeLessThanOrEqual(Math.ceil((PUBLISHED[i] as number) * 0.1));
    });
    const [entry] = await log(account, endpoint.id);
    expect(entry).toMatchObject({ status: 'failed', next_attempt_at: null });
    expect(entry?.attempts).toHaveLength(8);
    expect(await received(name)).toHaveLength(8);
  });

  it('a duplicated queue message produces one delivery, and announcing a render twice records it once', async () => {
    const account = await signup();
    const { url, name } = receiverUrl('ok');
    const endpoint = await createEndpoint(account, url);
    const id = await unqueuedDelivery(account, endpoint.id);
    // two deliveries of the same message at the same moment: one claims the delivery, the other stands down
    const results = await Promise.all([runWebhookBatch([id]), runWebhookBatch([id])]);
    expect(results.flatMap((r) => r.acks)).toEqual([id, id]);
    expect(await received(name)).toHaveLength(1);
    // and later redeliveries of the same message change nothing
    await runWebhookBatch([id]);
    expect(await received(name)).toHaveLength(1);

    const { announceRender } = await import('../../src/webhooks/events');
    const row = {
      id: newId('rnd'),
      account_id: account.id,
      status: 'failed',
      template: 'og-card',
      error_code: 'render_failed',
      error_message: 'x',
      created_at: new Date().toISOString(),
      completed_at: new Date().toISOString(),
    } as never;
    await announceRender(env, row);
    await announceRender(env, row);
    const rows = await env.DB.prepare(`SELECT COUNT(*) AS n FROM webhook_deliveries WHERE endpoint_id = ?1 AND event = 'render.failed'`)
      .bind(endpoint.id)
      .first('n');
    expect(rows).toBe(1);
  });

  it('no answer within the timeout is a failure (15 s in production; shortened here), retried on the schedule', async () => {
    const account = await signup();
    const endpoint = await createEndpoint(account, `${env.TEST_IMAGE_ORIGIN}/hang/${crypto.randomUUID()}`);
    const id = await unqueuedDelivery(account, endpoint.id);
    const started = Date.now();
    const result = await runWebhookBatch([id], { WEBHOOK_TIMEOUT_MS: '300', WEBHOOK_RETRY_SCHEDULE: '' });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.retries).toHaveLength(1);
    const [entry] = await log(account, endpoint.id);
    expect(entry?.status).toBe('pending');
    expect(entry?.attempts[0]).toMatchObject({ status_code: null, error: 'no answer within 0.3 s' });
    // the log says when the next attempt is due
    expect(Date.parse(entry?.next_attempt_at as string) - Date.now()).toBeGreaterThan(3_000);
  });

  it('redirects are failures (not followed)', async () => {
    const account = await signup();
    const { url, name } = receiverUrl('redirect');
    const endpoint = await createEndpoint(account, url);
    const id = await unqueuedDelivery(account, endpoint.id);
    const result = await runWebhookBatch([id]);
    expect(result.retries).toHaveLength(1);
    expect(await received(name)).toHaveLength(1); // the redirect target (…/ok/<name>) was not requested
    const [entry] = await log(account, endpoint.id);
    expect(entry?.attempts[0]).toMatchObject({ status_code: 302, error: 'redirects are not followed' });
  });

  it('the URL is checked again at dispatch: a private address that got in is refused, nothing is sent', async () => {
    const account = await signup();
    const endpoint = await createEndpoint(account, receiverUrl('ok').url);
    await env.DB.prepare(`UPDATE webhook_endpoints SET url = 'https://169.254.169.254/latest/meta-data' WHERE id = ?1`).bind(endpoint.id).run();
    const id = await unqueuedDelivery(account, endpoint.id);
    const result = await runWebhookBatch([id]);
    expect(result.acks).toEqual([id]);
    const [entry] = await log(account, endpoint.id);
    expect(entry?.status).toBe('failed');
    expect(entry?.attempts[0]?.error).toMatch(/not allowed: url: https:\/\/169\.254\.169\.254\/latest\/meta-data points to a linkLocal address/);
    expect(entry?.attempts[0]?.status_code).toBeNull();
  });

  it('an endpoint failing for 5 days straight is disabled, and says so', async () => {
    const account = await signup();
    const endpoint = await createEndpoint(account, receiverUrl('down').url);
    // failing since 5 days ago, the latest failure a minute ago
    await env.DB.prepare('UPDATE webhook_endpoints SET failing_since = ?2, last_failure_at = ?3 WHERE id = ?1')
      .bind(endpoint.id, Date.now() - 5 * 24 * 3600_000 - 60_000, Date.now() - 60_000)
      .run();
    const id = await unqueuedDelivery(account, endpoint.id);
    expect((await runWebhookBatch([id])).acks).toEqual([id]);
    const shown = await (await get(`/api/v1/webhooks/${endpoint.id}`, bearer(account.apiKey))).json<Record<string, unknown>>();
    expect(shown).toMatchObject({ enabled: false });
    expect(shown.disabled_reason).toMatch(/failed for 5 days/);
    // nothing more is sent to it
    const next = await unqueuedDelivery(account, endpoint.id);
    await runWebhookBatch([next]);
    const entries = await log(account, endpoint.id);
    expect(entries.find((e) => e.id === next)?.attempts[0]?.error).toMatch(/disabled/);
  });

  it('failures days apart with quiet in between are not a streak: the endpoint stays enabled', async () => {
    const account = await signup();
    const endpoint = await createEndpoint(account, receiverUrl('down').url);
    await env.DB.prepare('UPDATE webhook_endpoints SET failing_since = ?2, last_failure_at = ?2 WHERE id = ?1')
      .bind(endpoint.id, Date.now() - 6 * 24 * 3600_000)
      .run();
    const before = Date.now();
    await runWebhookBatch([await unqueuedDelivery(account, endpoint.id)]);
    const row = await env.DB.prepare('SELECT disabled_at, failing_since FROM webhook_endpoints WHERE id = ?1')
      .bind(endpoint.id)
      .first<{ disabled_at: string | null; failing_since: number }>();
    expect(row?.disabled_at).toBeNull();
    expect(row?.failing_since).toBeGreaterThanOrEqual(before - 1000); // a new streak starts now
  });

  it('a successful attempt ends the failing streak', async () => {
    const account = await signup();
    const endpoint = await createEndpoint(account, receiverUrl('ok').url);
    await env.DB.prepare('UPDATE webhook_endpoints SET failing_since = ?2 WHERE id = ?1')
      .bind(endpoint.id, Date.now() - 3600_000)
      .run();
    await runWebhookBatch([await unqueuedDelivery(account, endpoint.id)]);
    expect(await env.DB.prepare('SELECT failing_since FROM webhook_endpoints WHERE id = ?1').bind(endpoint.id).first('failing_since')).toBeNull();
  });

  it('secret rotation: both secrets verify until the old one expires, then only the new one', async () => {
    const account = await signup();
    const { url, name } = receiverUrl('ok');
    const endpoint = await createEndpoint(account, url);
    // no body at all: the old secret keeps signing for the default 24 hours
    const rotated = await SELF.fetch(`https://picstream.test/api/v1/webhooks/${endpoint.id}/rotate-secret`, {
      method: 'POST',
      headers: bearer(account.apiKey),
    });
    expect(rotated.status).toBe(200);
    const expires = await env.DB.prepare('SELECT previous_secret_expires_at FROM webhook_endpoints WHERE id = ?1')
      .bind(endpoint.id)
      .first<number>('previous_secret_expires_at');
    expect(Math.abs((expires as number) - (Date.now() + 86_400_000))).toBeLessThan(60_000);
    const { secret: fresh } = await rotated.json<{ secret: string }>();
    expect(fresh).not.toBe(endpoint.secret);

    // a test event needs no body either
    expect((await SELF.fetch(`https://picstream.test/api/v1/webhooks/${endpoint.id}/test`, { method: 'POST', headers: bearer(account.apiKey) })).status).toBe(
      202,
    );
    const [during] = await waitForReceived(name, 1);
    expect(during?.headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(new Webhook(fresh).verify(during?.body as string, during?.headers as Record<string, string>)).toMatchObject({ event: 'webhook.test' });
    expect(new Webhook(endpoint.secret).verify(during?.body as string, during?.headers as Record<string, string>)).toMatchObject({ event: 'webhook.test' });

    // the old secret's 24 hours are over
    await env.DB.prepare('UPDATE webhook_endpoints SET previous_secret_expires_at = ?2 WHERE id = ?1')
      .bind(endpoint.id, Date.now() - 1)
      .run();
    await postJson(`/api/v1/webhooks/${endpoint.id}/test`, {}, bearer(account.apiKey));
    const after = (await waitForReceived(name, 2))[1];
    expect(after?.headers['webhook-signature']?.split(' ')).toHaveLength(1);
    expect(new Webhook(fresh).verify(after?.body as string, after?.headers as Record<string, string>)).toMatchObject({ event: 'webhook.test' });
    expect(() => new Webhook(endpoint.secret).verify(after?.body as string, after?.headers as Record<string, string>)).toThrow();
  });

  it('redeliver sends a finished delivery again with the same webhook-id; the log pages newest first', async () => {
    const account = await signup();
    const { url, name } = receiverUrl('ok');
    const endpoint = await createEndpoint(account, url);
    const first = await (await postJson(`/api/v1/webhooks/${endpoint.id}/test`, {}, bearer(account.apiKey))).json<{ delivery_id: string }>();
    await waitForReceived(name, 1);
    const second = await (await postJson(`/api/v1/webhooks/${endpoint.id}/test`, {}, bearer(account.apiKey))).json<{ delivery_id: string }>();
    await waitForReceived(name, 2);
    await vi.waitFor(async () => expect((await log(account, endpoint.id)).every((e) => e.status === 'succeeded')).toBe(true));

    const again = await postJson(`/api/v1/webhooks/deliveries/${first.delivery_id}/redeliver`, {}, bearer(account.apiKey));
    expect(again.status).toBe(202);
    const got = await waitForReceived(name, 3);
    expect(got[2]?.headers['webhook-id']).toBe(first.delivery_id);
    await vi.waitFor(async () => {
      const entry = (await log(account, endpoint.id)).find((e) => e.id === first.delivery_id);
      expect(entry?.attempts.map((a) => a.attempt)).toEqual([1, 2]);
      expect(entry?.status).toBe('succeeded');
    });

    const page1 = await (await get(`/api/v1/webhooks/${endpoint.id}/deliveries?limit=1`, bearer(account.apiKey))).json<{
      data: LogEntry[];
      next_cursor: string;
    }>();
    expect(page1.data.map((e) => e.id)).toEqual([second.delivery_id]);
    const page2 = await (await get(`/api/v1/webhooks/${endpoint.id}/deliveries?limit=1&cursor=${page1.next_cursor}`, bearer(account.apiKey))).json<{
      data: LogEntry[];
      next_cursor: string | null;
    }>();
    expect(page2.data.map((e) => e.id)).toEqual([first.delivery_id]);
    expect(page2.next_cursor).toBeNull();
  });

  it('the dead-letter consumer ends a due delivery as failed, in the log, and leaves one mid-schedule alone', async () => {
    const account = await signup();
    const endpoint = await createEndpoint(account, receiverUrl('ok').url);
    const waiting = await unqueuedDelivery(account, endpoint.id);
    await env.DB.prepare('UPDATE webhook_deliveries SET next_attempt_at = ?2 WHERE id = ?1')
      .bind(waiting, Date.now() + 3600_000)
      .run();
    const due = await unqueuedDelivery(account, endpoint.id);
    await runWebhookBatch([waiting, due], {}, 'picstream-webhooks-dlq');
    const entries = await log(account, endpoint.id);
    expect(entries.find((e) => e.id === waiting)?.status).toBe('pending');
    const failed = entries.find((e) => e.id === due);
    expect(failed?.status).toBe('failed');
    expect(failed?.attempts.map((a) => a.error)).toEqual(['the queue gave up on this delivery']);
  });

  it('a redelivery while an attempt is in flight: that attempt cannot end the new round, and the new round is carried on', async () => {
    const { claimDelivery, recordAttempt } = await import('../../src/db/webhooks');
    const account = await signup();
    const { url, name } = receiverUrl('ok');
    const endpoint = await createEndpoint(account, url);
    const id = await unqueuedDelivery(account, endpoint.id);
    const claimed = await claimDelivery(env.DB, id, Date.now(), 60_000); // an attempt in flight …
    expect(claimed).not.toBeNull();
    expect((await postJson(`/api/v1/webhooks/deliveries/${id}/redeliver`, {}, bearer(account.apiKey))).status).toBe(202); // … when a redelivery comes
    const moved = await recordAttempt(
      env.DB,
      { delivery_id: id, attempt: 1, attempted_at: new Date().toISOString(), status_code: 503, duration_ms: 5, error: 'answered 503' },
      { lease: claimed?.lease_until ?? null, roundStart: claimed?.round_start ?? 0 },
      { status: 'failed', completedAt: new Date().toISOString() },
    );
    expect(moved).toBe(false);
    expect(await env.DB.prepare('SELECT status FROM webhook_deliveries WHERE id = ?1').bind(id).first('status')).toBe('pending');
    // once the stale attempt lets go, the new round goes out
    await env.DB.prepare('UPDATE webhook_deliveries SET lease_until = NULL WHERE id = ?1').bind(id).run();
    await runWebhookBatch([id]);
    await waitForReceived(name, 1);
    expect(await env.DB.prepare('SELECT status FROM webhook_deliveries WHERE id = ?1').bind(id).first('status')).toBe('succeeded');
  });

  it('attempts whose outcome could never be recorded are capped: the delivery gives up instead of looping', async () => {
    const account = await signup();
    const { url, name } = receiverUrl('ok');
    const endpoint = await createEndpoint(account, url);
    const id = await unqueuedDelivery(account, endpoint.id);
    await env.DB.prepare('UPDATE webhook_deliveries SET attempts = 11 WHERE id = ?1').bind(id).run();
    expect((await runWebhookBatch([id], { WEBHOOK_RETRY_SCHEDULE: '' })).acks).toEqual([id]);
    const [entry] = await log(account, endpoint.id);
    expect(entry?.status).toBe('failed');
    expect(entry?.attempts.at(-1)?.error).toMatch(/gave up/);
    expect(await received(name)).toHaveLength(0);
  });

  it('a dead letter for a delivery still held by an attempt waits for that lease', async () => {
    const account = await signup();
    const endpoint = await createEndpoint(account, receiverUrl('ok').url);
    const id = await unqueuedDelivery(account, endpoint.id);
    await env.DB.prepare('UPDATE webhook_deliveries SET lease_until = ?2 WHERE id = ?1')
      .bind(id, Date.now() + 30_000)
      .run();
    const result = await runWebhookBatch([id], {}, 'picstream-webhooks-dlq');
    expect(result.acks).toEqual([]);
    expect(result.retries[0]?.delaySeconds).toBeGreaterThanOrEqual(30);
    expect((await log(account, endpoint.id))[0]?.status).toBe('pending');
  });

  it('the event log keeps finished deliveries 30 days', async () => {
    const { sweepWebhookDeliveries } = await import('../../src/jobs/sweep');
    const account = await signup();
    const endpoint = await createEndpoint(account, receiverUrl('ok').url);
    const old = await unqueuedDelivery(account, endpoint.id);
    const recent = await unqueuedDelivery(account, endpoint.id);
    await runWebhookBatch([old, recent]);
    await env.DB.prepare('UPDATE webhook_deliveries SET completed_at = ?2 WHERE id = ?1')
      .bind(old, new Date(Date.now() - 31 * 24 * 3600_000).toISOString())
      .run();
    await sweepWebhookDeliveries(env);
    expect((await log(account, endpoint.id)).map((e) => e.id)).toEqual([recent]);
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM webhook_attempts WHERE delivery_id = ?1').bind(old).first('n')).toBe(0);
  });

  it('the cron sweep re-sends a delivery whose queue message was lost', async () => {
    const account = await signup();
    const { url, name } = receiverUrl('ok');
    const endpoint = await createEndpoint(account, url);
    const id = newId('msg');
    const longAgo = new Date(Date.now() - 30 * 60_000).toISOString();
    await insertDeliveries(env.DB, [
      {
        id,
        endpoint_id: endpoint.id,
        account_id: account.id,
        event: 'webhook.test',
        job_id: null,
        payload: JSON.stringify({ event: 'webhook.test', endpoint_id: endpoint.id, created_at: longAgo }),
        created_at: longAgo,
      },
    ]);
    const { createExecutionContext, createScheduledController, waitOnExecutionContext } = await import('cloudflare:test');
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: new Date(), cron: '*/5 * * * *' }), env, ctx);
    await waitOnExecutionContext(ctx);
    const [got] = await waitForReceived(name, 1);
    expect(got?.headers['webhook-id']).toBe(id);
  });
});
