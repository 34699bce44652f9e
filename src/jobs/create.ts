/**
 * Creating renders (images and PDFs): the content-cache fast path, the sync render, and the async enqueue.
 * Every request gets its own render record, cached or not, owned by the caller's account.
 *
 * Quota: a cache hit charges nothing. A sync image charges its unit from this isolate's quota lease
 * (quota/leases.ts) and gives it back to the lease if it fails; a queued render or a PDF reserves
 * its units in the same D1 transaction that inserts its record, before any rendering, and they go
 * back if it fails (or, queued, finds its output already made). Test keys charge nothing.
 *
 * A sync image waits on nothing in the primary region (README "At the edge"): whether its output
 * exists comes from this isolate's memo or the colo's cache, a fresh image is published there before
 * the answer, and R2 and the record follow it (record-log.ts). A poll that reaches another isolate
 * before the record lands (≤ ~100 ms) may see 404 once.
 */
import type { AuthContext } from '../auth/context';
import { config, renderImagePolicy } from '../config';
import { familyFaces } from '../db/fonts';
import { failRender, insertRender, type NewRender, type RenderRow, slimFinished } from '../db/renders';
import type { Bindings } from '../env';
import { ProblemError } from '../errors/problem';
import { newId } from '../lib/ids';
import { offThePath } from '../lib/region';
import { isoNow, now } from '../lib/time';
import { Timings } from '../lib/timing';
import { type QuotaState, quotaExceeded, renderUnits } from '../quota/index';
import { type Charge, chargeUnits, quotaSeen } from '../quota/leases';
import { type ImageRequest, prepareImage } from '../renders/build-job';
import { type PdfRequest, preparePdf } from '../renders/build-pdf-job';
import { type AccountTemplates, accountTemplates } from '../renders/resolve';
import { cachedAtEdge, landed, publishAtEdge, storing } from '../storage/edge-outputs';
import { headOutput, putOutput } from '../storage/outputs';
import { rememberIfFinished, storedOutputs } from './memo';
import { recordFinished } from './record-log';
import { executeClaimed, finalFailure, LEASE_MS, type RenderJob, renderJob } from './run';

export interface CreateOptions {
  /** Who asks: the render is theirs, and charged to their quota. */
  owner: AuthContext;
  async: boolean;
  timings?: Timings;
  /** Runs work after the response (ExecutionContext.waitUntil); awaited inline when absent. */
  waitUntil?: (work: Promise<unknown>) => void;
  /** Where the answer's image URLs point (the route's base URL): a fresh image is cached at the edge under it. */
  baseUrl?: string;
  /** The templates the request may name (default: the owner's account's). */
  templates?: AccountTemplates;
  /** Told of a sync image render that failed once its record is written (the og route announces it). */
  onFailed?: (row: RenderRow, written: Promise<void>) => void;
}

export interface Created {
  row: RenderRow;
  /** The account's quota after this request. */
  quota: QuotaState;
}

export async function createImageRender(env: Bindings, req: ImageRequest, options: CreateOptions): Promise<Created> {
  const { owner } = options;
  const timings = options.timings ?? new Timings();
  const prepared = await timings.measure('validate', () =>
    prepareImage(
      { ...req, watermark: owner.mode === 'test' },
      {
        policy: config(env).remoteImages,
        defaultEngine: config(env).defaultEngine,
        fonts: { lookup: (family) => familyFaces(env.DB, owner.accountId, family) },
        templates: options.templates ?? accountTemplates(env.DB, owner.accountId),
      },
    ),
  );
  const { job } = prepared;
  const record: NewRender = {
    ...ownedBy(owner),
    type: 'image',
    template: job.template.id,
    template_version: job.template.version,
    engine: job.engine,
    format: job.format,
    width: job.width,
    height: job.height,
    scale: job.scale,
    vars: prepared.varsJson,
    cache_key: prepared.cacheKey,
    object_key: prepared.objectKey,
    units: renderUnits(owner),
    pages: null,
    font_faces: job.fonts ? JSON.stringify(job.fonts.map((f) => f.id)) : null,
    font_family: job.fontFamily ?? null,
  };
  return startRender(env, record, { kind: 'image', job }, { ...options, timings });
}

