/**
 * A user template's source (markup, size, declared vars) made into the same `TemplateDefinition`
 * the built-in templates are: a zod schema of its vars (from the declarations and from how the
 * markup uses each var), an example, its image vars, and a render function that fills the parsed
 * markup in. Everything else (validation, content address, engines, queue) treats both alike.
 */
import { z } from 'zod';
import type { TemplateDefinition, TemplateSize } from '../../templates/define';
import type { FieldError } from '../errors/problem';
import { SANS } from '../fonts/bundled';
import { type EngineName, MAX_OUTPUT_PIXELS } from '../render/engine';
import type { Style, TemplateElement, TemplateNode } from '../render/jsx';
import { literalValue, MarkupError, type MarkupNode, type Part, parseLength, parseMarkup, urlItemAt, urlStarts, type VarUse } from './markup';

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

/** A colour var's value is at most this long (the longest one anyone writes, `hsla(…)` with spaces, is far shorter). */
export const MAX_COLOR_LENGTH = 64;

/**
 * CSS colours both engines read: hex, the rgb()/hsl() functions, transparent. Written so that each
 * input has one way to match (a separator is a comma or slash with spaces around it, or spaces
 * alone): the pattern before it let a run of spaces split three ways per separator, which was
 * 4th-degree polynomial on long whitespace runs. And it only ever sees MAX_COLOR_LENGTH characters.
 */
