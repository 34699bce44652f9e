/**
 * The one job builder: a resolved template (resolve.ts) and what the caller asked for become an
 * image job — vars validated by the template's schema, image URLs checked by the remote-image guard
 * and counted against the render's budget (render/budget.ts), the engine picked and held to its
 * formats and scripts, the output size bounded, the caller's uploaded fonts resolved and counted —
 * and the content address the cache and the R2 key are built on. All of it before any fetch, font
 * read or drawing.
 *
 * The sync route and the queue consumer both build their jobs here (the consumer from the recorded
 * request, with the faces it recorded), so a queued render cannot drift from a sync one; the
 * template preview builds its job here too, and PDF sections share `checkVars`.
 */
import type { TemplateDefinition } from '../../templates/define';
import { fieldErrors, ProblemError } from '../errors/problem';
import { type FontFace, fontBudgetExcess } from '../fonts/custom';
import { unshapedBySatori } from '../fonts/text-assets';
import { canonicalJson, sha256Hex } from '../lib/hash';
import { REMOTE_IMAGE_BUDGET } from '../render/budget';
import { defaultEngine, type EngineName, type ImageFormat, MAX_OUTPUT_PIXELS } from '../render/engine';
import { checkRemoteUrl, type RemoteImagePolicy } from '../render/images/remote-images';
import { ENGINE_IMPLS, type ImageJob } from '../render/index';
import { type FamilyLookup, templateFaces } from '../user-templates/service';
import { type AccountTemplates, type ResolvedImageTemplate, resolveImageTemplate } from './resolve';

/**
 * Part of every image's content address: raised when the pipeline draws the same request
 * differently, so images made before are not served as if they were made now (2: fallback fonts,
 * emoji and right-to-left text, which earlier renders drew as empty boxes). User templates are
 * addressed by id and version: a change to how src/user-templates reads or fills markup that
 * draws a stored version differently must raise it too.
 */
export const RENDER_PIPELINE = 'p2';

export type { FamilyLookup } from '../user-templates/service';

