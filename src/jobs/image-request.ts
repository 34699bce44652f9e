/**
 * Turns a generate-image request into a render job: finds the template, validates its vars,
 * picks the engine, enforces size limits, the remote-image guard and the render's budget of remote
 * images and uploaded fonts (render/budget.ts; before any work, fetch or font read),
 * and computes the content address that the cache and R2 key are built on.
 */
import type { TemplateDefinition } from '../../templates/define';
import { PDF_TEMPLATES, TEMPLATES } from '../../templates/index';
import { fieldErrors, ProblemError } from '../errors/problem';
import { type FontFace, fontBudgetExcess } from '../fonts/custom';
import { unshapedBySatori } from '../fonts/text-assets';
import { canonicalJson, sha256Hex } from '../lib/hash';
import { REMOTE_IMAGE_BUDGET } from '../render/budget';
import { defaultEngine, type EngineName, type ImageFormat, MAX_OUTPUT_PIXELS } from '../render/engine';
import { checkRemoteUrl, type RemoteImagePolicy } from '../render/images/remote-images';
import { ENGINE_IMPLS, type ImageJob } from '../render/index';
import type { UserTemplateDefinition } from '../user-templates/compile';
import { isUserTemplateId } from '../user-templates/compile';

/**
 * Part of every image's content address: raised when the pipeline draws the same request
 * differently, so images made before are not served as if they were made now (2: fallback fonts,
 * emoji and right-to-left text, which earlier renders drew as empty boxes). User templates are
 * addressed by id and version: a change to how src/user-templates reads or fills markup that
 * draws a stored version differently must raise it too.
 */
export const RENDER_PIPELINE = 'p2';

export { defaultEngine, MAX_OUTPUT_PIXELS } from '../render/engine';

export interface ImageRequest {
  template: string;
  vars: Record<string, unknown>;
  format: ImageFormat;
  engine?: EngineName;
  width?: number;
  height?: number;
  scale: number;
  /** A test key's render: drawn with the TEST watermark (and so a different output). */
  watermark?: boolean;
  /** One of the caller's uploaded font families, for the template's text. */
  font_family?: string;
  /** Where the request holds the vars, for field paths (`vars`, or a preview's `values`). */
  varsPath?: string;
  /** Where the request holds the template, for field paths (`template`, or a preview's `html`). */
  templatePath?: string;
}

/** The caller's faces of a family (empty when it has none). */
export type FamilyLookup = (family: string) => Promise<FontFace[]>;

/** The caller's own template by id (`tpl_…`); throws `template_not_found` when it has none. */
export type TemplateLookup = (id: string) => Promise<UserTemplateDefinition>;

/** What a request's names resolve against: the caller's fonts and templates. */
export interface CallerLookups {
  family?: FamilyLookup;
  template?: TemplateLookup;
}

export interface PreparedImage {
  job: ImageJob;
  /** Canonical JSON of the validated vars (defaults applied). */
  varsJson: string;
  cacheKey: string;
  objectKey: string;
}

export function findTemplate(id: string): TemplateDefinition {
  const template = TEMPLATES.get(id);
  if (template) return template;
  if (PDF_TEMPLATES.has(id)) {
    throw new ProblemError('template_kind_mismatch', `"${id}" is a PDF template: POST /api/v1/generate/pdf renders it.`, {
      errors: [{ path: 'template', message: 'is a PDF template' }],
    });
  }
  throw new ProblemError('template_not_found', `No template "${id}". GET /api/v1/templates lists them.`);
}

async function findUserTemplate(id: string, lookup: TemplateLookup | undefined): Promise<UserTemplateDefinition> {
  if (!lookup) throw new ProblemError('template_not_found', `No template "${id}". GET /api/v1/templates lists them.`);
  return lookup(id);
}

/**
 * The faces of each uploaded family a user template names; a family without faces is a 422 at
 * `path`. Part of building a job; the template service's trial of a new template uses it too.
 */
export async function templateFaces(definition: UserTemplateDefinition, lookup: FamilyLookup, path = 'template'): Promise<FontFace[]> {
  const groups = await Promise.all(definition.fontFamilies.map(async (family) => ({ family, faces: await lookup(family) })));
  const missing = groups.filter((g) => g.faces.length === 0).map((g) => g.family);
  if (missing.length > 0) {
    throw new ProblemError(
      'font_family_unknown',
      `The template names ${missing.map((f) => `"${f}"`).join(', ')} in font-family, and the account has no uploaded font of ${missing.length > 1 ? 'these families' : 'this family'} (GET /api/v1/fonts lists yours)`,
      { errors: missing.map((f) => ({ path, message: `no uploaded font has the family "${f}"` })) },
    );
  }
  return groups.flatMap((g) => g.faces);
}

export function chooseEngine(req: Pick<ImageRequest, 'engine' | 'format'>, template: TemplateDefinition, envDefault: string | undefined): EngineName {
  if (req.engine) return req.engine;
  if (req.format === 'svg') return 'satori';
  return template.preferredEngine ?? defaultEngine(envDefault);
}

