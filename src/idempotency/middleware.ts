/**
 * `Idempotency-Key` on every POST under /api/v1 (after the IETF httpapi draft and Stripe's
 * practice), scoped to the caller's account (sign-up, which has none, to one shared scope).
 *
 * The first request with a key claims it in D1 with one `INSERT … ON CONFLICT` and runs; its
 * response is stored (sealed, see seal.ts) for 24 hours. A repeat with the same body gets that
 * status and body back with `Idempotent-Replayed: true`; with a different body, 422
 * `idempotency_key_reused`; while the first is still running, 409 `idempotency_key_in_progress`.
 *
 * What is stored: successes, and the 4xx answers that say something final about the request
 * (400, 404, 413, 415: the same request would get them again). Anything that can pass with time —
 * a 5xx, a 429 (rate or quota), a 409, a 422 (a remote image that did not load) — releases the
 * claim, so a retry with the same key runs again. A claim whose request died holds for LOCK_MS,
 * then the same request may take it over; each claim has its own token, so a late finisher cannot
 * complete or release a claim that was taken over. Scopes are per account and key mode, so a test
 * key never replays a live key's answer (or the reverse).
 */
import type { MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AuthContext } from '../auth/context';
import { config } from '../config';
import { claimKey, completeKey, getKey, releaseKey } from '../db/idempotency';
import type { AppEnv } from '../env';
import { ProblemError } from '../errors/problem';
import { canonicalJson, sha256Hex } from '../lib/hash';
import { now } from '../lib/time';
import { sealerFor } from './seal';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60_000;
const LOCK_MS = 60_000;
const MAX_KEY_LENGTH = 255;
/** Sign-up replays hold new keys and share one scope, so their Idempotency-Keys must be hard to guess. */
const ANONYMOUS_MIN_KEY_LENGTH = 16;
const REPLAYED_HEADERS = ['content-type', 'location', 'x-quota-limit', 'x-quota-remaining'];
/** Answers kept for replay besides 2xx: the ones a retry of the same request would get again. */
const FINAL_ERRORS = new Set([400, 404, 413, 415]);

function invalid(message: string): ProblemError {
  return new ProblemError('idempotency_key_invalid', `Idempotency-Key ${message}`, { errors: [{ path: 'headers.Idempotency-Key', message }] });
}

/** The body as a canonical string when it is JSON, so key order and spacing do not make it "different". */
function canonicalBody(text: string): string {
  try {
    return canonicalJson(JSON.parse(text));
  } catch {
    return text;
  }
}

export function idempotency(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const key = c.req.header('idempotency-key');
    if (key === undefined) return next();

    const auth = c.get('auth') as AuthContext | undefined;
    if (key.length === 0 || key.length > MAX_KEY_LENGTH) throw invalid(`must be 1 to ${MAX_KEY_LENGTH} characters (got ${key.length})`);
    if (!/^[\x20-\x7e]+$/.test(key)) throw invalid('must be printable ASCII');
    if (!auth && key.length < ANONYMOUS_MIN_KEY_LENGTH) throw invalid(`must be at least ${ANONYMOUS_MIN_KEY_LENGTH} characters here (use a UUID)`);

    const scope = auth ? `${auth.accountId}:${auth.mode}` : 'anonymous';
    const body = await c.req.text();
    const [fingerprint, sealer] = await Promise.all([
      sha256Hex(`POST ${new URL(c.req.url).pathname}\n${canonicalBody(body)}`),
      sealerFor(config(c.env).idempotencySecret, scope, key),
    ]);
    const db = c.env.DB;
    const claim = { scope, keyHash: sealer.id, token: crypto.randomUUID() };

    const claimed = await claimKey(db, { ...claim, fingerprint, nowMs: now(), lockMs: LOCK_MS, ttlMs: IDEMPOTENCY_TTL_MS });
    if (!claimed) {
      const row = await getKey(db, scope, sealer.id);
      if (row && row.fingerprint !== fingerprint) {
        throw new ProblemError('idempotency_key_reused', 'This Idempotency-Key was used with a different request; use a new key for a new request.');
      }
      if (!row || row.status === 'in_progress' || row.response_status === null || row.response_body === null) {
        throw new ProblemError('idempotency_key_in_progress', 'A request with this Idempotency-Key is still running; retry shortly.', {
          headers: { 'Retry-After': '1' },
        });
      }
      const headers = JSON.parse(row.response_headers ?? '{}') as Record<string, string>;
      return c.body(await sealer.open(row.response_body), row.response_status as ContentfulStatusCode, { ...headers, 'Idempotent-Replayed': 'true' });
    }

    try {
      await next();
    } catch (err) {
      await releaseKey(db, claim).catch(() => {});
      throw err;
    }
    const res = c.res;
    // Recording must not turn an answer that already happened (a key made, a unit charged) into an
    // error: if it fails, the answer still goes out, and the claim lapses after LOCK_MS.
    try {
      // answers that are not JSON (a template preview's image) are kept as text nowhere: their
      // requests change nothing, so a retry simply runs again
      const json = /json/i.test(res.headers.get('content-type') ?? 'application/json');
      if (!(res.status < 300 || FINAL_ERRORS.has(res.status)) || !json) {
        await releaseKey(db, claim);
        return;
      }
      const headers: Record<string, string> = {};
      for (const name of REPLAYED_HEADERS) {
        const value = res.headers.get(name);
        if (value !== null) headers[name] = value;
      }
      await completeKey(db, claim, res.status, JSON.stringify(headers), await sealer.seal(await res.clone().text()));
    } catch (err) {
      console.error('recording an idempotent response failed', err);
    }
  };
}
