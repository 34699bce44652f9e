/**
 * The template lint (POST /api/v1/templates/lint): a template — built-in, the account's, or a
 * source being edited — checked with these vars, answered as a report instead of a refusal, and
 * nothing kept. What the preview would refuse (markup that does not compile, an unknown template,
 * vars that do not match) becomes an issue; then the job is assembled as the render path does it
 * (renders/build-job.ts's pieces: vars, engine, size, image URLs under the SSRF guard, fonts) and
 * checked where a render would quietly go wrong:
 *
 * - text clamped, clipped or past the edge, measured by takumi's layout (overflow.ts);
 * - characters no font draws (tofu.ts);
 * - images that cannot be fetched or decoded: fetched as a render fetches them, under the guard and
 *   per-image limits, never written to the remote-image cache (nothing is stored);
 * - CSS an engine ignores (css.ts); output, images and fonts over the render's limits.
 *
 * Bounded like a preview: at most REMOTE_IMAGE_BUDGET.maxImages images of at most 5 MB and 5 s
 * each, fetched four at a time; the fonts a render would load; two layouts and no raster.
 */
import type { TemplateDefinition } from '../../../templates/define';
import { config } from '../../config';
import { familyFaces } from '../../db/fonts';
import type { Bindings } from '../../env';
import { type FieldError, ProblemError } from '../../errors/problem';
import { type FontFace, fontBudgetExcess } from '../../fonts/custom';
import { SfntFont } from '../../fonts/sfnt';
import { textRuns, uncoveredCodepoints, unshapedBySatori } from '../../fonts/text-assets';
import { REMOTE_IMAGE_BUDGET } from '../../render/budget';
import { type EngineName, type ImageFormat, MAX_OUTPUT_PIXELS } from '../../render/engine';
import { measureLayout } from '../../render/engines/takumi';
import { checkImage } from '../../render/images/image-check';
import { fetchRemoteImage, type RemoteImagePolicy, toDataUrl } from '../../render/images/remote-images';
import { ENGINE_IMPLS, type ImageJob, imageRequest } from '../../render/index';
import type { TemplateSource } from '../../user-templates/compile';
import { compilePreview, STAND_IN_IMAGE, templateFaces } from '../../user-templates/service';
import { chooseEngine } from '../build-job';
import { accountTemplates, type ResolvedImageTemplate, resolveImageTemplate } from '../resolve';
import { cssIssues } from './css';
import type { Binding, LintCode, LintIssue } from './issue';
import { measurable, overflowIssues, unclamped } from './overflow';
import { tofuIssues } from './tofu';

export type { LintIssue } from './issue';

export interface LintReport {
  ok: boolean;
  issues: LintIssue[];
  /** What was checked, when the template could be read: the engine it would draw with and the size. */
  checked?: { template: string; engine: EngineName; width: number; height: number };
}

export type LintTarget = { template: string } | { source: TemplateSource };

export interface LintOptions {
  vars?: Record<string, unknown>;
  format: ImageFormat;
  engine?: EngineName;
  width?: number;
  height?: number;
  font_family?: string;
}

const report = (issues: LintIssue[], checked?: LintReport['checked']): LintReport => ({
  ok: !issues.some((i) => i.severity === 'error'),
  issues,
  ...(checked ? { checked } : {}),
});

/** A refusal as issues (each field error one), under `code`. */
function fromProblem(err: ProblemError, code: LintCode, fallbackPath: string): LintIssue[] {
  const errors: FieldError[] = err.errors?.length ? err.errors : [{ path: fallbackPath, message: err.message }];
  return errors.map((e) => ({ path: e.path, code, severity: 'error', message: e.message === err.message ? e.message : `${e.message} (${err.message})` }));
}

