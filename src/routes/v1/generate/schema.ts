import { z } from '@hono/zod-openapi';
import { ENGINES, IMAGE_FORMATS } from '../../../render/engine';
import { FontFamilyName } from '../fonts/schema';

export const GenerateImageBody = z
  .object({
    template: z.string().min(1).max(64).openapi({
      example: 'og-card',
      description: 'Template id (GET /api/v1/templates); one of yours as `tpl_…` (its current version) or pinned to a version, `tpl_…@3`',
    }),
    vars: z
      .record(z.string(), z.unknown())
      .default({})
      .openapi({ example: { title: 'Hello World' }, description: "The template's vars; see its vars_schema" }),
    format: z.enum(IMAGE_FORMATS).default('png').openapi({ description: 'png (default), webp (lossy) or svg' }),
    engine: z.enum(ENGINES).optional().openapi({ description: 'Renderer; by default the fastest that renders the template correctly (svg: satori)' }),
    width: z.number().int().min(16).max(2400).optional().openapi({ description: "Layout width in CSS px; defaults to the template's", example: 1200 }),
    height: z.number().int().min(16).max(2400).optional().openapi({ description: "Layout height in CSS px; defaults to the template's", example: 630 }),
    scale: z.number().int().min(1).max(3).default(1).openapi({ description: 'Pixel density: output is width×scale by height×scale' }),
    async: z.boolean().default(false).openapi({ description: 'Queue the render and answer 202 at once' }),
    font_family: FontFamilyName.optional().openapi({
      description:
        "Draw the template's text in one of your uploaded font families (POST /api/v1/fonts) instead of Inter; characters it lacks fall back to the built-in fonts",
      example: 'Brand Sans',
    }),
  })
  .strict()
  .openapi('GenerateImageRequest');

export const AcceptedSchema = z
  .object({
    id: z.string(),
    status: z.literal('pending'),
    poll_url: z.string().openapi({ example: '/api/v1/renders/rnd_01JD5X1Q4ZB8R3W2K7T6YV9N0M' }),
  })
  .openapi('RenderAccepted');

const PdfPageSize = z
  .union([
    z.enum(['A4', 'Letter']),
    z
      .object({
        width: z.number().min(72).max(2000).openapi({ description: 'Points (1/72 in)', example: 595.28 }),
        height: z.number().min(72).max(2000).openapi({ example: 841.89 }),
      })
      .strict(),
  ])
  .openapi({ description: "Paper name (turned to the template's orientation) or a size in points", example: 'A4' });

const PdfVars = z.record(z.string(), z.unknown()).openapi({ description: "The template's vars; see its vars_schema" });

export const GeneratePdfBody = z
  .object({
    template: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .openapi({ example: 'invoice', description: 'A PDF template (it lays out its own pages), or any template for one page' }),
    vars: PdfVars.optional().openapi({ example: { number: 'INV-2026-0042' } }),
    pages: z
      .array(z.object({ template: z.string().min(1).max(64), vars: PdfVars.default({}) }).strict())
      .min(1)
      .max(50)
      .optional()
      .openapi({ description: 'Instead of `template`: sections in order, each its own template (a PDF template may still make several pages)' }),
    page_size: PdfPageSize.optional(),
    orientation: z.enum(['portrait', 'landscape']).optional().openapi({ description: "Overrides the template's orientation for a named paper" }),
    title: z.string().trim().min(1).max(200).optional().openapi({ description: 'Document title (PDF metadata and the download name)' }),
    async: z.boolean().default(false).openapi({ description: 'Queue the render and answer 202 at once' }),
  })
  .strict()
  .superRefine((body, ctx) => {
    if ((body.template === undefined) === (body.pages === undefined)) {
      ctx.addIssue({ code: 'custom', path: body.pages ? ['pages'] : ['template'], message: 'send either template (with vars) or pages, not both' });
    }
    if (body.pages && body.vars !== undefined) ctx.addIssue({ code: 'custom', path: ['vars'], message: 'with pages, vars go inside each page' });
  })
  .openapi('GeneratePdfRequest');
