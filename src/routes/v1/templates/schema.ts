import { z } from '@hono/zod-openapi';
import type { TemplateListing } from '../../../db/templates';
import { ENGINES, MAX_OUTPUT_PIXELS } from '../../../render/engine';
import type { AnyTemplate } from '../../../render/pdf/index';
import { pageSizeFor } from '../../../renders/build-pdf-job';
import { LINT_CODES } from '../../../renders/lint/issue';
import { DEFAULT_TEXT_LENGTH, VAR_TYPES } from '../../../user-templates/compile';
import { MAX_HTML_BYTES } from '../../../user-templates/markup';
import type { UserTemplate } from '../../../user-templates/service';
import { FontFamilyName } from '../fonts/schema';

/** Vars a user template may declare. */
export const MAX_TEMPLATE_VARS = 50;

const VarName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'a var name: letters, digits and _, not starting with a digit')
  .openapi({ example: 'title' });

export const VarDeclarationSchema = z
  .object({
    type: z.enum(VAR_TYPES).openapi({
      description:
        'text: any text (in text content); image: an https URL of a picture (fetched through the SSRF guard); color: a CSS colour; number: a number (in style and attribute values a lone number is pixels, except for properties CSS reads as plain numbers: line-height, opacity, font-weight, flex, z-index, line-clamp)',
    }),
    description: z.string().trim().max(300).optional(),
    required: z.boolean().optional().openapi({ description: 'Requests must give it (text: not empty)' }),
    default: z
      .union([z.string().max(5000), z.number()])
      .optional()
      .openapi({ description: 'Used when a request leaves the var out' }),
    max_length: z
      .number()
      .int()
      .min(1)
      .max(5000)
      .optional()
      .openapi({ description: `text: at most this many characters (default ${DEFAULT_TEXT_LENGTH})` }),
    min: z.number().min(-100_000).max(100_000).optional().openapi({ description: 'number: the least value (default -100000)' }),
    max: z.number().min(-100_000).max(100_000).optional().openapi({ description: 'number: the greatest value (default 100000)' }),
  })
  .strict()
  .openapi('TemplateVar');

const TemplateVars = z
  .record(VarName, VarDeclarationSchema)
  .refine((vars) => Object.keys(vars).length <= MAX_TEMPLATE_VARS, `at most ${MAX_TEMPLATE_VARS} vars`)
  .openapi({
    description:
      'Declared vars. A `{{name}}` the markup uses without a declaration is an optional text var (an image var when it is an image source); vars used in a style or attribute value must be declared color or number.',
    example: { title: { type: 'text', required: true, max_length: 120 }, accent: { type: 'color', default: '#4f46e5' }, logo: { type: 'image' } },
  });

const TemplateHtml = z.string().min(1).max(MAX_HTML_BYTES).openapi({
  description:
    'HTML with inline styles (the satori / @vercel/og dialect: block elements are flex containers) and `{{var}}` placeholders in text, style values and attribute values. Elements: div, p, section, header, footer, main, h1–h6, span, strong, b, em, i, u, s, img, and svg with its shapes and gradients. `data-if="var"` / `data-unless="var"` keep an element only when the var has (has no) value. Images: `src="{{logo}}"` or a PNG/JPEG data: URL.',
  example:
    '<div style="display:flex;flex-direction:column;justify-content:center;width:100%;height:100%;padding:72px;background:{{accent}};color:white"><img data-if="logo" src="{{logo}}" width="96" height="96" style="border-radius:16px"><h1 style="font-size:64px">{{title}}</h1></div>',
});

const Dimension = z.number().int().min(16).max(2400);

const SourceFields = {
  width: Dimension.openapi({ description: 'Size in CSS px (requests may override it)', example: 1200 }),
  height: Dimension.openapi({ example: 630 }),
  html: TemplateHtml,
  vars: TemplateVars.optional(),
  example: z.record(z.string(), z.unknown()).optional().openapi({
    description:
      "Vars that render (checked, and drawn by both engines before the template is kept); by default the declared defaults and each required text var's name",
  }),
  engine: z.enum(ENGINES).optional().openapi({ description: 'The engine requests get when they name none' }),
};

