/**
 * User templates' markup: HTML with inline styles and `{{var}}` placeholders, read once into a tree
 * that renders to the same `{ type, props }` elements the built-in JSX templates make.
 *
 * The markup is parsed before any var is put in (htmlparser2, then each `style` attribute with
 * style-to-js), and a var's value only ever fills the text, attribute value or style value its
 * placeholder stood in: a value can never add an element, an attribute or a CSS declaration. Where
 * a value could steer the engines (an image source, a style or SVG attribute) the var must have a
 * type whose values are checked: `image` (an https URL, fetched through the SSRF guard and handed
 * over as a data: URL), `color` or `number`. Literal images must be data: URLs: nothing in a
 * template makes the renderer fetch.
 *
 * Hand-written because no library does this part: satori-html turns markup into the same kind of
 * tree but substitutes vars as strings first (what this module exists to avoid) and checks nothing.
 */
import { type ChildNode, type Element, isTag, isText } from 'domhandler';
import { parseDocument } from 'htmlparser2';
import styleToJs from 'style-to-js';
import type { FieldError } from '../errors/problem';
import { bytesOfDataUrl } from '../lib/data-url';
import { checkImage, sniffImage } from '../render/images/image-check';
import { familyNames } from '../render/jsx';

/** A piece of a text or value: literal text, or a var's value. */
export type Part = string | { v: string };

export type MarkupNode =
  | {
      kind: 'el';
      type: string;
      style: Record<string, Part[] | number | string>;
      attrs: Record<string, Part[] | string>;
      children: MarkupNode[];
      /** Drawn only when this var has a value (`data-if`), or only when it has none (`data-unless`). */
      when?: { v: string; present: boolean };
      /** An `<img>` whose source is an image var: left out when the var is empty. */
      srcVar?: string;
    }
  | { kind: 'text'; parts: Part[] };

/** Where a var is used, which decides what type it may have. */
export type VarUse = 'text' | 'image' | 'value';

export interface ParsedMarkup {
  root: MarkupNode[];
  /** Every var the markup names, with the places it is used in. */
  uses: Map<string, Set<VarUse>>;
  /** Font families named in `font-family` (as written, quotes removed). */
  families: string[];
}

export const MAX_HTML_BYTES = 256 * 1024;
const MAX_ELEMENTS = 2000;
const MAX_DEPTH = 64;

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]{0,63})\s*\}\}/g;

/** HTML elements and what they mean: block ones become flex containers, inline ones spans. */
const HTML_ELEMENTS: Record<string, { type: 'div' | 'span'; style: Record<string, string | number> }> = {
  div: { type: 'div', style: {} },
  p: { type: 'div', style: {} },
  section: { type: 'div', style: {} },
  header: { type: 'div', style: {} },
  footer: { type: 'div', style: {} },
  main: { type: 'div', style: {} },
  h1: { type: 'div', style: { fontSize: '2em', fontWeight: 700 } },
  h2: { type: 'div', style: { fontSize: '1.5em', fontWeight: 700 } },
  h3: { type: 'div', style: { fontSize: '1.17em', fontWeight: 700 } },
  h4: { type: 'div', style: { fontWeight: 700 } },
  h5: { type: 'div', style: { fontSize: '0.83em', fontWeight: 700 } },
  h6: { type: 'div', style: { fontSize: '0.67em', fontWeight: 700 } },
  span: { type: 'span', style: {} },
  strong: { type: 'span', style: { fontWeight: 700 } },
  b: { type: 'span', style: { fontWeight: 700 } },
  em: { type: 'span', style: { fontStyle: 'italic' } },
  i: { type: 'span', style: { fontStyle: 'italic' } },
  u: { type: 'span', style: { textDecoration: 'underline' } },
  s: { type: 'span', style: { textDecoration: 'line-through' } },
};

