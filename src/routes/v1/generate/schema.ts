import { z } from '@hono/zod-openapi';
import { ENGINES, IMAGE_FORMATS } from '../../../render/engine';

export const GenerateImageBody = z
  .object({
    template: z.string().min(1).max(64).openapi({ example: 'og-card', description: 'Template id (GET /api/v1/templates)' }),
    vars: z
      .record(z.string(), z.unknown())
      .default({})
      .openapi({ example: { title: 'Hello World' }, description: "The template's vars; see its vars_schema" }),
    format: z.enum(IMAGE_FORMATS).default('png').openapi({ description: 'png (default), webp (lossy) or svg' }),
    engine: z.enum(ENGINES).optional().openapi({ description: 'Renderer; by default the fastest that renders the template correctly (svg: satori)' }),
    width: z.number().int().min(16).max(2400).optional().openapi({ description: "Layout width in px; defaults to the template's" }),
    height: z.number().int().min(16).max(2400).optional(),
    scale: z.number().int().min(1).max(3).default(1).openapi({ description: 'Pixel density: output is width×scale by height×scale' }),
    async: z.boolean().default(false).openapi({ description: 'Queue the render and answer 202 at once' }),
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