const pixelLimit = (body: { width?: number; height?: number }, ctx: z.RefinementCtx) => {
  if (body.width !== undefined && body.height !== undefined && body.width * body.height > MAX_OUTPUT_PIXELS) {
    ctx.addIssue({ code: 'custom', path: ['width'], message: `width×height exceeds ${MAX_OUTPUT_PIXELS} pixels` });
  }
};

export const CreateTemplateBody = z
  .object({
    name: z.string().trim().min(1).max(100).openapi({ example: 'Launch card' }),
    description: z.string().trim().max(500).optional(),
    ...SourceFields,
  })
  .strict()
  .superRefine(pixelLimit)
  .openapi('CreateTemplateRequest');

export const UpdateTemplateBody = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    description: z.string().trim().max(500).optional(),
    width: SourceFields.width.optional(),
    height: SourceFields.height.optional(),
    html: TemplateHtml.optional(),
    vars: SourceFields.vars,
    example: SourceFields.example,
    engine: SourceFields.engine,
  })
  .strict()
  .superRefine(pixelLimit)
  .openapi('UpdateTemplateRequest');

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
    builtin: z.boolean().openapi({ description: "true: one of PicStream's templates; false: one of yours (POST /api/v1/templates)" }),
    created_at: z.string().optional().openapi({ format: 'date-time', description: 'Yours: when it was made' }),
    updated_at: z.string().optional().openapi({ format: 'date-time', description: 'Yours: when it last changed' }),
  })
  .openapi('TemplateSummary');

export const TemplateDetailSchema = TemplateSummarySchema.extend({
  vars_schema: z.record(z.string(), z.unknown()).openapi({ description: 'JSON Schema (2020-12) of the vars' }),
  example: z.record(z.string(), z.unknown()),
  image_vars: z.array(z.string()).openapi({ description: 'Vars that take a remote image URL' }),
  html: z.string().optional().openapi({ description: 'Yours: the markup' }),
  vars: z.record(z.string(), VarDeclarationSchema).optional().openapi({ description: 'Yours: every var with its type, declared or read from the markup' }),
  engine: z.enum(ENGINES).optional().openapi({ description: 'Yours: the engine requests get when they name none' }),
}).openapi('Template');

