/**
 * GET /og/<template>.<png|webp>?<vars>&kid=…[&exp=…]&s=… — the image of a signed og:image URL, in
 * one answer (README "Signed og:image URLs").
 *
 * 1. The URL is read and its canonical form computed (canonical.ts); its `kid` is looked up
 *    (signing-keys.ts: this isolate's memory, else the nearest D1 replica) and the signature and
 *    expiry checked. Anything wrong is an OgUrlError: the route answers 403 (404 for a path that
 *    names no template), and nothing else happens.
 * 2. The colo's Cache API, keyed by the canonical form (so re-encoded and re-ordered spellings of a
 *    URL share an entry): a hit answers at once — no unit, no round trip to the primary region.
 * 3. A miss renders through the generate path itself (jobs/create.ts `createImageRender`), as the
 *    key's account, live: one quota unit from its lease, a render record, the content cache (an
 *    image made before, by this URL or by the API, costs nothing). Concurrent misses of one URL in
 *    an isolate share one render (crawlers fetch a new link several times at once).
 * 4. What cannot render — vars the template refuses, over quota, a remote logo down, an engine
 *    error, the account's og rate limit — answers 200 with the template's fallback image
 *    (fallback.ts), `Cache-Control: public, max-age=60` and `X-PicStream-Error: <code>`; the
 *    failure is a failed render in the account's history and a `render.failed` webhook (except
 *    `rate_limited`: recording every refused request of a flood would be the flood's work again).
 *    An unknown template is 404, as asked: there is no template whose fallback to draw.
 *
 * Lifetimes (Cache-Control, and so the Cache API's): a pinned `tpl_…@N` is immutable (a year); a
 * built-in template, a day (a deploy that changes it shows within a day); an account's current
 * version (`tpl_…`), an hour — an update of the template shows on its URLs within an hour. Never
 * past the URL's `exp`.
 */
import type { AuthContext } from '../auth/context';
import { config } from '../config';
import type { RenderRow } from '../db/renders';
import type { Bindings } from '../env';
import { ProblemError } from '../errors/problem';
import { createImageRender, recordRefusal } from '../jobs/create';
import { BoundedMap } from '../lib/bounded-map';
import { ENTRY_OVERHEAD_BYTES, stringBytes } from '../lib/caches';
import { offThePath } from '../lib/region';
import { now } from '../lib/time';
import type { Timings } from '../lib/timing';
import { trimEnd } from '../lib/trim';
import { currentPeriod } from '../quota/period';
import { countAuthFailure, knownThrottled } from '../ratelimit/failed-auth';
import { enforceLimit, limitRequest } from '../ratelimit/limiter';
import { planPolicy } from '../ratelimit/policy';
import { accountTemplates, onlyTemplate, type ResolvedImageTemplate, resolveImageTemplate } from '../renders/resolve';
import { IMMUTABLE_CACHE_CONTROL } from '../storage/outputs';
import { announceRender } from '../webhooks/events';
import { type OgUrl, OgUrlError, ogVars, parseOgUrl, verifyOgUrl } from './canonical';
import { fallbackImage, type OgImage, outputBytes } from './fallback';
import { signingKeyOwner, signingKeySeen } from './signing-keys';

export const FALLBACK_CACHE_CONTROL = 'public, max-age=60';
const HOUR = 3600;
const DAY = 86_400;

export interface OgContext {
  /** The deployment's public origin (where the image and Cache API keys live). */
  baseUrl: string;
  waitUntil: (work: Promise<unknown>) => void;
  timings: Timings;
  /** The client's address, for the limit on failed authentications (unknown kids count as those). */
  clientIp: string;
}

export interface OgAnswer {
  bytes: Uint8Array | ReadableStream | null;
  headers: Headers;
}

