/**
 * An account's templates: checked and tried before they are kept, stored as immutable versions, and
 * compiled once per isolate and version for rendering.
 *
 * Trying a template before keeping it (its example drawn by both engines, images stood in by a
 * small picture, so nothing is fetched) turns what an engine would refuse at render time into a 422
 * now, naming the engine and its complaint.
 */
import { config } from '../config';
import { familyFaces } from '../db/fonts';
import {
  deleteTemplate,
  getTemplate,
  insertTemplate,
  listTemplates,
  markPinned,
  type TemplateListing,
  type TemplateRow,
  type TemplateWithSource,
  templateVersion,
  updateTemplate,
} from '../db/templates';
import type { Bindings } from '../env';
import { ProblemError } from '../errors/problem';
import { type FontFace, fontBudgetExcess } from '../fonts/custom';
import { unshapedBySatori } from '../fonts/text-assets';
import { BoundedMap } from '../lib/bounded-map';
import { ENTRY_OVERHEAD_BYTES, stringBytes } from '../lib/caches';
import { newId } from '../lib/ids';
import { isoNow } from '../lib/time';
import { REMOTE_IMAGE_BUDGET } from '../render/budget';
import { ENGINES } from '../render/engine';
import { checkRemoteUrl } from '../render/images/remote-images';
import { type ImageJob, renderImage } from '../render/index';
import { templateNotFound, templateUnavailable } from '../renders/template-errors';
import { compileTemplate, isUserTemplateId, parseTemplateRef, type TemplateSource, type UserTemplateDefinition } from './compile';
import { MarkupError } from './markup';

export const MAX_TEMPLATES_PER_ACCOUNT = 100;

/**
 * Pinned versions an isolate has read, by account, id and version: a version never changes, so a
 * request pinning one reads nothing from D1 after the first. A delete in this isolate forgets the
 * template's; another isolate may still draw a deleted template's pinned versions for up to a minute.
 */
const pinned = new BoundedMap<string, UserTemplateDefinition>(256, 60 * 1000, {
  name: 'pinned template versions',
  sizeOf: (key, d) => definitionBytes(key, d),
});

export interface UserTemplate {
  row: TemplateRow;
  source: TemplateSource;
  definition: UserTemplateDefinition;
}

/** Compiled versions (immutable: a version's source never changes), per isolate. */
const compiled = new BoundedMap<string, UserTemplateDefinition>(64, 24 * 60 * 60 * 1000, {
  name: 'compiled templates',
  sizeOf: (key, d) => definitionBytes(key, d),
});

/**
 * What a compiled definition holds, estimated from its source's JSON text: the parsed tree, the
 * vars schema and the example are small objects, which cost V8 a few times the UTF-16 text they
 * came from (an estimate, ×3 the string's bytes). A 256 KB markup is ~1.5 MB here, so the memo
 * keeps a handful of the largest templates and dozens of ordinary ones.
 */
const sourceBytes = new WeakMap<UserTemplateDefinition, number>();
function definitionBytes(key: string, definition: UserTemplateDefinition): number {
  return stringBytes(key) + ENTRY_OVERHEAD_BYTES + (sourceBytes.get(definition) ?? 0) * 3;
}
/** A copy of a definition (a name changed) costs what the original does: it shares its parts. */
function sameSize<T extends UserTemplateDefinition>(copy: T, of: UserTemplateDefinition): T {
  const bytes = sourceBytes.get(of);
  if (bytes !== undefined) sourceBytes.set(copy, bytes);
  return copy;
}

function compile(row: Pick<TemplateRow, 'id' | 'version' | 'name' | 'description'>, source: TemplateSource): UserTemplateDefinition {
  try {
    const definition = compileTemplate(row, source);
    sourceBytes.set(definition, stringBytes(JSON.stringify(source)));
    return definition;
  } catch (err) {
    if (err instanceof MarkupError) {
      throw new ProblemError('template_invalid', `The template cannot be used: ${err.message}`, { errors: err.errors });
    }
    throw err;
  }
}

/**
 * A source about to be kept or previewed, compiled and held to the render budget: each image var
 * may be sent a URL of its own (an undeclared {{x}} in a src or url() is one), so a template with
 * more image vars than a render may fetch is one no request could fill. Versions kept before the
 * budget still compile (they can be read, fixed and deleted); a render of one naming too many URLs
 * is refused before any fetch (renders/build-job.ts).
 */