export function toSummary(t: AnyTemplate): z.infer<typeof TemplateSummarySchema> {
  const common = { id: t.id, version: t.version, name: t.name, description: t.description, builtin: true };
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

export function toUserSummary(row: TemplateListing): z.infer<typeof TemplateSummarySchema> {
  return {
    id: row.id,
    version: row.version,
    name: row.name,
    description: row.description,
    kind: 'image',
    size: { width: row.width, height: row.height },
    builtin: false,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function toUserDetail(t: UserTemplate): z.infer<typeof TemplateDetailSchema> {
  const { definition, source, row } = t;
  return {
    ...toUserSummary({ ...row, ...definition.size }),
    vars_schema: z.toJSONSchema(definition.vars, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
    example: definition.example,
    image_vars: [...definition.imageVars],
    html: source.html,
    vars: definition.declared,
    ...(source.engine ? { engine: source.engine } : {}),
  };
}

export const PreviewTemplateBody = z
  .object({
    name: z.string().trim().max(100).optional().openapi({ description: 'Ignored: the body of a create may be sent as it is' }),
    description: z.string().trim().max(500).optional().openapi({ description: 'Ignored' }),
    ...SourceFields,
    values: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({ description: "The vars to draw it with (what a generate request's `vars` would be); by default the template's example" }),
    format: z.enum(['png', 'webp']).default('png'),
  })
  .strict()
  .superRefine(pixelLimit)
  .openapi('PreviewTemplateRequest');

/**
 * The lint's body: one object of two forms, told apart by which of `template` and `html` it has
 * (exactly one): a template by reference with its `vars`, or a source as the preview takes it
 * (`vars` are then its declarations and `values` what it is drawn with). One object, not a union,
 * so a bad field is named by its path (a union's failure names only the body).
 */
export const LintTemplateBody = z
  .object({
    template: z.string().min(1).max(200).optional().openapi({ description: 'Form 1: a built-in template id, `tpl_…` or `tpl_…@N`', example: 'og-card' }),
    html: TemplateHtml.optional().openapi({ description: 'Form 2: the markup of a source being edited (as POST /api/v1/templates/preview takes it)' }),
    width: Dimension.optional().openapi({ description: "Form 1: the layout width (default the template's); form 2: required" }),
    height: Dimension.optional(),
    vars: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({ description: 'Form 1: the vars to check, as a generate request sends them; form 2: the var declarations (as on create)' }),
    values: z.record(z.string(), z.unknown()).optional().openapi({ description: "Form 2: the vars to check (by default the source's example)" }),
    example: SourceFields.example,
    name: z.string().trim().max(100).optional().openapi({ description: 'Ignored: the body of a create may be sent as it is' }),
    description: z.string().trim().max(500).optional().openapi({ description: 'Ignored' }),
    engine: z.enum(ENGINES).optional().openapi({ description: 'The engine to check against (default: what a render would get)' }),
    format: z.enum(['png', 'webp', 'svg']).default('png'),
    font_family: FontFamilyName.optional().openapi({ description: 'Form 1: an uploaded family for the house font, as on generate' }),
  })
  .strict()
  .superRefine((body, ctx) => {
    const form1 = body.template !== undefined;
    if (form1 === (body.html !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [form1 ? 'html' : 'template'],
        message: 'give either template (with vars) or html (a source), not both and not neither',
      });
      return;
    }
    if (form1) {
      for (const key of ['values', 'example'] as const) {
        if (body[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'only with html (a source); a template by reference takes vars' });
      }
      return;
    }
    for (const key of ['width', 'height'] as const) {
      if (body[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'required with html' });
    }
    if (body.font_family !== undefined)
      ctx.addIssue({ code: 'custom', path: ['font_family'], message: 'only with template; a source names its fonts in font-family' });
    const declared = TemplateVars.optional().safeParse(body.vars);
    if (!declared.success) for (const issue of declared.error.issues) ctx.addIssue({ code: 'custom', path: ['vars', ...issue.path], message: issue.message });
    pixelLimit(body, ctx);
  })
  .openapi('LintTemplateRequest');

const LintIssueSchema = z
  .object({
    path: z.string().openapi({ description: 'Where in the request: `vars.title`, `values.logo`, `html`, `template`, `width`', example: 'vars.title' }),
    code: z.enum(LINT_CODES).openapi({ description: 'Stable, machine-readable', example: 'text_clamped' }),
    severity: z
      .enum(['error', 'warning', 'info'])
      .openapi({ description: 'error: refused or drawn wrong; warning: drawn, not as written; info: worth knowing' }),
    message: z.string(),
    var: z.string().optional().openapi({ description: 'The var the issue is about', example: 'title' }),
    overflow_px: z.number().optional().openapi({ description: 'Text: how far it runs past its box, or the height its clamp hides (CSS px)' }),
    lines: z.number().int().optional().openapi({ description: 'Text: lines drawn' }),
    lines_hidden: z.number().int().optional().openapi({ description: 'text_clamped: lines the clamp hides' }),
    chars: z
      .array(z.string())
      .optional()
      .openapi({ description: 'tofu: the characters no font draws', example: ['U+1230 ሰ'] }),
    scripts: z
      .array(z.string())
      .optional()
      .openapi({ description: 'tofu: their scripts', example: ['Ethiopic'] }),
    url: z.string().optional().openapi({ description: 'Images: the URL at fault' }),
    property: z.string().optional().openapi({ description: 'css_unsupported: the CSS property', example: 'display' }),
    value: z.string().optional().openapi({ description: 'css_unsupported: its value', example: 'grid' }),
    engines: z.array(z.string()).optional().openapi({ description: 'css_unsupported: the engines that ignore it or draw it differently' }),
    actual: z.number().optional().openapi({ description: 'limit_exceeded: what the request comes to' }),
    limit: z.number().optional().openapi({ description: 'limit_exceeded: what is allowed' }),
  })
  .openapi('LintIssue');

export const LintReportSchema = z
  .object({
    ok: z.boolean().openapi({ description: 'No issue of severity error' }),
    issues: z.array(LintIssueSchema),
    checked: z
      .object({
        template: z.string().openapi({ description: 'The template id, or `source`' }),
        engine: z.enum(ENGINES),
        width: z.number().int(),
        height: z.number().int(),
      })
      .optional()
      .openapi({ description: 'What was checked, once the template could be read' }),
  })
  .openapi('LintReport');