/** What a caller asks of an image, the template aside (the door resolves that first). */
export interface ImageJobRequest {
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

/** A generate-image request as a door receives it: the template by reference. */
export interface ImageRequest extends ImageJobRequest {
  template: string;
}

/**
 * Where a job's uploaded font faces come from: looked up by family now (a new request), or the
 * faces a queued render recorded when it was asked for (drawn as they were; checked then).
 */
export type FontSource = { lookup: FamilyLookup } | { recorded: FontFace[] | undefined };

export interface BuildContext {
  policy: RemoteImagePolicy;
  /** The deployment's DEFAULT_ENGINE, for requests that name none. */
  defaultEngine: string | undefined;
  /** The caller's fonts; without them, a request naming a family finds none. */
  fonts?: FontSource;
}

export interface PreparedImage {
  job: ImageJob;
  /** Canonical JSON of the validated vars (defaults applied). */
  varsJson: string;
  cacheKey: string;
  objectKey: string;
}

export function chooseEngine(req: Pick<ImageJobRequest, 'engine' | 'format'>, template: TemplateDefinition, envDefault: string | undefined): EngineName {
  if (req.engine) return req.engine;
  if (req.format === 'svg') return 'satori';
  return template.preferredEngine ?? defaultEngine(envDefault);
}

/** Where a template's vars sit in a request: the field-path prefix, and the name the detail text gives them. */
export interface VarsAt {
  path: string;
  label: string;
}

/** Vars checked by the template's schema: defaults applied, a 400 naming each bad field under `at.path`. */
export function parseVars(template: Pick<TemplateDefinition, 'id' | 'vars'>, given: Record<string, unknown>, at: VarsAt): Record<string, unknown> {
  const parsed = template.vars.safeParse(given);
  if (!parsed.success) {
    throw new ProblemError('validation_failed', `${at.label} do not match template "${template.id}"`, { errors: fieldErrors(parsed.error.issues, at.path) });
  }
  return parsed.data as Record<string, unknown>;
}

/**
 * Each image URL the (parsed) vars fill, checked by the remote-image guard before anything is
 * fetched (a 422 naming `at.path.<var>`); returns the distinct URLs, for the caller's budget.
 */
export function checkImageUrls(
  template: Pick<TemplateDefinition, 'imageVars'>,
  vars: Record<string, unknown>,
  at: VarsAt,
  policy: RemoteImagePolicy,
): Set<string> {
  const urls = new Set<string>();
  for (const name of template.imageVars) {
    const value = vars[name];
    if (typeof value === 'string' && value !== '') {
      checkRemoteUrl(value, `${at.path}.${name}`, policy);
      urls.add(value);
    }
  }
  return urls;
}

/** Vars validated, then each image URL checked: what every kind of job does with a template's vars. */
export function checkVars(
  template: Pick<TemplateDefinition, 'id' | 'vars' | 'imageVars'>,
  given: Record<string, unknown>,
  at: VarsAt,
  policy: RemoteImagePolicy,
): { vars: Record<string, unknown>; urls: Set<string> } {
  const vars = parseVars(template, given, at);
  return { vars, urls: checkImageUrls(template, vars, at, policy) };
}

/** A new request's door: the template resolved for the caller, then the job built. */
export async function prepareImage(req: ImageRequest, context: BuildContext & { templates?: AccountTemplates }): Promise<PreparedImage> {
  const { template: ref, ...rest } = req;
  return buildImageJob(await resolveImageTemplate(ref, context.templates), rest, context);
}

export async function buildImageJob(resolved: ResolvedImageTemplate, req: ImageJobRequest, context: BuildContext): Promise<PreparedImage> {
  const { template, user: userTemplate } = resolved;
  const varsPath = req.varsPath ?? 'vars';
  const at: VarsAt = { path: varsPath, label: varsPath };
  const vars = parseVars(template, req.vars, at);

  const engine = chooseEngine(req, template, context.defaultEngine);
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
  const urls = checkImageUrls(template, vars, at, context.policy);
  if (urls.size > REMOTE_IMAGE_BUDGET.maxImages) {
    throw new ProblemError('validation_failed', `The render names ${urls.size} different remote images; the limit is ${REMOTE_IMAGE_BUDGET.maxImages}.`, {
      errors: [{ path: varsPath, message: `at most ${REMOTE_IMAGE_BUDGET.maxImages} different image URLs` }],
    });
  }

  const source = context.fonts ?? { lookup: async () => [] };
  const fonts = 'recorded' in source ? source.recorded : await lookUpFonts(req, userTemplate, source.lookup);

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

/**
 * A new request's uploaded faces: of `font_family`, and of the families a user template names
 * (a family deleted since is a 422), each counted from its row before any file is read (fonts/custom.ts).
 */
async function lookUpFonts(req: ImageJobRequest, userTemplate: ResolvedImageTemplate['user'], lookupFamily: FamilyLookup): Promise<FontFace[] | undefined> {
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
  if (userTemplate && userTemplate.fontFamilies.length > 0) {
    const named = await templateFaces(userTemplate, lookupFamily, templatePath);
    // the template's own faces past the budget (faces uploaded to its families since it was made):
    // the template cannot be drawn, whatever the request says
    const excess = fontBudgetExcess(named);
    if (excess) {
      throw new ProblemError('template_invalid', `Template ${userTemplate.id} ${excess}.`, { errors: [{ path: templatePath, message: excess }] });
    }
    const seen = new Set(fonts?.map((f) => f.id));
    fonts = [...(fonts ?? []), ...named.filter((f) => !seen.has(f.id))];
  }
  const excess = fonts && req.font_family !== undefined ? fontBudgetExcess(fonts) : undefined;
  if (excess) {
    throw new ProblemError('validation_failed', `font_family: this render ${excess}.`, { errors: [{ path: 'font_family', message: excess }] });
  }
  return fonts;
}
