/**
 * Renders a validated template job: fetches its remote image vars under the guard, builds the
 * tree, and hands it to the chosen engine.
 */
import type { TemplateDefinition } from '../../templates/define';
import { ProblemError } from '../errors/problem';
import { SANS } from '../fonts/bundled';
import { type CustomFont, type FontFace, fontBudgetExcess, loadCustomFonts, renderFamily } from '../fonts/custom';
import { loadTextAssets } from '../fonts/text-assets';
import { bytesOfDataUrl } from '../lib/data-url';
import { withRenderMemory } from '../lib/isolate-memory';
import { PDF_REMOTE_IMAGE_BUDGET, SATORI_WORK_PIXELS } from './budget';
import {
  CONTENT_TYPES,
  type Engine,
  type EngineName,
  ImageDecodeError,
  type ImageFormat,
  type RenderImage,
  type RenderOutput,
  type RenderRequest,
} from './engine';
import { satoriEngine } from './engines/satori';
import { takumiEngine } from './engines/takumi';
import { picturePixels } from './images/image-check';
import { type FetchedImage, fetchRemoteImages, type ImageWant, type RemoteImagePolicy, toDataUrl } from './images/remote-images';
import { type TemplateNode, withFamilies } from './jsx';
import { type LaidOutPage, type PdfJob, type PdfOutput, renderPdf } from './pdf/index';
import { ImageEmbedError } from './pdf/svg-to-pdf';
import { pngAsSvg, withTestWatermark } from './watermark';

export const ENGINE_IMPLS: Record<EngineName, Engine> = { takumi: takumiEngine, satori: satoriEngine };

export interface ImageJob {
  template: TemplateDefinition;
  /** Vars already validated by the template's schema. */
  vars: Record<string, unknown>;
  engine: EngineName;
  format: ImageFormat;
  width: number;
  height: number;
  scale: number;
  /** Made with a test key: drawn with the TEST watermark. */
  watermark: boolean;
  /** The caller's font faces: of `fontFamily`, and of the uploaded families a user template names. */
  fonts?: FontFace[];
  /** The uploaded family that draws the template's house font (Inter) instead (`font_family`). */
  fontFamily?: string;
  /**
   * The image vars hold data: URLs already (a user template being tried, with stand-in pictures):
   * nothing to fetch. Never set from a request: requests' image vars are https URLs.
   */
  prefetched?: boolean;
}

/**
 * Reads the job's font faces, a family at a time (each family is registered under a name of its
 * own, renderFamily), and says which family names the tree must use for them.
 */
async function loadJobFonts(bucket: R2Bucket | undefined, job: ImageJob): Promise<{ custom: CustomFont[]; names: Map<string, string> }> {
  const names = new Map<string, string>();
  if (!job.fonts || job.fonts.length === 0 || !bucket) return { custom: [], names };
  // checked when the request was made (renders/build-job.ts); this holds for a job queued before that check
  const excess = fontBudgetExcess(job.fonts);
  if (excess) {
    const path = job.fontFamily ? 'font_family' : 'template';
    throw new ProblemError(job.fontFamily ? 'validation_failed' : 'template_invalid', `${path}: this render ${excess}`, {
      errors: [{ path, message: excess }],
    });
  }
  const groups = new Map<string, FontFace[]>();
  for (const face of job.fonts) {
    const family = face.family.toLowerCase();
    groups.set(family, [...(groups.get(family) ?? []), face]);
  }
  const custom = (await Promise.all([...groups.values()].map((faces) => loadCustomFonts(bucket, faces)))).flat();
  for (const [family, faces] of groups) names.set(family, renderFamily(faces));
  const house = job.fontFamily && names.get(job.fontFamily.toLowerCase());
  // the house font becomes the caller's: the template's text, not the watermark's (drawn after)
  if (house) names.set(SANS.toLowerCase(), house);
  return { custom, names };
}