export async function lintTemplate(env: Bindings, accountId: string, target: LintTarget, options: LintOptions): Promise<LintReport> {
  const issues: LintIssue[] = [];
  const isSource = 'source' in target;
  const templatePath = isSource ? 'html' : 'template';
  const varsPath = isSource ? 'values' : 'vars';

  // 1. the template: a source compiled as on create, or a reference resolved for the account
  let resolved: ResolvedImageTemplate;
  try {
    if (isSource) {
      const user = compilePreview(target.source);
      resolved = { template: user, version: 0, user };
    } else {
      resolved = await resolveImageTemplate(target.template, accountTemplates(env.DB, accountId));
    }
  } catch (err) {
    if (!(err instanceof ProblemError)) throw err;
    const code: LintCode = err.code === 'template_not_found' || err.code === 'template_kind_mismatch' ? err.code : 'template_invalid';
    return report(fromProblem(err, code, templatePath));
  }
  const { template, user } = resolved;
  const name = isSource ? 'the source' : template.id;

  // 2. vars: each bad one an issue; the rest drawn, the bad ones replaced by the example's
  const vars = checkedVars(template, options.vars ?? (isSource ? template.example : {}), varsPath, issues);
  if (!vars) return report(issues);

  // 3. engine, format, script, size
  const engine = chooseEngine(options, template, config(env).defaultEngine);
  if (!ENGINE_IMPLS[engine].formats.includes(options.format)) {
    issues.push({
      path: 'engine',
      code: 'engine_unsupported',
      severity: 'error',
      message: `Engine "${engine}" cannot write ${options.format}; use engine "satori" or omit engine.`,
    });
  }
  if (engine === 'satori') {
    for (const path of unshapedBySatori(vars, varsPath)) {
      issues.push({
        path,
        code: 'engine_unsupported',
        severity: 'error',
        message: `${path} holds right-to-left or Indic text, which the satori engine cannot lay out; use engine "takumi".`,
        var: path.slice(varsPath.length + 1),
      });
    }
  }
  const width = options.width ?? template.size.width;
  const height = options.height ?? template.size.height;
  const checked = { template: isSource ? 'source' : template.id, engine, width, height };
  if (width * height > MAX_OUTPUT_PIXELS) {
    issues.push({
      path: 'width',
      code: 'limit_exceeded',
      severity: 'error',
      message: `The output would be ${width}×${height} = ${width * height} pixels; the limit is ${MAX_OUTPUT_PIXELS}.`,
      actual: width * height,
      limit: MAX_OUTPUT_PIXELS,
    });
    return report(issues, checked);
  }

  // 4. images and fonts, side by side
  const policy = config(env).remoteImages; // no cache bucket: the lint writes nothing
  const [images, fonts] = await Promise.all([
    checkImages(template, vars, varsPath, policy, issues),
    lintFonts(env, accountId, user, options.font_family, templatePath, issues),
  ]);

  // 5. lay it out as takumi draws it, as written and unclamped
  const job: ImageJob = { template, vars: images, engine: 'takumi', format: 'png', width, height, scale: 1, watermark: false, prefetched: true, ...fonts };
  const bindings = textBindings(template, vars, varsPath);
  let laid: Awaited<ReturnType<typeof measureLayout>>;
  let request: Awaited<ReturnType<typeof imageRequest>>['request'];
  try {
    ({ request } = await imageRequest(job, policy, env.FONTS));
    laid = await measureLayout(request, [measurable, (n) => unclamped(measurable(n))]);
  } catch (err) {
    // a deployment without its fonts is the deployment's (503); anything else is the template's with these vars
    if (err instanceof ProblemError && err.status >= 500) throw err;
    issues.push(
      ...(err instanceof ProblemError
        ? fromProblem(err, 'template_invalid', templatePath)
        : [
            {
              path: templatePath,
              code: 'template_invalid' as const,
              severity: 'error' as const,
              message: `The engine cannot lay out ${name} with these vars: ${(err as Error).message}`,
            },
          ]),
    );
    return report(issues, checked);
  }
  const [written, bare] = laid as [(typeof laid)[number], (typeof laid)[number]];
  issues.push(...overflowIssues({ written, unclamped: bare, width, height, bindings, templatePath }));

  // 6. tofu: what neither the bundled, the fallback nor the caller's fonts draw
  const texts = textRuns(request.element).map((r) => r.text);
  const missing = await uncoveredCodepoints(env.FONTS, texts.join('\n'));
  if (missing && missing.size > 0 && request.custom?.length) {
    const faces = request.custom.map((f) => new SfntFont(f.data));
    for (const cp of missing) if (faces.some((f) => f.glyphId(cp) > 0)) missing.delete(cp);
  }
  if (missing) issues.push(...tofuIssues(texts, missing, bindings, templatePath));

  // 7. CSS the engines ignore or draw differently
  issues.push(...cssIssues(request.element, templatePath));
  return report(issues, checked);
}

/** The vars parsed by the template's schema; a bad one is an issue and drawn with the example's value. */
function checkedVars(template: TemplateDefinition, given: Record<string, unknown>, varsPath: string, issues: LintIssue[]): Record<string, unknown> | undefined {
  const parsed = template.vars.safeParse(given);
  if (parsed.success) return parsed.data as Record<string, unknown>;
  const bad = new Set<string>();
  for (const issue of parsed.error.issues) {
    const key = issue.path[0] === undefined ? undefined : String(issue.path[0]);
    if (key !== undefined) bad.add(key);
    const path = [varsPath, ...issue.path.map(String)].join('.');
    issues.push({ path, code: 'vars_invalid', severity: 'error', message: `${path}: ${issue.message}`, ...(key ? { var: key } : {}) });
  }
  const example = template.example as Record<string, unknown>;
  const kept = Object.fromEntries(Object.entries(given).filter(([k]) => !bad.has(k)));
  for (const attempt of [{ ...example, ...kept }, example]) {
    const again = template.vars.safeParse(attempt);
    if (again.success) return again.data as Record<string, unknown>;
  }
  return undefined;
}

/** The string vars that fill text (image vars aside), for naming the var a drawn text comes from. */
function textBindings(template: TemplateDefinition, vars: Record<string, unknown>, varsPath: string): Binding[] {
  const images = new Set<string>(template.imageVars);
  return Object.entries(vars)
    .filter((e): e is [string, string] => typeof e[1] === 'string' && !images.has(e[0]))
    .map(([name, value]) => ({ path: `${varsPath}.${name}`, name, value: value.trim() }));
}

