/**
 * The direct path for PDF pages: the template tree laid out with yoga (the flexbox engine satori
 * uses) and drawn straight onto the PDF page — no SVG written, no SVG parsed, text measured with the
 * same font metrics the templates paginate with.
 *
 * Why it exists: satori spends 100–150 ms on a text-dense A4 page (per-node CSS re-parsing and
 * per-word segmentation; measured for the invoice), which puts a 3-page invoice at ~500 ms in
 * workerd. This path covers the CSS that document templates use — flexbox, sizes, margins,
 * paddings, gaps, absolute positions, solid backgrounds, solid borders with radii, images,
 * opacity, and text (size, weight, colour, line height, letter spacing, alignment, nowrap,
 * ellipsis, line clamp, case transforms) — and throws `Unsupported` on anything else, so a page
 * using more (a gradient, a shadow, a transform) goes through satori instead, page by page.
 */
import {
  clip,
  endPath,
  fill,
  type PDFPage,
  popGraphicsState,
  pushGraphicsState,
  rectangle,
  setFillingRgbColor,
  setLineWidth,
  setStrokingRgbColor,
  stroke,
} from 'pdf-lib';
import type { Yoga, Config as YogaConfig, Node as YogaNode } from 'yoga-wasm-web';
import { faceChain, type GlyphRun, type LoadedFace, shapeRuns } from '../../fonts/pdf';
import { BoundedMap } from '../../lib/bounded-map';
import type { TemplateElement, TemplateNode } from '../jsx';
import { type DocumentCanvas, PageDrawing, parseColor, type Rgba, svgPathToOperators } from './svg-to-pdf';

/** The tree uses something this path does not draw: render the page with satori instead. */
export class Unsupported extends Error {}

type StyleValue = string | number | undefined;
type Style = Record<string, StyleValue>;

/** Properties children inherit (CSS inheritance, for what this path supports). */
const INHERITED = [
  'color',
  'fontFamily',
  'fontSize',
  'fontWeight',
  'lineHeight',
  'letterSpacing',
  'textAlign',
  'whiteSpace',
  'textTransform',
  'fontStyle',
] as const;

const LAYOUT_KEYS = new Set([
  'display',
  'flexDirection',
  'flexWrap',
  'justifyContent',
  'alignItems',
  'alignSelf',
  'alignContent',
  'flexGrow',
  'flexShrink',
  'flexBasis',
  'flex',
  'width',
  'height',
  'minWidth',
  'minHeight',
  'maxWidth',
  'maxHeight',
  'margin',
  'marginTop',
  'marginRight',
  'marginBottom',
  'marginLeft',
  'padding',
  'paddingTop',
  'paddingRight',
  'paddingBottom',
  'paddingLeft',
  'gap',
  'rowGap',
  'columnGap',
  'position',
  'top',
  'right',
  'bottom',
  'left',
  'overflow',
]);
const PAINT_KEYS = new Set([
  'backgroundColor',
  'background',
  'opacity',
  'objectFit',
  'border',
  'borderTop',
  'borderRight',
  'borderBottom',
  'borderLeft',
  'borderWidth',
  'borderColor',
  'borderStyle',
  'borderRadius',
  'borderTopWidth',
  'borderRightWidth',
  'borderBottomWidth',
  'borderLeftWidth',
  'borderTopColor',
  'borderRightColor',
  'borderBottomColor',
  'borderLeftColor',
  'textOverflow',
  'lineClamp',
  'wordBreak',
  'overflowWrap',
]);
const TEXT_KEYS = new Set<string>(INHERITED);

interface Side<T> {
  top: T;
  right: T;
  bottom: T;
  left: T;
}

/** A laid-out box: its yoga node, resolved style, and children. */
interface Box {
  node: YogaNode;
  style: Style;
  kind: 'box' | 'text' | 'image';
  children: Box[];
  text?: string;
  src?: string;
  border: Side<{ width: number; color: Rgba | null }>;
}