/**
 * A PDF: validated and paginated first (limits before any work), then the same cache, quota and
 * sync/async paths as an image, charging one unit per page.
 */
export async function createPdfRender(env: Bindings, req: PdfRequest, options: CreateOptions): Promise<Created> {
  const { owner } = options;
  const timings = options.timings ?? new Timings();
  const prepared = await timings.measure('validate', () => preparePdf({ ...req, watermark: owner.mode === 'test' }, owner.accountId, config(env).remoteImages));
  const first = prepared.job.sections[0] as (typeof prepared.job.sections)[number];
  const record: NewRender = {
    ...ownedBy(owner),
    type: 'pdf',
    template: prepared.label,
    template_version: prepared.job.sections.length === 1 ? first.template.version : 0,
    engine: 'satori',
    format: 'pdf',
    width: Math.round(first.page.width),
    height: Math.round(first.page.height),
    scale: 1,
    vars: prepared.specJson,
    cache_key: prepared.cacheKey,
    object_key: prepared.objectKey,
    units: renderUnits(owner, prepared.pages.length),
    pages: prepared.pages.length,
    font_faces: null,
    font_family: null,
  };
  return startRender(env, record, { kind: 'pdf', job: prepared.job, pages: prepared.pages }, { ...options, timings });
}

/** The content cache, then the queue (async) or the render itself (sync), for a prepared record. */
async function startRender(env: Bindings, record: NewRender, job: RenderJob, options: CreateOptions & { timings: Timings }): Promise<Created> {
  const started = now();
  const { owner, timings } = options;
  const units = record.units;
  const objectKey = record.object_key as string;
  const quotaBefore: QuotaState = quotaSeen(owner);

  // The content cache first: a hit charges nothing, queued or not. A sync image looks only where no
  // round trip is needed (this isolate, then the colo's cache); whether R2 has it is asked after the
  // answer (renderAtEdge). The rest asks R2.
  const atEdge = !options.async && job.kind === 'image';
  const base = baseUrlOf(env, options);
  const size =
    storedOutputs.get(objectKey) ??
    (await timings.measure('cache', async () => {
      if (!atEdge) return (await headOutput(env.OUTPUT, objectKey))?.size;
      const cached = await cachedAtEdge(base, objectKey);
      await cached?.body?.cancel();
      const length = cached?.headers.get('content-length');
      return length ? Number(length) : undefined;
    }));

  if (options.async) {
    // already made: queued all the same (the job finds it and completes at once), free
    const queued = size === undefined ? record : { ...record, units: 0 };
    const inserted = await timings.measure('db', () => insertRender(env.DB, queued, null, owner.monthlyQuota));
    if (!inserted) throw quotaExceeded(owner, units);
    try {
      await env.RENDER_JOBS.send({ renderId: record.id });
    } catch (err) {
      await failRender(env.DB, record.id, 'queue_unavailable', 'The job could not be queued', isoNow());
      throw new ProblemError('queue_unavailable', 'The render queue is unavailable; retry shortly.', { cause: err });
    }
    return { row: inserted.row, quota: { limit: owner.monthlyQuota, used: inserted.used ?? owner.used } };
  }

  if (size !== undefined) {
    const completion = { bytes: size, render_ms: now() - started, cached: true, completed_at: isoNow() };
    // slim, as D1 will hold it: the memo of finished renders keeps what a poll reads, not the vars
    const hit: NewRender = slimFinished({ ...record, units: 0 });
    const row = finishedRow(hit, completion);
    rememberIfFinished(row);
    const written = recordFinished(env.DB, { record: hit, completion }, options.waitUntil);
    if (!options.waitUntil) await written;
    return { row, quota: quotaBefore };
  }

  if (job.kind === 'image') return renderAtEdge(env, record, job, options);

  // Inserted already claimed: the sync path runs the job itself, so no separate claim round trip.
  // A charged render's record goes in with its reservation, before the render starts; an uncharged
  // one (test key) is written while the image renders, the runner waiting for it before recording
  // the outcome, so D1 and the renderer overlap.
  const leaseUntil = now() + LEASE_MS;
  let recorded: Promise<unknown> | undefined;
  let quota = quotaBefore;
  if (units > 0) {
    const inserted = await timings.measure('quota', () => insertRender(env.DB, record, leaseUntil, owner.monthlyQuota));
    if (!inserted) throw quotaExceeded(owner, units);
    quota = { limit: owner.monthlyQuota, used: inserted.used ?? owner.used };
  } else {
    recorded = insertRender(env.DB, record, leaseUntil, owner.monthlyQuota);
    recorded.catch(() => {}); // awaited by the runner; this only stops an early rejection going unhandled
  }
  const claimed: RenderRow = { ...pendingRow(record), status: 'running', attempts: 1, lease_until: leaseUntil };
  // The sync path does not retry: the caller is waiting and can retry the request itself.
  const outcome = await executeClaimed(env, claimed, { maxAttempts: 1, rethrow: true, knownMissing: true, job, recorded }, timings);
  if (outcome.kind !== 'finished' || !outcome.row) throw new Error(`render ${record.id} did not finish`);
  return { row: outcome.row, quota };
}