const IMAGE_CODES: Partial<Record<string, LintCode>> = {
  remote_image_blocked: 'image_blocked',
  remote_image_fetch_failed: 'image_unreachable',
  remote_image_timeout: 'image_unreachable',
  remote_image_invalid_type: 'image_invalid',
  remote_image_undecodable: 'image_invalid',
  remote_image_too_large: 'image_too_large',
};

/**
 * Each image var fetched as a render fetches it (the guard on every hop, 5 MB, 5 s, the type and
 * structure checked, decoded to PNG where the engines need it), four at a time; each failure an
 * issue naming the var and the URL. The vars come back with data: URLs (the stand-in a template is tried with where the
 * image failed, so the layout keeps its box); the render's totals are checked after.
 */
async function checkImages(
  template: TemplateDefinition,
  vars: Record<string, unknown>,
  varsPath: string,
  policy: RemoteImagePolicy,
  issues: LintIssue[],
): Promise<Record<string, unknown>> {
  const out = { ...vars };
  const wants = template.imageVars.filter((n) => typeof vars[n] === 'string' && vars[n] !== '');
  const urls = [...new Set(wants.map((n) => vars[n] as string))];
  if (urls.length > REMOTE_IMAGE_BUDGET.maxImages) {
    issues.push({
      path: varsPath,
      code: 'limit_exceeded',
      severity: 'error',
      message: `The render names ${urls.length} different remote images; the limit is ${REMOTE_IMAGE_BUDGET.maxImages}.`,
      actual: urls.length,
      limit: REMOTE_IMAGE_BUDGET.maxImages,
    });
    for (const n of wants) out[n] = STAND_IN_IMAGE;
    return out;
  }
  const got = new Map<string, string>();
  let bytes = 0;
  let pixels = 0;
  const queue = [...urls];
  const worker = async () => {
    for (let url = queue.shift(); url !== undefined; url = queue.shift()) {
      const var_ = wants.find((n) => vars[n] === url) as string;
      const path = `${varsPath}.${var_}`;
      try {
        const image = await fetchRemoteImage(url, path, policy);
        bytes += image.bytes.byteLength;
        const size = checkImage(image.bytes, image.contentType);
        if (size.ok) pixels += size.width * size.height;
        got.set(url, toDataUrl(image));
      } catch (err) {
        if (!(err instanceof ProblemError) || !IMAGE_CODES[err.code]) throw err;
        issues.push({ path, code: IMAGE_CODES[err.code] as LintCode, severity: 'error', message: err.message, var: var_, url });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(REMOTE_IMAGE_BUDGET.concurrency, queue.length) }, worker));
  for (const n of wants) out[n] = got.get(vars[n] as string) ?? STAND_IN_IMAGE;
  for (const [actual, limit, what] of [
    [bytes, REMOTE_IMAGE_BUDGET.maxBytes, 'bytes'],
    [pixels, REMOTE_IMAGE_BUDGET.maxPixels, 'pixels'],
  ] as const) {
    if (actual > limit) {
      issues.push({
        path: varsPath,
        code: 'limit_exceeded',
        severity: 'error',
        message: `The render's remote images come to ${actual} ${what}; together they may have ${limit}.`,
        actual,
        limit,
      });
    }
  }
  return out;
}

/** The uploaded faces a render would load (a user template's families, `font_family`); what is missing or too much is an issue. */
async function lintFonts(
  env: Bindings,
  accountId: string,
  user: ResolvedImageTemplate['user'],
  fontFamily: string | undefined,
  templatePath: string,
  issues: LintIssue[],
): Promise<{ fonts?: FontFace[]; fontFamily?: string }> {
  const lookup = (family: string) => familyFaces(env.DB, accountId, family);
  let faces: FontFace[] = [];
  if (fontFamily !== undefined) {
    const own = await lookup(fontFamily);
    if (own.length === 0)
      issues.push({
        path: 'font_family',
        code: 'font_unavailable',
        severity: 'error',
        message: `No uploaded font family "${fontFamily}" (GET /api/v1/fonts lists yours).`,
      });
    faces = own;
  }
  if (user && user.fontFamilies.length > 0) {
    try {
      const named = await templateFaces(user, lookup, templatePath);
      const seen = new Set(faces.map((f) => f.id));
      faces = [...faces, ...named.filter((f) => !seen.has(f.id))];
    } catch (err) {
      if (!(err instanceof ProblemError)) throw err;
      issues.push(...fromProblem(err, 'font_unavailable', templatePath));
    }
  }
  const excess = faces.length > 0 ? fontBudgetExcess(faces) : undefined;
  if (excess) {
    issues.push({
      path: fontFamily !== undefined ? 'font_family' : templatePath,
      code: 'limit_exceeded',
      severity: 'error',
      message: `This render ${excess}.`,
    });
    return {};
  }
  if (faces.length === 0) return {};
  return { fonts: faces, ...(fontFamily !== undefined ? { fontFamily } : {}) };
}
