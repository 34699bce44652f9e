/**
 * The SDK (sdk/src) against the real Worker in workerd — real D1, R2, Queues, the Redis-backed
 * rate limiter and the local webhook receiver. The only fetches that are not SELF.fetch itself
 * wrap it to record what the SDK sent, to inject one transport failure, or to call the same
 * Worker with a tiny rate-limit plan (as test/helpers/api.ts fetchWithEnv does).
 */
import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { Buffer } from 'node:buffer';
import pacificoWoff from '@fontsource/pacifico/files/pacifico-latin-400-normal.woff';
import { describe, expect, it, vi } from 'vitest';
import {
  AuthenticationError,
  ConnectionError,
  type Fetch,
  IdempotencyError,
  NotFoundError,
  PicStream,
  PicStreamError,
  QuotaExceededError,
  RateLimitError,
  signUrl,
  TimeoutError,
  ValidationError,
  WebhookVerificationError,
} from '../../sdk/src/index';
import worker from '../../src/index';
import { currentPeriod } from '../../src/quota/period';
import { BASE, decodePng, pathOf, signup, type TestAccount } from '../helpers/api';
import { webhookNonConformities } from '../helpers/conformance';
import { renderCount, setUnitsUsed, unitsUsed } from '../helpers/db';
import { unqueuedPendingRow } from '../helpers/renders';
import { receiverUrl, waitForReceived } from '../webhooks/helpers';

const selfFetch: Fetch = (input, init) => SELF.fetch(input, init);

interface Call {
  method: string;
  url: string;
  headers: Headers;
  sentAt: number;
  status?: number;
  answeredAt?: number;
  answerHeaders?: Headers;
  answer?: string;
}

/** Passes every request on to `inner` and records it and its answer. */
function recording(inner: Fetch = selfFetch): { fetch: Fetch; calls: Call[] } {
  const calls: Call[] = [];
  const fetch: Fetch = async (input, init) => {
    const call: Call = { method: init.method ?? 'GET', url: input, headers: new Headers(init.headers), sentAt: Date.now() };
    calls.push(call);
    const res = await inner(input, init);
    call.status = res.status;
    call.answeredAt = Date.now();
    call.answerHeaders = new Headers(res.headers);
    call.answer = await res.clone().text();
    return res;
  };
  return { fetch, calls };
}

function client(account: TestAccount, fetch: Fetch = selfFetch, options: Partial<ConstructorParameters<typeof PicStream>[0]> = {}): PicStream {
  return new PicStream({ apiKey: account.apiKey, baseUrl: BASE, fetch, ...options });
}

