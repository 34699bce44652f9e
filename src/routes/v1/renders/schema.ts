/** The render resource as the API shows it, and its mapping from a D1 row. */
import { z } from '@hono/zod-openapi';
import type { RenderRow } from '../../../db/renders';
import { ENGINES, IMAGE_FORMATS } from '../../../render/engine';

export const RenderErrorSchema = z.object({ code: z.string(), message: z.string() }).openapi('RenderError');

export const RenderSchema = z
  .object({
    id: z.string().openapi({ example: 'rnd_01JD5X1Q4ZB8R3W2K7T6YV9N0M' }),
    type: z.literal('image'),
    status: z.enum(['pending', 'complete', 'failed']),
    template: z.string().openapi({ example: 'og-card' }),
    format: z.enum(IMAGE_FORMATS),
    engine: z.enum(ENGINES),
    url: z.url().optional().openapi({ description: 'Public, immutable URL of the output (complete renders)' }),
    width: z.number().int().openapi({ description: 'Output width in pixels (layout width × scale)', example: 1200 }),
    height: z.number().int().openapi({ example: 630 }),
    scale: z.number().int(),
    bytes: z.number().int().optional(),
    render_ms: z.number().int().optional().openapi({ description: 'Time spent producing the output; small for cache hits' }),
    cached: z.boolean().optional().openapi({ description: 'True when the output already existed and nothing was rendered' }),
    error: RenderErrorSchema.optional(),
    created_at: z.string().openapi({ format: 'date-time' }),
    completed_at: z.string().optional().openapi({ format: 'date-time' }),
  })
  .openapi('Render');

export type RenderResource = z.infer<typeof RenderSchema>;

export function publicUrl(baseUrl: string, objectKey: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${objectKey}`;
}

export function toRenderResource(row: RenderRow, baseUrl: string): RenderResource {
  const out: RenderResource = {
    id: row.id,
    type: 'image',
    // 'running' is an internal state; to callers a job is pending until it is done.
    status: row.status === 'running' ? 'pending' : row.status,
    template: row.template,
    format: row.format,
    engine: row.engine,
    width: row.format === 'svg' ? row.width : row.width * row.scale,
    height: row.format === 'svg' ? row.height : row.height * row.scale,
    scale: row.scale,
    created_at: row.created_at,
  };
  if (row.status === 'complete' && row.object_key) {
    out.url = publicUrl(baseUrl, row.object_key);
    out.bytes = row.bytes ?? undefined;
    out.render_ms = row.render_ms ?? undefined;
    out.cached = row.cached === 1;
  }
  if (row.status === 'failed') out.error = { code: row.error_code ?? 'render_failed', message: row.error_message ?? '' };
  if (row.completed_at) out.completed_at = row.completed_at;
  return out;
}