function compileNew(row: Pick<TemplateRow, 'id' | 'version' | 'name' | 'description'>, source: TemplateSource): UserTemplateDefinition {
  const definition = compile(row, source);
  const images = definition.imageVars;
  if (images.length > REMOTE_IMAGE_BUDGET.maxImages) {
    const named = `${images.slice(0, 5).join(', ')}${images.length > 5 ? `, … (${images.length - 5} more)` : ''}`;
    const message = `declares or uses ${images.length} image vars (${named}); a template may have at most ${REMOTE_IMAGE_BUDGET.maxImages}, the remote images one render may fetch`;
    throw new ProblemError('template_invalid', `The template cannot be used: it ${message}`, { errors: [{ path: 'html', message }] });
  }
  return definition;
}

/** A source drawn without being kept (the template preview), compiled and checked as on create. */
export function compilePreview(source: TemplateSource): UserTemplateDefinition {
  return compileNew({ id: 'tpl_preview', version: 0, name: 'Preview', description: '' }, source);
}

function fromRow(row: TemplateWithSource): UserTemplate {
  const source = JSON.parse(row.source) as TemplateSource;
  const key = `${row.id}@${row.version}`;
  let definition = compiled.get(key);
  if (!definition) {
    definition = compile(row, source);
    compiled.set(key, definition);
  }
  const { source: _source, ...meta } = row;
  // name and description change without a new version
  return { row: meta, source, definition: sameSize({ ...definition, name: row.name, description: row.description }, definition) };
}

/** The caller's faces of a family (empty when it has none). */
export type FamilyLookup = (family: string) => Promise<FontFace[]>;

/**
 * The faces of each uploaded family a user template names; a family without faces is a 422 at
 * `path`. Part of building a job (renders/build-job.ts) and of trying a new template.
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

/** A 2×2 grey PNG: what stands in for image vars when a template is tried. */
export const STAND_IN_IMAGE = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAE0lEQVR4AWNcsGDBfwYgYGKAAgAsKALjuNjIWQAAAABJRU5ErkJggg==';

/** Draws the template's example with each engine; what an engine refuses is a 422 naming it. */
async function tryTemplate(env: Bindings, accountId: string, definition: UserTemplateDefinition): Promise<void> {
  const faces = await templateFaces(definition, (family) => familyFaces(env.DB, accountId, family), 'html');
  // counted from the faces' rows, before the trial below reads any file
  const excess = fontBudgetExcess(faces);
  if (excess) throw new ProblemError('template_invalid', `The template cannot be used: it ${excess}`, { errors: [{ path: 'html', message: excess }] });
  const policy = config(env).remoteImages;
  // a default image the guard refuses would fail every render that leaves the var out
  for (const name of definition.imageVars) {
    const fallback = definition.declared[name]?.default;
    if (typeof fallback === 'string') checkRemoteUrl(fallback, `vars.${name}.default`, policy);
  }
  const parsed = definition.vars.parse(definition.example) as Record<string, unknown>;
  for (const name of definition.imageVars) parsed[name] = STAND_IN_IMAGE;
  for (const engine of ENGINES) {
    // right-to-left and Indic text is refused for satori per request (400): an example in it tries takumi only
    if (engine === 'satori' && unshapedBySatori(parsed, 'example').length > 0) continue;
    const job: ImageJob = {
      template: definition,
      vars: parsed,
      engine,
      // satori's PNG: its SVG rasterised by resvg too (an SVG resvg cannot read fails here, not later)
      format: 'png',
      width: definition.size.width,
      height: definition.size.height,
      scale: 1,
      watermark: false,
      prefetched: true,
      ...(faces.length > 0 ? { fonts: faces } : {}),
    };
    try {
      await renderImage(job, policy, env.FONTS);
    } catch (err) {
      const engineFault = err instanceof ProblemError && (err.code === 'template_invalid' || err.code === 'remote_image_undecodable');
      if (err instanceof ProblemError && err.status < 500 && !engineFault) throw err;
      const message = ((err as Error).cause instanceof Error ? ((err as Error).cause as Error) : (err as Error)).message;
      throw new ProblemError('template_invalid', `The ${engine} engine cannot draw the template's example: ${message}`, {
        errors: [{ path: 'html', message: `${engine}: ${message}` }],
        cause: err,
      });
    }
  }
}

export interface TemplateInput {
  name: string;
  description?: string;
  source: TemplateSource;
}

export async function createUserTemplate(env: Bindings, accountId: string, input: TemplateInput): Promise<UserTemplate> {
  const at = isoNow();
  const row: TemplateRow = {
    id: newId('tpl'),
    account_id: accountId,
    name: input.name,
    description: input.description ?? '',
    version: 1,
    created_at: at,
    updated_at: at,
    deleted_at: null,
  };
  const definition = compileNew(row, input.source);
  await tryTemplate(env, accountId, definition);
  const source = JSON.stringify(input.source);
  if (!(await insertTemplate(env.DB, row, source, MAX_TEMPLATES_PER_ACCOUNT))) {
    throw new ProblemError('template_limit_reached', `An account may keep ${MAX_TEMPLATES_PER_ACCOUNT} templates; delete one first`);
  }
  compiled.set(`${row.id}@1`, definition);
  return { row, source: input.source, definition };
}

