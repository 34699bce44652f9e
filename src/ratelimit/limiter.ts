/**
 * Request throttling: a sliding window per identifier (an API key, or a client IP for sign-up),
 * through @upstash/ratelimit on Upstash Redis (or any Redis behind an Upstash-REST server).
 *
 * It fails open. The limiter throttles; it is not the authority for anything billed (the quota
 * lives in D1). When Redis does not answer within RATE_LIMIT_TIMEOUT_MS (200 ms by default: an
 * Upstash call from a Worker takes a few ms), or the call fails, the
 * request goes through, the failure is logged, and the headers show the policy with the window
 * treated as unused. Blocked identifiers are remembered per isolate until their window resets
 * (the library's ephemeral cache), so a client hammering past its limit costs no Redis calls.
 *
 * A request far from its limit does not wait for Redis either (issue 17: Redis is one region away).
 * Every request's call is still sent; when this isolate's estimate of the window (estimate.ts: the
 * last count Redis gave, less the calls it has sent since) leaves at least max(2, 10 % of the limit)
 * after it, the request is answered from the estimate at once and its call runs in the background
 * (`pending`, for waitUntil), its answer updating the estimate. Near the limit, on first sight of an
 * identifier and past a window's reset, requests wait for Redis as before. The cost: other isolates'
 * requests since the last count are not seen, so as a window fills each isolate answering for the
 * identifier may let up to that margin through past the limit (none with one isolate).
 *
 * Without UPSTASH_REDIS_REST_URL (e.g. `npm run dev` on a machine with only Node) the same window
 * is counted in this isolate's memory instead: exact for a single local workerd, per-isolate (so
 * looser) if deployed that way, which is why a deployment should set the Upstash secrets.
 *
 * @upstash/ratelimit is pinned at 2.0.8: from 2.1 its Lua scripts start with
 * `#!lua flags=allow-key-locking`, a flag only Upstash's server accepts; Redis 7.0 rejects the
 * script, which would make every self-hosted deployment fail open for good.
 */
import { Ratelimit } from '@upstash/ratelimit';
import { Redis } from '@upstash/redis/cloudflare';
import { ProblemError } from '../errors/problem';
import { BoundedMap } from '../lib/bounded-map';
import { ENTRY_OVERHEAD_BYTES, stringBytes } from '../lib/caches';
import { offThePath, regionTrip } from '../lib/region';
import { type CountedWindow, estimateMargin, WindowEstimate } from './estimate';
import { MemoryWindow } from './memory';

export interface RateLimitPolicy {
  /** Names the policy in headers and keeps the windows of different policies apart. */
  name: string;
  requests: number;
  windowSeconds: number;
}

export interface RateLimitResult {
  success: boolean;
  limit: number;
  remaining: number;
  /** Epoch ms when the window has room again. */
  reset: number;
  /** Set when the count did not come from Redis. */
  degraded?: 'timeout' | 'error' | 'memory';
  /** Work the library left running (e.g. multi-region sync); hand it to waitUntil. */
  pending?: Promise<unknown>;
}

export interface LimiterConfig {
  url?: string;
  token?: string;
  timeoutMs: number;
}

const limiters = new Map<string, Ratelimit>();
const memory = new Map<string, MemoryWindow>();
/**
 * Identifiers known to be over their limit until a time (the library's ephemeral cache). The
 * library drops an entry only when that identifier comes back, so cap the map's size here.
 */
class CappedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }
  override set(key: K, value: V): this {
    if (this.size >= this.max && !this.has(key)) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return super.set(key, value);
  }
}
const blocked = new CappedMap<string, number>(10_000);
let redisClient: { id: string; redis: Redis } | undefined;

/**
 * `policy|identifier` → this isolate's estimate of its window. An estimate is void past its window's
 * reset, so an hour (the longest window configured, sign-up's) bounds how long one is worth keeping.
 */
const estimates = new BoundedMap<string, WindowEstimate>(10_000, 60 * 60_000, {
  name: 'rate-limit estimates',
  sizeOf: (key) => stringBytes(key) + 48 + ENTRY_OVERHEAD_BYTES,
});

function redisFor(url: string, token: string, timeoutMs: number): Redis {
  const id = `${url}|${token}|${timeoutMs}`;
  if (redisClient?.id !== id) {
    // No retries, and every call aborted after timeoutMs: a slow or absent Redis must not hold the
    // request (we fail open instead). Aborting the call itself, rather than racing it against a
    // timer (the library's own `timeout`), leaves no request running after the answer.
    const redis = new Redis({ url, token, retry: false, enableTelemetry: false, signal: () => AbortSignal.timeout(timeoutMs) });
    modelRegion(redis);
    redisClient = { id, redis };
  }
  return redisClient.redis;
}

/**
 * Every command the client sends first waits one round trip of the latency model (lib/region.ts;
 * nothing when it is off). The hook is the client's requester (`client`, protected in the typings):
 * every command and pipeline goes through its one `request`.
 */
function modelRegion(redis: Redis): void {
  const requester = (redis as unknown as { client: { request: (req: unknown) => Promise<unknown> } }).client;
  const send = requester.request.bind(requester);
  requester.request = async (req) => {
    await regionTrip();
    return send(req);
  };
}

