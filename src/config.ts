/**
 * The deployment's settings, parsed from the Worker's vars and secrets once per isolate (memoized
 * by the env object, and by its values, since tests hand the Worker envs of their own): plans, the rate limits and
 * the limiter's Redis, the remote-image and outbound URL policy, the render and webhook retry
 * settings, retention, and which secrets are present. Everything reads `config(env)`; only
 * bindings (DB, OUTPUT, FONTS, the queues) are still taken from `env` itself.
 *
 * Each var is parsed by its own zod schema, with the defaults and the tolerance it always had: a
 * setting read on every request whose mistake would fail them all (timeouts, the failed-auth
 * limit) falls back to its default, while a malformed PLANS, SIGNUP_RATE_LIMIT,
 * WEBHOOK_RETRY_SCHEDULE or retention var fails — but only what reads it, and on every read, so
 * one bad var does not take the rest of the Worker down with it.
 */
import { z } from 'zod';
import type { Bindings } from './env';
import { ProblemError } from './errors/problem';
import { type OutboundPolicy, outboundPolicy } from './lib/address-guard';
import { type Plan, parsePlans } from './quota/plans';
import { DEFAULT_AUTH_FAILURE_LIMIT } from './ratelimit/failed-auth';
import type { LimiterConfig, RateLimitPolicy } from './ratelimit/limiter';
import { parsePolicy } from './ratelimit/policy';
import { defaultEngine, type EngineName } from './render/engine';
import { REMOTE_IMAGE_LIMITS, type RemoteImagePolicy } from './render/images/remote-images';
import { DELIVERY_TIMEOUT_MS, parseSchedule } from './webhooks/schedule';

const DAY_MS = 24 * 3600_000;

/** Shortest FILE_SIGNING_SECRET accepted: anything shorter could be guessed offline from one signed URL. */
export const MIN_FILE_SIGNING_SECRET_LENGTH = 32;

/**
 * How long stored things live. D1 has a hard size cap after which every tenant's writes fail, so
 * everything a request stores must go away again; what must outlive it (the quota) lives in
 * `usage`, which is never swept. Enforced by the cron sweep (jobs/sweep.ts).
 */
export interface RetentionPolicy {
  /** Finished live render records are deleted this long after they were made (their outputs stay). */
  renderMs: number;
  /** Finished test render records, and the outputs no newer record still points at, go after this. */
  testRenderMs: number;
  /** An update keeps this many latest versions of a template (plus pinned and queued ones). */
  templateVersionsKept: number;
}

export interface Config {
  /** Host for returned URLs ('' when unset: the request's own origin is used where there is one). */
  readonly publicBaseUrl: string;
  /** Engine for PNG/WebP when neither the request nor the template names one. */
  readonly defaultEngine: EngineName;
  /** What remote images may be fetched from, and their limits (without the cache bucket). */
  readonly remoteImages: RemoteImagePolicy;
  /** The same SSRF guard for webhook endpoints. */
  readonly outbound: OutboundPolicy;
  /** Queue attempts before a render job is marked failed. */
  readonly renderMaxAttempts: number;
  readonly limiter: LimiterConfig;
  /** Sign-ups per client IP; null when off. Throws when SIGNUP_RATE_LIMIT is malformed. */
  readonly signupLimit: RateLimitPolicy | null;
  /** Failed authentications per client IP; null when off (a malformed value is the default). */
  readonly authFailureLimit: RateLimitPolicy | null;
  /** The plans in force: the defaults merged with PLANS. Throws when PLANS is malformed. */
  readonly plans: Record<string, Plan>;
  /** Seconds to wait before each webhook retry. Throws when WEBHOOK_RETRY_SCHEDULE is malformed. */
  readonly webhookRetrySchedule: readonly number[];
  /** How long a webhook receiver has to answer. */
  readonly webhookTimeoutMs: number;
  /** Throws when a retention var is malformed. */
  readonly retention: RetentionPolicy;
  readonly idempotencySecret: string | undefined;
  /** The secret signing file URLs, or null when it is missing or too short. */
  readonly fileSigningSecret: string | null;
  /** The secret it replaced, or null when unset or too short. */
  readonly fileSigningSecretPrevious: string | null;
}

