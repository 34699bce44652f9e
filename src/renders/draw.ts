/**
 * Draws a built image job and says whose fault an engine failure is. The engines and
 * render/index.ts answer what they know by type (a ProblemError for a refused request, a picture
 * that cannot be decoded as `remote_image_undecodable`); what is left is an engine failing on this
 * template with these vars, and what that means depends on the kind of template, which is this
 * room's knowledge, not the renderer's.
 */
import { ProblemError } from '../errors/problem';
import type { RenderOutput } from '../render/engine';
import type { RemoteImagePolicy } from '../render/images/remote-images';
import { type ImageJob, renderImage, undecodableImages } from '../render/index';
import { isUserTemplateId } from '../user-templates/compile';

/** Renders an image job (`fonts`: the FONTS bucket), an engine failure classified by `engineFailure`. */
export async function drawImage(job: ImageJob, policy: RemoteImagePolicy, fonts: R2Bucket | undefined): Promise<RenderOutput> {
  try {
    return await renderImage(job, policy, fonts);
  } catch (err) {
    throw engineFailure(job, err);
  }
}

/**
 * What an engine failure the renderer left unclassified is. A user template is tried with its
 * example only, so what an engine refuses with other values (or another size) is the template's
 * and the request's doing: 422 `template_invalid`. The built-in templates are tested against every
 * shape of valid vars, so such a failure on a render that carried remote images is, in practice, a
 * picture the engine could not read: the caller's input. Anything else is ours (retried when queued).
 */
export function engineFailure(job: ImageJob, err: unknown): unknown {
  if (err instanceof ProblemError || !(err instanceof Error)) return err;
  if (isUserTemplateId(job.template.id)) {
    return new ProblemError(
      'template_invalid',
      `The ${job.engine} engine cannot draw template ${job.template.id} v${job.template.version} with these vars: ${err.message}`,
      { errors: [{ path: 'template', message: `${job.engine}: ${err.message}` }], cause: err },
    );
  }
  return undecodableImages(job, err) ?? err;
}