/** The SVG elements both engines draw (through resvg or takumi's SVG support). */
const SVG_ELEMENTS = new Set([
  'svg',
  'g',
  'path',
  'circle',
  'ellipse',
  'rect',
  'line',
  'polyline',
  'polygon',
  'defs',
  'linearGradient',
  'radialGradient',
  'stop',
  'clipPath',
]);

const SUPPORTED = [...Object.keys(HTML_ELEMENTS), 'img', ...SVG_ELEMENTS].join(', ');

/** A literal image: a PNG or JPEG data: URL (both engines decode them; nothing is fetched). */
const DATA_IMAGE = /^data:image\/(?:png|jpeg);base64,[A-Za-z0-9+/=\s]+$/;

const isSpace = (c: string | undefined) => c !== undefined && c !== '' && c.trim() === '';

/** The index of the first character at or after `i` that is not CSS-source whitespace (what `\s` matches). */
function skipSpace(value: string, i: number): number {
  while (isSpace(value[i])) i++;
  return i;
}

/** Where `url(` (any case, spaces before the parenthesis allowed) starts at `index`: the index just past the `(`, or -1. */
function urlOpenAt(value: string, index: number): number {
  if (value.slice(index, index + 3).toLowerCase() !== 'url') return -1;
  const open = skipSpace(value, index + 3);
  return value[open] === '(' ? open + 1 : -1;
}

/** Every index where a `url(` starts (what `/url\s*\(/gi` finds), in one pass. */
export function urlStarts(value: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if ((c === 'u' || c === 'U') && urlOpenAt(value, i) !== -1) out.push(i);
  }
  return out;
}

/**
 * The `url(…)` item starting at `index` of a CSS value (the whole item, and what it holds), or null
 * when none is well-formed there: `url(`, spaces, an optional quote, anything but quotes and
 * parentheses, the same quote, spaces, `)`. A scanner, not a regex: the pattern it replaces
 * (/url\s*\(\s*(['"]?)([^'"()]*?)\1\s*\)/iy) backtracked polynomially on an unclosed `url(` and
 * spaces, and was run from every `url(` of a value.
 */
export function urlItemAt(value: string, index: number): { text: string; src: string } | null {
  const open = urlOpenAt(value, index);
  if (open === -1) return null;
  const first = skipSpace(value, open);
  const quote = value[first] === '"' || value[first] === "'" ? value[first] : '';
  const start = quote ? first + 1 : first;
  let end = start;
  while (end < value.length && !QUOTES_AND_PARENS.has(value[end] as string)) end++;
  if (quote) {
    if (value[end] !== quote) return null;
    const close = skipSpace(value, end + 1);
    return value[close] === ')' ? { text: value.slice(index, close + 1), src: value.slice(start, end) } : null;
  }
  return value[end] === ')' ? { text: value.slice(index, end + 1), src: value.slice(start, end).trimEnd() } : null;
}

const QUOTES_AND_PARENS = new Set(['"', "'", '(', ')']);

/** Pixels of all the markup's literal images together (each is decoded for every render). */
export const MAX_LITERAL_PIXELS = 4_200_000;

