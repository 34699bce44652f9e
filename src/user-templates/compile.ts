/**
 * A user template's source (markup, size, declared vars) made into the same `TemplateDefinition`
 * the built-in templates are: a zod schema of its vars (from the declarations and from how the
 * markup uses each var), an example, its image vars, and a render function that fills the parsed
 * markup in. Everything else (validation, content address, engines, queue) treats both alike.
 */
import { z } from 'zod';
import type { TemplateDefinition, TemplateSize } from '../../templates/define';
import type { FieldError } from '../errors/problem';
import { type EngineName, MAX_OUTPUT_PIXELS } from '../render/engine';
import { SANS } from '../render/fonts';
import type { Style, TemplateElement, TemplateNode } from '../render/jsx';
import { literalValue, MarkupError, type MarkupNode, type Part, parseMarkup, urlItemAt, type VarUse } from './markup';

export const VAR_TYPES = ['text', 'image', 'color', 'number'] as const;
export type VarType = (typeof VAR_TYPES)[number];

export interface VarDeclaration {
  type: VarType;
  description?: string;
  required?: boolean;
  default?: string | number;
  /** text: at most this many characters (500 by default). */
  max_length?: number;
  /** number: bounds (±100,000 by default). */
  min?: number;
  max?: number;
}

export interface TemplateSource {
  width: number;
  height: number;
  html: string;
  vars: Record<string, VarDeclaration>;
  example?: Record<string, unknown>;
  engine?: EngineName;
}

/** A user template's id (or `id@version`): what generate requests tell from a built-in template's. */
export const isUserTemplateId = (id: string) => id.startsWith('tpl_');

/** `tpl_…` (the current version) or `tpl_…@3` (that version, pinned). */
export function parseTemplateRef(ref: string): { id: string; version?: number } {
  const m = /^(tpl_[0-9A-Z]{26})@([1-9][0-9]{0,8})$/.exec(ref);
  return m ? { id: m[1] as string, version: Number(m[2]) } : { id: ref };
}

export interface UserTemplateDefinition extends TemplateDefinition {
  /** The uploaded font families the markup names (as written), resolved per account at render time. */
  fontFamilies: string[];
  /** The vars with their resolved types, as they are documented. */
  declared: Record<string, VarDeclaration>;
}

export const DEFAULT_TEXT_LENGTH = 500;

/** Families every render has: the house sans and the CSS generic names (drawn in it). */
const BUILT_IN_FAMILIES = new Set([SANS.toLowerCase(), 'noto sans', 'sans-serif', 'serif', 'monospace', 'system-ui', 'ui-sans-serif', 'cursive', 'fantasy']);

export const isBuiltInFamily = (family: string) => BUILT_IN_FAMILIES.has(family.toLowerCase());

