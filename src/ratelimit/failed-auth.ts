/**
 * Failed authentications per client address (CF-Connecting-IP). Without a limit of their own,
 * requests with guessed keys were never throttled: each cost a SHA-256, a D1 read and a limiter
 * call, and the 401 came before any limit was taken. Every missing, malformed, unknown or revoked
 * key from an address counts one (AUTH_FAILURE_RATE_LIMIT, 30 a minute by default, read by
 * src/config.ts, which falls back to it when the var is malformed); past that, the
 * address gets `429 rate_limited` with Retry-After until its window has room.
 *
 * The count lives in Redis (shared by every isolate); what this isolate has learned from it — that
 * an address's window is full — is remembered here until the window resets, so a throttled
 * address's next guesses are refused before the D1 read and the limiter call. Another isolate
 * spends one D1 read on such an address, then knows too. Like every limit here, it fails open.
 */
import { BoundedMap } from '../lib/bounded-map';
import { ENTRY_OVERHEAD_BYTES, stringBytes } from '../lib/caches';
import { type LimiterConfig, limitRequest, type RateLimitPolicy, type RateLimitResult } from './limiter';

/** Failed authentications an address may have per window when AUTH_FAILURE_RATE_LIMIT is not set. */
export const DEFAULT_AUTH_FAILURE_LIMIT = '30/1m';

/** `policy|address` → epoch ms when its window resets, for addresses whose window is full. */
const throttled = new BoundedMap<string, number>(10_000, 24 * 60 * 60_000, {
  name: 'throttled addresses',
  sizeOf: (key) => stringBytes(key) + 8 + ENTRY_OVERHEAD_BYTES,
});

const memoKey = (policy: RateLimitPolicy, address: string) => `${policy.requests}/${policy.windowSeconds}|${address}`;

/** The limit's answer for an address this isolate knows to be over it (no Redis call); null otherwise. */
export function knownThrottled(policy: RateLimitPolicy, address: string, at = Date.now()): RateLimitResult | null {
  const reset = throttled.get(memoKey(policy, address), at);
  if (reset === undefined || reset <= at) return null;
  return { success: false, limit: policy.requests, remaining: 0, reset };
}

/** Counts one failed authentication from `address`; once its window is full, this isolate remembers it. */
export async function countAuthFailure(config: LimiterConfig, policy: RateLimitPolicy, address: string): Promise<RateLimitResult> {
  const result = await limitRequest(config, policy, `ip:${address}`);
  if (!result.success || result.remaining <= 0) throttled.set(memoKey(policy, address), result.reset);
  return result;
}

/** Forgets what this isolate has learned (tests). */
export function forgetThrottledAddresses(): void {
  throttled.clear();
}
