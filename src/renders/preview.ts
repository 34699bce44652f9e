/**
 * The template preview (the dashboard's live preview): a template's source drawn without keeping
 * anything. It is compiled and checked as on create, then goes through the generate path's own job
 * builder — vars (400 naming `values.<var>`), engine and script, size, image URLs, fonts — and is
 * drawn like any render, remote images fetched under the guard, with the TEST watermark (a preview
 * costs no quota, so it must not pass for an image).
 */
import { config, renderImagePolicy } from '../config';
import { familyFaces } from '../db/fonts';
import type { Bindings } from '../env';
import type { EngineName, RenderOutput } from '../render/engine';
import type { TemplateSource } from '../user-templates/compile';
import { compilePreview } from '../user-templates/service';
import { prepareImage } from './build-job';
import { drawImage } from './draw';
import { onlyTemplate } from './resolve';

export async function previewTemplate(
  env: Bindings,
  accountId: string,
  source: TemplateSource,
  options: { values?: Record<string, unknown>; format: 'png' | 'webp'; engine?: EngineName },
): Promise<RenderOutput> {
  const definition = compilePreview(source);
  const policy = renderImagePolicy(env);
  const { job } = await prepareImage(
    {
      template: definition.id,
      vars: options.values ?? definition.example,
      format: options.format,
      scale: 1,
      watermark: true,
      varsPath: 'values',
      templatePath: 'html',
      ...(options.engine ? { engine: options.engine } : {}),
    },
    {
      policy,
      defaultEngine: config(env).defaultEngine,
      fonts: { lookup: (family) => familyFaces(env.DB, accountId, family) },
      templates: onlyTemplate(definition),
    },
  );
  return drawImage(job, policy, env.FONTS);
}