/** The promise's rejection, for asserting on a thrown error's fields. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (err: unknown) => err,
  );
}

const unique = (label: string) => `${label} ${crypto.randomUUID()}`;

describe('SDK: rendering', () => {
  it('generate renders an image and answers its URL; the same request again is cached', async () => {
    const sdk = client(await signup());
    const request = { template: 'og-card', vars: { title: unique('SDK') } };
    const first = await sdk.generate(request);
    expect(first).toMatchObject({ type: 'image', status: 'complete', template: 'og-card', format: 'png', width: 1200, height: 630, cached: false });
    expect(first.url).toMatch(/^http:\/\/localhost:8787\/img\/[a-f0-9]{40}\.png$/);
    const png = decodePng(await (await SELF.fetch(`${BASE}${pathOf(first.url as string)}`)).arrayBuffer());
    expect([png.width, png.height]).toEqual([1200, 630]);

    const second = await sdk.generate(request);
    expect(second).toMatchObject({ cached: true, url: first.url });
    expect(second.id).not.toBe(first.id);
  });

  it('generatePdf makes a PDF whose signed URL serves it', async () => {
    const sdk = client(await signup());
    const pdf = await sdk.generatePdf({
      template: 'certificate',
      vars: { recipient: 'Ada Lovelace', achievement: unique('Analytical Engines'), date: '2026-03-04', issuer: 'PicStream Academy' },
    });
    expect(pdf).toMatchObject({ type: 'pdf', status: 'complete', template: 'certificate', pages: 1, cached: false });
    const url = new URL(pdf.url as string);
    const file = await SELF.fetch(`${BASE}${url.pathname}${url.search}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect(new TextDecoder().decode((await file.arrayBuffer()).slice(0, 5))).toBe('%PDF-');
  });

  it('async generate answers pending at once; renders.wait polls it to complete', async () => {
    const sdk = client(await signup());
    const accepted = await sdk.generate({ template: 'quote', vars: { quote: unique('Queued'), author: 'SDK' }, async: true });
    expect(accepted).toMatchObject({ status: 'pending', poll_url: `/api/v1/renders/${accepted.id}` });
    expect(accepted.id).toMatch(/^rnd_/);

    const done = await sdk.renders.wait(accepted, { interval: 100, timeout: 20_000 });
    expect(done).toMatchObject({ id: accepted.id, type: 'image', status: 'complete', template: 'quote' });
    expect(done.url).toMatch(/\/img\/[a-f0-9]{40}\.png$/);
    expect(await sdk.renders.get(accepted.id)).toMatchObject({ id: accepted.id, status: 'complete', url: done.url });
  }, 30_000);

  it('renders.wait gives up with a TimeoutError when the render stays pending, and stops at once on abort', async () => {
    const account = await signup();
    const sdk = client(account);
    // a pending render that no queue message points at, recorded as the async route records one: it never completes
    const id = await unqueuedPendingRow({ account, title: unique('Stuck') });
    const started = Date.now();
    const err = await rejection(sdk.renders.wait(id, { timeout: 700, interval: 100 }));
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ code: 'timeout', status: 0 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect(Date.now() - started).toBeLessThan(3_000);

    const stop = new AbortController();
    const waitStarted = Date.now();
    const waiting = rejection(sdk.renders.wait(id, { signal: stop.signal, interval: 100 }));
    setTimeout(() => stop.abort(new Error('caller stopped')), 200);
    expect(await waiting).toMatchObject({ message: 'caller stopped' });
    // at once: not at the next poll's end, nor at the default 2-minute deadline
    expect(Date.now() - waitStarted).toBeLessThan(1_000);
  });

  it('templates.list names every template with its kind; templates.get gives one with its vars schema', async () => {
    const sdk = client(await signup());
    const { data } = await sdk.templates.list();
    const kinds = Object.fromEntries(data.map((t) => [t.id, t.kind]));
    expect(kinds).toMatchObject({ 'og-card': 'image', quote: 'image', invoice: 'pdf', certificate: 'pdf', report: 'pdf' });
    const ogCard = await sdk.templates.get('og-card');
    expect(ogCard).toMatchObject({ id: 'og-card', kind: 'image', size: { width: 1200, height: 630 } });
    expect(ogCard.vars_schema).toMatchObject({ type: 'object' });
    expect(ogCard.example).toHaveProperty('title');
  });

  it('usage reports the month, counting a fresh render and not a cached one', async () => {
    const account = await signup();
    const sdk = client(account);
    const before = await sdk.usage();
    expect(before).toMatchObject({ period: currentPeriod().period, limit: 1000, used: 0, remaining: 1000 });
    const request = { template: 'og-card', vars: { title: unique('Counted') } };
    await sdk.generate(request);
    await sdk.generate(request);
    expect(await sdk.usage()).toMatchObject({ used: 1, remaining: 999 });
    expect(await unitsUsed(account.id)).toBe(1);
  });
});

describe('SDK: errors', () => {
  it('a 400 is a ValidationError with its code, status, request id and field paths, not retried', async () => {
    const { fetch, calls } = recording();
    const sdk = client(await signup(), fetch);
    const err = await rejection(sdk.generate({ template: 'og-card', vars: { title: 'x'.repeat(201), theme: 'neon' } }));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toBeInstanceOf(PicStreamError);
    const e = err as ValidationError;
    expect(e).toMatchObject({ name: 'ValidationError', code: 'validation_failed', status: 400 });
    expect(e.requestId).toMatch(/^req_/);
    expect(calls).toHaveLength(1);
    expect(e.requestId).toBe(calls[0]?.answerHeaders?.get('x-request-id'));
    expect(e.errors.map((f) => f.path).sort()).toEqual(['vars.theme', 'vars.title']);
    expect(e.detail).toBe(e.problem?.detail);
    expect(e.message).toContain('validation_failed');
    expect(e.rateLimit).toMatchObject({ limit: 60, remaining: 59 });
  });

  it('a 404 is a NotFoundError with the resource’s code', async () => {
    const sdk = client(await signup());
    const render = await rejection(sdk.renders.get('rnd_01JD5X1Q4ZB8R3W2K7T6YV9N0M'));
    expect(render).toBeInstanceOf(NotFoundError);
    expect(render).toMatchObject({ code: 'render_not_found', status: 404 });
    expect(await rejection(sdk.templates.get('no-such-template'))).toMatchObject({ name: 'NotFoundError', code: 'template_not_found', status: 404 });
    expect(await rejection(sdk.generate({ template: 'no-such-template', vars: {} }))).toBeInstanceOf(NotFoundError);
  });

  it('an unknown key is an AuthenticationError; no key at all is refused before any request', async () => {
    const sdk = new PicStream({ apiKey: `pk_live_${'A'.repeat(40)}`, baseUrl: BASE, fetch: selfFetch });
    expect(await rejection(sdk.usage())).toMatchObject({ name: 'AuthenticationError', code: 'unauthorized', status: 401 });
    expect(await rejection(sdk.usage())).toBeInstanceOf(AuthenticationError);
    expect(() => new PicStream({ apiKey: undefined, baseUrl: BASE })).toThrow(/apiKey is required/);
    // self-hosted: no default host to send keys to by mistake
    expect(() => new PicStream({ apiKey: `pk_live_${'A'.repeat(40)}` } as never)).toThrow(/baseUrl is required/);
  });

  it('quota_exceeded is thrown at once, never retried (its Retry-After is the month’s end)', async () => {
    const account = await signup();
    await setUnitsUsed(account.id, 1000);
    const { fetch, calls } = recording();
    const sdk = client(account, fetch, { maxRetries: 5 });
    const started = Date.now();
    const err = await rejection(sdk.generate({ template: 'og-card', vars: { title: unique('Over quota') } }));
    expect(err).toBeInstanceOf(QuotaExceededError);
    const e = err as QuotaExceededError;
    expect(e).toMatchObject({ code: 'quota_exceeded', status: 429, quota: { limit: 1000, remaining: 0 } });
    const toMonthEnd = (currentPeriod().resetsAt - Date.now()) / 1000;
    expect(e.retryAfter).toBeGreaterThan(toMonthEnd - 60);
    expect(calls).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

/** The same Worker SELF runs, called with PLANS overridden (a rate limit of `requests` per `windowSeconds` on the free plan). */
function workerWithRateLimit(requests: number, windowSeconds: number): Fetch {
  const PLANS = JSON.stringify({ free: { monthly_quota: 1000, rate_limit: { requests, window_seconds: windowSeconds } } });
  return async (input, init) => {
    const ctx = createExecutionContext();
    const handler = worker.fetch as NonNullable<typeof worker.fetch>;
    const res = await handler(new Request(input, init) as Request<unknown, IncomingRequestCfProperties>, { ...env, PLANS }, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };
}

/** Waits for the start of a rate-limit window (they are fixed buckets of the window's length), so two requests fall in the same one. */
async function startOfWindow(windowMs: number): Promise<void> {
  const into = Date.now() % windowMs;
  if (into > windowMs / 5) await new Promise((r) => setTimeout(r, windowMs - into + 20));
}

describe('SDK: retries', () => {
  it('waits out a 429’s Retry-After and retries the POST with the same Idempotency-Key', async () => {
    const account = await signup();
    const { fetch, calls } = recording(workerWithRateLimit(1, 4));
    const sdk = client(account, fetch);
    await startOfWindow(4_000);
    await sdk.usage(); // the window's one request
    const render = await sdk.generate({ template: 'og-card', vars: { title: unique('Throttled') } });
    expect(render.status).toBe('complete');

    expect(calls.map((c) => [c.method, c.status])).toEqual([
      ['GET', 200],
      ['POST', 429],
      ['POST', 200],
    ]);
    const [, throttled, retried] = calls as [Call, Call, Call];
    expect(JSON.parse(throttled.answer as string)).toMatchObject({ code: 'rate_limited' });
    const retryAfter = Number(throttled.answerHeaders?.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retried.sentAt - (throttled.answeredAt as number)).toBeGreaterThanOrEqual(retryAfter * 1000);
    const key = throttled.headers.get('idempotency-key');
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(retried.headers.get('idempotency-key')).toBe(key);
  });

  it('throws a RateLimitError at once when Retry-After is longer than maxRetryDelay, with the limit headers parsed', async () => {
    const account = await signup();
    const { fetch, calls } = recording(workerWithRateLimit(1, 4));
    const sdk = client(account, fetch, { maxRetryDelay: 500 });
    await startOfWindow(4_000);
    await sdk.usage();
    const err = await rejection(sdk.usage());
    expect(err).toBeInstanceOf(RateLimitError);
    const e = err as RateLimitError;
    expect(e).toMatchObject({ code: 'rate_limited', status: 429, rateLimit: { limit: 1, remaining: 0 } });
    expect(e.retryAfter).toBeGreaterThanOrEqual(1);
    expect(e.rateLimit?.reset.getTime()).toBeGreaterThan(Date.now());
    expect(calls).toHaveLength(2);
  });

  it('retries a 503 the server’s answer was lost to; the retry replays that answer (same Idempotency-Key, one render)', async () => {
    const account = await signup();
    let lost: { id: string } | undefined;
    // a gateway between the SDK and the Worker: the first POST reaches the server, its answer is replaced by a 503
    const gateway: Fetch = async (input, init) => {
      const res = await selfFetch(input, init);
      if (init.method === 'POST' && !lost) {
        lost = await res.json();
        return new Response('upstream connect error', { status: 503, headers: { 'content-type': 'text/plain' } });
      }
      return res;
    };
    const { fetch, calls } = recording(gateway);
    const render = await client(account, fetch).generate({ template: 'og-card', vars: { title: unique('Lost answer') } });

    expect(calls.map((c) => c.status)).toEqual([503, 200]);
    expect(calls[1]?.headers.get('idempotency-key')).toBe(calls[0]?.headers.get('idempotency-key'));
    expect(calls[1]?.answerHeaders?.get('idempotent-replayed')).toBe('true');
    expect(render.id).toBe(lost?.id);
    expect(render.cached).toBe(false);
    expect(await renderCount(account.id)).toBe(1);
    expect(await unitsUsed(account.id)).toBe(1);
  });

  it('does not retry a render that failed (500 render_failed): it would fail, and be charged, again', async () => {
    const account = await signup();
    const problem = {
      type: 'https://picstream.dev/errors/render-failed',
      title: 'Render failed',
      status: 500,
      detail: 'the engine gave up',
      code: 'render_failed',
    };
    // the answer a failing render gets, made by a stand-in for the server (a real one cannot be made to fail on cue)
    const failing: Fetch = async () => new Response(JSON.stringify(problem), { status: 500, headers: { 'content-type': 'application/problem+json' } });
    const { fetch, calls } = recording(failing);
    const err = await rejection(client(account, fetch).generate({ template: 'og-card', vars: { title: unique('Fails') } }));
    expect(err).toMatchObject({ code: 'render_failed', status: 500 });
    expect(calls).toHaveLength(1);
  });

  it('waits out 409 idempotency_key_in_progress within the call’s timeout without spending retries', async () => {
    const account = await signup();
    let busy = 3;
    let retryAfter = '0';
    // the server still runs this call's earlier attempt: three answers say so before it is done
    const inProgress: Fetch = async (input, init) => {
      if (init.method === 'POST' && busy-- > 0) {
        const body = {
          type: 'https://picstream.dev/errors/idempotency-key-in-progress',
          title: 'In progress',
          status: 409,
          detail: 'busy',
          code: 'idempotency_key_in_progress',
        };
        return new Response(JSON.stringify(body), { status: 409, headers: { 'content-type': 'application/problem+json', 'retry-after': retryAfter } });
      }
      return selfFetch(input, init);
    };
    const { fetch, calls } = recording(inProgress);
    const render = await client(account, fetch, { maxRetries: 0 }).generate({ template: 'og-card', vars: { title: unique('Busy') } });
    expect(render.status).toBe('complete');
    expect(calls.map((c) => c.status)).toEqual([409, 409, 409, 200]);
    expect(new Set(calls.map((c) => c.headers.get('idempotency-key'))).size).toBe(1);

    // past the call's timeout it is an IdempotencyError
    busy = 1000;
    retryAfter = '1';
    const late = await rejection(
      client(account, inProgress, { maxRetries: 0, timeout: 1500 }).generate({ template: 'og-card', vars: { title: unique('Busy') } }),
    );
    expect(late).toBeInstanceOf(IdempotencyError);
    expect(late).toMatchObject({ code: 'idempotency_key_in_progress', status: 409 });
  });

  it('a DELETE whose answer was lost, answered 404 on its retry, has succeeded', async () => {
    const account = await signup();
    const sdk = client(account);
    const endpoint = await sdk.webhooks.create({ url: receiverUrl('ok').url });
    let lost = false;
    const dropsFirstAnswer: Fetch = async (input, init) => {
      const res = await selfFetch(input, init);
      if (init.method === 'DELETE' && !lost) {
        lost = true;
        throw new TypeError('fetch failed: connection reset after the request was sent');
      }
      return res;
    };
    const { fetch, calls } = recording(dropsFirstAnswer);
    expect(await client(account, fetch).webhooks.delete(endpoint.id)).toBeUndefined();
    expect(calls.map((c) => c.status)).toEqual([undefined, 404]);
    // a 404 without a lost answer before it is still an error
    expect(await rejection(sdk.webhooks.delete(endpoint.id))).toBeInstanceOf(NotFoundError);
  });

  it('retries after a network error, and after an attempt that timed out', async () => {
    const account = await signup();
    let failures = 0;
    const flaky: Fetch = async (input, init) => {
      failures++;
      if (failures === 1) throw new TypeError('fetch failed: connection reset');
      // a server that never answers, through a fetch that ignores the abort signal: only the SDK's timeout ends the attempt
      if (failures === 2) return new Promise<Response>(() => {});
      return selfFetch(input, init);
    };
    const { fetch, calls } = recording(flaky);
    const started = Date.now();
    const render = await client(account, fetch, { timeout: 300 }).generate({ template: 'og-card', vars: { title: unique('Flaky network') } });
    expect(render.status).toBe('complete');
    expect(calls).toHaveLength(3);
    expect(new Set(calls.map((c) => c.headers.get('idempotency-key'))).size).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);

    // with no retries left, the failure itself is thrown, typed
    let broken = 0;
    const down: Fetch = async () => {
      broken++;
      throw new TypeError('fetch failed');
    };
    const err = await rejection(client(account, down, { maxRetries: 1 }).usage());
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).toMatchObject({ code: 'connection_error', status: 0 });
    expect(broken).toBe(2);
  });

  it('sends the caller’s own Idempotency-Key; the same key again replays the first answer', async () => {
    const { fetch, calls } = recording();
    const account = await signup();
    const sdk = client(account, fetch);
    const idempotencyKey = crypto.randomUUID();
    const request = { template: 'og-card', vars: { title: unique('Mine') } };
    const first = await sdk.generate(request, { idempotencyKey });
    const again = await sdk.generate(request, { idempotencyKey });
    expect(again.id).toBe(first.id);
    expect(calls.map((c) => c.headers.get('idempotency-key'))).toEqual([idempotencyKey, idempotencyKey]);
    expect(calls[1]?.answerHeaders?.get('idempotent-replayed')).toBe('true');
    // without one, each call gets its own
    await sdk.generate(request);
    await sdk.generate(request);
    expect(calls[2]?.headers.get('idempotency-key')).not.toBe(calls[3]?.headers.get('idempotency-key'));
    // and GETs carry none
    await sdk.usage();
    expect(calls[4]?.headers.has('idempotency-key')).toBe(false);
  });
});

