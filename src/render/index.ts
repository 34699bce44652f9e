/**
 * Renders a validated template job: fetches its remote image vars under the guard, builds the
 * tree, and hands it to the chosen engine.
 */
import type { TemplateDefinition } from '../../templates/define';
import { ProblemError } from '../errors/problem';
import type { Engine, EngineName, ImageFormat, RenderImage, RenderOutput } from './engine';
import { satoriEngine } from './engines/satori';
import { takumiEngine } from './engines/takumi';
import { type PdfJob, type PdfOutput, renderPdf } from './pdf/index';
import { fetchRemoteImage, type RemoteImagePolicy, toDataUrl } from './remote-images';
import { withTestWatermark } from './watermark';

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
}

/**
 * Fetches every remote image var in parallel and swaps its URL for a data: URL (what satori
 * draws), keeping the fetched bytes under that same src for engines that take bytes (takumi).
 */
export async function resolveImageVars(
  job: { template: { imageVars: readonly string[] }; vars: Record<string, unknown> },
  policy: RemoteImagePolicy,
  pathPrefix = '',
): Promise<{ vars: Record<string, unknown>; images: RenderImage[] }> {
  const vars = { ...job.vars };
  const images: RenderImage[] = [];
  await Promise.all(
    job.template.imageVars.map(async (name) => {
      const value = vars[name];
      if (typeof value !== 'string' || value === '') return;
      const image = await fetchRemoteImage(value, `${pathPrefix}vars.${name}`, policy);
      const src = toDataUrl(image);
      vars[name] = src;
      images.push({ src, data: image.bytes });
    }),
  );
  return { vars, images };
}

export async function renderImage(job: ImageJob, policy: RemoteImagePolicy): Promise<RenderOutput> {
  const { vars, images } = await resolveImageVars(job, policy);
  const drawn = job.template.render(vars as never, { width: job.width, height: job.height });
  const element = job.watermark ? withTestWatermark(drawn, job.width, job.height) : drawn;
  try {
    return await ENGINE_IMPLS[job.engine].render({ element, images, width: job.width, height: job.height, scale: job.scale, format: job.format });
  } catch (err) {
    // Templates are tested against every shape of valid vars, so an engine failure on a render that
    // carried remote images is, in practice, an image the engine cannot decode: the caller's input.
    const images = job.template.imageVars.filter((name) => typeof job.vars[name] === 'string' && job.vars[name] !== '');
    if (images.length > 0) {
      throw new ProblemError(
        'remote_image_undecodable',
        `The renderer could not decode ${images.map((n) => `vars.${n}`).join(', ')}: ${(err as Error).message}`,
        {
          errors: images.map((n) => ({ path: `vars.${n}`, message: 'could not be decoded as an image' })),
          cause: err,
        },
      );
    }
    throw err;
  }
}

/**
 * Renders a PDF job: every section's remote images fetched (in parallel, under the guard) and
 * handed to its template as data: URLs, then the pages drawn as vectors.
 */
export async function renderDocument(job: PdfJob, policy: RemoteImagePolicy, pathPrefix: (index: number) => string): Promise<PdfOutput> {
  const sections = await Promise.all(
    job.sections.map(async (section, i) => ({ ...section, vars: (await resolveImageVars(section, policy, pathPrefix(i))).vars })),
  );
  try {
    return await renderPdf({ ...job, sections });
  } catch (err) {
    const images = job.sections.flatMap((s, i) =>
      s.template.imageVars.filter((name) => typeof s.vars[name] === 'string' && s.vars[name] !== '').map((name) => `${pathPrefix(i)}vars.${name}`),
    );
    if (images.length > 0) {
      throw new ProblemError('remote_image_undecodable', `The renderer could not draw ${images.join(', ')}: ${(err as Error).message}`, {
        errors: images.map((path) => ({ path, message: 'could not be decoded as an image' })),
        cause: err,
      });
    }
    throw err;
  }
}
