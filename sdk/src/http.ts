/**
 * The transport under every call: one JSON request to the API, retried when the failure can pass
 * with time. Only `fetch`, `AbortController`, timers and `crypto.randomUUID` are used, so it runs
 * the same in Node ≥ 18, Workers, Deno and browsers.
 *
 * Retried (up to `maxRetries` times): no answer (network error, timeout), 408, 429 `rate_limited`,
 * 500 `internal_error`, 502, 503, 504 — not a render that failed (`render_failed`,
 * `template_unavailable`: it would fail, and be charged for, again). 409 `idempotency_key_in_progress`
 * (the server still runs this call's earlier attempt) is waited on within the call's `timeout` without
 * spending a retry. A DELETE answered 404 after an attempt that got no answer has succeeded. A `Retry-After` is waited out as sent;
 * one longer than `maxRetryDelay` is not waited at all (the error goes to the caller, who can
 * decide with `error.retryAfter`), and 429 `quota_exceeded` never is (it runs to the month's end).
 * Otherwise the wait doubles from half a second, with jitter. Every POST carries an
 * `Idempotency-Key` — the caller's or a fresh UUID — and keeps it across its retries, so a retry
 * whose first attempt did reach the server replays that answer instead of rendering (and
 * charging) twice.
 */
import { ConnectionError, errorFromResponse, PicStreamError, TimeoutError } from './errors.js';

/** Any `fetch`-compatible function: the global one, a Worker's service binding (`env.API.fetch.bind(env.API)`), a test's. */
export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

export interface ClientOptions {
  /** `pk_live_…` or `pk_test_…`. */
  apiKey: string | undefined;
  /** Where the API lives: your deployment's origin (PicStream is self-hosted: there is no default; `npm run dev` is `http://localhost:8787`). */
  baseUrl: string;
  /** The fetch to call; default the global `fetch`. */
  fetch?: Fetch;
  /** Retries after a failure that can pass with time (see above). Default 2. */
  maxRetries?: number;
  /** Milliseconds one attempt may take, answer body included. Default 60 000. */
  timeout?: number;
  /** The longest wait before a retry, in ms; a longer `Retry-After` is not waited out. Default 60 000 (a full rate-limit window of the free plan). */
  maxRetryDelay?: number;
}

/** Per-call overrides. */
export interface RequestOptions {
  /** Cancels the call, its retries and its waits. */
  signal?: AbortSignal;
  timeout?: number;
  maxRetries?: number;
  /** For POSTs: the `Idempotency-Key` to send (default: a fresh UUID, kept across this call's retries). Reuse one to retry a call of your own safely. */
  idempotencyKey?: string;
}

const DEFAULTS = { maxRetries: 2, timeout: 60_000, maxRetryDelay: 60_000 };
const FIRST_BACKOFF_MS = 500;

export interface ApiRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

export class Transport {
  private readonly apiKey: string;
  private readonly baseUrl: string;
  private readonly fetchImpl: Fetch;
  private readonly maxRetries: number;
  private readonly timeout: number;
  private readonly maxRetryDelay: number;

  constructor(options: ClientOptions) {
    if (!options.apiKey) throw new TypeError('PicStream: apiKey is required (pk_live_… or pk_test_…)');
    this.apiKey = options.apiKey;
    if (!options.baseUrl) throw new TypeError("PicStream: baseUrl is required (your deployment's origin, e.g. http://localhost:8787 for npm run dev)");
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    // looked up at call time and called unbound: browsers and Workers refuse `fetch` called on another `this`
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.maxRetries = options.maxRetries ?? DEFAULTS.maxRetries;
    this.timeout = options.timeout ?? DEFAULTS.timeout;
    this.maxRetryDelay = options.maxRetryDelay ?? DEFAULTS.maxRetryDelay;
  }

  async request<T>(req: ApiRequest, options: RequestOptions = {}): Promise<T> {
    const url = this.url(req);
    const headers: Record<string, string> = { authorization: `Bearer ${this.apiKey}`, accept: 'application/json' };
    if (req.method === 'POST') headers['idempotency-key'] = options.idempotencyKey ?? randomUuid();
    let body: string | undefined;
    if (req.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.body);
    }
    const maxRetries = options.maxRetries ?? this.maxRetries;
    const timeout = options.timeout ?? this.timeout;

