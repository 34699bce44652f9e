/**
 * The one job runner, shared by the sync path and the queue consumer.
 *
 * At-least-once delivery is made safe by a claim with a lease in D1: only the runner whose
 * conditional UPDATE returns the row renders it; a duplicate message finds the job finished (and
 * does nothing) or claimed (and comes back after the lease). A job that fails for a reason that
 * retrying cannot fix (bad remote image, template gone) fails at once; any other error is retried
 * until `maxAttempts`, then the job is marked failed with a stable code.
 */
import { config, renderImagePolicy } from '../config';
import { fontsByIds } from '../db/fonts';
import { claimRender, completeRender, failRender, getRender, type RenderRow, releaseRender } from '../db/renders';
import type { Bindings } from '../env';
import { ProblemError } from '../errors/problem';
import type { FontFace } from '../fonts/custom';
import { isoNow, now } from '../lib/time';
import { Timings } from '../lib/timing';
import type { ImageFormat } from '../render/engine';
import type { RemoteImagePolicy } from '../render/images/remote-images';
import { type ImageJob, renderDocument } from '../render/index';
import type { LaidOutPage, PdfJob } from '../render/pdf/index';
import { buildImageJob } from '../renders/build-job';
import { pdfJobFromSpec } from '../renders/build-pdf-job';
import { drawImage } from '../renders/draw';
import { accountTemplates, resolveRecordedImageTemplate } from '../renders/resolve';
import { headOutput, putOutput } from '../storage/outputs';
import { isUserTemplateId } from '../user-templates/compile';
import { rememberIfFinished } from './memo';

/** How long a claim holds before another runner may take over a job whose runner died. */
export const LEASE_MS = 60_000;

export type RunOutcome =
  | { kind: 'finished'; row: RenderRow | null }
  | { kind: 'busy'; retryAfterSeconds: number }
  | { kind: 'retry'; delaySeconds: number; error: string };

/** Exponential backoff for render retries: 2 s, 4 s, 8 s … capped at 5 minutes. */
export function retryDelaySeconds(attempt: number): number {
  return Math.min(2 ** attempt, 300);
}

/**
 * What a runner renders: an image or a PDF — the latter with the pages the request already laid
 * out to count them (the sync path), which spares laying them out again when no image changes them.
 */
export type RenderJob = { kind: 'image'; job: ImageJob } | { kind: 'pdf'; job: PdfJob; pages?: LaidOutPage[] };

/**
 * A queued render's job, rebuilt by the same builder as a sync one (renders/build-job.ts) from what
 * its record holds: the template at the version it named, the validated vars, the engine and size
 * chosen then, and the very faces it counted (a face deleted since is a permanent failure).
 */
async function jobFromRow(env: Bindings, row: RenderRow, policy: RemoteImagePolicy): Promise<RenderJob> {
  if (row.type === 'pdf') return { kind: 'pdf', job: pdfJobFromSpec(row.vars, row.mode === 'test') };
  const resolved = await resolveRecordedImageTemplate(row.template, row.template_version, accountTemplates(env.DB, row.account_id));
  let recorded: FontFace[] | undefined;
  let fontFamily = row.font_family ?? undefined;
  if (row.font_faces && row.account_id) {
    const ids = JSON.parse(row.font_faces) as string[];
    recorded = await fontsByIds(env.DB, row.account_id, ids);
    if (recorded.length !== ids.length) {
      const path = row.font_family ? 'font_family' : 'template';
      throw new ProblemError('font_family_unknown', `${path}: a face of a font family it draws with was deleted before the queued render ran`, {
        errors: [{ path, message: 'a face of this family was deleted' }],
      });
    }
    // renders queued before the font_family column: a built-in template's faces were its font_family's
    fontFamily ??= isUserTemplateId(row.template) ? undefined : recorded[0]?.family;
  }
  const { job } = await buildImageJob(
    resolved,
    {
      vars: JSON.parse(row.vars) as Record<string, unknown>,
      format: row.format as ImageFormat,
      engine: row.engine,
      width: row.width,
      height: row.height,
      scale: row.scale,
      watermark: row.mode === 'test',
      ...(fontFamily !== undefined ? { font_family: fontFamily } : {}),
    },
    // the policy the render fetches under: the URLs are checked again now, as a sync render's were
    { policy, defaultEngine: config(env).defaultEngine, fonts: { recorded } },
  );
  return { kind: 'image', job };
}

interface Rendered {
  bytes: Uint8Array;
  contentType: string;
  meta: Record<string, string>;
}

