/** The render resource as the API shows it (an image or a PDF), and its mapping from a D1 row. */
import { z } from '@hono/zod-openapi';
import { type ConfigSource, config, fileSigningSecret } from '../../../config';
import type { RenderRow } from '../../../db/renders';
import { now } from '../../../lib/time';
import { ENGINES, IMAGE_FORMATS, type ImageFormat } from '../../../render/engine';
import { publicUrl } from '../../../storage/outputs';
import { signedPdfUrl } from '../../../storage/signed-urls';

export const RenderErrorSchema = z.object({ code: z.string(), message: z.string() }).openapi('RenderError');

/** What every render shows, image or PDF: its identity, its state, and how it ended. */
const renderBase = {
  id: z.string().openapi({ example: 'rnd_01JD5X1Q4ZB8R3W2K7T6YV9N0M' }),
  status: z.enum(['pending', 'complete', 'failed']),
  bytes: z.number().int().optional(),
  render_ms: z.number().int().optional().openapi({ description: 'Time spent producing the output; small for cache hits' }),
  error: RenderErrorSchema.optional(),
  created_at: z.string().openapi({ format: 'date-time' }),
  completed_at: z.string().optional().openapi({ format: 'date-time' }),
};

export const RenderSchema = z
  .object({
    ...renderBase,
    type: z.literal('image'),
    template: z.string().openapi({ example: 'og-card' }),
    format: z.enum(IMAGE_FORMATS),
    engine: z.enum(ENGINES),
    url: z.url().optional().openapi({ description: 'Public, immutable URL of the output (complete renders)' }),
    width: z.number().int().openapi({ description: 'Output width in pixels (layout width × scale)', example: 1200 }),
    height: z.number().int().openapi({ example: 630 }),
    scale: z.number().int(),
    cached: z.boolean().optional().openapi({ description: 'True when the output already existed and nothing was rendered' }),
  })
  .openapi('ImageRender');

export type RenderResource = z.infer<typeof RenderSchema>;

export const PdfRenderSchema = z
  .object({
    ...renderBase,
    type: z.literal('pdf'),
    template: z.string().openapi({ example: 'invoice', description: "The template, or each section's joined by '+'" }),
    pages: z.number().int().openapi({ example: 3, description: 'Page count (the units a fresh PDF charges)' }),
    url: z.url().optional().openapi({
      description: 'Signed URL of the PDF, valid until `expires_at` (24 h); GET /api/v1/renders/{id} answers with a fresh one',
      example:
        'https://api.picstream.dev/files/3f2a6c1e9b0d47a8c5e2f1b3d4a6978e0c1b2d3f.pdf?expires=1764403200&signature=Yk3q0cTzX2b8mLwVn5uR1eHsA9dJ4fGiKpO7yQ6xZ0c',
    }),
    expires_at: z.string().optional().openapi({ format: 'date-time', description: 'When `url` stops working' }),
    cached: z.boolean().optional().openapi({ description: 'True when this account had made the same document already' }),
  })
  .openapi('PdfRender');

export type PdfRenderResource = z.infer<typeof PdfRenderSchema>;

/** What a finished render adds for certain: how it ended. */
const finished = {
  status: z.literal('complete'),
  bytes: z.number().int(),
  render_ms: z.number().int().openapi({ description: 'Time spent producing the output; small for cache hits' }),
  cached: z.boolean().openapi({ description: 'True when the output already existed and nothing was rendered' }),
  completed_at: z.string().openapi({ format: 'date-time' }),
};

/** A sync image generate's 200: always finished, with its URL. */
export const CompletedImageRenderSchema = RenderSchema.extend({
  ...finished,
  url: z
    .url()
    .openapi({ description: 'Public, immutable URL of the image', example: 'https://api.picstream.dev/img/3f2a6c1e9b0d47a8c5e2f1b3d4a6978e0c1b2d3f.png' }),
}).openapi('CompletedImageRender');

