/**
 * The errors the SDK throws. Every failed call is a `PicStreamError` carrying the API's problem
 * body (`code`, `detail`, `errors`, `requestId`) and what the headers said about limits; the
 * subclasses let a caller branch with `instanceof` on the cases that need different handling
 * (wait, stop, fix the request). `WebhookVerificationError` is separate: it is not an API call
 * failing but a delivery to refuse.
 */
import type { ApiErrorCode, FieldError, Problem } from './types.js';

/** The API's codes, the SDK's own for calls that got no answer, and (open-ended) any code a newer server adds. */
export type ErrorCode = ApiErrorCode | 'connection_error' | 'timeout' | (string & {});

/** The per-key request window, from `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset`. */
export interface RateLimitInfo {
  limit: number;
  remaining: number;
  /** When the window has room again. */
  reset: Date;
}

/** The monthly quota, from `X-Quota-Limit` and `X-Quota-Remaining` (sent on metered answers). */
export interface QuotaInfo {
  limit: number;
  remaining: number;
}

export interface PicStreamErrorInit {
  code: ErrorCode;
  status: number;
  message: string;
  detail?: string;
  requestId?: string;
  errors?: FieldError[];
  problem?: Problem;
  headers?: Headers;
  cause?: unknown;
}

export class PicStreamError extends Error {
  override name = 'PicStreamError';
  /** The API's stable error code (`validation_failed`, `rate_limited`, …), or the SDK's own: `connection_error`, `timeout`. */
  readonly code: ErrorCode;
  /** The HTTP status; 0 when no answer arrived (`connection_error`, `timeout`). */
  readonly status: number;
  /** The problem's human-readable explanation. */
  readonly detail: string;
  /** The request's id (`X-Request-Id`, `req_…`): quote it when asking for help. */
  readonly requestId: string | undefined;
  /** The fields the server refused, with their paths (`vars.title`); empty when it named none. */
  readonly errors: FieldError[];
  /** Seconds the server asked to wait (`Retry-After`), when it said. */
  readonly retryAfter: number | undefined;
  readonly rateLimit: RateLimitInfo | undefined;
  readonly quota: QuotaInfo | undefined;
  /** The problem+json body as received, when there was one. */
  readonly problem: Problem | undefined;
  readonly headers: Headers | undefined;

  constructor(init: PicStreamErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.status = init.status;
    this.detail = init.detail ?? init.message;
    this.requestId = init.requestId;
    this.errors = init.errors ?? [];
    this.problem = init.problem;
    this.headers = init.headers;
    this.retryAfter = init.headers ? retryAfterSeconds(init.headers.get('retry-after')) : undefined;
    this.rateLimit = init.headers ? rateLimitInfo(init.headers) : undefined;
    this.quota = init.headers ? quotaInfo(init.headers) : undefined;
  }
}

/** 400 or 422: the request cannot succeed as it stands; `errors` names the fields when the server did. */
export class ValidationError extends PicStreamError {
  override name = 'ValidationError';
}

/** 401: the API key is missing, malformed, unknown or revoked. */
export class AuthenticationError extends PicStreamError {
  override name = 'AuthenticationError';
}

/** 404: no such template, render, webhook endpoint or delivery (for this account). */
export class NotFoundError extends PicStreamError {
  override name = 'NotFoundError';
}

/** 429 `rate_limited`: the key's request window is full. Thrown once the retries are spent or `retryAfter` is longer than the client will wait. */
export class RateLimitError extends PicStreamError {
  override name = 'RateLimitError';
}

/** 429 `quota_exceeded`: the month's quota is used up. Never retried: `retryAfter` runs to the month's end. */
export class QuotaExceededError extends PicStreamError {
  override name = 'QuotaExceededError';
}

/** 409: the request conflicts with the account's state (`email_taken`, `key_limit_reached`, `webhook_limit_reached`). */
export class ConflictError extends PicStreamError {
  override name = 'ConflictError';
}