export async function updateUserTemplate(
  env: Bindings,
  accountId: string,
  id: string,
  change: { name?: string; description?: string; source?: Partial<TemplateSource> },
): Promise<UserTemplate> {
  const current = await getUserTemplate(env.DB, accountId, id);
  let source: string | undefined;
  if (change.source && Object.keys(change.source).length > 0) {
    const next: TemplateSource = { ...current.source, ...change.source };
    // a new set of vars without a new example: the old example may not fit it
    if (change.source.vars && !change.source.example) delete next.example;
    if (JSON.stringify(next) !== JSON.stringify(current.source)) {
      const definition = compileNew({ ...current.row, version: current.row.version + 1 }, next);
      await tryTemplate(env, accountId, definition);
      source = JSON.stringify(next);
    }
  }
  // a new version prunes the old ones beyond the policy (db/templates.ts): a version pinned within
  // the render retention period counts as still in use, as the renders that drew it do
  const policy = config(env).retention;
  const at = isoNow();
  const retention = { kept: policy.templateVersionsKept, pinnedSince: new Date(Date.parse(at) - policy.renderMs).toISOString().slice(0, 10) };
  const updated = await updateTemplate(
    env.DB,
    accountId,
    id,
    current.row.version,
    { name: change.name, description: change.description, source },
    at,
    retention,
  );
  if (updated === 'missing') throw notFound(id);
  if (updated === 'conflict') {
    // another update landed since this one read the template: applying this one on top of the
    // version it did not see would undo that one's change
    throw new ProblemError(
      'template_version_conflict',
      `Template ${id} changed while this update was checked (it is past version ${current.row.version}); read it again and resend the change`,
      {
        headers: { 'Retry-After': '0' },
      },
    );
  }
  return fromRow(updated);
}

const notFound = (id: string): ProblemError => templateNotFound(id);

/** The account's template as it is now; another account's is missing, as a deleted one is. */
export async function getUserTemplate(db: D1Database, accountId: string, id: string): Promise<UserTemplate> {
  const row = isUserTemplateId(id) ? await getTemplate(db, accountId, id) : null;
  if (!row) throw notFound(id);
  return fromRow(row);
}

/** The account's templates, without their sources (a listing compiles nothing). */
export async function listUserTemplates(db: D1Database, accountId: string): Promise<TemplateListing[]> {
  return listTemplates(db, accountId);
}

export async function deleteUserTemplate(db: D1Database, accountId: string, id: string): Promise<void> {
  const last = isUserTemplateId(id) ? await deleteTemplate(db, accountId, id, isoNow()) : null;
  if (last === null) throw notFound(id);
  for (let v = 1; v <= last; v++) pinned.delete(`${accountId}/${id}@${v}`);
}

/** The version a queued render named (kept when the template changed or was deleted since). */
export async function userTemplateVersion(db: D1Database, accountId: string, id: string, version: number): Promise<UserTemplateDefinition> {
  const row = await templateVersion(db, accountId, id, version, { deleted: true });
  if (!row) throw templateUnavailable(id, version);
  return fromRow(row).definition;
}

/** What a generate request's `template` names: the current version, or a pinned one (`tpl_…@3`). */
export async function resolveUserTemplate(db: D1Database, accountId: string, ref: string): Promise<UserTemplateDefinition> {
  const { id, version } = parseTemplateRef(ref);
  if (version === undefined) return (await getUserTemplate(db, accountId, id)).definition;
  const key = `${accountId}/${id}@${version}`;
  const known = pinned.get(key);
  if (known) return known;
  const row = await templateVersion(db, accountId, id, version, { deleted: false });
  if (!row)
    throw new ProblemError('template_not_found', `No template "${id}" with a version ${version}. GET /api/v1/templates/${id} shows its current version.`);
  // A site may name `tpl_…@3` in its URLs for years: the day it last did keeps the version from
  // being pruned by later updates. Once a day per version at most (the memo below spares the read).
  const today = isoNow().slice(0, 10);
  if (row.last_pinned_at === null || row.last_pinned_at < today) {
    await markPinned(db, id, version, today).catch((err) => console.error(`recording a pin of ${id}@${version} failed`, err));
  }
  const definition = fromRow(row).definition;
  pinned.set(key, definition);
  return definition;
}