export class MarkupError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.path}: ${e.message}`).join('; '));
    this.name = 'MarkupError';
  }
}

/** Splits a string at its placeholders. */
export function parts(value: string): Part[] {
  const out: Part[] = [];
  let last = 0;
  for (const m of value.matchAll(PLACEHOLDER)) {
    if (m.index > last) out.push(value.slice(last, m.index));
    out.push({ v: m[1] as string });
    last = m.index + m[0].length;
  }
  if (last < value.length) out.push(value.slice(last));
  return out;
}

/** A CSS value longer than this (url() items aside) is refused: no declaration needs more. */
export const MAX_CSS_VALUE = 4096;

const countMarks = (text: string) => text.split('\uE000').length - 1 + text.split('\uE002').length - 1;

/**
 * A style attribute made safe for the CSS parser (style-to-js → inline-style-parser): its value
 * pattern ends a value at "}" (placeholders go through as private-use marks) and backtracks
 * quadratically from every `url(` or escaped quote with no end, so every `url(…)` item and quoted
 * string is read here first, by scanners, and stands in the text as a numbered mark; an unclosed
 * one is refused. `restore` puts everything back in a parsed name or value. Returns the reason
 * when the attribute cannot be read.
 */
function shieldCss(css: string): { marked: string; restore: (s: string) => string } | string {
  if (/[\uE000-\uE003]/.test(css)) return 'the style attribute may not hold the private-use characters U+E000–U+E003';
  const saved: string[] = [];
  let marked = '';
  let last = 0;
  const save = (from: number, to: number) => {
    marked += `${placeholdersMarked(css.slice(last, from))}\uE002${saved.length}\uE003`;
    saved.push(css.slice(from, to));
    last = to;
  };
  for (let i = 0; i < css.length; ) {
    const c = css[i];
    if ((c === 'u' || c === 'U') && urlOpenAt(css, i) !== -1) {
      const item = urlItemAt(css, i);
      if (!item) return `url() must be an image var ({{logo}}) or a PNG/JPEG data: URL, closed by ")", not "${css.slice(i, i + 60)}"`;
      save(i, i + item.text.length);
      i += item.text.length;
    } else if (c === '"' || c === "'") {
      let end = i + 1;
      while (end < css.length && css[end] !== c) end += css[end] === '\\' ? 2 : 1;
      if (end >= css.length) return `a quoted string is not closed: "${css.slice(i, i + 60)}"`;
      save(i, end + 1);
      i = end + 1;
    } else i++;
  }
  marked += placeholdersMarked(css.slice(last));
  const restore = (s: string) => s.replace(/\uE002(\d+)\uE003/g, (_m, k: string) => saved[Number(k)] ?? '').replace(/\uE000([A-Za-z0-9_]+)\uE001/g, '{{$1}}');
  return { marked, restore };
}

const placeholdersMarked = (text: string) => text.replace(PLACEHOLDER, (_m, name: string) => `\uE000${name}\uE001`);

const hasVar = (p: Part[]) => p.some((x) => typeof x !== 'string');

/**
 * Properties where CSS takes a plain number as itself (a multiplier, a weight, a count), not as
 * pixels: a length in px stays a string there.
 */
export const UNITLESS = new Set(['lineHeight', 'opacity', 'fontWeight', 'flex', 'flexGrow', 'flexShrink', 'zIndex', 'lineClamp', 'aspectRatio', 'order']);

/** Longer than any number or length anyone writes: such a value is left as text without being read. */
const MAX_LENGTH_TEXT = 32;

/**
 * A CSS number with its unit as written (`12`, `-1.5em`, `.5PX`, `50%`): the number, and the unit
 * lower-cased ('' for none); null for anything else. A scanner: the pattern it replaces
 * (/^(-?\d*\.?\d+)(px)?$/) was quadratic on long runs of digits.
 */
export function parseLength(value: string): { n: number; unit: string } | null {
  const s = value.trim();
  if (s.length === 0 || s.length > MAX_LENGTH_TEXT) return null;
  let i = s[0] === '-' ? 1 : 0;
  const digits = () => {
    const from = i;
    while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
    return i - from;
  };
  const whole = digits();
  if (s[i] === '.') {
    i++;
    if (digits() === 0) return null;
  } else if (whole === 0) return null;
  const numberEnd = i;
  while (i < s.length && (s[i] === '%' || /[A-Za-z]/.test(s[i] as string))) i++;
  if (i !== s.length) return null;
  return { n: Number(s.slice(0, numberEnd)), unit: s.slice(numberEnd).toLowerCase() };
}

/**
 * A number, or a length in px, as the engines take it: a bare number is pixels (px dropped) —
 * except where CSS reads a bare number as itself (UNITLESS), where a px length keeps its unit.
 */
export function literalValue(value: string, property: string): string | number {
  const length = parseLength(value);
  if (!length || (length.unit !== '' && length.unit !== 'px')) return value.trim();
  return length.unit === 'px' && UNITLESS.has(property) ? value.trim() : length.n;
}

type ElementNode = Extract<MarkupNode, { kind: 'el' }>;

/**
 * Reads markup into a tree, collecting what it finds (errors, var uses, font families) and what
 * it has spent (elements, literal image pixels) as it goes. One reader per `parseMarkup` call.
 */
class MarkupReader {
  readonly errors: FieldError[] = [];
  readonly uses = new Map<string, Set<VarUse>>();
  readonly families = new Set<string>();
  private elements = 0;
  private literalPixels = 0;

  fail(message: string): void {
    if (this.errors.length < 20) this.errors.push({ path: 'html', message });
  }

  use(p: Part[], kind: VarUse): void {
    for (const x of p) if (typeof x !== 'string') this.uses.set(x.v, (this.uses.get(x.v) ?? new Set()).add(kind));
  }

  walk(nodes: ChildNode[], depth: number, inSvg: boolean): MarkupNode[] {
    const out: MarkupNode[] = [];
    for (const node of nodes) {
      if (isText(node)) {
        const text = this.text(node.data, inSvg);
        if (text) out.push(text);
        continue;
      }
      if (!isTag(node)) continue; // comments, doctype, processing instructions
      if (++this.elements > MAX_ELEMENTS) {
        this.fail(`more than ${MAX_ELEMENTS} elements`);
        return out;
      }
      if (depth > MAX_DEPTH) {
        this.fail(`elements nested more than ${MAX_DEPTH} deep`);
        return out;
      }
      const el = this.element(node, depth, inSvg);
      if (el) out.push(el);
    }
    return out;
  }

  private text(data: string, inSvg: boolean): MarkupNode | undefined {
    if (inSvg) {
      if (data.trim() !== '') this.fail('text inside <svg> is not drawn; put it in a <div> over the drawing');
      return undefined;
    }
    const text = data.replace(/[\t\n\r\f ]+/g, ' ');
    if (text === '') return undefined;
    const p = parts(text);
    this.use(p, 'text');
    return { kind: 'text', parts: p };
  }

  private element(node: Element, depth: number, inSvg: boolean): MarkupNode | undefined {
    const name = node.name;
    if (inSvg || name === 'svg') {
      if (!SVG_ELEMENTS.has(name)) {
        this.fail(`<${name}> is not supported inside <svg> (supported: ${[...SVG_ELEMENTS].join(', ')})`);
        return undefined;
      }
      return this.svgElement(node, depth, name === 'svg');
    }
    const lower = name.toLowerCase();
    if (lower === 'img') return this.imgElement(node);
    if (lower === 'br') {
      this.fail('<br> is not supported: lay lines out with display: flex and flex-direction: column');
      return undefined;
    }
    const known = HTML_ELEMENTS[lower];
    if (!known) {
      this.fail(`<${name}> is not supported (supported: ${SUPPORTED})`);
      return undefined;
    }
    return this.htmlElement(node, depth, known);
  }

  private htmlElement(node: Element, depth: number, known: (typeof HTML_ELEMENTS)[string]): ElementNode {
    const where = `<${node.name}>`;
    const el: ElementNode = {
      kind: 'el',
      type: known.type,
      style: { ...(known.type === 'div' ? { display: 'flex' } : {}), ...known.style, ...this.styleOf(node, where) },
      attrs: {},
      children: trimEnds(this.walk(node.children, depth + 1, false), known.type === 'div'),
    };
    this.conditions(node, el, where);
    for (const attr of Object.keys(node.attribs)) {
      if (attr !== 'style' && attr !== 'data-if' && attr !== 'data-unless' && attr !== 'class' && attr !== 'id') {
        this.fail(`${where}: the ${attr} attribute is not supported (style, data-if and data-unless are)`);
      }
    }
    if (node.attribs.class !== undefined) this.fail(`${where}: class is not supported: there are no style sheets, write the style attribute`);
    return el;
  }

  private conditions(node: Element, el: ElementNode, where: string): void {
    for (const [attr, present] of [
      ['data-if', true],
      ['data-unless', false],
    ] as const) {
      const name = node.attribs[attr];
      if (name === undefined) continue;
      // `data-if="{{logo}}"` names the var as `data-if="logo"` does (sliced, not a lazy regex:
      // /^\{\{\s*(.*?)\s*\}\}$/ was cubic on "{{" and spaces)
      const t = name.trim();
      const v = t.length >= 4 && t.startsWith('{{') && t.endsWith('}}') ? t.slice(2, -2).trim() : t;
      if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(v)) {
        this.fail(`${where}: ${attr} names a var ("${attr}=\\"logo\\""), not "${name.slice(0, 40)}"`);
        continue;
      }
      if (el.when) this.fail(`${where}: use data-if or data-unless, not both`);
      el.when = { v, present };
      if (!this.uses.has(v)) this.uses.set(v, new Set());
    }
  }

  private imgElement(node: Element): ElementNode {
    const where = '<img>';
    const el: ElementNode = { kind: 'el', type: 'img', style: this.styleOf(node, where), attrs: {}, children: [] };
    this.conditions(node, el, where);
    const src = node.attribs.src?.trim();
    if (!src) this.fail(`${where}: src is required`);
    else {
      const p = parts(src);
      const only = p.length === 1 ? p[0] : undefined;
      if (only !== undefined && typeof only !== 'string') {
        this.use(p, 'image');
        el.srcVar = only.v;
        el.attrs.src = p;
      } else if (DATA_IMAGE.test(src)) {
        el.attrs.src = this.literalImage(src, where);
      } else {
        this.fail(`${where}: src must be an image var (src="{{logo}}") or a PNG/JPEG data: URL; a fixed remote image goes in an image var's default`);
      }
    }
    for (const dim of ['width', 'height'] as const) {
      const value = node.attribs[dim];
      if (value === undefined) continue;
      const p = parts(value);
      this.use(p, 'value');
      el.attrs[dim] = hasVar(p) ? p : String(literalValue(value, dim));
    }
    for (const attr of Object.keys(node.attribs)) {
      if (!['src', 'width', 'height', 'alt', 'style', 'data-if', 'data-unless'].includes(attr)) {
        this.fail(`${where}: the ${attr} attribute is not supported (src, width, height, alt, style, data-if and data-unless are)`);
      }
    }
    return el;
  }

  private svgElement(node: Element, depth: number, root: boolean): ElementNode {
    const where = `<${node.name}>`;
    const el: ElementNode = {
      kind: 'el',
      type: node.name,
      style: root ? this.styleOf(node, where) : {},
      attrs: {},
      children: this.walk(node.children, depth + 1, true),
    };
    if (root) this.conditions(node, el, where);
    for (const [attr, value] of Object.entries(node.attribs)) {
      if (attr === 'style' || (root && (attr === 'data-if' || attr === 'data-unless'))) {
        if (attr === 'style' && !root) this.fail(`${where}: style is supported on <svg> itself; inside it use presentation attributes (fill, stroke…)`);
        continue;
      }
      const p = this.svgAttribute(where, attr, value);
      if (p) el.attrs[attr] = hasVar(p) ? p : value;
    }
    return el;
  }

  /** An SVG presentation attribute's value as parts, or undefined (and an error) when it may not be used. */
  private svgAttribute(where: string, attr: string, value: string): Part[] | undefined {
    if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(attr) || /^on/i.test(attr) || /href$/i.test(attr)) {
      this.fail(`${where}: the ${attr} attribute is not supported`);
      return undefined;
    }
    if (urlStarts(value).some((i) => value[skipSpace(value, urlOpenAt(value, i))] !== '#')) {
      this.fail(`${where}: ${attr} may refer only to an element of the same drawing (url(#id))`);
      return undefined;
    }
    if (/["'<>&]/.test(value)) {
      // satori writes SVG attributes back out unescaped: a quote or angle bracket would end the value
      this.fail(`${where}: ${attr} may not hold quotes, angle brackets or ampersands`);
      return undefined;
    }
    const p = parts(value);
    this.use(p, 'value');
    return p;
  }

  /** The `style` attribute's declarations, parsed with placeholders kept whole, or undefined (and an error). */
  private declarations(css: string, where: string): Record<string, string> | undefined {
    const shielded = shieldCss(css);
    if (typeof shielded === 'string') {
      this.fail(`${where}: ${shielded}`);
      return undefined;
    }
    try {
      const parsed = Object.entries(styleToJs(shielded.marked, { reactCompat: true }) as Record<string, string>);
      // the parser stops, without a word, at a mark where a property name starts: every placeholder
      // (and every string and url() item) must have come through in a value, or the style is
      // refused rather than cut short
      if (parsed.reduce((n, [k, v]) => n + countMarks(k) + countMarks(String(v)), 0) !== countMarks(shielded.marked)) {
        this.fail(`${where}: a placeholder can stand only for a CSS value, not a property name`);
        return undefined;
      }
      return Object.fromEntries(parsed.map(([k, v]) => [shielded.restore(k), shielded.restore(String(v))]));
    } catch (err) {
      this.fail(`${where}: the style attribute is not valid CSS (${(err as Error).message.replace(/^.*?: /, '')})`);
      return undefined;
    }
  }

  private styleOf(el: Element, where: string): Record<string, Part[] | number | string> {
    const css = el.attribs.style;
    if (css === undefined) return {};
    const decl = this.declarations(css, where);
    if (!decl) return {};
    const out: Record<string, Part[] | number | string> = {};
    for (const [rawName, value] of Object.entries(decl)) {
      if (rawName.includes('{')) {
        this.fail(`${where}: a placeholder can stand only for a CSS value, not a property name`);
        continue;
      }
      // the classic clamp idiom (display: -webkit-box; -webkit-line-clamp: 3) as both engines read it
      const name = rawName === 'WebkitLineClamp' ? 'lineClamp' : rawName;
      if (name === 'WebkitBoxOrient') continue;
      if (name === 'display' && value.trim() === '-webkit-box') {
        out.display = 'block';
        continue;
      }
      if (value.length > MAX_CSS_VALUE && urlStarts(value).length === 0) {
        this.fail(`${where}: the ${rawName} value is longer than ${MAX_CSS_VALUE} characters`);
        continue;
      }
      const p = parts(value);
      if (name === 'fontFamily') {
        if (hasVar(p)) this.fail(`${where}: font-family cannot come from a var`);
        for (const family of familyNames(value)) this.families.add(family);
      }
      const text = this.styleUrls(value, p, rawName, where);
      const filled = parts(text);
      out[name] = hasVar(filled) ? filled : literalValue(value === text ? value : text, name);
    }
    return out;
  }

  /**
   * A style value with its url() items checked: every url( must be, from there on, exactly an
   * image var or a literal PNG/JPEG data: URL (satori fetches any other URL it finds in a style,
   * past the SSRF guard). Literal images come back cleaned; the vars are recorded by their use.
   */
  private styleUrls(value: string, p: Part[], rawName: string, where: string): string {
    const urls = urlStarts(value);
    if (urls.length === 0) {
      this.use(p, 'value');
      return value;
    }
    const images = new Set<string>();
    let rebuilt = '';
    let last = 0;
    for (const index of urls) {
      const found = urlItemAt(value, index);
      const src = found?.src ?? '';
      const sp = parts(src);
      const only = sp.length === 1 ? sp[0] : undefined;
      if (found && only !== undefined && typeof only !== 'string') {
        images.add(only.v);
        this.use(sp, 'image');
      } else if (found && DATA_IMAGE.test(src)) {
        const clean = this.literalImage(src, `${where}: url() in ${rawName}`);
        rebuilt += `${value.slice(last, index)}url(${clean})`;
        last = index + found.text.length;
      } else {
        this.fail(`${where}: url() in ${rawName} must be an image var ({{logo}}) or a PNG/JPEG data: URL, not "${value.slice(index, index + 60)}"`);
      }
    }
    const text = rebuilt + value.slice(last);
    this.use(
      parts(text).filter((x) => typeof x !== 'string' && !images.has(x.v)),
      'value',
    );
    return text;
  }

  /** A literal data: image, checked as a fetched one is (a small file can claim a huge size), whitespace removed. */
  private literalImage(url: string, where: string): string {
    const clean = url.replace(/\s+/g, '');
    const image = bytesOfDataUrl(clean);
    if (!image) {
      this.fail(`${where}: the data: URL is not valid base64`);
      return clean;
    }
    const { type, bytes } = image;
    const check = sniffImage(bytes) === type ? checkImage(bytes, type as 'image/png' | 'image/jpeg') : { ok: false as const, reason: `not a ${type} file` };
    if (!check.ok) this.fail(`${where}: the data: image cannot be used (${check.reason})`);
    else {
      this.literalPixels += check.width * check.height;
      if (check.width * check.height > MAX_LITERAL_PIXELS || this.literalPixels > MAX_LITERAL_PIXELS) {
        this.fail(`${where}: the markup's data: images may have ${MAX_LITERAL_PIXELS} pixels in all (this one is ${check.width}×${check.height})`);
      }
    }
    return clean;
  }
}