/** Renders a job to the bytes to store, and the metadata the stored object carries. */
export async function renderJob(env: Bindings, job: RenderJob, id: string, expectedPages: number | null, policy: RemoteImagePolicy): Promise<Rendered> {
  if (job.kind === 'image') {
    const out = await drawImage(job.job, policy, env.FONTS);
    return { bytes: out.bytes, contentType: out.contentType, meta: { template: job.job.template.id, engine: job.job.engine, render_id: id } };
  }
  const multi = job.job.sections.length > 1;
  const out = await renderDocument(job.job, policy, (i) => (multi ? `pages.${i}.` : ''), job.pages);
  // the units were charged for the pages counted before rendering: the document must have exactly those
  if (expectedPages !== null && out.pages !== expectedPages) throw new Error(`render ${id} made ${out.pages} pages, ${expectedPages} were counted`);
  const meta: Record<string, string> = {
    template: [...new Set(job.job.sections.map((s) => s.template.id))].join('+').slice(0, 200),
    pages: String(out.pages),
    // how many pages the direct path drew (the rest went through satori): what the benchmark and tests look at
    direct_pages: String(out.direct),
    render_id: id,
  };
  meta.filename = `${job.job.title || meta.template}.pdf`;
  return { bytes: out.bytes, contentType: 'application/pdf', meta };
}

/**
 * What a failed render that nobody will retry is recorded as, and what its caller is told: a
 * permanent failure as itself, anything else as `render_failed`.
 */
export function finalFailure(err: unknown, id: string): { code: string; message: string; problem: ProblemError } {
  const message = err instanceof Error ? err.message : String(err);
  if (isPermanent(err)) return { code: err.code, message, problem: err };
  console.error(`render ${id} failed`, err);
  return { code: 'render_failed', message, problem: new ProblemError('render_failed', `Render ${id} failed`, { cause: err }) };
}

function isPermanent(err: unknown): err is ProblemError {
  // an unseeded FONTS bucket does not seed itself between retries
  return err instanceof ProblemError && (err.status < 500 || err.code === 'template_unavailable' || err.code === 'fonts_unavailable');
}

export interface RunOptions {
  maxAttempts: number;
  /** The caller has just seen the output missing from R2 (the sync path); skip a second look. */
  knownMissing?: boolean;
  /** The job, when the caller holds it already (the sync path); otherwise read from the row. */
  job?: RenderJob;
  /**
   * A write of the claimed row still in flight (the sync path inserts it while rendering); it
   * must land before this runner records the outcome.
   */
  recorded?: Promise<unknown>;
  /** Sync callers want the failure itself (with its field errors) once it is recorded. */
  rethrow?: boolean;
}

export async function runRender(env: Bindings, id: string, options: RunOptions): Promise<RunOutcome> {
  const started = now();
  const claimed = await claimRender(env.DB, id, started, LEASE_MS);
  if (!claimed) {
    const row = await getRender(env.DB, id);
    if (row?.status === 'running' && row.lease_until) {
      return { kind: 'busy', retryAfterSeconds: Math.max(1, Math.ceil((row.lease_until - started) / 1000)) };
    }
    return { kind: 'finished', row }; // already complete/failed (a duplicate), or unknown
  }
  return executeClaimed(env, claimed, options);
}

/** Runs a job this runner has claimed: cache check, render, store, record. */
export async function executeClaimed(env: Bindings, claimed: RenderRow, options: RunOptions, timings = new Timings()): Promise<RunOutcome> {
  const started = now();
  const { id } = claimed;
  try {
    const objectKey = claimed.object_key as string;
    const existing = options.knownMissing ? null : await timings.measure('cache', () => headOutput(env.OUTPUT, objectKey));
    let row: RenderRow | null;
    if (existing?.customMetadata?.render_id === id) {
      // this render's own output, stored by an earlier attempt that died before recording it
      await options.recorded;
      row = await completeRender(env.DB, id, { bytes: existing.size, render_ms: now() - started, cached: false, completed_at: isoNow() });
    } else if (existing) {
      // made by another render: a cache hit, which gives this render's unit back
      await options.recorded;
      row = await completeRender(env.DB, id, { bytes: existing.size, render_ms: now() - started, cached: true, completed_at: isoNow() });
    } else {
      const policy = renderImagePolicy(env);
      const job = options.job ?? (await jobFromRow(env, claimed, policy));
      const out = await timings.measure('render', () => renderJob(env, job, id, claimed.pages, policy));
      await timings.measure('store', () => putOutput(env.OUTPUT, objectKey, out.bytes, out.contentType, out.meta));
      row = await timings.measure('db', async () => {
        await options.recorded;
        return completeRender(env.DB, id, { bytes: out.bytes.byteLength, render_ms: now() - started, cached: false, completed_at: isoNow() });
      });
    }
    row ??= await getRender(env.DB, id);
    rememberIfFinished(row);
    return { kind: 'finished', row };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await options.recorded;
    if (isPermanent(err)) {
      await failRender(env.DB, id, err.code, message, isoNow());
      if (options.rethrow) throw err;
    } else if (claimed.attempts >= options.maxAttempts) {
      console.error(`render ${id} failed after ${claimed.attempts} attempts`, err);
      await failRender(env.DB, id, 'render_failed', message, isoNow());
      if (options.rethrow) throw new ProblemError('render_failed', `Render ${id} failed`, { cause: err });
    } else {
      await releaseRender(env.DB, id);
      return { kind: 'retry', delaySeconds: retryDelaySeconds(claimed.attempts), error: message };
    }
    return { kind: 'finished', row: await getRender(env.DB, id) };
  }
}