/** A whole number above zero read as parseInt reads it ("500ms" is 500), else `fallback`. */
const positiveInt = (fallback: number, max = Number.POSITIVE_INFINITY) =>
  z.unknown().transform((value) => {
    const n = Number.parseInt(value == null ? '' : String(value), 10);
    return n > 0 && n <= max ? n : fallback;
  });

/** A whole number from 1 to `max`, or `fallback` when unset or empty; anything else is refused. */
const count = (fallback: number, max: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      const text = value?.trim();
      if (!text) return fallback;
      const n = Number(text);
      if (!Number.isInteger(n) || n < 1 || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number from 1 to ${max}, not "${text}"` });
        return z.NEVER;
      }
      return n;
    });

const optionalText = z.string().optional();
/** An empty value counts as unset. */
const presentText = optionalText.transform((value) => value || undefined);
const signingSecret = optionalText.transform((value) => (value && value.length >= MIN_FILE_SIGNING_SECRET_LENGTH ? value : null));

/** One schema per var. The parsers that throw (plans, policies, schedule) name the var themselves. */
const VARS = {
  PUBLIC_BASE_URL: z.string().default(''),
  DEFAULT_ENGINE: optionalText.transform(defaultEngine),
  REMOTE_IMAGE_INSECURE_HOSTS: optionalText.transform(outboundPolicy),
  RENDER_MAX_ATTEMPTS: positiveInt(4),
  RATE_LIMIT_TIMEOUT_MS: positiveInt(200),
  UPSTASH_REDIS_REST_URL: presentText,
  UPSTASH_REDIS_REST_TOKEN: presentText,
  SIGNUP_RATE_LIMIT: optionalText.transform((value) => parsePolicy('signup', value)),
  AUTH_FAILURE_RATE_LIMIT: optionalText.transform(authFailureLimit),
  PLANS: optionalText.transform(parsePlans),
  WEBHOOK_RETRY_SCHEDULE: optionalText.transform(parseSchedule),
  WEBHOOK_TIMEOUT_MS: positiveInt(DELIVERY_TIMEOUT_MS, DELIVERY_TIMEOUT_MS),
  RENDER_RETENTION_DAYS: count(30, 3650),
  TEST_RENDER_RETENTION_DAYS: count(7, 3650),
  TEMPLATE_VERSIONS_KEPT: count(20, 1000),
  IDEMPOTENCY_SECRET: optionalText,
  FILE_SIGNING_SECRET: signingSecret,
  FILE_SIGNING_SECRET_PREVIOUS: signingSecret,
} satisfies { [K in keyof Bindings]?: z.ZodType };

type VarName = keyof typeof VARS;
type Vars = { readonly [K in VarName]: z.output<(typeof VARS)[K]> };
/** What config() reads: the Worker's env, or any object with some of its vars (tests). */
export type ConfigSource = { readonly [K in VarName]?: string | undefined };

/** It is read on every /api/v1 request, so a malformed value is logged and the default used, rather than failing every request. */
function authFailureLimit(value: string | undefined): RateLimitPolicy | null {
  const text = value || DEFAULT_AUTH_FAILURE_LIMIT;
  try {
    return parsePolicy('auth_failures', text);
  } catch (err) {
    console.error(`AUTH_FAILURE_RATE_LIMIT "${text}" cannot be read (${(err as Error).message}); using ${DEFAULT_AUTH_FAILURE_LIMIT}`);
    return parsePolicy('auth_failures', DEFAULT_AUTH_FAILURE_LIMIT);
  }
}

/** A var's reader: its value, or the error its parse ended in, thrown on every read. */
function parseVar(name: VarName, raw: string | undefined): () => unknown {
  let error: unknown;
  try {
    const result = VARS[name].safeParse(raw);
    if (result.success) {
      const value = result.data;
      return () => value;
    }
    error = new Error(`${name} is not valid: ${z.prettifyError(result.error)}`);
  } catch (err) {
    // a parser's own error as it was thrown (PLANS that is not JSON, a schedule step unlike "5m")
    error = err;
  }
  return () => {
    throw error;
  };
}

/** Every var parsed; one that failed throws to whoever reads it, and only to them. */
function parseVars(env: ConfigSource): Vars {
  const vars = {};
  for (const name of Object.keys(VARS) as VarName[]) Object.defineProperty(vars, name, { get: parseVar(name, env[name]), enumerable: true });
  return vars as Vars;
}

function build(env: ConfigSource): Config {
  const v = parseVars(env);
  const outbound = v.REMOTE_IMAGE_INSECURE_HOSTS;
  const remoteImages: RemoteImagePolicy = { ...REMOTE_IMAGE_LIMITS, ...outbound };
  const limiter: LimiterConfig = { url: v.UPSTASH_REDIS_REST_URL, token: v.UPSTASH_REDIS_REST_TOKEN, timeoutMs: v.RATE_LIMIT_TIMEOUT_MS };
  let retention: RetentionPolicy | undefined;
  return {
    publicBaseUrl: v.PUBLIC_BASE_URL,
    defaultEngine: v.DEFAULT_ENGINE,
    remoteImages,
    outbound,
    renderMaxAttempts: v.RENDER_MAX_ATTEMPTS,
    limiter,
    get signupLimit() {
      return v.SIGNUP_RATE_LIMIT;
    },
    authFailureLimit: v.AUTH_FAILURE_RATE_LIMIT,
    get plans() {
      return v.PLANS;
    },
    get webhookRetrySchedule() {
      return v.WEBHOOK_RETRY_SCHEDULE;
    },
    webhookTimeoutMs: v.WEBHOOK_TIMEOUT_MS,
    get retention() {
      retention ??= {
        renderMs: v.RENDER_RETENTION_DAYS * DAY_MS,
        testRenderMs: v.TEST_RENDER_RETENTION_DAYS * DAY_MS,
        templateVersionsKept: v.TEMPLATE_VERSIONS_KEPT,
      };
      return retention;
    },
    idempotencySecret: v.IDEMPOTENCY_SECRET,
    fileSigningSecret: v.FILE_SIGNING_SECRET,
    fileSigningSecretPrevious: v.FILE_SIGNING_SECRET_PREVIOUS,
  };
}

const configs = new WeakMap<ConfigSource, Config>();
/** The vars of the config built last: workerd may hand each request a new env object holding the same values. */
let last: { source: string; config: Config } | undefined;

/** The settings of this env, parsed on its first use in the isolate. */
export function config(env: ConfigSource): Config {
  const known = configs.get(env);
  if (known) return known;
  const source = JSON.stringify((Object.keys(VARS) as VarName[]).map((name) => env[name] ?? null));
  if (last?.source !== source) last = { source, config: build(env) };
  configs.set(env, last.config);
  return last.config;
}

/**
 * The secret to sign file URLs with. Throws `signing_unavailable` (503) when it is missing or too
 * short: private files are then refused rather than served from unsigned or guessable URLs.
 */
export function fileSigningSecret(settings: Pick<Config, 'fileSigningSecret'>): string {
  const secret = settings.fileSigningSecret;
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
export function fileVerificationSecrets(settings: Pick<Config, 'fileSigningSecret' | 'fileSigningSecretPrevious'>): string[] {
  const secrets = [fileSigningSecret(settings)];
  if (settings.fileSigningSecretPrevious) secrets.push(settings.fileSigningSecretPrevious);
  return secrets;
}

/**
 * The remote-image policy a render fetches under: the configured one, with the output bucket as
 * the cache of fetched images (kept a day, render/images/image-cache.ts).
 */
export function renderImagePolicy(env: Bindings): RemoteImagePolicy {
  return { ...config(env).remoteImages, cache: env.OUTPUT };
}