const SIDES = ['top', 'right', 'bottom', 'left'] as const;
const BORDER_KEYS = [...PAINT_KEYS].filter((k) => k.startsWith('border') && k !== 'borderRadius');
const NONE = { width: 0, color: null };
const NO_BORDER: Side<{ width: number; color: Rgba | null }> = { top: NONE, right: NONE, bottom: NONE, left: NONE };
const CAP = { top: 'Top', right: 'Right', bottom: 'Bottom', left: 'Left' } as const;

/** CSS keywords → yoga enums, built once per yoga instance. */
function enumMaps(y: Yoga) {
  const align = {
    'flex-start': y.ALIGN_FLEX_START,
    start: y.ALIGN_FLEX_START,
    center: y.ALIGN_CENTER,
    'flex-end': y.ALIGN_FLEX_END,
    end: y.ALIGN_FLEX_END,
    stretch: y.ALIGN_STRETCH,
    baseline: y.ALIGN_BASELINE,
    'space-between': y.ALIGN_SPACE_BETWEEN,
    'space-around': y.ALIGN_SPACE_AROUND,
  };
  return {
    align,
    alignSelf: { ...align, auto: y.ALIGN_AUTO },
    direction: {
      row: y.FLEX_DIRECTION_ROW,
      column: y.FLEX_DIRECTION_COLUMN,
      'row-reverse': y.FLEX_DIRECTION_ROW_REVERSE,
      'column-reverse': y.FLEX_DIRECTION_COLUMN_REVERSE,
    },
    wrap: { wrap: y.WRAP_WRAP, nowrap: y.WRAP_NO_WRAP, 'wrap-reverse': y.WRAP_WRAP_REVERSE },
    justify: {
      'flex-start': y.JUSTIFY_FLEX_START,
      start: y.JUSTIFY_FLEX_START,
      center: y.JUSTIFY_CENTER,
      'flex-end': y.JUSTIFY_FLEX_END,
      end: y.JUSTIFY_FLEX_END,
      'space-between': y.JUSTIFY_SPACE_BETWEEN,
      'space-around': y.JUSTIFY_SPACE_AROUND,
      'space-evenly': y.JUSTIFY_SPACE_EVENLY,
    },
    edges: { top: y.EDGE_TOP, right: y.EDGE_RIGHT, bottom: y.EDGE_BOTTOM, left: y.EDGE_LEFT },
  };
}

function px(value: StyleValue, name: string): number | string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  const v = value.trim();
  if (v === 'auto') return 'auto';
  const m = v.match(/^(-?(?:\d+(?:\.\d+)?|\.\d+))(px|%)?$/);
  if (!m) throw new Unsupported(`${name}: ${value}`);
  return m[2] === '%' ? v : Number(m[1]);
}

/** CSS 1–4 value shorthand (margin, padding) into sides. */
function sides(value: StyleValue, name: string): Side<number | string | undefined> | undefined {
  if (value === undefined) return undefined;
  const parts = typeof value === 'number' ? [value] : value.trim().split(/\s+/);
  const v = parts.map((p) => px(p, name));
  const [t, r = t, b = t, l = r] = v;
  return { top: t, right: r, bottom: b, left: l };
}

function parseBorder(value: StyleValue, name: string): { width: number; color: Rgba | null } | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return { width: value, color: parseColor('black') };
  let width = 0;
  let color: Rgba | null = parseColor('black');
  for (const part of value.trim().split(/\s+(?![^(]*\))/)) {
    if (/^-?(?:\d+(?:\.\d+)?|\.\d+)(px)?$/.test(part)) width = Number.parseFloat(part);
    else if (part === 'solid') continue;
    else if (part === 'none') width = 0;
    else if (/^(dashed|dotted|double|groove|ridge|inset|outset)$/.test(part)) throw new Unsupported(`${name}: ${part}`);
    else color = parseColor(part);
  }
  return { width, color };
}

/** A length in px (a number, or 'Npx'); anything else (em, %) is not this path's. */
function lengthOf(value: StyleValue, name: string): number | undefined {
  if (value === undefined) return undefined;
  const v = px(value, name);
  if (typeof v !== 'number') throw new Unsupported(`${name}: ${value}`);
  return v;
}

