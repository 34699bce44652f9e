/**
 * SVG input images (a logo or an avatar given as an .svg URL), turned into PNG before any engine
 * sees them. Rasterising here, with resvg (WASM, already in the bundle for the satori engine),
 * means the markup itself never reaches takumi, satori or the PDF writer, none of which is meant
 * to be handed untrusted SVG, and both engines and PDFs get the same pixels.
 *
 * resvg in WASM has no file system or network, so it cannot fetch; we still refuse, before
 * parsing, anything that asks for an outside resource — any `href` other than a `#fragment` or a
 * `data:` image, any CSS `url()` that is not `#fragment`, `@import`, and DTD declarations (entity
 * expansion is the XML "billion laughs"). Any attribute named `href`, whatever its prefix, must be
 * exactly `#id` or a data: picture. Work is bounded before it starts: the expanded element count
 * (a `<use>` of a `<use>` of … multiplies, and so do patterns, masks, clip paths and feImages per
 * element that uses them, markers per vertex), the filter primitives run (per element a filter
 * applies to), the embedded pictures' pixels (a GIF's by its first frame), and the raster size, which is the SVG's own size scaled so its longer side is
 * between SVG_RASTER_MIN_SIDE and SVG_RASTER_MAX_SIDE pixels (a vector loses nothing by it).
 * Scripts, `<foreignObject>` and event attributes are ignored by resvg and never leave this file.
 */
import { Buffer } from 'node:buffer';
import { Resvg } from '@resvg/resvg-wasm';
import { type ElementNode, parse } from 'svg-parser';
import { encodePng, unpremultiply } from '../encode/png';
import { useResvg } from '../engines/resvg';
import { DecodeLimitError, gifFirstFrameInfo } from './decode';
import { checkImage, MAX_INPUT_PIXELS, sniffImage } from './image-check';

/** Longest side of a rasterised SVG: 2048² ≈ 4.19 MP, within the 4.2 MP a remote image may have (MAX_INPUT_PIXELS). */
export const SVG_RASTER_MAX_SIDE = 2048;
/** Small icons (a 24×24 viewBox) are drawn bigger so they stay sharp when an engine scales them up. */
export const SVG_RASTER_MIN_SIDE = 512;
/** Elements after `<use>` expansion. Real logos have hundreds; a `<use>` bomb has billions. */
export const MAX_SVG_ELEMENTS = 50_000;
/** Filter primitives (`<feGaussianBlur>`, …): each costs a pass over the whole raster. */
export const MAX_SVG_FILTER_PRIMITIVES = 64;

/** An input the SVG rules refuse; its message is said to the caller as is. */
export class SvgRejected extends Error {
  /** Over a work limit (a size, a count) rather than broken or unsafe. */
  constructor(
    message: string,
    readonly tooLarge = false,
  ) {
    super(message);
  }
}

/**
 * Whether the bytes are SVG markup: UTF-8 text whose first element, after an optional XML
 * declaration, comments and a DOCTYPE, is `<svg`.
 */
export function looksLikeSvg(bytes: Uint8Array): boolean {
  let head = new TextDecoder().decode(bytes.subarray(0, 4096)).replace(/^\uFEFF/, '');
  for (;;) {
    head = head.trimStart();
    const prolog = head.match(/^(<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>[]*(\[[\s\S]*?\]\s*)?>)/i);
    if (!prolog) break;
    head = head.slice(prolog[0].length);
  }
  return /^<svg[\s/>]/.test(head);
}