describe('SDK: webhooks', () => {
  it('a real signed delivery of an async render verifies; one changed byte, another secret or an old timestamp is refused', async () => {
    const account = await signup();
    const sdk = client(account);
    const { url, name } = receiverUrl('ok');
    const endpoint = await sdk.webhooks.create({ url, events: ['render.complete'] });
    expect(endpoint.secret).toMatch(/^whsec_/);

    const accepted = await sdk.generate({ template: 'quote', vars: { quote: unique('Signed'), author: 'SDK' }, async: true });
    const render = await sdk.renders.wait(accepted.id, { interval: 100, timeout: 20_000 });
    const [delivery] = await waitForReceived(name, 1, 20_000);
    if (!delivery) throw new Error('no delivery');

    // a plain record (Node's req.headers) and a fetch Headers object both work
    const event = PicStream.verifyWebhook(delivery.body, delivery.headers, endpoint.secret);
    // the type it is returned as is the spec's: the body is what the document's `webhooks` describe
    expect(webhookNonConformities(delivery.body)).toEqual([]);
    expect(event).toMatchObject({ event: 'render.complete', job_id: accepted.id, template: 'quote', url: render.url, cached: false });
    if (event.event !== 'render.complete') throw new Error('narrowed by event');
    expect(event.url).toBe(render.url);
    expect(PicStream.verifyWebhook(new TextEncoder().encode(delivery.body), new Headers(delivery.headers), endpoint.secret)).toEqual(event);

    const at = delivery.body.indexOf('render.complete');
    const tampered = `${delivery.body.slice(0, at)}R${delivery.body.slice(at + 1)}`;
    expect(tampered).toHaveLength(delivery.body.length);
    const refused = (() => {
      try {
        PicStream.verifyWebhook(tampered, delivery.headers, endpoint.secret);
      } catch (err) {
        return err;
      }
    })();
    expect(refused).toBeInstanceOf(WebhookVerificationError);
    expect(refused).toMatchObject({ code: 'invalid_signature' });

    const other = await sdk.webhooks.create({ url: receiverUrl('ok').url });
    expect(() => PicStream.verifyWebhook(delivery.body, delivery.headers, other.secret)).toThrow(
      expect.objectContaining({ name: 'WebhookVerificationError', code: 'invalid_signature' }),
    );
    const { 'webhook-signature': _, ...unsigned } = delivery.headers;
    expect(() => PicStream.verifyWebhook(delivery.body, unsigned, endpoint.secret)).toThrow(expect.objectContaining({ code: 'missing_headers' }));

    // the same delivery replayed six minutes later
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime((Number(delivery.headers['webhook-timestamp']) + 6 * 60) * 1000);
      expect(() => PicStream.verifyWebhook(delivery.body, delivery.headers, endpoint.secret)).toThrow(
        expect.objectContaining({ name: 'WebhookVerificationError', code: 'timestamp_too_old' }),
      );
    } finally {
      vi.useRealTimers();
    }
  }, 40_000);

  it('manages endpoints: list, get, update, test, deliveries, redeliver, rotateSecret, delete', async () => {
    const account = await signup();
    const sdk = client(account);
    const { url, name } = receiverUrl('ok');
    const created = await sdk.webhooks.create({ url, description: 'SDK' });
    expect(created).toMatchObject({ url, description: 'SDK', enabled: true, events: ['render.complete', 'render.failed', 'pdf.complete', 'pdf.failed'] });

    expect((await sdk.webhooks.list()).data.map((e) => e.id)).toEqual([created.id]);
    const one = await sdk.webhooks.get(created.id);
    expect(one).toMatchObject({ id: created.id, url });
    expect(one).not.toHaveProperty('secret');
    expect(await sdk.webhooks.update(created.id, { description: 'renamed', events: ['render.failed'] })).toMatchObject({
      description: 'renamed',
      events: ['render.failed'],
    });

    const { delivery_id } = await sdk.webhooks.test(created.id);
    const [test] = await waitForReceived(name, 1);
    expect(test?.headers['webhook-id']).toBe(delivery_id);
    expect(PicStream.verifyWebhook(test?.body as string, test?.headers ?? {}, created.secret)).toMatchObject({
      event: 'webhook.test',
      endpoint_id: created.id,
    });
    await vi.waitFor(async () => {
      const page = await sdk.webhooks.deliveries(created.id, { limit: 10 });
      expect(page.data[0]).toMatchObject({ id: delivery_id, event: 'webhook.test', status: 'succeeded' });
      expect(page.data[0]?.attempts[0]).toMatchObject({ attempt: 1, status_code: 200 });
    });

    const redelivered = await sdk.webhooks.redeliver(delivery_id);
    expect(redelivered.delivery_id).toBe(delivery_id);
    const again = (await waitForReceived(name, 2))[1];
    expect(again?.headers['webhook-id']).toBe(delivery_id);
    expect(PicStream.verifyWebhook(again?.body as string, again?.headers ?? {}, created.secret)).toMatchObject({ event: 'webhook.test' });

    const rotated = await sdk.webhooks.rotateSecret(created.id);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(created.secret);
    await sdk.webhooks.test(created.id);
    const during = (await waitForReceived(name, 3))[2];
    if (!during) throw new Error('no delivery after rotation');
    // signed with both secrets while the old one is still in force
    expect(PicStream.verifyWebhook(during.body, during.headers, rotated.secret)).toMatchObject({ event: 'webhook.test' });
    expect(PicStream.verifyWebhook(during.body, during.headers, created.secret)).toMatchObject({ event: 'webhook.test' });

    expect(await sdk.webhooks.delete(created.id)).toBeUndefined();
    expect(await rejection(sdk.webhooks.get(created.id))).toMatchObject({ name: 'NotFoundError', code: 'webhook_not_found', status: 404 });
  }, 40_000);
});

