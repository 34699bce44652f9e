/**
 * The template resolver, table by table: what each kind of reference resolves to at each door
 * (a new image request, a queued image, a PDF section, a queued PDF section), and the refusals,
 * with the codes, details and field paths the routes answer with.
 */
import { describe, expect, it } from 'vitest';
import { ProblemError } from '../../src/errors/problem';
import {
  type AccountTemplates,
  accountTemplates,
  findAnyTemplate,
  onlyTemplate,
  resolveImageTemplate,
  resolveRecordedImageTemplate,
  resolveRecordedSection,
  resolveSectionTemplate,
} from '../../src/renders/resolve';
import { templateNotFound } from '../../src/renders/template-errors';
import { compileTemplate, type UserTemplateDefinition } from '../../src/user-templates/compile';
import { PDF_TEMPLATES, TEMPLATES } from '../../templates/index';
import { problemOf } from '../helpers/problems';

const ID = 'tpl_01JD5X1Q4ZB8R3W2K7T6YV9N0M';
const user = (version: number): UserTemplateDefinition =>
  compileTemplate({ id: ID, version, name: 'Mine', description: '' }, { width: 400, height: 200, html: '<div>{{title}}</div>', vars: {} });

/** An account holding ID at versions 1–3 (3 current), recording what was asked. */
function account(): AccountTemplates & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async named(ref) {
      asked.push(`named ${ref}`);
      if (ref === ID) return user(3);
      const pinned = /@(\d+)$/.exec(ref);
      if (ref.startsWith(`${ID}@`) && pinned && Number(pinned[1]) <= 3) return user(Number(pinned[1]));
      throw templateNotFound(ref);
    },
    async version(id, version) {
      asked.push(`version ${id}@${version}`);
      if (id === ID && version <= 3) return user(version);
      throw new ProblemError('template_unavailable', `Template ${id} v${version} is no longer available`);
    },
  };
}

describe('an image request', () => {
  it.each([...TEMPLATES.keys()])('%s: the built-in image template at its version', async (id) => {
    const resolved = await resolveImageTemplate(id, account());
    expect(resolved.template).toBe(TEMPLATES.get(id));
    expect(resolved.version).toBe(TEMPLATES.get(id)?.version);
    expect(resolved.user).toBeUndefined();
  });

  it.each([
    [ID, 3],
    [`${ID}@2`, 2],
  ])('%s: the account template, version %i, marked as the account’s', async (ref, version) => {
    const templates = account();
    const resolved = await resolveImageTemplate(ref, templates);
    expect([resolved.version, resolved.template.version, resolved.user?.id]).toEqual([version, version, ID]);
    expect(templates.asked).toEqual([`named ${ref}`]);
  });

  it.each([
    ['nope', undefined, { code: 'template_not_found', detail: 'No template "nope". GET /api/v1/templates lists them.' }],
    [ID, undefined, { code: 'template_not_found', detail: `No template "${ID}". GET /api/v1/templates lists them.` }],
    [`${ID}@9`, account(), { code: 'template_not_found', detail: `No template "${ID}@9". GET /api/v1/templates lists them.` }],
    [
      'invoice',
      account(),
      {
        code: 'template_kind_mismatch',
        detail: '"invoice" is a PDF template: POST /api/v1/generate/pdf renders it.',
        errors: [{ path: 'template', message: 'is a PDF template' }],
      },
    ],
  ])('%s is refused', async (ref, templates, problem) => {
    expect(await problemOf(() => resolveImageTemplate(ref, templates))).toEqual(problem);
  });

  it('the preview’s source answers to its own id only through onlyTemplate', async () => {
    const definition = user(0);
    expect((await resolveImageTemplate(ID, onlyTemplate(definition))).template).toBe(definition);
  });

  it('an account-less caller has no templates', async () => {
    expect((await problemOf(() => accountTemplates({} as D1Database, null).named(ID))).code).toBe('template_not_found');
    expect(await problemOf(() => accountTemplates({} as D1Database, null).version(ID, 1))).toEqual({
      code: 'template_unavailable',
      detail: `Template ${ID} has no owner`,
    });
  });
});

describe('a queued image', () => {
  it('the built-in template at exactly the recorded version', async () => {
    expect((await resolveRecordedImageTemplate('og-card', 1, account())).template).toBe(TEMPLATES.get('og-card'));
    expect(await problemOf(() => resolveRecordedImageTemplate('og-card', 7, account()))).toEqual({
      code: 'template_unavailable',
      detail: 'Template og-card v7 is no longer available',
    });
    expect((await problemOf(() => resolveRecordedImageTemplate('gone', 1, account()))).code).toBe('template_unavailable');
  });

  it('the account template at the recorded version, read as recorded (never as named now)', async () => {
    const templates = account();
    const resolved = await resolveRecordedImageTemplate(ID, 2, templates);
    expect([resolved.version, resolved.user?.version]).toEqual([2, 2]);
    expect(templates.asked).toEqual([`version ${ID}@2`]);
    expect((await problemOf(() => resolveRecordedImageTemplate(ID, 4, templates))).code).toBe('template_unavailable');
  });
});

describe('a PDF section', () => {
  it.each([...PDF_TEMPLATES.keys(), ...TEMPLATES.keys()])('%s: a built-in template of either kind', (id) => {
    expect(resolveSectionTemplate(id, 'pages.1.template')).toBe(findAnyTemplate(id));
    expect(resolveRecordedSection(id, findAnyTemplate(id)?.version ?? 0)).toBe(findAnyTemplate(id));
  });

  it.each([
    [
      'nope',
      {
        code: 'template_not_found',
        detail: 'No template "nope". GET /api/v1/templates lists them.',
        errors: [{ path: 'pages.1.template', message: 'unknown template' }],
      },
    ],
    [
      ID,
      {
        code: 'template_kind_mismatch',
        detail: `"${ID}" names a user template: those render to images (POST /api/v1/generate/image); PDFs take the built-in templates.`,
        errors: [{ path: 'pages.1.template', message: 'user templates render to images only' }],
      },
    ],
  ])('%s is refused at the section’s path', async (ref, problem) => {
    expect(await problemOf(() => resolveSectionTemplate(ref, 'pages.1.template'))).toEqual(problem);
  });

  it('a queued section whose template changed version is unavailable', async () => {
    expect(await problemOf(() => resolveRecordedSection('invoice', 99))).toEqual({
      code: 'template_unavailable',
      detail: 'Template invoice v99 is no longer available',
    });
  });
});