/** PNG and JPEG data: URLs a tree carries itself (a user template's literal images), as bytes for takumi. */
function literalImages(node: TemplateNode, known: Set<string>, out: RenderImage[]): RenderImage[] {
  if (typeof node !== 'object') return out;
  const src = node.type === 'img' ? node.props.src : undefined;
  const candidates = [
    typeof src === 'string' ? src : '',
    ...Object.values(node.props.style ?? {}).flatMap((v) =>
      typeof v === 'string' ? [...v.matchAll(/url\(\s*['"]?(data:[^'")\s]+)/g)].map((m) => m[1] as string) : [],
    ),
  ];
  for (const url of candidates) {
    const image = known.has(url) ? undefined : bytesOfDataUrl(url);
    if (!image || (image.type !== 'image/png' && image.type !== 'image/jpeg')) continue;
    known.add(url);
    out.push({ src: url, data: image.bytes });
  }
  const children = node.props.children;
  for (const child of Array.isArray(children) ? children : children === undefined ? [] : [children]) literalImages(child, known, out);
  return out;
}

/**
 * Fetches the remote image vars (each distinct URL once, a few at a time, under the render's
 * budget: remote-images.ts fetchRemoteImages) and swaps each URL for a data: URL (what satori
 * draws), keeping the fetched bytes under that same src for engines that take bytes (takumi).
 */
export async function resolveImageVars(job: ImageJob, policy: RemoteImagePolicy): Promise<{ vars: Record<string, unknown>; images: RenderImage[] }> {
  const vars = { ...job.vars };
  const images: RenderImage[] = [];
  const wants: ImageWant[] = [];
  for (const name of job.template.imageVars) {
    const value = vars[name];
    if (typeof value !== 'string' || value === '') continue;
    if (job.prefetched) {
      const image = bytesOfDataUrl(value);
      if (image) images.push({ src: value, data: image.bytes });
    } else {
      wants.push({ url: value, path: `vars.${name}` });
    }
  }
  if (wants.length === 0) return { vars, images };
  const fetched = await fetchRemoteImages(wants, policy);
  const srcs = new Map<string, string>();
  for (const [url, image] of fetched) {
    const src = toDataUrl(image);
    srcs.set(url, src);
    images.push({ src, data: image.bytes });
  }
  for (const { url, path } of wants) vars[path.slice('vars.'.length)] = srcs.get(url);
  return { vars, images };
}

/** The satori engine's cap on output and pictures together (render/budget.ts SATORI_WORK_PIXELS), before any decode. */
function satoriTooMuch(job: ImageJob, pixels: number): never {
  const paths = filledImageVars(job).map((n) => `vars.${n}`);
  const reason = `the output and its pictures come to ${pixels} pixels; the satori engine draws at most ${SATORI_WORK_PIXELS} (engine takumi draws this, or use smaller pictures)`;
  throw new ProblemError('remote_image_too_large', `${paths.join(', ') || 'vars'}: ${reason}`, {
    errors: (paths.length > 0 ? paths : ['vars']).map((path) => ({ path, message: reason })),
  });
}

/**
 * What an engine is handed for a job, short of the format: its remote images fetched, its uploaded
 * fonts read, the tree built (families, watermark, literal images) and the fallback fonts and emoji
 * its text needs. `pixels`: the work the engine's WASM memory grows with (the output and the
 * pictures it decodes). Shared by renderImage and the template lint, which lays the same request out.
 */
export async function imageRequest(
  job: ImageJob,
  policy: RemoteImagePolicy,
  fonts: R2Bucket | undefined,
): Promise<{ request: Omit<RenderRequest, 'format'>; pixels: number }> {
  const [{ vars, images }, { custom, names }] = await Promise.all([resolveImageVars(job, policy), loadJobFonts(fonts, job)]);
  const template = job.template.render(vars as never, { width: job.width, height: job.height });
  const drawn = names.size > 0 ? withFamilies(template, names) : template;
  const element = job.watermark ? withTestWatermark(drawn, job.width, job.height) : drawn;
  literalImages(element, new Set(images.map((i) => i.src)), images);
  const text = await loadTextAssets(fonts, element, ENGINE_IMPLS[job.engine].fontFormat);
  const pixels = Math.round(job.width * job.scale) * Math.round(job.height * job.scale) + images.reduce((n, i) => n + picturePixels(i.data), 0);
  return { request: { element, images, text, custom, width: job.width, height: job.height, scale: job.scale }, pixels };
}

/**
 * Renders an image job. `fonts`: the FONTS bucket, for text the bundled fonts do not cover
 * (CJK, Arabic, Hebrew, Devanagari, Thai, symbols) and emoji.
 */
export async function renderImage(job: ImageJob, policy: RemoteImagePolicy, fonts: R2Bucket | undefined): Promise<RenderOutput> {
  const { request, pixels } = await imageRequest(job, policy, fonts);
  const engine = ENGINE_IMPLS[job.engine];
  if (job.engine === 'satori' && pixels > SATORI_WORK_PIXELS) satoriTooMuch(job, pixels);
  try {
    return await withRenderMemory(pixels, async () => {
      if (job.watermark && job.format === 'svg') {
        // a test key's SVG is its watermarked picture, so the marks cannot be deleted as elements
        const png = await engine.render({ ...request, format: 'png' });
        return { bytes: pngAsSvg(png.bytes, job.width, job.height), contentType: CONTENT_TYPES.svg, width: job.width, height: job.height };
      }
      return await engine.render({ ...request, format: job.format });
    });
  } catch (err) {
    // a picture the engine could not decode is the caller's input, whatever the template; any other
    // failure goes up as it is, for the render service to classify (renders/draw.ts)
    if (err instanceof ImageDecodeError) throw undecodableImages(job, err) ?? err;
    throw err;
  }
}

/** The image vars a job fills (with a URL, or with a data: URL once fetched). */
export function filledImageVars(job: ImageJob): string[] {
  return job.template.imageVars.filter((name) => typeof job.vars[name] === 'string' && job.vars[name] !== '');
}

/**
 * A failed render blamed on the job's remote images (422 naming each image var), or undefined
 * when the job has none to blame.
 */
export function undecodableImages(job: ImageJob, err: Error): ProblemError | undefined {
  const images = filledImageVars(job);
  if (images.length === 0) return undefined;
  return new ProblemError('remote_image_undecodable', `The renderer could not decode ${images.map((n) => `vars.${n}`).join(', ')}: ${err.message}`, {
    errors: images.map((n) => ({ path: `vars.${n}`, message: `${job.vars[n]} could not be decoded as an image` })),
    cause: err,
  });
}

/**
 * Renders a PDF job: every distinct remote image URL fetched once (a few at a time, under the guard and the render's budget)
 * and handed to its templates as a data: URL, then the pages drawn as vectors. PDFs embed PNG and
 * JPEG, which is all fetchRemoteImage hands on (GIF, WebP, AVIF and SVG arrive as PNG), within the
 * 4.2 MP every remote image is held to (pdf-lib decodes PNGs in JavaScript, in memory).
 */
export async function renderDocument(
  job: PdfJob,
  policy: RemoteImagePolicy,
  pathPrefix: (index: number) => string,
  laidOut?: LaidOutPage[],
): Promise<PdfOutput> {
  const wants: ImageWant[] = [];
  job.sections.forEach((section, i) => {
    for (const name of section.template.imageVars) {
      const value = section.vars[name];
      if (typeof value === 'string' && value !== '') wants.push({ url: value, path: `${pathPrefix(i)}vars.${name}` });
    }
  });
  // every distinct URL once, under the render's budget (the same as an image's)
  const fetched = wants.length > 0 ? await fetchRemoteImages(wants, policy, PDF_REMOTE_IMAGE_BUDGET) : new Map<string, FetchedImage>();
  const srcs = new Map<string, string>();
  const pathsOf = new Map<string, { path: string; url: string }>(); // data: URL → the first var that asked for it, and its URL
  for (const { url, path } of wants) {
    const got = fetched.get(url);
    if (!got || srcs.has(url)) continue;
    const src = toDataUrl(got);
    srcs.set(url, src);
    pathsOf.set(src, { path, url });
  }
  const sections = job.sections.map((section) => {
    const vars = { ...section.vars };
    for (const name of section.template.imageVars) {
      const value = vars[name];
      if (typeof value === 'string' && value !== '') vars[name] = srcs.get(value);
    }
    return { ...section, vars };
  });
  try {
    // pages laid out before the images were fetched still hold their URLs: reuse them only without images
    return await renderPdf({ ...job, sections }, fetched.size === 0 ? laidOut : undefined);
  } catch (err) {
    // only an image pdf-lib could not embed is the caller's; anything else is ours (and retried)
    if (err instanceof ImageEmbedError) {
      const { path, url } = pathsOf.get(err.href) ?? { path: 'vars', url: 'an image' };
      const reason = `${url} could not be embedded: ${(err.cause as Error)?.message ?? 'unreadable image'}`;
      throw new ProblemError('remote_image_undecodable', `${path}: ${reason}`, {
        errors: [{ path, message: reason }],
        cause: err,
      });
    }
    throw err;
  }
}