/** CSS colours both engines read: hex, the rgb()/hsl() functions, transparent. */
const COLOR = /^(?:#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|(?:rgba?|hsla?)\(\s*-?[\d.]+%?(?:\s*[,\s/]\s*-?[\d.]+%?){2,3}\s*\)|transparent)$/;

/** What a var's value may be, by its declaration: the schema requests are checked with. */
function varSchema(d: VarDeclaration): z.ZodType {
  const optional = (s: z.ZodType) => (d.default !== undefined ? s.default(d.default as never) : d.required ? s : s.optional());
  let schema: z.ZodType;
  switch (d.type) {
    case 'text': {
      const text = z
        .string()
        .trim()
        .max(d.max_length ?? DEFAULT_TEXT_LENGTH);
      schema = d.required ? text.min(1) : text;
      break;
    }
    case 'image':
      schema = z
        .url({ protocol: /^https?$/ })
        .max(2048)
        .describe('URL of a PNG, JPEG, GIF, WebP, AVIF or SVG image (https; at most 5 MB)');
      break;
    case 'color':
      schema = z.string().trim().regex(COLOR, 'must be a CSS colour: #rgb, #rrggbb, #rrggbbaa, rgb(), rgba(), hsl(), hsla() or transparent');
      break;
    case 'number':
      schema = z
        .number()
        .min(d.min ?? -100_000)
        .max(d.max ?? 100_000);
      break;
  }
  if (d.description) schema = schema.describe(d.description);
  return optional(schema);
}

/**
 * The declarations completed from the markup: an undeclared var is text unless it is an image's
 * source; a var in a style or attribute value must be declared `color` or `number` (its values are
 * then checked before they reach the engines); an image var used as text, or the reverse, is refused.
 */
function resolveVars(declared: Record<string, VarDeclaration>, uses: Map<string, Set<VarUse>>): Record<string, VarDeclaration> {
  const errors: FieldError[] = [];
  const out: Record<string, VarDeclaration> = {};
  for (const [name, used] of uses) {
    const d = declared[name];
    if (!d) {
      if (used.has('value')) {
        errors.push({ path: `vars.${name}`, message: `{{${name}}} is used in a style or attribute value: declare it as a color or number var` });
      } else if (used.has('image') && used.has('text')) {
        errors.push({ path: `vars.${name}`, message: `{{${name}}} is used both as an image source and as text` });
      } else {
        out[name] = { type: used.has('image') ? 'image' : 'text' };
      }
      continue;
    }
    if (used.has('image') && d.type !== 'image') errors.push({ path: `vars.${name}.type`, message: `{{${name}}} is an image source: its type must be image` });
    if (used.has('value') && d.type !== 'color' && d.type !== 'number') {
      errors.push({ path: `vars.${name}.type`, message: `{{${name}}} is used in a style or attribute value: its type must be color or number` });
    }
    if (used.has('text') && d.type === 'image') errors.push({ path: `vars.${name}.type`, message: `{{${name}}} is an image var used as text` });
  }
  for (const [name, d] of Object.entries(declared)) {
    out[name] = d;
    if (d.default !== undefined) {
      const checked = varSchema({ ...d, default: undefined, required: true }).safeParse(d.default);
      if (!checked.success) errors.push({ path: `vars.${name}.default`, message: checked.error.issues[0]?.message ?? 'does not match the type' });
    }
    if (d.type === 'number' && d.min !== undefined && d.max !== undefined && d.min > d.max) errors.push({ path: `vars.${name}.min`, message: 'is above max' });
  }
  if (errors.length > 0) throw new MarkupError(errors);
  return out;
}

/** An example that renders: the declared defaults, and for required text vars their name. */
function defaultExample(vars: Record<string, VarDeclaration>): Record<string, unknown> {
  const example: Record<string, unknown> = {};
  for (const [name, d] of Object.entries(vars)) {
    if (d.default !== undefined) example[name] = d.default;
    else if (d.type === 'text') example[name] = name.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
  }
  return example;
}

const present = (value: unknown) => value !== undefined && value !== null && value !== '' && value !== false;

/**
 * A style or attribute value filled in: a lone number var stays a number (pixels, or itself where
 * CSS takes a plain number), px strings become numbers as in the markup.
 */
function fillValue(p: Part[] | string | number, vars: Record<string, unknown>, property: string): string | number | undefined {
  if (!Array.isArray(p)) return p;
  const only = p.length === 1 ? p[0] : undefined;
  if (only !== undefined && typeof only !== 'string') {
    const value = vars[only.v];
    return present(value) ? (value as string | number) : undefined;
  }
  let out = '';
  for (const x of p) {
    if (typeof x === 'string') out += x;
    else {
      const value = vars[x.v];
      if (!present(value)) return undefined; // a declaration whose var is empty is left out
      out += String(value);
    }
  }
  return literalValue(out, property);
}

/** A data: URL of a picture (what image vars hold once fetched, and literal images): nothing to fetch. */
const DATA_URL = /^data:image\/[a-z+]+;base64,[A-Za-z0-9+/=]+$/;

/** Every url( of a filled style value holds a data: URL (the markup allows nothing else; this makes sure). */
const onlyDataUrls = (value: string) => [...value.matchAll(/url\s*\(/gi)].every((m) => DATA_URL.test(urlItemAt(value, m.index)?.src ?? ''));

/**
 * Caps sizes a var (or the markup) could make ruinous to draw: a picture's box (takumi rasterises an
 * SVG at its layout size, whatever part of it is seen) and the font size (glyphs are rasterised
 * whole) at twice the canvas's longer side.
 */
function capped(type: string, property: string, value: string | number, limit: number): string | number {
  if (typeof value !== 'number') return value;
  const boxed = (type === 'svg' || type === 'img') && (property === 'width' || property === 'height');
  return boxed || property === 'fontSize' ? Math.max(-limit, Math.min(limit, value)) : value;
}

function fillText(p: Part[], vars: Record<string, unknown>): string {
  return p.map((x) => (typeof x === 'string' ? x : present(vars[x.v]) ? String(vars[x.v]) : '')).join('');
}

function fill(nodes: readonly MarkupNode[], vars: Record<string, unknown>, limit: number): TemplateNode[] {
  const out: TemplateNode[] = [];
  for (const node of nodes) {
    if (node.kind === 'text') {
      const text = fillText(node.parts, vars);
      if (text !== '') out.push(text);
      continue;
    }
    if (node.when && present(vars[node.when.v]) !== node.when.present) continue;
    if (node.srcVar && !present(vars[node.srcVar])) continue;
    const style: Style = {};
    for (const [name, p] of Object.entries(node.style)) {
      const value = fillValue(p, vars, name);
      if (value === undefined || (typeof value === 'string' && /url\s*\(/i.test(value) && !onlyDataUrls(value))) continue;
      style[name] = capped(node.type, name, value, limit);
    }
    const props: TemplateElement['props'] = {};
    for (const [name, p] of Object.entries(node.attrs)) {
      const value = fillValue(p, vars, name);
      if (value === undefined) continue;
      props[name] = capped(node.type, name, node.type === 'img' && (name === 'width' || name === 'height') ? Number(value) : value, limit);
    }
    // an image draws only from a data: URL (an image var's picture, fetched under the guard, or a literal one)
    if (node.type === 'img' && !(typeof props.src === 'string' && DATA_URL.test(props.src))) continue;
    if (Object.keys(style).length > 0) props.style = style;
    const children = fill(node.children, vars, limit);
    if (children.length === 1) props.children = children[0];
    else if (children.length > 1) props.children = children;
    out.push({ type: node.type, props });
  }
  return out;
}

/**
 * Compiles a source. Throws `MarkupError` (its field errors name `html`, `vars.<name>…` or
 * `example.<name>`) when the markup or the declarations cannot make a template.
 */
export function compileTemplate(meta: { id: string; version: number; name: string; description: string }, source: TemplateSource): UserTemplateDefinition {
  if (source.width * source.height > MAX_OUTPUT_PIXELS) {
    throw new MarkupError([{ path: 'width', message: `width×height (${source.width}×${source.height}) exceeds ${MAX_OUTPUT_PIXELS} pixels` }]);
  }
  const markup = parseMarkup(source.html);
  const declared = resolveVars(source.vars, markup.uses);
  const shape: Record<string, z.ZodType> = {};
  for (const [name, d] of Object.entries(declared)) shape[name] = varSchema(d);
  const vars = z.object(shape).strict();
  const example = source.example ?? defaultExample(declared);
  const checked = vars.safeParse(example);
  if (!checked.success) {
    throw new MarkupError(checked.error.issues.map((i) => ({ path: ['example', ...i.path.map(String)].join('.'), message: i.message })));
  }
  const fontFamilies = [...new Map(markup.families.filter((f) => !isBuiltInFamily(f)).map((f) => [f.toLowerCase(), f])).values()];
  return {
    id: meta.id,
    version: meta.version,
    name: meta.name,
    description: meta.description,
    kind: 'image',
    size: { width: source.width, height: source.height },
    vars,
    example,
    imageVars: Object.keys(declared).filter((n) => declared[n]?.type === 'image'),
    ...(source.engine ? { preferredEngine: source.engine } : {}),
    fontFamilies,
    declared,
    render(values: Record<string, unknown>, size: TemplateSize): TemplateElement {
      const children = fill(markup.root, values, 2 * Math.max(size.width, size.height));
      // the canvas, as a page's body: the template's elements in a flex row the size of the image
      const props: TemplateElement['props'] = { style: { display: 'flex', width: size.width, height: size.height, fontFamily: SANS } };
      if (children.length === 1) props.children = children[0];
      else if (children.length > 1) props.children = children;
      return { type: 'div', props };
    },
  };
}
