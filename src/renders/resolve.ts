/**
 * The one reader of template references. Every door that draws something — the generate routes,
 * the queue consumer, the template preview, PDF sections, and the og URLs and batch items to come —
 * turns what the caller wrote (`og-card`, `tpl_…`, `tpl_…@3`) or what a queued render recorded (an
 * id and a version) into a template definition here, so the same name means the same template, with
 * the same refusals, whichever door it came through.
 *
 * Built-in templates come from templates/; an account's own from the user-template service (which
 * compiles and memoises them). Image requests take image templates, built-in or the account's; PDF
 * sections take the built-in templates of either kind.
 */
import type { TemplateDefinition } from '../../templates/define';
import { PDF_TEMPLATES, TEMPLATES } from '../../templates/index';
import { ProblemError } from '../errors/problem';
import type { AnyTemplate } from '../render/pdf/layout';
import type { UserTemplateDefinition } from '../user-templates/compile';
import { isUserTemplateId } from '../user-templates/compile';
import { resolveUserTemplate, userTemplateVersion } from '../user-templates/service';
import { templateNotFound, templateUnavailable } from './template-errors';

/** An image template as resolved: its definition (id and version included) and, for an account's own, what only those have. */
export interface ResolvedImageTemplate {
  template: TemplateDefinition;
  version: number;
  /** Set when the template is the account's own (`tpl_…`): its uploaded font families, its declared vars. */
  user?: UserTemplateDefinition;
}

/** The caller's own templates, as the resolver reads them. */
export interface AccountTemplates {
  /** The current version (`tpl_…`) or a pinned one (`tpl_…@3`); throws `template_not_found`. */
  named(ref: string): Promise<UserTemplateDefinition>;
  /** The version a queued render recorded, even if changed or deleted since; throws `template_unavailable`. */
  version(id: string, version: number): Promise<UserTemplateDefinition>;
}

/** An account's templates in D1 (`null`: a render with no owner, which has none). */
export function accountTemplates(db: D1Database, accountId: string | null): AccountTemplates {
  return {
    named: (ref) => (accountId ? resolveUserTemplate(db, accountId, ref) : Promise.reject(templateNotFound(ref))),
    version: (id, version) =>
      accountId ? userTemplateVersion(db, accountId, id, version) : Promise.reject(new ProblemError('template_unavailable', `Template ${id} has no owner`)),
  };
}

/** Templates that only one definition answers to (the template preview's source, not kept). */
export function onlyTemplate(definition: UserTemplateDefinition): AccountTemplates {
  return { named: async () => definition, version: async () => definition };
}

/** A built-in template of either kind by id. */
export function findAnyTemplate(id: string): AnyTemplate | undefined {
  return PDF_TEMPLATES.get(id) ?? TEMPLATES.get(id);
}

/** What an image request's `template` names; a PDF template, or an account template without an account, is refused. */
export async function resolveImageTemplate(ref: string, templates?: AccountTemplates): Promise<ResolvedImageTemplate> {
  if (isUserTemplateId(ref)) {
    if (!templates) throw templateNotFound(ref);
    const user = await templates.named(ref);
    return { template: user, version: user.version, user };
  }
  const template = TEMPLATES.get(ref);
  if (template) return { template, version: template.version };
  if (PDF_TEMPLATES.has(ref)) {
    throw new ProblemError('template_kind_mismatch', `"${ref}" is a PDF template: POST /api/v1/generate/pdf renders it.`, {
      errors: [{ path: 'template', message: 'is a PDF template' }],
    });
  }
  throw templateNotFound(ref);
}

/** The image template a queued render recorded, at exactly that version. */
export async function resolveRecordedImageTemplate(id: string, version: number, templates: AccountTemplates): Promise<ResolvedImageTemplate> {
  // an account's template: the version the request named, even if it has changed or been deleted since
  const user = isUserTemplateId(id) ? await templates.version(id, version) : undefined;
  const template = user ?? TEMPLATES.get(id);
  if (!template || template.version !== version) throw templateUnavailable(id, version);
  return { template, version, ...(user ? { user } : {}) };
}

/** What a PDF section's `template` names (at `path`): a built-in template of either kind. */
export function resolveSectionTemplate(ref: string, path: string): AnyTemplate {
  const template = findAnyTemplate(ref);
  if (template) return template;
  if (isUserTemplateId(ref)) {
    throw new ProblemError(
      'template_kind_mismatch',
      `"${ref}" names a user template: those render to images (POST /api/v1/generate/image); PDFs take the built-in templates.`,
      { errors: [{ path, message: 'user templates render to images only' }] },
    );
  }
  throw templateNotFound(ref, [{ path, message: 'unknown template' }]);
}

/** A section of a queued PDF, at exactly the version it recorded. */
export function resolveRecordedSection(id: string, version: number): AnyTemplate {
  const template = findAnyTemplate(id);
  if (!template || template.version !== version) throw templateUnavailable(id, version);
  return template;
}