export async function prepareImage(
  req: ImageRequest,
  policy: RemoteImagePolicy,
  envDefaultEngine: string | undefined,
  lookups: CallerLookups = {},
): Promise<PreparedImage> {
  const userTemplate = isUserTemplateId(req.template) ? await findUserTemplate(req.template, lookups.template) : undefined;
  const template = userTemplate ?? findTemplate(req.template);
  const varsPath = req.varsPath ?? 'vars';
  const parsed = template.vars.safeParse(req.vars);
  if (!parsed.success) {
    throw new ProblemError('validation_failed', `${varsPath} do not match template "${template.id}"`, { errors: fieldErrors(parsed.error.issues, varsPath) });
  }
  const vars = parsed.data as Record<string, unknown>;

  const engine = chooseEngine(req, template, envDefaultEngine);
  if (!ENGINE_IMPLS[engine].formats.includes(req.format)) {
    throw new ProblemError('engine_format_unsupported', `Engine "${engine}" cannot write ${req.format}; use engine "satori" or omit engine.`, {
      errors: [{ path: 'engine', message: `does not support format ${req.format}` }],
    });
  }

  if (engine === 'satori') {
    const paths = unshapedBySatori(vars, varsPath);
    if (paths.length > 0) {
      throw new ProblemError(
        'engine_script_unsupported',
        `${paths.join(', ')} ${paths.length > 1 ? 'hold' : 'holds'} right-to-left or Indic text, which the satori engine cannot lay out (no bidi, no shaping); use engine "takumi", the default for PNG and WebP (SVG output is satori's only).`,
        { errors: paths.map((path) => ({ path, message: 'right-to-left or Indic text: use engine "takumi"' })) },
      );
    }
  }

  const width = req.width ?? template.size.width;
  const height = req.height ?? template.size.height;
  const pixels = width * req.scale * height * req.scale;
  if (pixels > MAX_OUTPUT_PIXELS) {
    throw new ProblemError(
      'image_too_large',
      `Output would be ${width * req.scale}×${height * req.scale} = ${pixels} pixels; the limit is ${MAX_OUTPUT_PIXELS}.`,
      {
        errors: [{ path: 'width', message: 'width×height×scale² exceeds 4,200,000 pixels' }],
      },
    );
  }

  // Refuse blocked addresses and more images than a render may fetch now, before a job exists or
  // anything is fetched (a user template has at most that many image vars: this holds for any template)
  const urls = new Set<string>();
  for (const name of template.imageVars) {
    const value = vars[name];
    if (typeof value === 'string' && value !== '') {
      checkRemoteUrl(value, `${varsPath}.${name}`, policy);
      urls.add(value);
    }
  }
  if (urls.size > REMOTE_IMAGE_BUDGET.maxImages) {
    throw new ProblemError('validation_failed', `The render names ${urls.size} different remote images; the limit is ${REMOTE_IMAGE_BUDGET.maxImages}.`, {
      errors: [{ path: varsPath, message: `at most ${REMOTE_IMAGE_BUDGET.maxImages} different image URLs` }],
    });
  }

  const lookupFamily: FamilyLookup = lookups.family ?? (async () => []);
  let fonts: FontFace[] | undefined;
  if (req.font_family !== undefined) {
    fonts = await lookupFamily(req.font_family);
    if (fonts.length === 0) {
      throw new ProblemError('font_family_unknown', `font_family: no uploaded font family "${req.font_family}" (GET /api/v1/fonts lists yours)`, {
        errors: [{ path: 'font_family', message: 'no uploaded font has this family name' }],
      });
    }
  }
  const templatePath = req.templatePath ?? 'template';
  // the uploaded families a user template names, resolved now: a family deleted since is a 422
  if (userTemplate && userTemplate.fontFamilies.length > 0) {
    const named = await templateFaces(userTemplate, lookupFamily, templatePath);
    // the template's own faces past the budget (faces uploaded to its families since it was made):
    // the template cannot be drawn, whatever the request says
    const excess = fontBudgetExcess(named);
    if (excess) {
      throw new ProblemError('template_invalid', `Template ${template.id} ${excess}.`, { errors: [{ path: templatePath, message: excess }] });
    }
    const seen = new Set(fonts?.map((f) => f.id));
    fonts = [...(fonts ?? []), ...named.filter((f) => !seen.has(f.id))];
  }
  // every face is counted from its row before any file is read (fonts/custom.ts)
  const excess = fonts && req.font_family !== undefined ? fontBudgetExcess(fonts) : undefined;
  if (excess) {
    throw new ProblemError('validation_failed', `font_family: this render ${excess}.`, { errors: [{ path: 'font_family', message: excess }] });
  }

  const varsJson = canonicalJson(vars);
  // everything that determines the bytes; the vars are already canonical JSON, so no second pass
  const watermark = req.watermark === true;
  // custom faces by id and file digest: a face uploaded again under the same name is another output
  const faces = fonts ? `|fonts:${fonts.map((f) => `${f.id}:${f.sha256}`).join(',')}` : '';
  // which family draws the house font: a user template naming "Brand" has Brand's faces with or without font_family
  const house = req.font_family !== undefined ? `|house:${req.font_family.toLowerCase()}` : '';
  const address = `${RENDER_PIPELINE}|${template.id}@${template.version}|${engine}|${req.format}|${width}x${height}@${req.scale}${watermark ? '|test' : ''}${faces}${house}|${varsJson}`;
  const cacheKey = (await sha256Hex(address)).slice(0, 40);
  return {
    job: {
      template,
      vars,
      engine,
      format: req.format,
      width,
      height,
      scale: req.scale,
      watermark,
      ...(fonts ? { fonts } : {}),
      ...(req.font_family !== undefined ? { fontFamily: req.font_family } : {}),
    },
    varsJson,
    cacheKey,
    objectKey: `img/${cacheKey}.${req.format}`,
  };
}