describe('SDK: account and keys', () => {
  it('account(), and keys: create a test key that works at once, list it, revoke it and it is refused', async () => {
    const account = await signup();
    const sdk = client(account);
    expect(await sdk.account()).toMatchObject({ id: account.id, email: account.email, plan: 'free', monthly_quota: 1000 });

    const created = await sdk.keys.create({ name: 'ci', mode: 'test' });
    expect(created.key).toMatch(/^pk_test_/);
    const second = new PicStream({ apiKey: created.key, baseUrl: BASE, fetch: selfFetch });
    expect((await second.account()).id).toBe(account.id);
    const listed = (await sdk.keys.list()).data.find((k) => k.id === created.id);
    expect(listed).toMatchObject({ name: 'ci', mode: 'test', start: created.key.slice(0, 12), revoked_at: null });

    expect(await sdk.keys.delete(created.id)).toBeUndefined();
    expect(await rejection(second.account())).toBeInstanceOf(AuthenticationError);
    expect(await rejection(sdk.keys.delete('key_nope'))).toMatchObject({ name: 'NotFoundError', code: 'key_not_found' });
  });

  it('fonts: upload a face, list it, draw with it by family name, delete it; a non-font is a ValidationError', async () => {
    const sdk = client(await signup());
    const data = Buffer.from(new Uint8Array(pacificoWoff)).toString('base64');
    const font = await sdk.fonts.create({ family: 'SDK Script', data });
    expect(font).toMatchObject({ family: 'SDK Script', weight: 400, format: 'woff' });
    expect((await sdk.fonts.list()).data.map((f) => f.id)).toEqual([font.id]);
    const render = await sdk.generate({ template: 'og-card', font_family: 'SDK Script', vars: { title: `SDK font ${crypto.randomUUID()}` } });
    expect(render.status).toBe('complete');
    const invalid = await rejection(
      sdk.fonts.create({ family: 'Nope', data: Buffer.from('not a font at all, just some text to fill the bytes').toString('base64') }),
    );
    expect(invalid).toBeInstanceOf(ValidationError);
    expect(invalid).toMatchObject({ status: 422, code: 'font_invalid', errors: [{ path: 'data' }] });
    expect(await sdk.fonts.delete(font.id)).toBeUndefined();
    expect(await rejection(sdk.fonts.delete(font.id))).toMatchObject({ name: 'NotFoundError', code: 'font_not_found' });
  });
});