/**
 * A sync image render that waits on nothing in the primary region (issue 17): its unit comes from
 * this isolate's quota lease (quota/leases.ts), the image goes to the colo's cache and this
 * isolate's memory before the answer (storage/edge-outputs.ts), and the R2 put and the record
 * follow the answer (tried again on failure; jobs/record-log.ts). A failure gives the unit back to
 * the lease and is recorded too.
 */
async function renderAtEdge(
  env: Bindings,
  record: NewRender,
  job: Extract<RenderJob, { kind: 'image' }>,
  options: CreateOptions & { timings: Timings },
): Promise<Created> {
  const { owner, timings } = options;
  const inline: Promise<unknown>[] = [];
  const background = options.waitUntil ?? ((work: Promise<unknown>) => void inline.push(work));
  const started = now();
  let charge: Charge | null = null;
  let quota: QuotaState = quotaSeen(owner);
  if (record.units > 0) {
    charge = await timings.measure('quota', () => chargeUnits(env.DB, owner, record.units, background));
    if (!charge) throw quotaExceeded(owner, record.units);
    quota = charge.quota;
  }
  const policy = renderImagePolicy(env);
  let out: Awaited<ReturnType<typeof renderJob>>;
  try {
    out = await timings.measure('render', () => renderJob(env, job, record.id, null, policy));
  } catch (err) {
    const failure = finalFailure(err, record.id);
    charge?.refund();
    const failed = { record: { ...record, units: 0, lease_id: null }, failure: { code: failure.code, message: failure.message, completed_at: isoNow() } };
    const written = recordFinished(env.DB, failed, background);
    charge?.recorded(written);
    options.onFailed?.(failedRow(failed.record, failed.failure), written);
    if (!options.waitUntil) await Promise.all(inline);
    throw failure.problem;
  }
  const objectKey = record.object_key as string;
  await timings.measure('store', () => publishAtEdge(baseUrlOf(env, options), objectKey, out.bytes, out.contentType));
  const completion = { bytes: out.bytes.byteLength, render_ms: now() - started, cached: false, completed_at: isoNow() };
  const finished: NewRender = slimFinished({ ...record, lease_id: charge?.leaseId ?? null });
  const row: RenderRow = { ...finishedRow(finished, completion), attempts: 1 };
  rememberIfFinished(row);
  // After the answer: R2 first. An output another colo had already stored makes this render a cache
  // hit after all — its unit goes back and its record says cached — else the put (tried again on failure).
  const after = offThePath(async () => {
    const existing = await storeDurably(env.OUTPUT, objectKey, out);
    if (existing) charge?.refund();
    const recorded = existing
      ? { record: { ...finished, units: 0, lease_id: null }, completion: { ...completion, cached: true } }
      : { record: finished, completion };
    const written = recordFinished(env.DB, recorded, background);
    charge?.recorded(written);
    await written;
  });
  background(storing(after));
  if (!options.waitUntil) await Promise.all(inline);
  return { row, quota };
}

