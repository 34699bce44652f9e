/**
 * Key modes: what a `pk_test_` key may do (README "Key modes"). Test keys live where live keys
 * should not — a customer's CI, a CMS preview, a laptop — so a leaked one must not be an account
 * credential. It may read the account, render (free, watermarked) and read and use the account's
 * templates and fonts; everything that mints, lists or revokes keys, changes templates or fonts, or
 * touches webhooks (whose endpoints and delivery log are live configuration and live data) takes a
 * live key. Renders are kept apart by mode both ways (jobs/status.ts): a render of the other mode
 * answers exactly like a missing one.
 *
 * Each route declares its own rule (`liveKeyOnly` in routes/shared.ts, which also adds the 403 to
 * its OpenAPI responses); the guard here enforces them all in one place, right after
 * authentication, so a test key's refusal costs no body parsing, idempotency claim or D1 work.
 * test/auth/key-modes.test.ts enumerates every operation of the OpenAPI document, so a new route
 * without a decision fails there.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { ProblemError } from '../errors/problem';

interface LiveOnlyOperation {
  method: string;
  /** The OpenAPI path, e.g. `/api/v1/keys/{id}`. */
  path: string;
  /** Its segments; a `{param}` segment matches any one segment. */
  segments: string[];
}

const liveOnly: LiveOnlyOperation[] = [];

/** Called by `liveKeyOnly` when a route module loads. */
export function declareLiveOnly(method: string, path: string): void {
  liveOnly.push({ method: method.toUpperCase(), path, segments: path.split('/') });
}

function segmentsMatch(declared: readonly string[], actual: readonly string[]): boolean {
  if (declared.length !== actual.length) return false;
  return declared.every((segment, i) => (segment.startsWith('{') && segment.endsWith('}') ? actual[i] !== '' : segment === actual[i]));
}

/** The live-only operation a request is for, if any. */
export function liveOnlyOperation(method: string, path: string): { method: string; path: string } | undefined {
  const actual = path.split('/');
  const found = liveOnly.find((op) => op.method === method && segmentsMatch(op.segments, actual));
  return found && { method: found.method, path: found.path };
}

/** Every operation declared live-only (for the tests and the README table). */
export function liveOnlyOperations(): { method: string; path: string }[] {
  return liveOnly.map(({ method, path }) => ({ method, path }));
}

/** Refuses a test key on the operations declared live-only: 403 `live_key_required`. Runs after `requireApiKey`. */
export function requireLiveKeyWhereDeclared(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const auth = c.get('auth');
    if (auth?.mode === 'test') {
      const op = liveOnlyOperation(c.req.method, c.req.path);
      if (op) {
        throw new ProblemError(
          'live_key_required',
          `${op.method} ${op.path} takes a live key (pk_live_…). Test keys may read the account, render and use its templates and fonts, but not manage keys, templates, fonts or webhooks.`,
        );
      }
    }
    await next();
  };
}