function upstashLimiter(config: Required<Pick<LimiterConfig, 'url' | 'token'>> & LimiterConfig, policy: RateLimitPolicy): Ratelimit {
  const id = `${config.url}|${config.timeoutMs}|${policy.name}|${policy.requests}/${policy.windowSeconds}`;
  let limiter = limiters.get(id);
  if (!limiter) {
    limiter = new Ratelimit({
      redis: redisFor(config.url, config.token, config.timeoutMs),
      limiter: Ratelimit.slidingWindow(policy.requests, `${policy.windowSeconds} s`),
      prefix: `picstream:rl:${policy.name}:${policy.requests}:${policy.windowSeconds}`,
      timeout: 0, // the Redis client aborts instead (see redisFor)
      analytics: false,
      ephemeralCache: blocked,
    });
    limiters.set(id, limiter);
  }
  return limiter;
}

/**
 * Counts one request for `identifier` under `policy`: from this isolate's estimate when the window
 * is far from full (its Redis call then in `pending`), else from Redis. Never throws.
 */
export async function limitRequest(config: LimiterConfig, policy: RateLimitPolicy, identifier: string): Promise<RateLimitResult> {
  if (!config.url || !config.token) {
    const id = `${policy.name}:${policy.requests}:${policy.windowSeconds}`;
    let window = memory.get(id);
    if (!window) {
      window = new MemoryWindow(policy.requests, policy.windowSeconds * 1000);
      memory.set(id, window);
    }
    return { ...window.limit(identifier), degraded: 'memory' };
  }
  const limiter = upstashLimiter({ ...config, url: config.url, token: config.token }, policy);
  const key = `${policy.name}:${policy.requests}:${policy.windowSeconds}|${identifier}`;
  let estimate = estimates.get(key);
  if (!estimate) {
    estimate = new WindowEstimate(estimateMargin(policy.requests));
    estimates.set(key, estimate);
  }
  const local = estimate.answerLocally(Date.now());
  if (local) {
    const known = estimate;
    // the request does not wait for this call, so neither does its round-trip count (lib/region.ts)
    const pending = offThePath(async () => {
      const counted = await countInRedis(limiter, config, identifier);
      record(key, known, local.seq, counted);
      if (!('degraded' in counted)) await counted.pending;
    });
    return { success: true, limit: policy.requests, remaining: local.remaining, reset: local.reset, pending };
  }
  const seq = estimate.send();
  const counted = await countInRedis(limiter, config, identifier);
  record(key, estimate, seq, counted);
  if ('degraded' in counted) {
    return { success: true, limit: policy.requests, remaining: policy.requests, reset: Date.now() + policy.windowSeconds * 1000, degraded: counted.degraded };
  }
  // Redis's count, less this isolate's calls it has not counted yet (what the next answer starts from)
  const remaining = counted.success ? Math.min(counted.remaining, estimate.left) : 0;
  return { success: counted.success, limit: counted.limit, remaining, reset: counted.reset, pending: counted.pending };
}

type Counted = (CountedWindow & { limit: number; pending: Promise<unknown> }) | { degraded: 'timeout' | 'error' };

/** One call to Redis; a timeout or a failure is logged and reported as such (the caller fails open). */
async function countInRedis(limiter: Ratelimit, config: LimiterConfig, identifier: string): Promise<Counted> {
  try {
    const result = await limiter.limit(identifier);
    return { success: result.success, limit: result.limit, remaining: result.remaining, reset: result.reset, pending: result.pending };
  } catch (err) {
    if ((err as Error)?.name === 'TimeoutError') {
      console.warn(`rate limiter: Redis did not answer within ${config.timeoutMs} ms; letting the request through`);
      return { degraded: 'timeout' };
    }
    console.error('rate limiter: Redis call failed; letting the request through', err);
    return { degraded: 'error' };
  }
}

/** Updates an estimate with its call's answer, and marks it the most recently used. */
function record(key: string, estimate: WindowEstimate, seq: number, counted: Counted): void {
  estimate.answered(seq, 'degraded' in counted ? null : counted);
  // written again (not replaced: another request may hold it), so eviction takes the least recently answered
  if (estimates.get(key) === estimate) estimates.set(key, estimate);
}

/**
 * The response headers for a result: the de-facto `X-RateLimit-*` trio (reset as epoch seconds,
 * as GitHub and most APIs send it) and the IETF draft's `RateLimit-Policy` / `RateLimit`
 * (draft-ietf-httpapi-ratelimit-headers: quota `q`, window `w`, remaining `r`, seconds to reset `t`).
 */
export function rateLimitHeaders(policy: RateLimitPolicy, result: RateLimitResult, at = Date.now()): Record<string, string> {
  const secondsToReset = Math.max(0, Math.ceil((result.reset - at) / 1000));
  const remaining = Math.max(0, result.remaining);
  return {
    'X-RateLimit-Limit': String(result.limit),
    'X-RateLimit-Remaining': String(remaining),
    'X-RateLimit-Reset': String(Math.ceil(result.reset / 1000)),
    'RateLimit-Policy': `"${policy.name}";q=${policy.requests};w=${policy.windowSeconds}`,
    RateLimit: `"${policy.name}";r=${remaining};t=${secondsToReset}`,
  };
}

/** The response headers for a result — or, over the limit, the 429 `rate_limited` to throw, with Retry-After. */
export function enforceLimit(policy: RateLimitPolicy, result: RateLimitResult, describe: (waitSeconds: number) => string): Record<string, string> {
  const headers = rateLimitHeaders(policy, result);
  if (result.success) return headers;
  const wait = retryAfterSeconds(result);
  throw new ProblemError('rate_limited', describe(wait), { headers: { ...headers, 'Retry-After': String(wait) } });
}

/** Seconds a throttled client should wait: until its window has room, at least 1. */
export function retryAfterSeconds(result: RateLimitResult, at = Date.now()): number {
  return Math.max(1, Math.ceil((result.reset - at) / 1000));
}