export function parseMarkup(html: string): ParsedMarkup {
  // tags and attribute names as written: SVG's are case-sensitive (viewBox, linearGradient)
  const doc = parseDocument(html, { lowerCaseTags: false, lowerCaseAttributeNames: false, recognizeSelfClosing: true });
  const reader = new MarkupReader();
  const root = trimEnds(reader.walk(doc.children, 0, false));
  if (reader.errors.length === 0 && !root.some((n) => n.kind === 'el' || n.parts.length > 0)) reader.fail('the markup has nothing to draw');
  if (reader.errors.length > 0) throw new MarkupError(reader.errors);
  return { root, uses: reader.uses, families: [...reader.families] };
}

/**
 * Drops the space a line break left at the start and end of an element's text, as a browser does,
 * and in a flex container (a block element here) the whitespace between its children, which a
 * browser does not lay out either.
 */
function trimEnds(nodes: MarkupNode[], flex = true): MarkupNode[] {
  const blank = (n: MarkupNode) => n.kind === 'text' && n.parts.every((p) => p === ' ');
  const out = flex ? nodes.filter((n) => !blank(n)) : [...nodes];
  const edit = (i: number, trim: (s: string) => string, first: boolean) => {
    const node = out[i];
    if (node?.kind !== 'text') return;
    const p = [...node.parts];
    const j = first ? 0 : p.length - 1;
    const piece = p[j];
    if (typeof piece !== 'string') return;
    const trimmed = trim(piece);
    if (trimmed === '') p.splice(j, 1);
    else p[j] = trimmed;
    if (p.length === 0) out.splice(i, 1);
    else out[i] = { kind: 'text', parts: p };
  };
  edit(0, (s) => s.trimStart(), true);
  edit(out.length - 1, (s) => s.trimEnd(), false);
  if (!flex) {
    // inline text: a space next to an element is a word space, which satori drops at a text node's
    // edge; a no-break space is kept by both engines
    for (let i = 0; i < out.length; i++) {
      const node = out[i];
      if (node?.kind !== 'text') continue;
      const p = [...node.parts];
      const first = p[0];
      const last = p[p.length - 1];
      if (i > 0 && typeof first === 'string' && first.startsWith(' ')) p[0] = `\u00A0${first.slice(1)}`;
      const end = p[p.length - 1];
      if (i < out.length - 1 && typeof last === 'string' && typeof end === 'string' && end.endsWith(' ')) p[p.length - 1] = `${end.slice(0, -1)}\u00A0`;
      out[i] = { kind: 'text', parts: p };
    }
  }
  return out;
}