    const started = Date.now();
    let unanswered = false;
    for (let retries = 0; ; ) {
      const outcome = await this.attempt(url, { method: req.method, headers, body }, timeout, options.signal).catch((err: unknown) => {
        // the caller's own cancellation is theirs to see as it is, never retried
        if (options.signal?.aborted) throw options.signal.reason;
        return err instanceof TimeoutError ? err : new ConnectionError({ code: 'connection_error', status: 0, message: connectionMessage(err), cause: err });
      });
      let failure: PicStreamError;
      let delay: number | undefined;
      if (outcome instanceof PicStreamError) {
        failure = outcome;
        delay = backoff(retries, this.maxRetryDelay);
        unanswered = true;
      } else {
        if (outcome.status >= 200 && outcome.status < 300) return parseBody<T>(outcome.text);
        // a DELETE whose earlier attempt got no answer may have done its work: the thing is gone either way
        if (req.method === 'DELETE' && outcome.status === 404 && unanswered) return undefined as T;
        failure = errorFromResponse(outcome.status, outcome.headers, outcome.text);
        delay = this.retryDelay(failure, retries);
        // our own earlier attempt (which timed out here) still runs on the server: waiting for it to
        // finish is not a retry of a failure, so it spends no retries, only the call's time budget
        if (failure.code === 'idempotency_key_in_progress' && delay !== undefined) {
          if (Date.now() - started + delay < timeout) {
            await sleep(delay, options.signal);
            continue;
          }
          delay = undefined;
        }
      }
      if (delay === undefined || retries >= maxRetries) throw failure;
      retries++;
      await sleep(delay, options.signal);
    }
  }

  /** One attempt, its answer read in full within `timeout`: a server that sends headers and then stalls times out too. */
  private async attempt(url: string, init: RequestInit, timeout: number, signal: AbortSignal | undefined): Promise<Answer> {
    const controller = new AbortController();
    const cancel = () => controller.abort(signal?.reason);
    if (signal?.aborted) throw signal.reason;
    signal?.addEventListener('abort', cancel, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeout);
    // raced as well as passed on: a custom fetch (or a service binding) that ignores the signal still stops being waited for
    const aborted = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true }));
    try {
      const res = await Promise.race([this.fetchImpl(url, { ...init, signal: controller.signal }), aborted]);
      return { status: res.status, headers: res.headers, text: await Promise.race([res.text(), aborted]) };
    } catch (err) {
      if (timedOut) throw new TimeoutError({ code: 'timeout', status: 0, message: `No answer from ${url} within ${timeout} ms`, cause: err });
      throw err;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', cancel);
    }
  }

  /** Milliseconds to wait before retrying after this failure, or undefined when it must not be retried. */
  private retryDelay(error: PicStreamError, attempt: number): number | undefined {
    const retryable =
      // a 5xx that can pass with time; a render that failed (render_failed, template_unavailable) would fail again, and render again
      (error.status === 500 && error.code === 'internal_error') ||
      error.status === 502 ||
      error.status === 503 ||
      error.status === 504 ||
      error.status === 408 ||
      (error.status === 429 && error.code !== 'quota_exceeded') ||
      (error.status === 409 && error.code === 'idempotency_key_in_progress');
    if (!retryable) return undefined;
    if (error.retryAfter === undefined) return backoff(attempt, this.maxRetryDelay);
    const wait = error.retryAfter * 1000;
    return wait > this.maxRetryDelay ? undefined : wait;
  }

  private url(req: ApiRequest): string {
    const url = `${this.baseUrl}${req.path}`;
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(req.query ?? {})) if (value !== undefined) query.set(name, String(value));
    const search = query.toString();
    return search ? `${url}?${search}` : url;
  }
}

/** Exponential from FIRST_BACKOFF_MS, capped, with jitter (75–100 %) so many clients do not retry in step. */
function backoff(attempt: number, cap: number): number {
  return Math.min(cap, FIRST_BACKOFF_MS * 2 ** attempt) * (0.75 + Math.random() * 0.25);
}

function parseBody<T>(text: string): T {
  // 204 (a delete) has no body
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

function connectionMessage(err: unknown): string {
  return `Could not reach the PicStream API: ${err instanceof Error ? err.message : String(err)}`;
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const done = () => {
      signal?.removeEventListener('abort', abort);
      resolve();
    };
    const abort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', abort, { once: true });
  });
}

/**
 * A v4 UUID for an Idempotency-Key. Node 18 has WebCrypto only in `node:crypto` (the global
 * `crypto` came unflagged in Node 19), and the SDK imports no Node module: there the key is made
 * from Math.random, unique enough for its purpose (telling one account's requests apart for 24
 * hours) though not unguessable, which it need not be.
 */
function randomUuid(): string {
  const webCrypto = (globalThis as { crypto?: Crypto }).crypto;
  if (typeof webCrypto?.randomUUID === 'function') return webCrypto.randomUUID();
  const bytes = new Uint8Array(16);
  if (typeof webCrypto?.getRandomValues === 'function') webCrypto.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