/** Where the answer's image URLs point, and so the key the edge cache holds a fresh image under. */
function baseUrlOf(env: Bindings, options: CreateOptions): string {
  return options.baseUrl ?? config(env).publicBaseUrl;
}

const STORE_ATTEMPTS = 4;

/**
 * The R2 put of an output already answered, unless R2 has it already (made by a render elsewhere;
 * returns true): tried again on failure, the isolate's copy kept until it lands.
 */
async function storeDurably(
  bucket: R2Bucket,
  objectKey: string,
  out: { bytes: Uint8Array; contentType: string; meta: Record<string, string> },
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      if (attempt === 1 && (await headOutput(bucket, objectKey))) {
        landed(objectKey);
        return true;
      }
      await putOutput(bucket, objectKey, out.bytes, out.contentType, out.meta);
      landed(objectKey);
      return false;
    } catch (err) {
      if (attempt >= STORE_ATTEMPTS) {
        // still served from the colo's cache and this isolate's copy; a later render of the same content stores it
        console.error(`storing ${objectKey} failed after ${attempt} attempts`, err);
        storedOutputs.delete(objectKey);
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}

/** A new render's identity and owner: who asked, with which key, charged to which period. */
function ownedBy(owner: AuthContext): Pick<NewRender, 'id' | 'created_at' | 'account_id' | 'key_id' | 'mode' | 'quota_period'> {
  return { id: newId('rnd'), created_at: isoNow(), account_id: owner.accountId, key_id: owner.keyId, mode: owner.mode, quota_period: owner.period.period };
}

/** A new record as D1 holds it before anything happens to it. */
function pendingRow(r: NewRender): RenderRow {
  return {
    ...r,
    lease_id: r.lease_id ?? null,
    status: 'pending',
    attempts: 0,
    lease_until: null,
    bytes: null,
    render_ms: null,
    cached: null,
    error_code: null,
    error_message: null,
    completed_at: null,
  };
}

/** The row the record log will write, built in memory so the response need not wait for it. */
function finishedRow(r: NewRender, c: { bytes: number; render_ms: number; cached: boolean; completed_at: string }): RenderRow {
  return { ...pendingRow(r), status: 'complete', bytes: c.bytes, render_ms: c.render_ms, cached: c.cached ? 1 : 0, completed_at: c.completed_at };
}

/** The row the record log will write for a failure. */
function failedRow(r: NewRender, f: { code: string; message: string; completed_at: string }): RenderRow {
  return { ...pendingRow(slimFinished(r)), status: 'failed', error_code: f.code, error_message: f.message, completed_at: f.completed_at };
}

/** What a refused request was for, as far as it got: the template it named and what it could read of it. */
export interface Refused {
  template: string;
  version?: number;
  format: 'png' | 'webp';
  size?: { width: number; height: number };
  code: string;
  message: string;
}

/**
 * Records an image request refused before it rendered (vars that fail the template, over quota) as
 * a failed render of `owner`'s, charged nothing, through the record log. The og route uses it: a
 * site's og URL has no caller to tell, so its failures go where the owner sees them. Returns the
 * row and when it lands.
 */
export function recordRefusal(
  env: Bindings,
  owner: AuthContext,
  refused: Refused,
  waitUntil?: (work: Promise<unknown>) => void,
): { row: RenderRow; written: Promise<void> } {
  const record: NewRender = {
    ...ownedBy(owner),
    type: 'image',
    template: refused.template,
    template_version: refused.version ?? 0,
    engine: config(env).defaultEngine,
    format: refused.format,
    width: refused.size?.width ?? 0,
    height: refused.size?.height ?? 0,
    scale: 1,
    vars: '',
    cache_key: '',
    object_key: null,
    units: 0,
    pages: null,
    font_faces: null,
    font_family: null,
  };
  const failure = { code: refused.code, message: refused.message.slice(0, 1000), completed_at: isoNow() };
  return { row: failedRow(record, failure), written: recordFinished(env.DB, { record, failure }, waitUntil) };
}
