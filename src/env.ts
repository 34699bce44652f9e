/**
 * The Worker's bindings and the Hono env built on them. wrangler.toml's bindings and vars come typed
 * from the generated `Env` (worker-configuration.d.ts, `npm run cf-typegen`); `Bindings` adds what
 * wrangler.toml cannot say: the secrets, the vars a deployment may leave unset, and the queues'
 * message types. Nothing reads the vars from here: src/config.ts parses them once per isolate.
 */
import type { AuthContext } from './auth/context';
import type { Timings } from './lib/timing';

export interface RenderJobMessage {
  renderId: string;
}

export interface WebhookMessage {
  deliveryId: string;
}

/** The bindings and vars of the Worker: what workerd passes as `env`. */
export interface Bindings extends Omit<Env, 'RENDER_JOBS' | 'WEBHOOKS' | OptionalVars> {
  RENDER_JOBS: Queue<RenderJobMessage>;
  WEBHOOKS: Queue<WebhookMessage>;
  /** Waits before each webhook retry, e.g. "5s,5m,30m,2h,5h,10h,10h" (the default when empty). */
  WEBHOOK_RETRY_SCHEDULE?: string;
  /** How long a receiver has to answer, in ms (at most and by default 15000; tests shorten it). */
  WEBHOOK_TIMEOUT_MS?: string;
  /** Upstash Redis REST endpoint and token (secrets); without them the limiter counts in memory. */
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  /** Failed authentications (missing, malformed, unknown or revoked keys) per client IP, e.g. "30/1m" (the default); "off" disables it. */
  AUTH_FAILURE_RATE_LIMIT?: string;
  /** Secret keying the sealing of stored idempotent responses (see src/idempotency/seal.ts). */
  IDEMPOTENCY_SECRET?: string;
  /** Secret (≥ 32 chars) signing expiring file URLs (see src/storage/signed-urls.ts); without it PDFs are refused. */
  FILE_SIGNING_SECRET?: string;
  /** The secret it replaced, still accepted (never used to sign) while URLs signed with it run out (24 h). */
  FILE_SIGNING_SECRET_PREVIOUS?: string;
  /**
   * The latency model (src/lib/region.ts), for `npm run dev` and the benchmark only: ms every D1,
   * R2, Redis and Queue operation waits, as if the primary region were that far away. Unset in
   * production (the model is off).
   */
  SIMULATED_RTT_MS?: string;
  /** What a D1 read through a Sessions API replica waits under the model (default 5). */
  SIMULATED_REPLICA_RTT_MS?: string;
  /** Optional JSON overriding the plans' quotas and rate limits (see src/quota/plans.ts). */
  PLANS?: string;
  /** Days a finished live render record is kept (default 30; its output stays). See src/config.ts. */
  RENDER_RETENTION_DAYS?: string;
  /** Days a finished test render record and its output are kept (default 7). */
  TEST_RENDER_RETENTION_DAYS?: string;
  /** Latest versions of a template an update keeps, besides pinned and queued ones (default 20). */
  TEMPLATE_VERSIONS_KEPT?: string;
}

/** Vars wrangler.toml sets but a deployment may drop: they have defaults (src/config.ts). */
type OptionalVars = 'AUTH_FAILURE_RATE_LIMIT' | 'WEBHOOK_RETRY_SCHEDULE' | 'RENDER_RETENTION_DAYS' | 'TEST_RENDER_RETENTION_DAYS' | 'TEMPLATE_VERSIONS_KEPT';

/**
 * The Hono env of the app: its bindings and the context variables the middleware sets. Here, not
 * beside the routes, because the middleware (auth, idempotency) is typed by it too and sits below
 * them. `auth` is set by the API-key middleware on every /api/v1 route except sign-up.
 */
export type AppEnv = { Bindings: Bindings; Variables: { requestId: string; auth: AuthContext; timings: Timings } };