/**
 * An `Idempotency-Key` problem: reused with a different request (422 `idempotency_key_reused`), or
 * its first request still running past the call's timeout (409 `idempotency_key_in_progress`).
 */
export class IdempotencyError extends PicStreamError {
  override name = 'IdempotencyError';
}

/** No answer: the network failed or the connection dropped (`code: 'connection_error'`, `status: 0`). */
export class ConnectionError extends PicStreamError {
  override name = 'ConnectionError';
}

/** No answer in time: a request past its `timeout`, or `renders.wait` past its deadline (`code: 'timeout'`, `status: 0`). */
export class TimeoutError extends PicStreamError {
  override name = 'TimeoutError';
}

/** Builds the error for an answer that is not a success, the subclass chosen by status and code. */
export function errorFromResponse(status: number, headers: Headers, text: string): PicStreamError {
  const problem = parseProblem(text);
  const requestId = problem?.request_id ?? headers.get('x-request-id') ?? undefined;
  const code: ErrorCode = problem?.code ?? `http_${status}`;
  const detail = problem?.detail ?? (text.slice(0, 200) || `HTTP ${status}`);
  const init: PicStreamErrorInit = {
    code,
    status,
    message: `${code}: ${detail}${requestId ? ` (request ${requestId})` : ''}`,
    detail,
    requestId,
    errors: problem?.errors,
    problem,
    headers,
  };
  if (code === 'idempotency_key_reused' || code === 'idempotency_key_in_progress') return new IdempotencyError(init);
  if (status === 429) return code === 'quota_exceeded' ? new QuotaExceededError(init) : new RateLimitError(init);
  if (status === 409) return new ConflictError(init);
  if (status === 400 || status === 422) return new ValidationError(init);
  if (status === 401) return new AuthenticationError(init);
  if (status === 404) return new NotFoundError(init);
  return new PicStreamError(init);
}

function parseProblem(text: string): Problem | undefined {
  try {
    const body: unknown = JSON.parse(text);
    if (body && typeof body === 'object' && typeof (body as Problem).code === 'string') return body as Problem;
  } catch {
    // not JSON (e.g. a proxy's HTML error page): the status alone describes it
  }
  return undefined;
}

/** `Retry-After` in seconds: delta-seconds or an HTTP date (RFC 9110). */
export function retryAfterSeconds(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function numberHeader(headers: Headers, name: string): number | undefined {
  const value = headers.get(name);
  if (value === null || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

export function rateLimitInfo(headers: Headers): RateLimitInfo | undefined {
  const limit = numberHeader(headers, 'x-ratelimit-limit');
  const remaining = numberHeader(headers, 'x-ratelimit-remaining');
  const reset = numberHeader(headers, 'x-ratelimit-reset');
  if (limit === undefined || remaining === undefined || reset === undefined) return undefined;
  return { limit, remaining, reset: new Date(reset * 1000) };
}

export function quotaInfo(headers: Headers): QuotaInfo | undefined {
  const limit = numberHeader(headers, 'x-quota-limit');
  const remaining = numberHeader(headers, 'x-quota-remaining');
  if (limit === undefined || remaining === undefined) return undefined;
  return { limit, remaining };
}

/** Why a webhook delivery was refused. */
export type WebhookVerificationFailure =
  | 'missing_headers'
  | 'invalid_timestamp'
  | 'timestamp_too_old'
  | 'timestamp_too_new'
  | 'invalid_signature'
  | 'invalid_payload';

/**
 * A webhook delivery that must not be trusted: its signature does not match the secret, its
 * timestamp is more than 5 minutes off (a replay), or it is not a PicStream event. Answer it
 * with a 4xx and do not act on it.
 */
export class WebhookVerificationError extends Error {
  override name = 'WebhookVerificationError';
  readonly code: WebhookVerificationFailure;

  constructor(code: WebhookVerificationFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
