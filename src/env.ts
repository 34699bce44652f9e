/** Bindings and vars of the Worker (see wrangler.toml), and the Hono env built on them. */
import type { AuthContext } from './auth/context';
import { ProblemError } from './errors/problem';
import type { Timings } from './lib/timing';

export interface RenderJobMessage {
  renderId: string;
}

export interface WebhookMessage {
  deliveryId: string;
}

export interface AppEnv {
  DB: D1Database;
  OUTPUT: R2Bucket;
  /** Fallback fonts and emoji, seeded by scripts/seed-fonts.mjs (see src/fonts/text-assets.ts); uploaded fonts under custom/ (src/fonts/custom.ts). */
  FONTS: R2Bucket;
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
  /** Failed authentications (missing, malformed, unknown or revoked keys) per client IP, e.g. "30/1m" (the default); "off" disables it. */
  AUTH_FAILURE_RATE_LIMIT?: string;
  /** Secret keying the sealing of stored idempotent responses (see src/idempotency/seal.ts). */
  IDEMPOTENCY_SECRET?: string;
  /** Secret (≥ 32 chars) signing expiring file URLs (see src/storage/signed-urls.ts); without it PDFs are refused. */
  FILE_SIGNING_SECRET?: string;
  /** The secret it replaced, still accepted (never used to sign) while URLs signed with it run out (24 h). */
  FILE_SIGNING_SECRET_PREVIOUS?: string;
  /** Optional JSON overriding the plans' quotas and rate limits (see src/quota/plans.ts). */
  PLANS?: string;
  /** Days a finished live render record is kept (default 30; its output stays). See src/jobs/retention.ts. */
  RENDER_RETENTION_DAYS?: string;
  /** Days a finished test render record and its output are kept (default 7). */
  TEST_RENDER_RETENTION_DAYS?: string;
  /** Latest versions of a template an update keeps, besides pinned and queued ones (default 20). */
  TEMPLATE_VERSIONS_KEPT?: string;
}

/**
 * The Hono env of the app: its bindings and the context variables the middleware sets. Here, not
 * beside the routes, because the middleware (auth, idempotency) is typed by it too and sits below
 * them. `auth` is set by the API-key middleware on every /api/v1 route except sign-up.
 */
export type HonoEnv = { Bindings: AppEnv; Variables: { requestId: string; auth: AuthContext; timings: Timings } };

/** Shortest FILE_SIGNING_SECRET accepted: anything shorter could be guessed offline from one signed URL. */
export const MIN_FILE_SIGNING_SECRET_LENGTH = 32;

/** The secret to sign file URLs with, or null when it is missing or too short. */
export function usableFileSigningSecret(env: Pick<AppEnv, 'FILE_SIGNING_SECRET'>): string | null {
  const secret = env.FILE_SIGNING_SECRET;
  return secret && secret.length >= MIN_FILE_SIGNING_SECRET_LENGTH ? secret : null;
}

/**
 * The secret to sign file URLs with. Throws `signing_unavailable` (503) when it is missing or too
 * short: private files are then refused rather than served from unsigned or guessable URLs.
 */
export function fileSigningSecret(env: Pick<AppEnv, 'FILE_SIGNING_SECRET'>): string {
  const secret = usableFileSigningSecret(env);
  if (!secret) {
    throw new ProblemError(
      'signing_unavailable',
      `Private file URLs are unavailable: FILE_SIGNING_SECRET is not set (or shorter than ${MIN_FILE_SIGNING_SECRET_LENGTH} characters)`,
    );
  }
  return secret;
}

/**
 * The secrets a file URL may be signed with: the current one (or `signing_unavailable`, as above),
 * then FILE_SIGNING_SECRET_PREVIOUS when it is set and long enough (a short one is ignored).
 */
export function fileVerificationSecrets(env: Pick<AppEnv, 'FILE_SIGNING_SECRET' | 'FILE_SIGNING_SECRET_PREVIOUS'>): string[] {
  const secrets = [fileSigningSecret(env)];
  const previous = env.FILE_SIGNING_SECRET_PREVIOUS;
  if (previous && previous.length >= MIN_FILE_SIGNING_SECRET_LENGTH) secrets.push(previous);
  return secrets;
}
