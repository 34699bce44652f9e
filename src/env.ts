/** Bindings and vars of the Worker (see wrangler.toml). */
export interface RenderJobMessage {
  renderId: string;
}

export interface WebhookMessage {
  deliveryId: string;
}

export interface AppEnv {
  DB: D1Database;
  OUTPUT: R2Bucket;
  RENDER_JOBS: Queue<RenderJobMessage>;
  WEBHOOKS: Queue<WebhookMessage>;
  /** Waits before each webhook retry, e.g. "5s,5m,30m,2h,5h,10h,10h" (the default when empty). */
  WEBHOOK_RETRY_SCHEDULE?: string;
  /** How long a receiver has to answer, in ms (at most and by default 15000; tests shorten it). */
  WEBHOOK_TIMEOUT_MS?: string;
  PUBLIC_BASE_URL: string;
  DEFAULT_ENGINE: string;
  REMOTE_IMAGE_INSECURE_HOSTS: string;
  RENDER_MAX_ATTEMPTS: string;
  /** Upstash Redis REST endpoint and token (secrets); without them the limiter counts in memory. */
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  /** How long a rate-limit check may wait for Redis before the request goes through anyway. */
  RATE_LIMIT_TIMEOUT_MS: string;
  /** Sign-ups per client IP, e.g. "10/1h"; "off" disables the throttle (local development). */
  SIGNUP_RATE_LIMIT: string;
  /** Secret keying the sealing of stored idempotent responses (see src/idempotency/seal.ts). */
  IDEMPOTENCY_SECRET?: string;
  /** Optional JSON overriding the plans' quotas and rate limits (see src/quota/plans.ts). */
  PLANS?: string;
}