const REF_ATTRIBUTE = /(?:^|[\s"'])(?:[A-Za-z_][\w.-]*:)?href\s*=\s*(["'])([\s\S]*?)\1/g;
const CSS_URL = /url\(\s*(["']?)([^"')]*)/gi;
const short = (value: string) => (value.length > 80 ? `${value.slice(0, 77)}…` : value);

const XLINK_NS = 'http://www.w3.org/1999/xlink';
const SVG_NAMESPACE = 'http://www.w3.org/2000/svg';
/** Distinct url(#…) paint and marker references in effect on one element (its own and inherited). */
const MAX_INHERITED_REFS = 16;
/** `<style>` rules with a url(#…) in them (each is matched against every element). */
const MAX_STYLE_URL_RULES = 256;

/** The XML parser (roxmltree, in resvg) decodes character references and the five predefined entities; svg-parser does not. */
function decodeXml(value: string): string {
  return value.replace(/&(?:#(\d+)|#x([0-9a-fA-F]+)|(lt|gt|amp|quot|apos));/g, (whole, dec?: string, hex?: string, named?: string) => {
    if (named) return { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[named] ?? whole;
    const code = dec !== undefined ? Number(dec) : Number.parseInt(hex ?? '', 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/**
 * svg-parser turns numeric-looking values into numbers (`id="1e1"` becomes 10): ids and the
 * names in `#id` links are compared through the same conversion, so two ids it merges may both
 * be counted, never neither.
 */
const idKey = (value: string) => (value.trim() !== '' && !Number.isNaN(Number(value)) ? String(Number(value)) : value);

/** data: pictures inside the SVG: PNG, JPEG or GIF (what resvg draws), within the pixel limit together. */
function checkEmbedded(uri: string, pixels: { total: number }): void {
  const head = uri.match(/^\s*data:([^;,]*)((?:;[^;,]*)*),/i);
  if (!head) throw new SvgRejected('has a malformed data: URI');
  const payload = uri.slice(head[0].length);
  const base64 = /;base64/i.test(head[2] ?? '');
  let bytes: Uint8Array;
  try {
    bytes = base64 ? Buffer.from(payload.replace(/\s+/g, ''), 'base64') : Buffer.from(decodeURIComponent(payload), 'utf8');
  } catch {
    throw new SvgRejected('has a malformed data: URI');
  }
  const type = sniffImage(bytes);
  if (type !== 'image/png' && type !== 'image/jpeg' && type !== 'image/gif')
    throw new SvgRejected(`embeds ${(head[1] || 'data').toLowerCase()} that is not a PNG, JPEG or GIF picture (nested SVGs are not supported)`);
  const check = checkImage(bytes, type);
  if (!check.ok) throw new SvgRejected(`embeds a broken picture: ${check.reason}`);
  let area = check.width * check.height;
  if (type === 'image/gif') {
    // resvg decodes a GIF at its first frame's size, not the logical screen's: the check decode.ts makes
    try {
      const { frame } = gifFirstFrameInfo(bytes);
      area = Math.max(area, frame.width * frame.height);
    } catch (err) {
      if (err instanceof DecodeLimitError) throw new SvgRejected(`embeds a picture too large to draw: ${err.message}`, true);
      throw new SvgRejected(`embeds a broken picture: ${(err as Error).message}`);
    }
  }
  pixels.total += area;
  if (pixels.total > MAX_INPUT_PIXELS) throw new SvgRejected(`embeds pictures of more than ${MAX_INPUT_PIXELS} pixels`, true);
}

/**
 * How a url(#id) reference multiplies work. A paint server (`fill`, `stroke`) is drawn once per
 * element it paints, a marker once per vertex, a filter runs its primitives once per element;
 * those three kinds are inherited (filters are not, but are charged per element all the same).
 * Anything else (`mask`, `clip-path`, an `href`) is drawn once per element that names it.
 */
type RefKind = 'href' | 'paint' | 'marker' | 'filter' | 'plain';
interface Ref {
  id: string;
  kind: RefKind;
}
const INHERITED: ReadonlySet<RefKind> = new Set(['paint', 'marker']);

function refKind(property: string): RefKind {
  const name = property.trim().toLowerCase();
  if (name === 'fill' || name === 'stroke') return 'paint';
  if (name === 'marker' || name.startsWith('marker-')) return 'marker';
  if (name === 'filter') return 'filter';
  return 'plain';
}

/** The url(#id) references in a property value; anything but a #fragment in url() is refused. */
function urlRefs(property: string, value: string, into: Ref[]): void {
  for (const [, raw = ''] of value.matchAll(/url\(([^)]*)\)?/gi)) {
    const target = raw
      .trim()
      .replace(/^(["'])([\s\S]*)\1$/, '$2')
      .trim();
    if (!/^#[^\s\\"'()]+$/.test(target)) throw new SvgRejected(`refers to an outside resource (url(${short(raw.trim())})); only url(#fragment) is allowed`);
    into.push({ id: idKey(target.slice(1)), kind: refKind(property) });
  }
}

/** Declarations of a CSS block or a style attribute, as (property, value) pairs. */
function declarations(css: string): [string, string][] {
  const out: [string, string][] = [];
  for (const part of css.split(';')) {
    const colon = part.indexOf(':');
    if (colon > 0) out.push([part.slice(0, colon).trim(), part.slice(colon + 1)]);
  }
  return out;
}

/** Filter primitives a CSS filter function list runs (drop-shadow() is a chain of five). */
function filterFunctions(value: string): number {
  let n = 0;
  for (const [, name = ''] of value.matchAll(/(?<![A-Za-z-])([A-Za-z-]+)\s*\(/g))
    if (name.toLowerCase() !== 'url') n += name.toLowerCase() === 'drop-shadow' ? 5 : 1;
  return n;
}

/** One compound of a CSS selector, as a superset: tag, classes and id, pseudo-classes dropped. */
interface StyleRule {
  /** null: may match any element. */
  compounds: { tag?: string; id?: string; classes: string[] }[] | null;
  refs: Ref[];
  functions: number;
}

function parseStyleRules(css: string): StyleRule[] {
  const rules: StyleRule[] = [];
  for (const [, selectors = '', body = ''] of withoutComments(css).matchAll(/(?<=^|[{}])([^{}]*)\{([^{}]*)\}/g)) {
    const refs: Ref[] = [];
    let functions = 0;
    for (const [property, value] of declarations(body)) {
      urlRefs(property, value, refs);
      if (refKind(property) === 'filter') functions += filterFunctions(value);
    }
    if (refs.length === 0 && functions === 0) continue;
    let compounds: StyleRule['compounds'] = [];
    for (const selector of selectors.split(',')) {
      const last =
        selector
          .trim()
          .split(/[\s>+~]+/)
          .pop() ?? '';
      const plain = last.replace(/::?[\w-]+(\([^)]*\))?/g, '');
      if (!/^[\w-]*(?:[.#][\w-]+)*$/.test(plain) || plain === '') {
        compounds = null; // `*`, attribute selectors, escapes: assume it matches everything
        break;
      }
      const tag = plain.match(/^[\w-]+/)?.[0];
      compounds.push({ tag, id: plain.match(/#([\w-]+)/)?.[1], classes: [...plain.matchAll(/\.([\w-]+)/g)].map((m) => m[1] ?? '') });
    }
    rules.push({ compounds, refs, functions });
  }
  if (rules.length > MAX_STYLE_URL_RULES)
    throw new SvgRejected(`has ${rules.length} style rules with url() or filter references; the limit is ${MAX_STYLE_URL_RULES}`, true);
  return rules;
}

const localName = (name = '') => name.slice(name.indexOf(':') + 1);
/** Elements a fill, stroke or marker is drawn on (a gradient's stops inherit one but draw nothing). */
const PAINTED = new Set(['path', 'rect', 'circle', 'ellipse', 'line', 'polyline', 'polygon', 'text', 'tspan', 'textPath', 'tref', 'use', 'image']);

/** Vertices a marker may be drawn at: numbers and commands in path data or points, an overcount. */
function vertices(node: ElementNode): number {
  const tag = localName(node.tagName);
  if (tag === 'line') return 2;
  const data = tag === 'path' ? node.properties?.d : tag === 'polyline' || tag === 'polygon' ? node.properties?.points : undefined;
  if (data === undefined) return 0;
  const text = String(data);
  return (text.match(/[-+]?(?:\d*\.\d+|\d+\.?)(?:[eE][-+]?\d+)?/g)?.length ?? 0) + (text.match(/[A-Za-z]/g)?.length ?? 0);
}

interface Cost {
  /** Elements drawn, counting each copy a reference makes. */
  elements: number;
  /** Filter primitives run. */
  filters: number;
  /** Vertices of marker-bearing shapes (path data numbers): what a marker reference multiplies. */
  vertices: number;
}

const elementsOf = (node: ElementNode) => node.children.filter((c): c is ElementNode => typeof c !== 'string' && c.type === 'element');

/** What one pass over the tree finds: ids, each element's own references, classes, and the `<style>` text. */
interface TreeIndex {
  byId: Map<string, ElementNode[]>;
  own: Map<ElementNode, Ref[]>;
  ownFunctions: Map<ElementNode, number>;
  classes: Map<ElementNode, string[]>;
  pixels: { total: number };
  css: string;
}

/** An href's reference (an exact `#id`), or a data: picture checked; anything else is refused. */
function hrefRef(name: string, prefix: string | undefined, value: string, scope: Map<string, string>, index: TreeIndex): Ref | undefined {
  const ns = prefix === undefined ? undefined : scope.get(prefix);
  if (prefix !== undefined && ns !== XLINK_NS && ns !== SVG_NAMESPACE)
    throw new SvgRejected(`has an href attribute with a prefix (${name}) not bound to the XLink namespace`);
  if (/^#[^\s]+$/.test(value)) return { id: idKey(value.slice(1)), kind: 'href' };
  if (/^\s*data:/i.test(value)) {
    checkEmbedded(value, index.pixels);
    return undefined;
  }
  if (value.includes('#') && !/^[a-z][\w+.-]*:|^\/\//i.test(value.trim()))
    throw new SvgRejected(`has an href that is not exactly a #fragment (href="${short(value)}")`);
  throw new SvgRejected(`refers to an outside resource (href="${short(value)}"); only #fragments and data: pictures are allowed`);
}

/** Stage 1: every element once, in document order: namespaces, ids, hrefs, url()s, <style> text. */
function indexTree(node: ElementNode, scope: Map<string, string>, index: TreeIndex): void {
  const props = Object.entries(node.properties ?? {}).map(([name, value]) => [name, decodeXml(String(value))] as const);
  let inner = scope;
  for (const [name, value] of props) {
    if (name.startsWith('xmlns:')) {
      if (inner === scope) inner = new Map(scope);
      inner.set(name.slice(6), value);
    }
  }
  const refs: Ref[] = [];
  let functions = 0;
  for (const [name, value] of props) {
    const colon = name.indexOf(':');
    const prefix = colon < 0 ? undefined : name.slice(0, colon);
    if (prefix === 'xmlns' || name === 'xmlns') continue;
    const local = name.slice(colon + 1);
    if (local === 'id') {
      for (const key of new Set([idKey(value), idKey(value.trim())])) {
        const list = index.byId.get(key);
        if (list) list.push(node);
        else index.byId.set(key, [node]);
      }
    }
    if (local.toLowerCase() === 'href') {
      const ref = hrefRef(name, prefix, value, inner, index);
      if (ref) refs.push(ref);
      continue;
    }
    for (const [property, declared] of local === 'style' ? declarations(value) : [[local, value] as const]) {
      urlRefs(property, declared, refs);
      if (refKind(property) === 'filter') functions += filterFunctions(declared);
    }
    if (local === 'class') index.classes.set(node, value.split(/\s+/).filter(Boolean));
  }
  if (refs.length > 0) index.own.set(node, refs);
  if (functions > 0) index.ownFunctions.set(node, functions);
  if (localName(node.tagName) === 'style') {
    for (const child of node.children) index.css += typeof child === 'string' ? child : child.type === 'text' ? decodeXml(String(child.value)) : '';
    index.css += '\n';
  }
  for (const child of elementsOf(node)) indexTree(child, inner, index);
}

/** The references and filter functions in effect on each element. */
interface Resolved {
  effective: Map<ElementNode, Ref[]>;
  functionsOf: Map<ElementNode, number>;
}

/**
 * Stage 2: the references in effect on each element: its own, its <style> rules', and the paint
 * and marker references it inherits from its ancestors in the document (which is also what the
 * content of a pattern, marker or mask inherits, wherever it is drawn).
 */
function resolveRefs(root: ElementNode, index: TreeIndex, rules: StyleRule[]): Resolved {
  const matches = (node: ElementNode, rule: StyleRule) =>
    rule.compounds === null ||
    rule.compounds.some(
      (c) =>
        (c.tag === undefined || c.tag === localName(node.tagName)) &&
        (c.id === undefined || idKey(String(node.properties?.id ?? '')) === idKey(c.id)) &&
        c.classes.every((name) => index.classes.get(node)?.includes(name)),
    );
  const resolved: Resolved = { effective: new Map(), functionsOf: new Map() };
  const resolve = (node: ElementNode, inherited: Ref[]) => {
    const refs = [...(index.own.get(node) ?? [])];
    let functions = index.ownFunctions.get(node) ?? 0;
    for (const rule of rules) {
      if (!matches(node, rule)) continue;
      refs.push(...rule.refs);
      functions += rule.functions;
    }
    let passDown = inherited;
    for (const ref of refs) {
      if (!INHERITED.has(ref.kind) || passDown.some((r) => r.id === ref.id && r.kind === ref.kind)) continue;
      if (passDown === inherited) passDown = [...inherited];
      passDown.push(ref);
    }
    if (passDown.length > MAX_INHERITED_REFS)
      throw new SvgRejected(`has more than ${MAX_INHERITED_REFS} paint or marker references in effect on one element`, true);
    const all = [...passDown, ...refs.filter((r) => !INHERITED.has(r.kind))];
    if (all.length > 0) resolved.effective.set(node, all);
    if (functions > 0) resolved.functionsOf.set(node, functions);
    for (const child of elementsOf(node)) resolve(child, passDown);
  };
  resolve(root, []);
  return resolved;
}

const LIMIT = MAX_SVG_ELEMENTS + 1;
const zero = (): Cost => ({ elements: 0, filters: 0, vertices: 0 });
const cap = (c: Cost): Cost => ({
  elements: Math.min(c.elements, LIMIT),
  filters: Math.min(c.filters, MAX_SVG_FILTER_PRIMITIVES + 1),
  vertices: Math.min(c.vertices, LIMIT),
});
const over = (c: Cost) => c.elements > MAX_SVG_ELEMENTS || c.filters > MAX_SVG_FILTER_PRIMITIVES;
function add(into: Cost, c: Cost, times = 1): void {
  into.elements += c.elements * times;
  into.filters += c.filters * times;
  into.vertices += c.vertices * times;
}

/** Stage 3: each element's cost, memoised, capped just past the limits; a reference cycle is refused. */
class CostModel {
  private readonly costs = new Map<ElementNode, Cost>();
  private readonly visiting = new Set<ElementNode>();

  constructor(
    private readonly index: TreeIndex,
    private readonly resolved: Resolved,
  ) {}

  /** Filter primitives a `<filter>` runs, its href templates' included. */
  private primitives(filter: ElementNode, depth = 0): number {
    let n = elementsOf(filter).filter((c) => /^fe[A-Z]/.test(localName(c.tagName))).length;
    if (depth < 8)
      for (const ref of this.index.own.get(filter) ?? [])
        if (ref.kind === 'href') for (const t of this.index.byId.get(ref.id) ?? []) n += this.primitives(t, depth + 1);
    return n;
  }

  /** The most any element with this id costs (ids may repeat). */
  private target(id: string): Cost {
    const most = zero();
    for (const target of this.index.byId.get(id) ?? []) {
      const c = this.cost(target);
      most.elements = Math.max(most.elements, c.elements);
      most.filters = Math.max(most.filters, c.filters);
      most.vertices = Math.max(most.vertices, c.vertices);
    }
    return most;
  }

  cost(node: ElementNode): Cost {
    const known = this.costs.get(node);
    if (known) return known;
    if (this.visiting.has(node)) throw new SvgRejected('has references (<use>, href or url(#…)) that form a cycle');
    this.visiting.add(node);
    const total: Cost = { elements: 1, filters: this.resolved.functionsOf.get(node) ?? 0, vertices: vertices(node) };
    for (const child of elementsOf(node)) {
      add(total, this.cost(child));
      if (over(total)) break;
    }
    const refs = this.resolved.effective.get(node) ?? [];
    // what this element draws itself: its shape, or (a <use>) the copy of its target
    const hrefTarget = zero();
    for (const ref of refs) {
      if (over(total)) break;
      if (ref.kind !== 'href') continue;
      const c = this.target(ref.id);
      add(total, c);
      add(hrefTarget, c);
    }
    this.addReferences(node, refs, total, hrefTarget);
    this.visiting.delete(node);
    const capped = cap(total);
    this.costs.set(node, capped);
    return capped;
  }

  /** Paint servers once per element painted, markers once per vertex, filters with their primitives, the rest once. */
  private addReferences(node: ElementNode, refs: Ref[], total: Cost, hrefTarget: Cost): void {
    const drawn = PAINTED.has(localName(node.tagName));
    const painted = 1 + hrefTarget.elements;
    const markedAt = vertices(node) + hrefTarget.vertices;
    for (const ref of refs) {
      if (over(total)) break;
      if (ref.kind === 'href' || (!drawn && INHERITED.has(ref.kind))) continue;
      const c = this.target(ref.id);
      if (ref.kind === 'paint') add(total, c, painted);
      else if (ref.kind === 'marker') add(total, c, markedAt);
      else if (ref.kind === 'filter') {
        add(total, c);
        total.filters += this.index.byId.get(ref.id)?.reduce((n, t) => Math.max(n, this.primitives(t)), 0) ?? 0;
      } else add(total, c);
    }
  }
}

/**
 * The work resvg would do for the tree, in elements and filter primitives: each `href="#id"`
 * (on a `<use>`, an `<feImage>`, a pattern or gradient template, any element) adds the target's
 * cost, each url(#id) in an attribute, a style attribute or a `<style>` rule that may match adds
 * it once per element painted (paint servers, masks, clip paths), once per vertex (markers), and
 * filters add their primitives per element they apply to. Memoised per element; a cycle is refused.
 * Also validates every href (an exact `#id` or a data: picture) and every url().
 */
function measure(root: ElementNode): Cost {
  const index: TreeIndex = { byId: new Map(), own: new Map(), ownFunctions: new Map(), classes: new Map(), pixels: { total: 0 }, css: '' };
  indexTree(root, new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]), index);
  if (/@import/i.test(index.css)) throw new SvgRejected('uses CSS @import, which is not allowed');
  const rules = parseStyleRules(index.css);
  return new CostModel(index, resolveRefs(root, index, rules)).cost(root);
}

/** CSS without its comments (a scanner: /\/\*[\s\S]*?\*\//g rescanned to the end from every unclosed "/*"). */
function withoutComments(css: string): string {
  let out = '';
  let last = 0;
  for (let i = css.indexOf('/*'); i !== -1; i = css.indexOf('/*', last)) {
    const end = css.indexOf('*/', i + 2);
    if (end === -1) break; // unclosed: kept as written, as the regex did
    out += css.slice(last, i);
    last = end + 2;
  }
  return out + css.slice(last);
}

/**
 * The markup without comments, CDATA sections, processing instructions and DOCTYPEs, by a scanner
 * doing what /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>/gi did — which
 * rescanned to the end of the file from every opener with no closer (quadratic on a hostile SVG).
 * An opener with no closer is kept as text; once a closer is known to be missing, it is not looked for again.
 */
function withoutSpecials(text: string): string {
  const kinds: [string, string][] = [
    ['<!--', '-->'],
    ['<![cdata[', ']]>'],
    ['<?', '?>'],
    ['<!doctype', '>'],
  ];
  const missing = new Set<string>();
  let out = '';
  let last = 0;
  for (let i = text.indexOf('<'); i !== -1; i = text.indexOf('<', i + 1)) {
    // openers compared case-insensitively one by one (lower-casing the whole text can change its length)
    const kind = kinds.find(([open]) => text.slice(i, i + open.length).toLowerCase() === open);
    if (!kind || missing.has(kind[1])) continue;
    const end = text.indexOf(kind[1], i + kind[0].length);
    if (end === -1) {
      missing.add(kind[1]);
      continue;
    }
    out += text.slice(last, i);
    last = end + kind[1].length;
    i = last - 1;
  }
  return out + text.slice(last);
}

/** `<!ENTITY` anywhere, or a DOCTYPE with an internal subset (`[` before its `>`), found in one pass. */
function declaresEntities(text: string): boolean {
  const lower = text.toLowerCase();
  if (lower.includes('<!entity')) return true;
  for (let i = lower.indexOf('<!doctype'); i !== -1; ) {
    let j = i + 9;
    while (j < lower.length && lower[j] !== '>' && lower[j] !== '[') j++;
    if (lower[j] === '[') return true;
    if (j >= lower.length) return false;
    i = lower.indexOf('<!doctype', j);
  }
  return false;
}

/** Elements in the markup as an XML parser sees them: start tags outside comments, CDATA and processing instructions. */
function markupElements(text: string): number {
  const bare = withoutSpecials(text);
  return bare.match(/<(?![/!?])/g)?.length ?? 0;
}

function countElements(node: ElementNode): number {
  let n = 1;
  for (const child of elementsOf(node)) n += countElements(child);
  return n;
}

/**
 * The checks that run before resvg parses anything. Throws SvgRejected with the reason.
 * Exported for tests; `svgToPng` runs it.
 */
export function checkSvgMarkup(bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new SvgRejected('is not UTF-8 text');
  }
  if (declaresEntities(text)) throw new SvgRejected('declares DTD entities, which are not allowed');
  if (/@import/i.test(text)) throw new SvgRejected('uses CSS @import, which is not allowed');
  // a first pass over the raw text; the parsed tree is checked again, with references decoded
  for (const [, , raw = ''] of text.matchAll(REF_ATTRIBUTE)) {
    const value = raw.trim();
    if (!value.startsWith('#') && !/^data:/i.test(value))
      throw new SvgRejected(`refers to an outside resource (href="${short(value)}"); only #fragments and data: pictures are allowed`);
  }
  for (const [, , raw = ''] of text.matchAll(CSS_URL)) {
    if (!raw.trim().startsWith('#')) throw new SvgRejected(`refers to an outside resource (url(${short(raw.trim())})); only url(#fragment) is allowed`);
  }
  const filters = text.match(/<(?:[\w.-]+:)?fe[A-Z]/g)?.length ?? 0;
  if (filters > MAX_SVG_FILTER_PRIMITIVES) throw new SvgRejected(`has ${filters} filter primitives; the limit is ${MAX_SVG_FILTER_PRIMITIVES}`, true);
  let tree: ReturnType<typeof parse>;
  try {
    tree = parse(text);
  } catch (err) {
    throw new SvgRejected(`is not well-formed SVG (${(err as Error).message.split('\n')[0]})`);
  }
  const root = tree.children[0];
  if (root?.type !== 'element' || localName(root.tagName) !== 'svg') throw new SvgRejected('has no <svg> root element');
  let cost: Cost;
  try {
    // every element resvg will see must be one checked here
    const elements = countElements(root);
    if (elements !== markupElements(text)) throw new SvgRejected('has markup that cannot be checked (its elements are not all where an XML parser finds them)');
    cost = elements > MAX_SVG_ELEMENTS ? { elements, filters: 0, vertices: 0 } : measure(root);
  } catch (err) {
    if (err instanceof RangeError) throw new SvgRejected('nests its elements too deeply', true); // the call stack ran out
    throw err;
  }
  if (cost.elements > MAX_SVG_ELEMENTS)
    throw new SvgRejected(
      `has more than ${MAX_SVG_ELEMENTS} elements once <use> references are expanded (patterns, masks, clip paths and markers count once per use)`,
      true,
    );
  if (cost.filters > MAX_SVG_FILTER_PRIMITIVES)
    throw new SvgRejected(`runs more than ${MAX_SVG_FILTER_PRIMITIVES} filter primitives, counting each element a filter applies to`, true);
  return text;
}

type ParsedSvg = InstanceType<typeof Resvg>;

function parseSvg(text: string, zoom?: number): ParsedSvg {
  try {
    return new Resvg(text, { font: { loadSystemFonts: false }, fitTo: zoom === undefined ? { mode: 'original' } : { mode: 'zoom', value: zoom } });
  } catch (err) {
    throw new SvgRejected(`could not be parsed (${String((err as Error).message ?? err)})`);
  }
}

/** The SVG drawn as PNG at its own size, scaled into [MIN, MAX] on its longer side. Throws SvgRejected. */
export function svgToPng(bytes: Uint8Array): Promise<{ png: Uint8Array; width: number; height: number }> {
  const text = checkSvgMarkup(bytes);
  return useResvg(() => drawSvg(text));
}

function drawSvg(text: string): { png: Uint8Array; width: number; height: number } {
  let resvg = parseSvg(text);
  const longest = Math.max(resvg.width, resvg.height);
  if (!(longest > 0 && Number.isFinite(longest))) {
    resvg.free();
    throw new SvgRejected('declares no usable size (width, height or viewBox)');
  }
  const target = Math.min(SVG_RASTER_MAX_SIDE, Math.max(SVG_RASTER_MIN_SIDE, longest));
  if (target !== longest) {
    // resvg takes its output size when it parses: a second parse, only for SVGs outside the range
    resvg.free();
    resvg = parseSvg(text, target / longest);
  }
  try {
    const image = resvg.render();
    try {
      if (image.width === 0 || image.height === 0) throw new SvgRejected('draws to an empty picture');
      return { png: encodePng(unpremultiply(image.pixels), image.width, image.height), width: image.width, height: image.height };
    } finally {
      image.free();
    }
  } catch (err) {
    // resvg has parsed and checked the input by now: a failure to draw it is the input's
    throw err instanceof SvgRejected ? err : new SvgRejected(`could not be drawn (${(err as Error).message})`);
  } finally {
    resvg.free();
  }
}
