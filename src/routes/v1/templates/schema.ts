import { z } from '@hono/zod-openapi';
import { pageSizeFor } from '../../../jobs/pdf-request';
import type { AnyTemplate } from '../../../render/pdf/index';

export const TemplateSummarySchema = z
  .object({
    id: z.string().openapi({ example: 'og-card' }),
    version: z.number().int(),
    name: z.string(),
    description: z.string(),
    kind: z.enum(['image', 'pdf']).openapi({ description: 'image: POST /api/v1/generate/image; pdf: POST /api/v1/generate/pdf (lays out its own pages)' }),
    size: z
      .object({ width: z.number(), height: z.number() })
      .openapi({ description: 'image: the default size in CSS px; pdf: the default page in points (1/72 in)' }),
    paper: z.enum(['A4', 'Letter']).optional().openapi({ description: 'pdf: the default paper' }),
    orientation: z.enum(['portrait', 'landscape']).optional(),
  })
  .openapi('TemplateSummary');

export const TemplateDetailSchema = TemplateSummarySchema.extend({
  vars_schema: z.record(z.string(), z.unknown()).openapi({ description: 'JSON Schema (2020-12) of the vars' }),
  example: z.record(z.string(), z.unknown()),
  image_vars: z.array(z.string()).openapi({ description: 'Vars that take a remote image URL' }),
}).openapi('Template');

export function toSummary(t: AnyTemplate): z.infer<typeof TemplateSummarySchema> {
  const common = { id: t.id, version: t.version, name: t.name, description: t.description };
  if (t.kind === 'image') return { ...common, kind: 'image', size: t.size };
  return { ...common, kind: 'pdf', size: pageSizeFor(t, undefined, undefined), paper: t.paper, orientation: t.orientation };
}

const jsonSchemas = new WeakMap<AnyTemplate, Record<string, unknown>>();

export function toDetail(t: AnyTemplate): z.infer<typeof TemplateDetailSchema> {
  let schema = jsonSchemas.get(t);
  if (!schema) {
    // io: 'input' — what a caller may send: fields with defaults are optional and show the default.
    schema = z.toJSONSchema(t.vars, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    jsonSchemas.set(t, schema);
  }
  return { ...toSummary(t), vars_schema: schema, example: t.example as Record<string, unknown>, image_vars: [...t.imageVars] };
}