describe('SDK: templates', () => {
  it('templates: create a template of our own, list and get it, render it, update it (a new version only for new markup), delete it', async () => {
    const sdk = client(await signup());
    const html = '<div style="display:flex;width:100%;height:100%;background:{{bg}};color:#fff;font-size:48px;padding:40px">{{title}}</div>';
    const created = await sdk.templates.create({
      name: 'SDK card',
      width: 800,
      height: 400,
      html,
      vars: { bg: { type: 'color', default: '#1d4ed8' }, title: { type: 'text', required: true } },
    });
    expect(created).toMatchObject({ name: 'SDK card', version: 1, kind: 'image', builtin: false, size: { width: 800, height: 400 }, html });
    expect(created.id).toMatch(/^tpl_/);

    const listed = (await sdk.templates.list()).data.find((t) => t.id === created.id);
    expect(listed).toMatchObject({ name: 'SDK card', builtin: false });
    expect(await sdk.templates.get(created.id)).toMatchObject({
      id: created.id,
      html,
      vars: { bg: { type: 'color', default: '#1d4ed8' }, title: { type: 'text', required: true } },
    });

    const render = await sdk.generate({ template: created.id, vars: { title: 'From the SDK' } });
    expect(render).toMatchObject({ status: 'complete', template: created.id, width: 800, height: 400, cached: false });
    expect(render.url).toMatch(/^http:\/\/localhost:8787\/img\/[a-f0-9]{40}\.png$/);
    const png = decodePng(await (await SELF.fetch(`${BASE}${pathOf(render.url as string)}`)).arrayBuffer());
    expect([png.width, png.height]).toEqual([800, 400]);

    expect(await sdk.templates.update(created.id, { name: 'Renamed' })).toMatchObject({ id: created.id, name: 'Renamed', version: 1 });
    const changed = await sdk.templates.update(created.id, { html: html.replace('font-size:48px', 'font-size:64px') });
    expect(changed).toMatchObject({ name: 'Renamed', version: 2, html: html.replace('font-size:48px', 'font-size:64px') });

    const invalid = await rejection(sdk.templates.create({ name: 'Broken', width: 800, height: 400, html: '<table></table>' }));
    expect(invalid).toBeInstanceOf(ValidationError);
    expect(invalid).toMatchObject({ status: 422, code: 'template_invalid' });

    expect(await sdk.templates.delete(created.id)).toBeUndefined();
    const gone = await rejection(sdk.templates.get(created.id));
    expect(gone).toBeInstanceOf(NotFoundError);
    expect(gone).toMatchObject({ code: 'template_not_found', status: 404 });
  }, 60_000);
});

describe('SDK: URL-signing keys and signUrl', () => {
  it('creates a key, signs an og URL that answers the image, lists the key without its secret, deletes it (then 403)', async () => {
    const account = await signup();
    const sdk = client(account);
    const key = await sdk.urlSigningKeys.create({ name: 'blog' });
    expect(key.secret).toMatch(/^usksec_/);
    const url = await signUrl({ baseUrl: BASE, keyId: key.id, secret: key.secret, template: 'og-card', vars: { title: 'From the SDK' } });
    const image = await SELF.fetch(url);
    expect(image.status).toBe(200);
    expect(decodePng(await image.arrayBuffer()).width).toBe(1200);
    const listed = await sdk.urlSigningKeys.list();
    expect(listed.data.map((k) => k.id)).toEqual([key.id]);
    expect(JSON.stringify(listed)).not.toContain(key.secret);
    await sdk.urlSigningKeys.delete(key.id);
    const refused = await SELF.fetch(url);
    expect(refused.status).toBe(403);
    await refused.text();
  });
});