const COLOR = /^(?:#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|(?:rgba?|hsla?)\(\s*-?[\d.]+%?(?:(?:\s*[,/]|\s)\s*-?[\d.]+%?){2,3}\s*\)|transparent)$/;

/** Whether a (trimmed) value is a colour a color var may hold. */
export const isColor = (value: string) => value.length <= MAX_COLOR_LENGTH && COLOR.test(value);

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
      // a refinement, not .regex() after .max(): zod runs every check, so the length must guard the pattern itself
      schema = z
        .string()
        .trim()
        .refine(
          isColor,
          `must be a CSS colour of at most ${MAX_COLOR_LENGTH} characters: #rgb, #rrggbb, #rrggbbaa, rgb(), rgba(), hsl(), hsla() or transparent`,
        );
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
const onlyDataUrls = (value: string) => urlStarts(value).every((index) => DATA_URL.test(urlItemAt(value, index)?.src ?? ''));

/** The font size the engines start from (satori's and takumi's default, and CSS's `medium`). */
const ROOT_FONT_SIZE = 16;

/** CSS's absolute length units, in px (1in = 96px). */
const PX_PER_UNIT = new Map([
  ['px', 1],
  ['pt', 96 / 72],
  ['pc', 16],
  ['in', 96],
  ['cm', 96 / 2.54],
  ['mm', 96 / 25.4],
  ['q', 96 / 101.6],
]);

export const LENGTH_UNITS = [...PX_PER_UNIT.keys(), 'em', 'rem', '%', 'vw', 'vh', 'vmin', 'vmax'];

/** What the relative units of a length are relative to, where it is used. */
interface Frame {
  canvas: TemplateSize;
  /** The font size `em` (and `%` of font-size) refers to, in px. */
  em: number;
  /** Twice the canvas's longer side: the most any bounded length may be. */
  limit: number;
}

/**
 * A length in px: a bare number is px (as the engines read it), absolute units by their size, em
 * of the frame's font size, rem of the root's, vw/vh/vmin/vmax of the canvas, % of `percentOf`
 * when given. Undefined for anything else (calc(), keywords, unknown units), whatever its case.
 */
export function toPx(value: string | number, frame: Frame, percentOf?: number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const length = parseLength(value);
  if (!length) return undefined;
  const { n, unit } = length;
  const { width, height } = frame.canvas;
  const absolute = unit === '' ? 1 : PX_PER_UNIT.get(unit);
  if (absolute !== undefined) return n * absolute;
  switch (unit) {
    case 'em':
      return n * frame.em;
    case 'rem':
      return n * ROOT_FONT_SIZE;
    case '%':
      return percentOf === undefined ? undefined : (n / 100) * percentOf;
    case 'vw':
      return (n / 100) * width;
    case 'vh':
      return (n / 100) * height;
    case 'vmin':
      return (n / 100) * Math.min(width, height);
    case 'vmax':
      return (n / 100) * Math.max(width, height);
  }
  return undefined;
}

/** Clamped, and rounded to a thousandth of a px (12pt is 16, not 15.999999999999998). */
const clamp = (x: number, low: number, high: number) => Math.round(Math.max(low, Math.min(high, x)) * 1000) / 1000;
const pxText = (x: number) => `${x}px`;

/**
 * A picture's box: takumi rasterises an SVG at its layout size, whatever part of it is seen, and
 * satori hands resvg the whole picture. These are resolved to px and clamped to the limit; width,
 * height and flex-basis may also be `auto` or a percentage (of the parent: the box is then capped
 * by max-width/max-height, which `fill` sets).
 */
const PICTURE_BOX = new Set(['width', 'height', 'minWidth', 'minHeight', 'maxWidth', 'maxHeight', 'flexBasis']);
const PICTURE_RELATIVE = new Set(['width', 'height', 'flexBasis']);
const isPicture = (type: string) => type === 'img' || type === 'svg';

/**
 * Lengths that make the engines rasterise more than the canvas, not only lay out: a shadow's blur
 * (a blurred copy of the box, blur-sized margins included), a border or text stroke width, a
 * background picture's size, a blur() filter. Read token by token (they are shorthands) and each
 * length clamped; numbers inside colour functions are left alone.
 */
const RASTER_LENGTHS = new Set([
  'boxShadow',
  'textShadow',
  'border',
  'borderTop',
  'borderRight',
  'borderBottom',
  'borderLeft',
  'borderWidth',
  'borderTopWidth',
  'borderRightWidth',
  'borderBottomWidth',
  'borderLeftWidth',
  'outline',
  'outlineWidth',
  'WebkitTextStroke',
  'WebkitTextStrokeWidth',
  'backgroundSize',
  'filter',
]);

const COLOR_FUNCTIONS = new Set(['rgb', 'rgba', 'hsl', 'hsla', 'hwb', 'lab', 'lch', 'oklab', 'oklch', 'color']);
const TOKEN_END = new Set([' ', '\t', '\n', '\r', '\f', ',', '/', '(', ')']);

/** A shorthand's lengths clamped to ±limit px (percentages to ±200 %), the rest as written. */
function boundTokens(value: string, frame: Frame): string {
  let out = '';
  const functions: string[] = [];
  for (let i = 0; i < value.length; ) {
    const c = value[i] as string;
    if (TOKEN_END.has(c)) {
      if (c === ')') functions.pop();
      out += c;
      i++;
      continue;
    }
    let end = i;
    while (end < value.length && !TOKEN_END.has(value[end] as string)) end++;
    const token = value.slice(i, end);
    i = end;
    if (value[end] === '(') {
      functions.push(token.toLowerCase());
      out += token;
      continue;
    }
    const length = functions.some((f) => COLOR_FUNCTIONS.has(f)) ? null : parseLength(token);
    if (!length || (length.unit === '' && functions.length > 0)) out += token;
    else if (length.unit === '%') out += `${clamp(length.n, -200, 200)}%`;
    else {
      const px = toPx(token, frame);
      out += px === undefined ? token : length.unit === '' ? String(clamp(px, -frame.limit, frame.limit)) : pxText(clamp(px, -frame.limit, frame.limit));
    }
  }
  return out;
}

/** Units the engines resolve as `toPx` does (relative to the parent's font size, or the root's). */
const FONT_RELATIVE = new Set(['em', 'rem', '%']);

/**
 * A font size in px, clamped to [0, limit], and as it is handed to the engines: as written when it
 * is em, rem or % (lower case) and within the limit — the engines then resolve it to the same px
 * against the same parent — else the px number. Undefined when it is not a length.
 */
function fontSizeOf(value: string | number, frame: Frame): { px: number; css: string | number } | undefined {
  const resolved = toPx(value, frame, frame.em);
  if (resolved === undefined) return undefined;
  const px = clamp(resolved, 0, frame.limit);
  const written = typeof value === 'string' ? value.trim() : '';
  const unit = parseLength(written)?.unit ?? '';
  return { px, css: resolved >= 0 && resolved <= frame.limit && FONT_RELATIVE.has(unit) && written.endsWith(unit) ? written : px };
}

/**
 * A filled style or attribute value made safe to draw: the font size and a picture's box resolved
 * to px (every CSS unit, any case) and clamped to the limit, the raster lengths clamped; undefined
 * when such a value is not a length (it is then left out; a literal one was refused at compile).
 * `frame.em` is the font size the element inherits; the element's own comes back in `fontSize`.
 */
function bounded(type: string, property: string, value: string | number, frame: Frame): string | number | undefined {
  if (property === 'fontSize') return fontSizeOf(value, frame)?.css;
  if (isPicture(type) && PICTURE_BOX.has(property)) {
    if (PICTURE_RELATIVE.has(property) && typeof value === 'string') {
      const length = parseLength(value);
      if (value.trim() === 'auto') return 'auto';
      if (length?.unit === '%') return `${clamp(length.n, 0, 100)}%`;
    }
    const px = toPx(value, frame);
    return px === undefined ? undefined : clamp(px, 0, frame.limit);
  }
  if (RASTER_LENGTHS.has(property)) return typeof value === 'number' ? clamp(value, -frame.limit, frame.limit) : boundTokens(value, frame);
  return value;
}

/** The literal values `bounded` would leave out, as field errors: refused when the template is made. */
function checkBoundedLiterals(nodes: readonly MarkupNode[], canvas: TemplateSize, errors: FieldError[]): void {
  const frame: Frame = { canvas, em: ROOT_FONT_SIZE, limit: Number.POSITIVE_INFINITY };
  const units = LENGTH_UNITS.join(', ');
  for (const node of nodes) {
    if (node.kind !== 'el') continue;
    const literals: [string, string | number][] = [
      ...Object.entries(node.style).filter((e): e is [string, string | number] => !Array.isArray(e[1])),
      ...(isPicture(node.type)
        ? Object.entries(node.attrs).filter((e): e is [string, string] => (e[0] === 'width' || e[0] === 'height') && !Array.isArray(e[1]))
        : []),
    ];
    for (const [property, value] of literals) {
      if (
        (property === 'fontSize' || (isPicture(node.type) && PICTURE_BOX.has(property))) &&
        bounded(node.type, property, value, frame) === undefined &&
        errors.length < 20
      ) {
        errors.push({
          path: 'html',
          message: `<${node.type}>: ${property} "${String(value).slice(0, 40)}" must be a length: a number with ${units} (calc() and keywords are not supported there${PICTURE_RELATIVE.has(property) ? '; auto is' : ''})`,
        });
      }
    }
    checkBoundedLiterals(node.children, canvas, errors);
  }
}

function fillText(p: Part[], vars: Record<string, unknown>): string {
  return p.map((x) => (typeof x === 'string' ? x : present(vars[x.v]) ? String(vars[x.v]) : '')).join('');
}

/** Properties with which a picture whose width and height are fixed in px can still grow. */
const GROWS = ['flex', 'flexGrow', 'flexBasis'];

function fill(nodes: readonly MarkupNode[], vars: Record<string, unknown>, frame: Frame): TemplateNode[] {
  const out: TemplateNode[] = [];
  for (const node of nodes) {
    if (node.kind === 'text') {
      const text = fillText(node.parts, vars);
      if (text !== '') out.push(text);
      continue;
    }
    if (node.when && present(vars[node.when.v]) !== node.when.present) continue;
    if (node.srcVar && !present(vars[node.srcVar])) continue;
    // the font size first: this element's em lengths (and its children's) are relative to it
    let own = frame;
    const fontSize = node.style.fontSize === undefined ? undefined : fillValue(node.style.fontSize, vars, 'fontSize');
    const font = fontSize === undefined ? undefined : fontSizeOf(fontSize, frame);
    if (font) own = { ...frame, em: font.px };
    const style: Style = {};
    for (const [name, p] of Object.entries(node.style)) {
      if (name === 'fontSize') {
        if (font) style.fontSize = font.css;
        continue;
      }
      const value = fillValue(p, vars, name);
      if (value === undefined || (typeof value === 'string' && /url\s*\(/i.test(value) && !onlyDataUrls(value))) continue;
      const safe = bounded(node.type, name, value, own);
      if (safe !== undefined) style[name] = safe;
    }
    const props: TemplateElement['props'] = {};
    for (const [name, p] of Object.entries(node.attrs)) {
      const value = fillValue(p, vars, name);
      if (value === undefined) continue;
      const box = isPicture(node.type) && (name === 'width' || name === 'height');
      const safe = box ? bounded(node.type, name, value, own) : value;
      if (safe !== undefined) props[name] = safe;
    }
    // an image draws only from a data: URL (an image var's picture, fetched under the guard, or a literal one)
    if (node.type === 'img' && !(typeof props.src === 'string' && DATA_URL.test(props.src))) continue;
    if (isPicture(node.type)) {
      // a picture's box from a percentage, a flex grow or a stretch is its parent's business: the
      // max-* caps bound it whatever the layout makes of it (min-* are clamped below them)
      const fixed = (side: 'width' | 'height') => typeof (style[side] ?? props[side]) === 'number';
      if (!(fixed('width') && fixed('height') && GROWS.every((g) => style[g] === undefined))) {
        style.maxWidth = Math.min(typeof style.maxWidth === 'number' ? style.maxWidth : frame.limit, frame.limit);
        style.maxHeight = Math.min(typeof style.maxHeight === 'number' ? style.maxHeight : frame.limit, frame.limit);
      }
    }
    if (Object.keys(style).length > 0) props.style = style;
    const children = fill(node.children, vars, own);
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
  const lengthErrors: FieldError[] = [];
  checkBoundedLiterals(markup.root, { width: source.width, height: source.height }, lengthErrors);
  if (lengthErrors.length > 0) throw new MarkupError(lengthErrors);
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
      const children = fill(markup.root, values, { canvas: size, em: ROOT_FONT_SIZE, limit: 2 * Math.max(size.width, size.height) });
      // the canvas, as a page's body: the template's elements in a flex row the size of the image
      const props: TemplateElement['props'] = { style: { display: 'flex', width: size.width, height: size.height, fontFamily: SANS } };
      if (children.length === 1) props.children = children[0];
      else if (children.length > 1) props.children = children;
      return { type: 'div', props };
    },
  };
}