/** The answer to an og URL (`segment`: its last path segment as it came; `search`: its query string). Throws OgUrlError or a 404 ProblemError. */
export async function serveOg(env: Bindings, segment: string, search: string, ctx: OgContext): Promise<OgAnswer> {
  const url = parseOgUrl(segment, search);
  const { period } = currentPeriod();
  // an address over its limit of failed authentications (API keys or kids) looks up no kid this isolate has not seen
  const failures = config(env).authFailureLimit;
  if (failures && !signingKeySeen(url.kid)) {
    const over = knownThrottled(failures, ctx.clientIp);
    if (over) enforceLimit(failures, over, (wait) => `Too many unknown URL-signing keys from this address; retry in ${wait} s.`);
  }
  const key = await ctx.timings.measure('auth', () => signingKeyOwner(env.DB, url.kid, period, (work) => ctx.waitUntil(offThePath(work))));
  if (!key) {
    if (failures) ctx.waitUntil(offThePath(() => countAuthFailure(config(env).limiter, failures, ctx.clientIp)).catch(() => {}));
    throw new OgUrlError('signing_key_invalid', `The URL-signing key ${url.kid} is unknown or was deleted`);
  }
  const nowSeconds = Math.floor(now() / 1000);
  await verifyOgUrl(url, key.secret, nowSeconds);

  const cacheKey = new Request(`${trimEnd(ctx.baseUrl, '/')}${url.canonical}`);
  const cached = await ctx.timings.measure('cache', () => caches.default.match(cacheKey).catch(() => undefined));
  if (cached?.ok) {
    const headers = new Headers(cached.headers);
    // a kept answer's lifetime counts down to the URL's expiry
    if (url.exp !== undefined) headers.set('Cache-Control', capped(headers.get('cache-control') ?? '', url.exp - nowSeconds));
    return { bytes: cached.body, headers };
  }

  const owner: AuthContext = {
    accountId: key.account_id,
    keyId: key.key_id,
    mode: 'live',
    plan: key.plan,
    monthlyQuota: key.monthly_quota,
    used: key.used,
    period: currentPeriod(),
  };
  const flight = `${owner.accountId}|${url.canonical}`;
  const image = (await remembered(env, flight, ctx, url, nowSeconds)) ?? (await shared(flight, ctx, () => produce(env, url, owner, ctx, nowSeconds)));
  const headers = new Headers({
    'Content-Type': image.contentType,
    'Content-Length': String(image.bytes.byteLength),
    ETag: image.etag,
    'Cache-Control': image.cacheControl,
    'X-Content-Type-Options': 'nosniff',
  });
  if (image.error) headers.set('X-PicStream-Error', image.error);
  ctx.waitUntil(caches.default.put(cacheKey, new Response(image.bytes, { headers })).catch((err) => console.error('caching an og image failed', err)));
  return { bytes: image.bytes, headers };
}

/** One production per URL in this isolate at a time; it outlives the request that started it (others wait on it). */
function shared(flight: string, ctx: OgContext, make: () => Promise<Made>): Promise<Made> {
  let made = inFlight.get(flight);
  if (!made) {
    made = make().finally(() => inFlight.delete(flight));
    inFlight.set(flight, made);
    ctx.waitUntil(made.catch(() => {}));
  }
  return made;
}

/**
 * What this isolate answered for a URL lately, by its output's key (the Cache API is per colo and
 * absent on workers.dev; this keeps a crawler's repeats from drawing again, charging, recording
 * and counting against the account's og rate limit). Entries live as long as the answer's lifetime.
 */
const answers = new BoundedMap<string, { objectKey: string; cacheControl: string; until: number }>(4_000, DAY * 1000, {
  name: 'og answers',
  sizeOf: (flight, a) => stringBytes(flight) + stringBytes(a.objectKey) + stringBytes(a.cacheControl) + ENTRY_OVERHEAD_BYTES,
});

async function remembered(env: Bindings, flight: string, ctx: OgContext, url: OgUrl, nowSeconds: number): Promise<Made | undefined> {
  const known = answers.get(flight);
  if (!known || known.until <= now()) return undefined;
  const image = await outputBytes(env, ctx.baseUrl, known.objectKey);
  if (!image) {
    answers.delete(flight);
    return undefined;
  }
  return { ...image, cacheControl: url.exp !== undefined ? capped(known.cacheControl, url.exp - nowSeconds) : known.cacheControl };
}

/** `cacheControl` with its max-age at most `seconds` (and not immutable then). */
function capped(cacheControl: string, seconds: number): string {
  const maxAge = Number(/max-age=(\d+)/.exec(cacheControl)?.[1] ?? 0);
  return `public, max-age=${Math.max(0, Math.min(maxAge, seconds))}`;
}

interface Made extends OgImage {
  cacheControl: string;
  /** Set on a fallback: why the image could not be drawn. */
  error?: string;
}

/** og renders under way in this isolate, by account and canonical URL. */
const inFlight = new Map<string, Promise<Made>>();

