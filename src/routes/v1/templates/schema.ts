import { z } from '@hono/zod-openapi';
import type { TemplateDefinition } from '../../../../templates/define';

export const TemplateSummarySchema = z
  .object({
    id: z.string().openapi({ example: 'og-card' }),
    version: z.number().int(),
    name: z.string(),
    description: z.string(),
    kind: z.enum(['image']),
    size: z.object({ width: z.number().int(), height: z.number().int() }),
  })
  .openapi('TemplateSummary');

export const TemplateDetailSchema = TemplateSummarySchema.extend({
  vars_schema: z.record(z.string(), z.unknown()).openapi({ description: 'JSON Schema (2020-12) of the vars' }),
  example: z.record(z.string(), z.unknown()),
  image_vars: z.array(z.string()).openapi({ description: 'Vars that take a remote image URL' }),
}).openapi('Template');

export function toSummary(t: TemplateDefinition): z.infer<typeof TemplateSummarySchema> {
  return { id: t.id, version: t.version, name: t.name, description: t.description, kind: t.kind, size: t.size };
}

const jsonSchemas = new WeakMap<TemplateDefinition, Record<string, unknown>>();

export function toDetail(t: TemplateDefinition): z.infer<typeof TemplateDetailSchema> {
  let schema = jsonSchemas.get(t);
  if (!schema) {
    // io: 'input' — what a caller may send: fields with defaults are optional and show the default.
    schema = z.toJSONSchema(t.vars, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    jsonSchemas.set(t, schema);
  }
  return { ...toSummary(t), vars_schema: schema, example: t.example as Record<string, unknown>, image_vars: [...t.imageVars] };
}