/** Properties of a block that shape its own text (not inherited by child elements). */
const BLOCK_TEXT = ['lineClamp', 'textOverflow', 'wordBreak', 'overflowWrap'] as const;

function checkKeys(style: Style): void {
  for (const key of Object.keys(style)) {
    if (style[key] === undefined) continue;
    if (!LAYOUT_KEYS.has(key) && !PAINT_KEYS.has(key) && !TEXT_KEYS.has(key)) throw new Unsupported(`style ${key}`);
  }
  const bg = style.background ?? style.backgroundColor;
  if (typeof bg === 'string' && /gradient|url\(/.test(bg)) throw new Unsupported('background image');
  if (style.borderStyle !== undefined && style.borderStyle !== 'solid' && style.borderStyle !== 'none') throw new Unsupported('borderStyle');
  if (style.fontStyle !== undefined && style.fontStyle !== 'normal') throw new Unsupported('fontStyle');
  if (style.textAlign === 'justify') throw new Unsupported('textAlign: justify');
  // lengths this path reads later (when text is measured) are checked now, so Unsupported comes from layout()
  lengthOf(style.fontSize, 'fontSize');
  lengthOf(style.letterSpacing, 'letterSpacing');
}

/** Text as CSS would show it: white space collapsed (unless pre), case transformed. */
function prepareText(text: string, style: Style): string {
  let t = style.whiteSpace === 'pre' || style.whiteSpace === 'pre-wrap' ? text : text.replace(/\s+/g, ' ').trim();
  if (style.textTransform === 'uppercase') t = t.toUpperCase();
  else if (style.textTransform === 'lowercase') t = t.toLowerCase();
  else if (style.textTransform === 'capitalize') t = t.replace(/(^|[^\p{L}\p{N}])(\p{L})/gu, (_, before: string, c: string) => before + c.toUpperCase());
  return t;
}

interface FontInfo {
  size: number;
  weight: number;
  family: string;
  spacing: number;
  lineHeight: number;
  ascent: number;
  chain: LoadedFace[];
  /** Text already split into glyph runs and measured in this font, by text (bounded: the layout lives per isolate). */
  shaped: BoundedMap<string, { runs: GlyphRun[]; width: number }>;
}

/** Lays out and draws pages without satori. */
export class DirectLayout {
  /** Web defaults: flex-direction row and flex-shrink 1, as CSS (and satori) have them. */
  private readonly config: YogaConfig;
  /** Fonts by what determines them, so boxes that share a font share its measured widths. */
  private readonly fonts = new BoundedMap<string, FontInfo>(500, 60 * 60_000);
  private readonly enums: ReturnType<typeof enumMaps>;

  constructor(
    private readonly yoga: Yoga,
    private readonly faces: readonly LoadedFace[],
  ) {
    this.config = yoga.Config.create();
    this.config.setUseWebDefaults(true);
    this.enums = enumMaps(yoga);
  }

  private fontOf(style: Style): FontInfo {
    const key = `${style.fontFamily}|${style.fontWeight}|${style.fontSize}|${style.letterSpacing}|${style.lineHeight}`;
    let info = this.fonts.get(key);
    if (!info) {
      info = this.resolveFont(style);
      this.fonts.set(key, info);
    }
    return info;
  }

  private resolveFont(style: Style): FontInfo {
    const size = lengthOf(style.fontSize, 'fontSize') ?? 16;
    const weight = style.fontWeight === 'bold' ? 700 : typeof style.fontWeight === 'number' ? style.fontWeight : Number(style.fontWeight ?? 400) || 400;
    const family = String(style.fontFamily ?? 'Inter');
    const spacing = lengthOf(style.letterSpacing, 'letterSpacing') ?? 0;
    const chain = faceChain(this.faces, family, weight);
    const face = chain[0] as LoadedFace;
    const m = face.font.metrics;
    const content = ((m.ascent - m.descent) / m.unitsPerEm) * size;
    let lineHeight = content; // 'normal'
    // CSS: a bare number is a multiple of the font size, a length is a length
    const lh = style.lineHeight;
    if (typeof lh === 'number' || (typeof lh === 'string' && /^(?:\d+(?:\.\d+)?|\.\d+)$/.test(lh.trim()))) lineHeight = Number(lh) * size;
    else if (typeof lh === 'string' && lh !== 'normal') {
      const v = px(lh, 'lineHeight');
      if (typeof v !== 'number') throw new Unsupported(`lineHeight: ${lh}`);
      lineHeight = v;
    }
    // the baseline sits half the leading below the line box's top, plus the ascent
    const ascent = (lineHeight - content) / 2 + (m.ascent / m.unitsPerEm) * size;
    return { size, weight, family, spacing, lineHeight, ascent, chain, shaped: new BoundedMap(20_000, 10 * 60_000) };
  }

  private shape(text: string, style: Style): { runs: GlyphRun[]; width: number } {
    const f = this.fontOf(style);
    let shaped = f.shaped.get(text);
    if (!shaped) {
      const runs = shapeRuns(f.chain, text);
      let w = 0;
      let chars = 0;
      for (const run of runs) {
        w += (run.advance / run.face.font.metrics.unitsPerEm) * f.size;
        chars += run.glyphs.length;
      }
      shaped = { runs, width: w + f.spacing * chars };
      f.shaped.set(text, shaped);
    }
    return shaped;
  }

  width(text: string, style: Style): number {
    return this.shape(text, style).width;
  }

  /** Greedy word wrap at `max` px (nowrap: one line), then the clamp with an ellipsis. */
  wrap(text: string, style: Style, max: number): string[] {
    const nowrap = style.whiteSpace === 'nowrap' || style.whiteSpace === 'pre';
    let lines: string[];
    if (nowrap || !Number.isFinite(max)) lines = text.split('\n');
    else {
      lines = [];
      // advances add up (no kerning in this path), so a line's width is the sum of its words'
      const space = this.width(' ', style);
      for (const paragraph of text.split('\n')) {
        let line = '';
        let lineWidth = 0;
        for (const word of paragraph.split(' ')) {
          const wordWidth = this.width(word, style);
          const candidateWidth = line === '' ? wordWidth : lineWidth + space + wordWidth;
          if (line !== '' && candidateWidth > max + 0.01) {
            lines.push(line);
            line = word;
            lineWidth = wordWidth;
          } else {
            line = line === '' ? word : `${line} ${word}`;
            lineWidth = candidateWidth;
          }
          if (lineWidth <= max + 0.01) continue;
          // a single word wider than the line breaks between characters
          while (this.width(line, style) > max + 0.01 && line.length > 1) {
            let cut = line.length - 1;
            while (cut > 1 && this.width(line.slice(0, cut), style) > max) cut--;
            lines.push(line.slice(0, cut));
            line = line.slice(cut);
          }
          lineWidth = this.width(line, style);
        }
        lines.push(line);
      }
    }
    const clamp = typeof style.lineClamp === 'number' ? style.lineClamp : Number.POSITIVE_INFINITY;
    const ellipsis = style.textOverflow === 'ellipsis' || typeof style.lineClamp === 'number';
    if (lines.length > clamp) {
      lines = lines.slice(0, clamp);
      lines[clamp - 1] = `${lines[clamp - 1]}…`;
    }
    if (ellipsis && Number.isFinite(max)) {
      lines = lines.map((l) => {
        if (this.width(l, style) <= max + 0.01) return l;
        let t = l.replace(/…$/, '');
        while (t.length > 0 && this.width(`${t}…`, style) > max) t = t.slice(0, -1);
        return `${t.trimEnd()}…`;
      });
    }
    return lines;
  }

  private build(el: TemplateNode, inherited: Style, created: YogaNode[], rowParent = false): Box {
    const { yoga } = this;
    const node = yoga.Node.createWithConfig(this.config);
    created.push(node);
    if (typeof el === 'string' || typeof el === 'number') {
      const style = inherited; // shared by the element's text children: never written to
      const text = prepareText(String(el), style);
      const box: Box = { node, style, kind: 'text', children: [], text, border: NO_BORDER };
      const oneSize = (style.whiteSpace === 'nowrap' || style.whiteSpace === 'pre') && style.textOverflow === undefined && style.lineClamp === undefined;
      if (oneSize && rowParent) {
        // text that never wraps, along its row: its size is its content whatever the room, so set
        // it (as the flex basis; it can still shrink) instead of having yoga call back into JS
        const lines = this.wrap(text, style, Number.POSITIVE_INFINITY);
        node.setWidth(Math.ceil(Math.max(0, ...lines.map((l) => this.width(l, style))) * 100) / 100);
        node.setHeight(lines.length * this.fontOf(style).lineHeight);
        return box;
      }
      // otherwise measured like satori's text nodes (so it wraps, stretches and aligns as any flex
      // item), memoised per width: yoga asks several times
      const sizes = new Map<number, { width: number; height: number }>();
      node.setMeasureFunc((width, widthMode) => {
        const max = widthMode === yoga.MEASURE_MODE_UNDEFINED ? Number.POSITIVE_INFINITY : width;
        let out = sizes.get(max);
        if (!out) {
          const lines = this.wrap(text, style, max);
          const w = Math.max(0, ...lines.map((l) => this.width(l, style)));
          out = { width: Math.min(Math.ceil(w * 100) / 100, max), height: lines.length * this.fontOf(style).lineHeight };
          sizes.set(max, out);
        }
        return out;
      });
      return box;
    }
    const own = (el.props.style ?? {}) as Style;
    checkKeys(own);
    const style: Style = { ...own };
    for (const key of INHERITED) if (style[key] === undefined && inherited[key] !== undefined) style[key] = inherited[key];
    const tag = el.type;
    if (tag !== 'div' && tag !== 'span' && tag !== 'img') throw new Unsupported(`<${tag}>`);
    this.applyLayout(node, style, tag === 'img' ? el : undefined);
    const border = this.applyBorders(node, style);
    const box: Box = { node, style, kind: tag === 'img' ? 'image' : 'box', children: [], border };
    if (tag === 'img') {
      box.src = String(el.props.src ?? '');
      return box;
    }
    const raw = el.props.children;
    const children = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    if (children.length > 1 && style.display !== 'flex' && style.display !== 'none') throw new Unsupported('several children without display flex');
    const rowDirection = style.flexDirection === undefined || style.flexDirection === 'row' || style.flexDirection === 'row-reverse';
    // what the children inherit, plus (for its text) the block's own clamp and overflow rules
    const inheritedForChildren: Style = {};
    for (const key of INHERITED) if (style[key] !== undefined) inheritedForChildren[key] = style[key];
    for (const key of BLOCK_TEXT) if (style[key] !== undefined) inheritedForChildren[key] = style[key];
    for (const child of children) {
      const c = this.build(child as TemplateNode, inheritedForChildren, created, rowDirection);
      node.insertChild(c.node, node.getChildCount());
      box.children.push(c);
    }
    return box;
  }

  private applyLayout(node: YogaNode, s: Style, img?: TemplateElement): void {
    const y = this.yoga;
    const e = this.enums;
    const pick = <T>(value: StyleValue, map: Record<string, T>, name: string): T | undefined => {
      if (value === undefined) return undefined;
      const v = map[String(value)];
      if (v === undefined) throw new Unsupported(`${name}: ${value}`);
      return v;
    };
    // only what the style sets: every call crosses into WASM (web defaults cover the rest)
    if (s.display === 'none') node.setDisplay(y.DISPLAY_NONE);
    const direction = pick(s.flexDirection, e.direction, 'flexDirection');
    if (direction !== undefined) node.setFlexDirection(direction);
    const wrap = pick(s.flexWrap, e.wrap, 'flexWrap');
    if (wrap !== undefined) node.setFlexWrap(wrap);
    const justify = pick(s.justifyContent, e.justify, 'justifyContent');
    if (justify !== undefined) node.setJustifyContent(justify);
    const items = pick(s.alignItems, e.align, 'alignItems');
    if (items !== undefined) node.setAlignItems(items);
    const self = pick(s.alignSelf, e.alignSelf, 'alignSelf');
    if (self !== undefined) node.setAlignSelf(self);
    const content = pick(s.alignContent, e.align, 'alignContent');
    if (content !== undefined) node.setAlignContent(content);
    if (typeof s.flex === 'number') {
      node.setFlexGrow(s.flex);
      node.setFlexBasis(0);
    } else if (s.flex !== undefined) throw new Unsupported(`flex: ${s.flex}`);
    if (s.flexGrow !== undefined) node.setFlexGrow(Number(s.flexGrow));
    if (s.flexShrink !== undefined) node.setFlexShrink(Number(s.flexShrink));
    const basis = px(s.flexBasis, 'flexBasis');
    if (basis !== undefined) node.setFlexBasis(basis as number);
    const size = (value: StyleValue, name: string, set: (v: number | string) => void, auto?: () => void) => {
      const v = px(value, name);
      if (v === undefined) return;
      if (v === 'auto') auto?.();
      else set(v);
    };
    const imgWidth = img && s.width === undefined ? (img.props.width as number | undefined) : undefined;
    const imgHeight = img && s.height === undefined ? (img.props.height as number | undefined) : undefined;
    size(
      s.width ?? imgWidth,
      'width',
      (v) => node.setWidth(v),
      () => node.setWidthAuto(),
    );
    size(
      s.height ?? imgHeight,
      'height',
      (v) => node.setHeight(v),
      () => node.setHeightAuto(),
    );
    size(s.minWidth, 'minWidth', (v) => node.setMinWidth(v));
    size(s.minHeight, 'minHeight', (v) => node.setMinHeight(v));
    size(s.maxWidth, 'maxWidth', (v) => node.setMaxWidth(v));
    size(s.maxHeight, 'maxHeight', (v) => node.setMaxHeight(v));
    const edges = e.edges;
    const margin = sides(s.margin, 'margin');
    const padding = sides(s.padding, 'padding');
    for (const side of SIDES) {
      const m = px(s[`margin${CAP[side]}`], 'margin') ?? margin?.[side];
      if (m === 'auto') node.setMarginAuto(edges[side]);
      else if (m !== undefined) node.setMargin(edges[side], m);
      const p = px(s[`padding${CAP[side]}`], 'padding') ?? padding?.[side];
      if (p !== undefined && p !== 'auto') node.setPadding(edges[side], p);
      const pos = px(s[side], side);
      if (pos !== undefined && pos !== 'auto') node.setPosition(edges[side], pos);
    }
    if (s.position === 'absolute') node.setPositionType(y.POSITION_TYPE_ABSOLUTE);
    else if (s.position !== undefined && s.position !== 'relative' && s.position !== 'static') throw new Unsupported(`position: ${s.position}`);
    const gap = px(s.gap, 'gap');
    if (typeof gap === 'number') node.setGap(y.GUTTER_ALL, gap);
    const rowGap = px(s.rowGap, 'rowGap');
    if (typeof rowGap === 'number') node.setGap(y.GUTTER_ROW, rowGap);
    const columnGap = px(s.columnGap, 'columnGap');
    if (typeof columnGap === 'number') node.setGap(y.GUTTER_COLUMN, columnGap);
    if (s.overflow === 'hidden') node.setOverflow(y.OVERFLOW_HIDDEN);
  }

  private applyBorders(node: YogaNode, s: Style): Side<{ width: number; color: Rgba | null }> {
    if (!BORDER_KEYS.some((k) => s[k] !== undefined)) return NO_BORDER;
    const all = parseBorder(s.border, 'border');
    const out = {} as Side<{ width: number; color: Rgba | null }>;
    const edges = this.enums.edges;
    for (const side of SIDES) {
      const c = CAP[side];
      const b = parseBorder(s[`border${c}`], `border${c}`) ?? (all ? { ...all } : { width: 0, color: parseColor(String(s.color ?? 'black')) });
      const width = s[`border${c}Width`] ?? s.borderWidth;
      if (width !== undefined) b.width = Number(px(width, 'borderWidth')) || 0;
      const color = s[`border${c}Color`] ?? s.borderColor;
      if (color !== undefined) b.color = parseColor(String(color));
      if (s.borderStyle === 'none') b.width = 0;
      if (b.width > 0) node.setBorder(edges[side], b.width);
      out[side] = b;
    }
    return out;
  }

  /**
   * Lays a page out; throws Unsupported when the tree needs satori. The yoga nodes live in WASM
   * memory: `draw` frees them, and so does a layout that gives up half way.
   */
  layout(element: TemplateElement, width: number, height: number): Box {
    const created: YogaNode[] = [];
    try {
      const root = this.build(element, { fontFamily: 'Inter', fontSize: 16, color: 'black' }, created);
      root.node.calculateLayout(width, height, this.yoga.DIRECTION_LTR);
      return root;
    } catch (err) {
      for (const node of created) node.free();
      throw err;
    }
  }

  async draw(canvas: DocumentCanvas, page: PDFPage, root: Box): Promise<void> {
    try {
      const drawing = new PageDrawing(canvas, page);
      drawing.begin();
      await this.drawBox(drawing, root, 0, 0, 1);
      drawing.finish();
    } finally {
      root.node.freeRecursive();
    }
  }

  private async drawBox(d: PageDrawing, box: Box, parentX: number, parentY: number, parentAlpha: number): Promise<void> {
    const s = box.style;
    if (s.display === 'none') return;
    const l = box.node.getComputedLayout();
    const x = parentX + l.left;
    const y = parentY + l.top;
    const w = l.width;
    const h = l.height;
    const alpha = parentAlpha * (typeof s.opacity === 'number' ? s.opacity : 1);
    if (alpha <= 0) return;

    if (box.kind === 'text') {
      const f = this.fontOf(s);
      const color = parseColor(String(s.color ?? 'black'));
      if (!color) return;
      const lines = this.wrap(box.text ?? '', s, w + 0.5);
      lines.forEach((line, i) => {
        const { runs, width: lw } = this.shape(line, s);
        const dx = s.textAlign === 'center' ? (w - lw) / 2 : s.textAlign === 'right' || s.textAlign === 'end' ? w - lw : 0;
        d.glyphRuns(runs, x + dx, y + i * f.lineHeight + f.ascent, { size: f.size, color, alpha: alpha * color.a, spacing: f.spacing });
      });
      return;
    }

    const radius = this.radius(s, w, h);
    const outline = (inset: number) => roundedRect(x + inset, y + inset, w - 2 * inset, h - 2 * inset, Math.max(0, radius - inset));
    const bg = parseColor(String(s.backgroundColor ?? s.background ?? 'transparent'));
    if (bg && bg.a > 0) {
      if (radius > 0) {
        d.ops.push(pushGraphicsState());
        d.setAlpha(alpha * bg.a, 1);
        d.ops.push(setFillingRgbColor(bg.r, bg.g, bg.b), ...outline(0), fill(), popGraphicsState());
      } else d.fillRect(x, y, w, h, bg, alpha * bg.a);
    }

    if (box.kind === 'image') {
      const image = box.src ? await d.canvas.image(box.src) : null;
      if (image) {
        const b = box.border;
        const ix = x + b.left.width + box.node.getComputedPadding(this.yoga.EDGE_LEFT);
        const iy = y + b.top.width + box.node.getComputedPadding(this.yoga.EDGE_TOP);
        const iw = w - b.left.width - b.right.width - box.node.getComputedPadding(this.yoga.EDGE_LEFT) - box.node.getComputedPadding(this.yoga.EDGE_RIGHT);
        const ih = h - b.top.width - b.bottom.width - box.node.getComputedPadding(this.yoga.EDGE_TOP) - box.node.getComputedPadding(this.yoga.EDGE_BOTTOM);
        let [dx, dy, dw, dh] = [ix, iy, iw, ih];
        if (s.objectFit === 'contain' || s.objectFit === 'cover') {
          const k = s.objectFit === 'contain' ? Math.min(iw / image.width, ih / image.height) : Math.max(iw / image.width, ih / image.height);
          dw = image.width * k;
          dh = image.height * k;
          dx = ix + (iw - dw) / 2;
          dy = iy + (ih - dh) / 2;
        }
        d.ops.push(pushGraphicsState(), ...roundedRect(ix, iy, iw, ih, Math.max(0, radius - b.left.width)), clip(), endPath());
        d.placeImage(image, dx, dy, dw, dh, alpha);
        d.ops.push(popGraphicsState());
      }
    }

    this.drawBorders(d, box, x, y, w, h, radius, alpha);

    if (box.children.length === 0) return;
    const clipped = s.overflow === 'hidden';
    if (clipped) d.ops.push(pushGraphicsState(), ...outline(0), clip(), endPath());
    for (const child of box.children) await this.drawBox(d, child, x, y, alpha);
    if (clipped) d.ops.push(popGraphicsState());
  }

  private radius(s: Style, w: number, h: number): number {
    const r = s.borderRadius;
    if (r === undefined) return 0;
    if (typeof r === 'number') return Math.min(r, w / 2, h / 2);
    if (r === '50%') return Math.min(w, h) / 2;
    const v = px(r, 'borderRadius');
    if (typeof v !== 'number') throw new Unsupported(`borderRadius: ${r}`);
    return Math.min(v, w / 2, h / 2);
  }

  private drawBorders(d: PageDrawing, box: Box, x: number, y: number, w: number, h: number, radius: number, alpha: number): void {
    const b = box.border;
    const widths = SIDES.map((s) => b[s].width);
    if (widths.every((v) => v <= 0)) return;
    const uniform = SIDES.every((s) => b[s].width === b.top.width && sameColor(b[s].color, b.top.color));
    if (radius > 0 && uniform && b.top.color) {
      const c = b.top.color;
      const bw = b.top.width;
      d.ops.push(pushGraphicsState());
      d.setAlpha(1, alpha * c.a);
      d.ops.push(
        setStrokingRgbColor(c.r, c.g, c.b),
        setLineWidth(bw),
        ...roundedRect(x + bw / 2, y + bw / 2, w - bw, h - bw, Math.max(0, radius - bw / 2)),
        stroke(),
        popGraphicsState(),
      );
      return;
    }
    // square corners: each side a filled band (top and bottom full width, left and right between them)
    const bands: [keyof typeof b, number, number, number, number][] = [
      ['top', x, y, w, b.top.width],
      ['bottom', x, y + h - b.bottom.width, w, b.bottom.width],
      ['left', x, y + b.top.width, b.left.width, h - b.top.width - b.bottom.width],
      ['right', x + w - b.right.width, y + b.top.width, b.right.width, h - b.top.width - b.bottom.width],
    ];
    for (const [side, bx, by, bw, bh] of bands) {
      const c = b[side].color;
      if (!c || b[side].width <= 0) continue;
      d.fillRect(bx, by, bw, bh, c, alpha * c.a);
    }
  }
}

function sameColor(a: Rgba | null, b: Rgba | null): boolean {
  return a === b || (!!a && !!b && a.r === b.r && a.g === b.g && a.b === b.b && a.a === b.a);
}

function roundedRect(x: number, y: number, w: number, h: number, r: number) {
  if (r <= 0) return [rectangle(x, y, w, h)];
  const k = Math.min(r, w / 2, h / 2);
  return svgPathToOperators(
    `M${x + k},${y} H${x + w - k} A${k},${k} 0 0 1 ${x + w},${y + k} V${y + h - k} A${k},${k} 0 0 1 ${x + w - k},${y + h} H${x + k} A${k},${k} 0 0 1 ${x},${y + h - k} V${y + k} A${k},${k} 0 0 1 ${x + k},${y} Z`,
  );
}