async function produce(env: Bindings, url: OgUrl, owner: AuthContext, ctx: OgContext, nowSeconds: number): Promise<Made> {
  // first: every og miss of the account counts, whatever becomes of it (a malformed var costs a record)
  const settings = config(env);
  const limited = await ctx.timings.measure('ratelimit', () => limitRequest(settings.limiter, planPolicy(settings.plans, owner.plan), `og:${owner.accountId}`));
  if (limited.pending) ctx.waitUntil(limited.pending);

  let resolved: ResolvedImageTemplate | undefined;
  try {
    resolved = await resolveImageTemplate(url.template, accountTemplates(env.DB, owner.accountId));
  } catch (err) {
    // an unknown template (another account's tpl_… is unknown to this one): 404, nothing to fall back to
    if (err instanceof ProblemError && err.status === 404) throw err;
    if (err instanceof ProblemError && err.status < 500) throw new ProblemError('not_found', err.message);
    return fallback(env, url, owner, ctx, undefined, internal(err), nowSeconds);
  }
  if (!limited.success) {
    return fallback(env, url, owner, ctx, resolved, new ProblemError('rate_limited', 'Too many og renders for this account'), nowSeconds, { record: false });
  }

  const { template } = resolved;
  const parsed = ogVars(url, (name, value) => coerce(template.vars.shape[name], value));
  if ('errors' in parsed) {
    const invalid = new ProblemError('validation_failed', "The URL's vars do not match the template", { errors: parsed.errors });
    return fallback(env, url, owner, ctx, resolved, invalid, nowSeconds);
  }

  let failedRecord: { row: RenderRow; written: Promise<void> } | undefined;
  try {
    const created = await createImageRender(
      env,
      { template: url.template, vars: parsed.vars, format: url.format, scale: 1 },
      {
        owner,
        async: false,
        timings: ctx.timings,
        waitUntil: ctx.waitUntil,
        baseUrl: ctx.baseUrl,
        templates: resolved.user ? onlyTemplate(resolved.user) : accountTemplates(env.DB, owner.accountId),
        onFailed: (row, written) => {
          failedRecord = { row, written };
        },
      },
    );
    const objectKey = created.row.object_key as string;
    const image = await outputBytes(env, ctx.baseUrl, objectKey);
    if (!image) {
      console.error(`og render ${created.row.id}: output ${objectKey} not found after its render`);
      return fallback(env, url, owner, ctx, resolved, new ProblemError('render_failed', 'The image could not be read back'), nowSeconds, { record: false });
    }
    const cacheControl = lifetime(url, resolved, nowSeconds);
    const seconds = Number(/max-age=(\d+)/.exec(cacheControl)?.[1] ?? 0);
    answers.set(`${owner.accountId}|${url.canonical}`, { objectKey, cacheControl, until: now() + Math.min(seconds, DAY) * 1000 });
    return { ...image, cacheControl };
  } catch (err) {
    const problem = err instanceof ProblemError ? err : internal(err);
    return fallback(env, url, owner, ctx, resolved, problem, nowSeconds, failedRecord ? { recorded: failedRecord } : {});
  }
}

/** The fallback answer for `problem`, with its failure recorded and announced (unless told otherwise). */
async function fallback(
  env: Bindings,
  url: OgUrl,
  owner: AuthContext,
  ctx: OgContext,
  resolved: ResolvedImageTemplate | undefined,
  problem: ProblemError,
  nowSeconds: number,
  options: { record?: boolean; recorded?: { row: RenderRow; written: Promise<void> } } = {},
): Promise<Made> {
  if (options.record !== false) {
    const recorded =
      options.recorded ??
      recordRefusal(
        env,
        owner,
        {
          template: url.template,
          ...(resolved ? { version: resolved.version, size: resolved.template.size } : {}),
          format: url.format,
          code: problem.code,
          message: problemMessage(problem),
        },
        ctx.waitUntil,
      );
    ctx.waitUntil(
      offThePath(async () => {
        await recorded.written;
        await announceRender(env, recorded.row);
      }).catch((err) => console.error('announcing an og render failure failed', err)),
    );
  }
  const image = await fallbackImage(env, owner, resolved, url.format, ctx);
  const cacheControl = url.exp !== undefined ? capped(FALLBACK_CACHE_CONTROL, url.exp - nowSeconds) : FALLBACK_CACHE_CONTROL;
  return { ...image, cacheControl, error: problem.code };
}

/** A problem's message with its field errors, for the render history. */
function problemMessage(problem: ProblemError): string {
  const fields = problem.errors?.map((e) => `${e.path}: ${e.message}`).join('; ');
  return fields ? `${problem.message} (${fields})` : problem.message;
}

function internal(err: unknown): ProblemError {
  console.error('og render failed', err);
  return new ProblemError('render_failed', 'The image could not be drawn', { cause: err });
}

/** How long an og image may be kept: by how its template is named, never past the URL's expiry. */
function lifetime(url: OgUrl, resolved: ResolvedImageTemplate, nowSeconds: number): string {
  const pinned = resolved.user !== undefined && url.template.includes('@');
  const seconds = pinned ? 365 * DAY : resolved.user ? HOUR : DAY;
  if (url.exp !== undefined) return `public, max-age=${Math.max(0, Math.min(seconds, url.exp - nowSeconds))}`;
  return pinned ? IMMUTABLE_CACHE_CONTROL : `public, max-age=${seconds}`;
}

/**
 * A flat parameter's value for the var `schema` describes: a number or boolean where the schema
 * wants one and the text is exactly one (`?stars=120`), else the text itself (which the schema
 * then judges).
 */
function coerce(schema: unknown, value: string): unknown {
  let type = schemaType(schema);
  for (let depth = 0; depth < 8 && (type === 'optional' || type === 'default' || type === 'nullable'); depth++) {
    schema = (schema as { def: { innerType: unknown } }).def.innerType;
    type = schemaType(schema);
  }
  if (type === 'number' && /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$/.test(value)) return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

function schemaType(schema: unknown): string | undefined {
  return (schema as { def?: { type?: string } } | undefined)?.def?.type;
}