/** A sync PDF generate's 200: always finished, with its signed URL. */
export const CompletedPdfRenderSchema = PdfRenderSchema.extend({
  ...finished,
  url: PdfRenderSchema.shape.url.unwrap(),
  expires_at: z.string().openapi({ format: 'date-time', description: 'When `url` stops working (24 h)' }),
}).openapi('CompletedPdfRender');

/**
 * A render a sync generate answers 200 with: by then it is complete with its URL (the runner
 * throws otherwise); checked here so the answer can only be what the spec promises.
 */
export function completed<T extends RenderResource | PdfRenderResource>(
  render: T,
): T & { status: 'complete'; url: string; bytes: number; render_ms: number; cached: boolean; completed_at: string } {
  const { status, url, bytes, render_ms, cached, completed_at } = render;
  if (status !== 'complete' || !url || bytes === undefined || render_ms === undefined || cached === undefined || !completed_at) {
    throw new Error(`render ${render.id} answered as finished while ${status}`);
  }
  return render as T & { status: 'complete'; url: string; bytes: number; render_ms: number; cached: boolean; completed_at: string };
}

/** A PDF a sync generate answers 200 with: finished, and its URL's expiry with it. */
export function completedPdf(render: PdfRenderResource): ReturnType<typeof completed<PdfRenderResource>> & { expires_at: string } {
  const done = completed(render);
  if (!done.expires_at) throw new Error(`render ${render.id} answered as finished without its URL's expiry`);
  return done as typeof done & { expires_at: string };
}

/** GET /api/v1/renders/{id} answers with either kind. */
export const AnyRenderSchema = z.discriminatedUnion('type', [RenderSchema, PdfRenderSchema]).openapi('Render');

export function toRenderResource(row: RenderRow, baseUrl: string): RenderResource {
  const out: RenderResource = {
    id: row.id,
    type: 'image',
    status: publicStatus(row),
    template: row.template,
    format: row.format as ImageFormat,
    engine: row.engine,
    width: row.format === 'svg' ? row.width : row.width * row.scale,
    height: row.format === 'svg' ? row.height : row.height * row.scale,
    scale: row.scale,
    created_at: row.created_at,
  };
  if (row.status === 'complete' && row.object_key) out.url = publicUrl(baseUrl, row.object_key);
  return withOutcome(out, row);
}

/** A PDF render as the API shows it: a complete one with a URL signed now, valid for 24 h. */
export async function toPdfResource(row: RenderRow, env: ConfigSource, baseUrl: string): Promise<PdfRenderResource> {
  const out: PdfRenderResource = {
    id: row.id,
    type: 'pdf',
    status: publicStatus(row),
    template: row.template,
    pages: row.pages ?? 0,
    created_at: row.created_at,
  };
  const signed = row.status === 'complete' && row.object_key ? await signedPdfUrl(fileSigningSecret(config(env)), row.object_key, baseUrl, now()) : undefined;
  if (signed) {
    out.url = signed.url;
    out.expires_at = new Date(signed.expiresAt * 1000).toISOString();
  }
  return withOutcome(out, row);
}

/** 'running' is an internal state; to callers a job is pending until it is done. */
function publicStatus(row: RenderRow): RenderResource['status'] {
  return row.status === 'running' ? 'pending' : row.status;
}

/** How a render ended: size, time and cache for a complete one, the error for a failed one. */
function withOutcome<T extends RenderResource | PdfRenderResource>(out: T, row: RenderRow): T {
  if (row.status === 'complete' && row.object_key) {
    out.bytes = row.bytes ?? undefined;
    out.render_ms = row.render_ms ?? undefined;
    out.cached = row.cached === 1;
  }
  if (row.status === 'failed') out.error = { code: row.error_code ?? 'render_failed', message: row.error_message ?? '' };
  if (row.completed_at) out.completed_at = row.completed_at;
  return out;
}

/** Either kind of render, for routes that answer with any. */
export async function toAnyRenderResource(row: RenderRow, env: ConfigSource, baseUrl: string): Promise<RenderResource | PdfRenderResource> {
  return row.type === 'pdf' ? toPdfResource(row, env, baseUrl) : toRenderResource(row, baseUrl);
}
