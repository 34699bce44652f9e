/**
 * Draws one of satori's SVGs onto a PDF page as vectors: boxes, borders and SVG paths become PDF
 * paths, images are embedded once per document, and text (satori with `embedFont: false` writes
 * each word as a positioned `<text>`) becomes real PDF text in embedded fonts — selectable,
 * searchable, sharp at any zoom.
 *
 * It reads the SVG dialect satori writes, not SVG at large: rect/path/circle/ellipse/line/
 * polygon, g and nested svg, clip-path, mask (as a clip to its shapes), opacity, transforms,
 * solid colours, linear gradients (axial shadings), PNG/JPEG/SVG images, and text. Box shadows
 * and filters are not drawn; a radial gradient is painted as its middle colour (README).
 *
 * The page's content stream starts by mapping SVG space (CSS px, y down) onto PDF space
 * (points, y up), so every coordinate below is used as satori wrote it.
 */
import {
  clip,
  concatTransformationMatrix,
  drawObject,
  endPath,
  fill,
  fillAndStroke,
  LineCapStyle,
  LineJoinStyle,
  PDFDict,
  type PDFDocument,
  type PDFImage,
  PDFName,
  PDFOperator,
  type PDFPage,
  type PDFRef,
  popGraphicsState,
  pushGraphicsState,
  rectangle,
  setDashPattern,
  setFillingRgbColor,
  setGraphicsState,
  setLineCap,
  setLineJoin,
  setLineWidth,
  setStrokingRgbColor,
  stroke,
} from 'pdf-lib';
import { svgPathToOperators as esSvgPathToOperators } from 'pdf-lib/es/api/svgPath.js';
import { type ElementNode, parse, type Node as SvgNode } from 'svg-parser';
import { DocumentFonts, faceChain, type GlyphRun, type LoadedFace, shapeRuns } from '../../fonts/pdf';
import { deflate } from '../../fonts/sfnt';
import { PX_TO_PT } from './layout';

/**
 * pdf-lib's SVG path → operators (arcs become Béziers); not in its public index, so imported from
 * its ES build — the build bundlers pick for `pdf-lib` itself (the types come from its CJS build).
 */
export const svgPathToOperators = (d: string): PDFOperator[] => esSvgPathToOperators(d) as unknown as PDFOperator[];

/** What drawing a document shares across its pages. */
export class DocumentCanvas {
  readonly fonts: DocumentFonts;
  private readonly images = new Map<string, Promise<PDFImage | null>>();

  constructor(
    readonly doc: PDFDocument,
    readonly faces: readonly LoadedFace[],
  ) {
    this.fonts = new DocumentFonts(doc);
  }

  /** A data: URL image embedded once per document (null: a type the PDF cannot take). */
  image(href: string): Promise<PDFImage | null> {
    let image = this.images.get(href);
    if (!image) {
      image = embedDataUrl(this.doc, href);
      this.images.set(href, image);
    }
    return image;
  }
}

/** An image pdf-lib could not embed: the caller's input, named by its data: URL. */
export class ImageEmbedError extends Error {
  constructor(
    readonly href: string,
    cause: unknown,
  ) {
    super('image could not be embedded', { cause });
  }
}

async function embedDataUrl(doc: PDFDocument, href: string): Promise<PDFImage | null> {
  const m = href.match(/^data:(image\/(?:png|jpeg|jpg));base64,(.*)$/s);
  if (!m) return null;
  const bytes = Buffer.from(m[2] as string, 'base64');
  try {
    return await (m[1] === 'image/png' ? doc.embedPng(bytes) : doc.embedJpg(bytes));
  } catch (err) {
    throw new ImageEmbedError(href, err);
  }
}

type Props = Record<string, string | number | undefined>;
type Matrix = [number, number, number, number, number, number];

interface State {
  /** Opacity inherited from enclosing groups. */
  alpha: number;
}

/** One page being drawn: its operators and the resources they name (used by the direct path too). */
export class PageDrawing {
  /**
   * The page's content: pdf-lib operators, or raw content-stream text for the hot paths (text
   * and rectangles), which skips building an object per number. Joined and compressed with the
   * runtime's zlib at `finish` (pdf-lib would deflate it in JavaScript).
   */
  readonly ops: (PDFOperator | string)[] = [];
  private readonly defs = new Map<string, ElementNode>();
  private readonly fontNames = new Map<PDFRef, PDFName>();
  private readonly alphaNames = new Map<string, PDFName>();
  private readonly imageNames = new Map<PDFImage, PDFName>();
  private shadings = 0;

  constructor(
    readonly canvas: DocumentCanvas,
    private readonly page: PDFPage,
  ) {}

  /** Starts the page: SVG/CSS space (px, y down) mapped onto the page (points, y up). */
  begin(): void {
    const { height } = this.page.getSize();
    this.ops.push(pushGraphicsState(), concatTransformationMatrix(PX_TO_PT, 0, 0, -PX_TO_PT, 0, height));
  }

  /** Ends the page: its content stream, compressed, becomes the page's contents. */
  finish(): void {
    this.ops.push(popGraphicsState());
    const text = this.ops.map((op) => (typeof op === 'string' ? op : op.toString())).join('\n');
    const ctx = this.canvas.doc.context;
    const compressed = deflate(new TextEncoder().encode(text));
    this.page.node.addContentStream(ctx.register(ctx.stream(compressed, { Filter: 'FlateDecode' })));
  }

  /** A filled rectangle in `color` at `alpha` (raw operators: the direct path draws many). */
  fillRect(x: number, y: number, w: number, h: number, color: Rgba, alpha: number): void {
    if (w <= 0 || h <= 0 || alpha <= 0) return;
    this.ops.push('q');
    this.setAlpha(alpha, 1);
    this.ops.push(`${n(color.r)} ${n(color.g)} ${n(color.b)} rg ${n(x)} ${n(y)} ${n(w)} ${n(h)} re f Q`);
  }

  /** One line of text, `x` its left edge and `y` its baseline, in embedded fonts with per-character fallback. */
  textRun(content: string, x: number, y: number, o: { size: number; family: string; weight: number; color: Rgba; alpha: number; spacing?: number }): void {
    if (content === '' || o.alpha <= 0) return;
    this.glyphRuns(shapeRuns(faceChain(this.canvas.faces, o.family, o.weight), content), x, y, o);
  }

  /** Text already split into runs per face (the direct path caches them). */
  glyphRuns(runs: readonly GlyphRun[], x: number, y: number, o: { size: number; color: Rgba; alpha: number; spacing?: number }): void {
    if (runs.length === 0 || o.alpha <= 0) return;
    const spacing = o.spacing ?? 0;
    this.ops.push('q');
    this.setAlpha(o.alpha, o.alpha);
    let text = `BT ${n(o.color.r)} ${n(o.color.g)} ${n(o.color.b)} rg`;
    if (spacing !== 0) text += ` ${n(spacing / o.size)} Tc`;
    let at = x;
    for (const run of runs) {
      const font = this.fontName(this.canvas.fonts.use(run));
      // text space: 1 unit = size px, y flipped back up (the page is y-down)
      text += ` ${font.toString()} 1 Tf ${n(o.size)} 0 0 ${n(-o.size)} ${n(at)} ${n(y)} Tm <${glyphHex(run.glyphs)}> Tj`;
      at += (run.advance / run.face.font.metrics.unitsPerEm) * o.size + spacing * run.glyphs.length;
    }
    this.ops.push(`${text} ET Q`);
  }

  /** Draws an embedded image into the box x,y,w,h (already fitted), at `alpha`. */
  placeImage(image: PDFImage, x: number, y: number, w: number, h: number, alpha: number): void {
    let name = this.imageNames.get(image);
    if (!name) {
      name = this.page.node.newXObject('Image', image.ref);
      this.imageNames.set(image, name);
    }
    this.ops.push(pushGraphicsState());
    this.setAlpha(alpha, alpha);
    // the image's unit square drawn upright in the y-down page space
    this.ops.push(concatTransformationMatrix(w, 0, 0, -h, x, y + h), drawObject(name), popGraphicsState());
  }

  collectDefs(node: SvgNode): void {
    if (node.type !== 'element') return;
    const id = node.properties?.id;
    if (typeof id === 'string') this.defs.set(id, node);
    for (const child of node.children) if (typeof child !== 'string') this.collectDefs(child);
  }

  async drawChildren(node: ElementNode, state: State): Promise<void> {
    for (const child of node.children) {
      if (typeof child !== 'string' && child.type === 'element') await this.drawElement(child, state);
    }
  }

  private async drawElement(el: ElementNode, state: State): Promise<void> {
    const p = (el.properties ?? {}) as Props;
    const tag = el.tagName ?? '';
    if (NOT_DRAWN.has(tag) || p.display === 'none' || p.visibility === 'hidden') return;
    const opacity = num(p.opacity, 1);
    if (opacity <= 0) return;
    const wrapped = p.transform !== undefined || p['clip-path'] !== undefined || p.mask !== undefined;
    if (wrapped) {
      this.ops.push(pushGraphicsState());
      if (p.transform !== undefined) this.ops.push(concat(parseTransform(String(p.transform))));
      this.clipTo(p['clip-path']);
      this.clipTo(p.mask);
    }
    const inner: State = { alpha: state.alpha * opacity };
    if (tag === 'g') await this.drawChildren(el, inner);
    else if (tag === 'svg') await this.drawNestedSvg(el, inner);
    else if (tag === 'text') this.drawText(el, inner);
    else if (tag === 'image') await this.drawImage(el, inner);
    else if (SHAPES.has(tag)) await this.drawShape(el, inner);
    if (wrapped) this.ops.push(popGraphicsState());
  }

  /** clip-path="url(#id)" or mask="url(#id)": intersect the clip with the referenced shapes (a mask as the outline of its shapes). */
  private clipTo(ref: string | number | undefined): void {
    const target = this.ref(ref);
    if (!target) return;
    const shapes = target.children.filter((c): c is ElementNode => typeof c !== 'string' && c.type === 'element' && SHAPES.has(c.tagName ?? ''));
    // A mask's own shapes include the strokes that cut borders out; its filled, white shapes are the visible area.
    const visible = target.tagName === 'mask' ? shapes.filter((s) => s.properties?.fill !== 'none' && s.properties?.stroke === undefined) : shapes;
    if (visible.length === 0) return;
    const nested = target.properties?.['clip-path'];
    if (nested !== undefined) this.clipTo(nested);
    // the clip is the union of the shapes: their subpaths in one path, clipped once (nonzero)
    for (const shape of visible) {
      const sp = (shape.properties ?? {}) as Props;
      if (sp.transform !== undefined) {
        // rare (rotated clips): the shape's subpath in its own space, then the transform undone
        const m = parseTransform(String(sp.transform));
        this.ops.push(concat(m), ...this.pathOps(shape), concat(invert(m)));
      } else this.ops.push(...this.pathOps(shape));
    }
    this.ops.push(clip(), endPath());
  }

  private ref(value: string | number | undefined): ElementNode | undefined {
    const id = typeof value === 'string' ? value.match(/url\(['"]?#([^'"()]+)['"]?\)/)?.[1] : undefined;
    return id ? this.defs.get(id) : undefined;
  }

  private pathOps(el: ElementNode): PDFOperator[] {
    const p = (el.properties ?? {}) as Props;
    switch (el.tagName) {
      case 'rect': {
        const x = num(p.x);
        const y = num(p.y);
        const w = num(p.width);
        const h = num(p.height);
        const rx = Math.min(num(p.rx, num(p.ry)), w / 2);
        const ry = Math.min(num(p.ry, rx), h / 2);
        if (rx > 0 && ry > 0) {
          return svgPathToOperators(
            `M${x + rx},${y} H${x + w - rx} A${rx},${ry} 0 0 1 ${x + w},${y + ry} V${y + h - ry} A${rx},${ry} 0 0 1 ${x + w - rx},${y + h} H${x + rx} A${rx},${ry} 0 0 1 ${x},${y + h - ry} V${y + ry} A${rx},${ry} 0 0 1 ${x + rx},${y} Z`,
          );
        }
        return [rectangle(x, y, w, h)];
      }
      case 'circle':
      case 'ellipse': {
        const cx = num(p.cx);
        const cy = num(p.cy);
        const rx = num(p.rx, num(p.r));
        const ry = num(p.ry, num(p.r));
        return svgPathToOperators(`M${cx - rx},${cy} A${rx},${ry} 0 1 0 ${cx + rx},${cy} A${rx},${ry} 0 1 0 ${cx - rx},${cy} Z`);
      }
      case 'line':
        return svgPathToOperators(`M${num(p.x1)},${num(p.y1)} L${num(p.x2)},${num(p.y2)}`);
      case 'polygon':
      case 'polyline': {
        const pts = String(p.points ?? '')
          .trim()
          .split(/[\s,]+/)
          .map(Number);
        if (pts.length < 4) return [];
        let d = `M${pts[0]},${pts[1]}`;
        for (let i = 2; i + 1 < pts.length; i += 2) d += ` L${pts[i]},${pts[i + 1]}`;
        return svgPathToOperators(el.tagName === 'polygon' ? `${d} Z` : d);
      }
      default:
        return typeof p.d === 'string' && p.d.trim() !== '' ? svgPathToOperators(p.d) : [];
    }
  }

  private async drawShape(el: ElementNode, state: State): Promise<void> {
    const p = (el.properties ?? {}) as Props;
    const path = this.pathOps(el);
    if (path.length === 0) return;
    const fillValue = String(p.fill ?? 'black');
    const paint = this.ref(fillValue);
    const fillColor = paint ? null : parseColor(fillValue);
    const strokeColor = p.stroke !== undefined ? parseColor(String(p.stroke)) : null;
    const strokeWidth = num(p['stroke-width'], 1);
    const fillAlpha = state.alpha * num(p['fill-opacity'], 1) * (fillColor?.a ?? 1);
    const strokeAlpha = state.alpha * num(p['stroke-opacity'], 1) * (strokeColor?.a ?? 1);

    if (paint) await this.fillWithPaint(el, path, paint, state);
    const doFill = fillColor !== null && fillAlpha > 0;
    const doStroke = strokeColor !== null && strokeWidth > 0 && strokeAlpha > 0;
    if (!doFill && !doStroke) return;
    this.ops.push(pushGraphicsState());
    this.setAlpha(doFill ? fillAlpha : 1, doStroke ? strokeAlpha : 1);
    if (doFill && fillColor) this.ops.push(setFillingRgbColor(fillColor.r, fillColor.g, fillColor.b));
    if (doStroke && strokeColor) {
      this.ops.push(setStrokingRgbColor(strokeColor.r, strokeColor.g, strokeColor.b), setLineWidth(strokeWidth));
      const dash = p['stroke-dasharray'];
      if (dash !== undefined && dash !== 'none') {
        this.ops.push(
          setDashPattern(
            String(dash)
              .split(/[\s,]+/)
              .map(Number)
              .filter((n) => Number.isFinite(n)),
            0,
          ),
        );
      }
      const cap = p['stroke-linecap'];
      if (cap === 'round') this.ops.push(setLineCap(LineCapStyle.Round));
      else if (cap === 'square') this.ops.push(setLineCap(LineCapStyle.Projecting));
      const join = p['stroke-linejoin'];
      if (join === 'round') this.ops.push(setLineJoin(LineJoinStyle.Round));
      else if (join === 'bevel') this.ops.push(setLineJoin(LineJoinStyle.Bevel));
    }
    const evenOdd = p['fill-rule'] === 'evenodd';
    this.ops.push(...path);
    if (doFill && doStroke) this.ops.push(evenOdd ? PDFOperator.of('B*' as never) : fillAndStroke());
    else if (doFill) this.ops.push(evenOdd ? PDFOperator.of('f*' as never) : fill());
    else this.ops.push(stroke());
    this.ops.push(popGraphicsState());
  }

  /** fill="url(#…)": a pattern (satori's backgrounds: a gradient-filled rect or an image) or a gradient, inside the shape. */
  private async fillWithPaint(el: ElementNode, path: PDFOperator[], paint: ElementNode, state: State): Promise<void> {
    const p = (el.properties ?? {}) as Props;
    const box = { x: num(p.x), y: num(p.y), w: num(p.width), h: num(p.height) };
    this.ops.push(pushGraphicsState(), ...path, clip(), endPath());
    if (paint.tagName === 'pattern') {
      // objectBoundingBox patterns tile the shape's box; satori sizes one tile to the whole box
      const pp = (paint.properties ?? {}) as Props;
      const px = box.x + num(pp.x) * (pp.patternUnits === 'userSpaceOnUse' ? 1 : box.w);
      const py = box.y + num(pp.y) * (pp.patternUnits === 'userSpaceOnUse' ? 1 : box.h);
      this.ops.push(concat([1, 0, 0, 1, px, py]));
      for (const child of paint.children) {
        if (typeof child === 'string' || child.type !== 'element') continue;
        if (child.tagName === 'image') await this.drawImage(child, state);
        else if (child.tagName === 'rect' || child.tagName === 'path') {
          const cp = (child.properties ?? {}) as Props;
          const inner = this.ref(cp.fill);
          if (inner && inner.tagName !== 'pattern')
            this.paintGradient(inner, { x: num(cp.x), y: num(cp.y), w: num(cp.width, box.w), h: num(cp.height, box.h) }, state);
          else await this.drawShape(child, state);
        }
      }
    } else {
      this.paintGradient(paint, box, state);
    }
    this.ops.push(popGraphicsState());
  }

  /** Fills the current clip with a gradient over `box`: linear as an axial shading, radial as its middle colour. */
  private paintGradient(gradient: ElementNode, box: { x: number; y: number; w: number; h: number }, state: State): void {
    const stops = gradient.children
      .filter((c): c is ElementNode => typeof c !== 'string' && c.type === 'element' && c.tagName === 'stop')
      .map((s) => {
        const sp = (s.properties ?? {}) as Props;
        const offset = String(sp.offset ?? '0');
        const color = parseColor(String(sp['stop-color'] ?? 'black')) ?? BLACK;
        return { offset: Math.min(1, Math.max(0, offset.endsWith('%') ? Number.parseFloat(offset) / 100 : Number.parseFloat(offset) || 0)), color };
      });
    if (stops.length === 0) return;
    // SVG: each offset at least the previous one; the ends hold the first and last colours
    for (let i = 1; i < stops.length; i++)
      (stops[i] as (typeof stops)[number]).offset = Math.max((stops[i] as (typeof stops)[number]).offset, (stops[i - 1] as (typeof stops)[number]).offset);
    const first = stops[0] as (typeof stops)[number];
    const last = stops[stops.length - 1] as (typeof stops)[number];
    if (first.offset > 0) stops.unshift({ offset: 0, color: first.color });
    if (last.offset < 1) stops.push({ offset: 1, color: last.color });
    const gp = (gradient.properties ?? {}) as Props;
    const alpha = state.alpha * (stops.reduce((a, s) => a + s.color.a, 0) / stops.length);
    this.ops.push(pushGraphicsState());
    this.setAlpha(alpha, alpha);
    if (gradient.tagName !== 'linearGradient' || stops.length === 1) {
      const mid = stops[Math.floor((stops.length - 1) / 2)]?.color ?? BLACK;
      this.ops.push(setFillingRgbColor(mid.r, mid.g, mid.b), rectangle(box.x, box.y, box.w, box.h), fill(), popGraphicsState());
      return;
    }
    const user = gp.gradientUnits === 'userSpaceOnUse';
    const at = (v: string | number | undefined, d: number, size: number, origin: number): number => {
      const s = String(v ?? d);
      const f = s.endsWith('%') ? Number.parseFloat(s) / 100 : Number.parseFloat(s);
      return user ? f : origin + f * size;
    };
    const coords = [at(gp.x1, 0, box.w, box.x), at(gp.y1, 0, box.h, box.y), at(gp.x2, 1, box.w, box.x), at(gp.y2, 0, box.h, box.y)];
    const ctx = this.canvas.doc.context;
    const segments = stops.slice(1).map((s, i) => {
      const a = (stops[i] as (typeof stops)[number]).color;
      return ctx.obj({ FunctionType: 2, Domain: [0, 1], C0: [a.r, a.g, a.b], C1: [s.color.r, s.color.g, s.color.b], N: 1 });
    });
    const fn =
      segments.length === 1
        ? segments[0]
        : ctx.obj({
            FunctionType: 3,
            Domain: [0, 1],
            Functions: segments,
            Bounds: stops.slice(1, -1).map((s) => s.offset),
            Encode: segments.flatMap(() => [0, 1]),
          });
    const shading = ctx.register(ctx.obj({ ShadingType: 2, ColorSpace: 'DeviceRGB', Coords: coords, Function: fn, Extend: [true, true] }));
    const name = PDFName.of(`Sh${++this.shadings}`);
    this.resources('Shading').set(name, shading);
    this.ops.push(PDFOperator.of('sh' as never, [name]), popGraphicsState());
  }

  private async drawImage(el: ElementNode, state: State): Promise<void> {
    const p = (el.properties ?? {}) as Props;
    const href = String(p.href ?? p['xlink:href'] ?? '');
    const x = num(p.x);
    const y = num(p.y);
    const w = num(p.width);
    const h = num(p.height);
    if (w <= 0 || h <= 0 || state.alpha <= 0) return;
    const svg = href.match(/^data:image\/svg\+xml((?:;[^,;]*)*),(.*)$/s);
    if (svg) {
      const source = /;base64/i.test(svg[1] as string) ? Buffer.from(svg[2] as string, 'base64').toString('utf8') : decodeURIComponent(svg[2] as string);
      const root = svgRoot(source);
      if (!root) return;
      this.collectDefs(root);
      this.ops.push(pushGraphicsState(), rectangle(x, y, w, h), clip(), endPath(), concat(viewBoxMatrix(root, x, y, w, h)));
      await this.drawChildren(root, state);
      this.ops.push(popGraphicsState());
      return;
    }
    const image = await this.canvas.image(href);
    if (!image) return;
    // meet (the SVG default) fits the image inside the box; satori mostly says none (it fits it itself)
    let [dx, dy, dw, dh] = [x, y, w, h];
    if (p.preserveAspectRatio !== 'none') {
      // meet fits the image inside the box; slice (satori's objectFit: cover) fills it, the clip crops
      const slice = String(p.preserveAspectRatio ?? '').includes('slice');
      const s = slice ? Math.max(w / image.width, h / image.height) : Math.min(w / image.width, h / image.height);
      dw = image.width * s;
      dh = image.height * s;
      dx = x + (w - dw) / 2;
      dy = y + (h - dh) / 2;
    }
    this.placeImage(image, dx, dy, dw, dh, state.alpha);
  }

  private async drawNestedSvg(el: ElementNode, state: State): Promise<void> {
    const p = (el.properties ?? {}) as Props;
    const x = num(p.x);
    const y = num(p.y);
    const w = num(p.width);
    const h = num(p.height);
    this.ops.push(pushGraphicsState());
    if (w > 0 && h > 0) this.ops.push(rectangle(x, y, w, h), clip(), endPath(), concat(viewBoxMatrix(el, x, y, w, h)));
    await this.drawChildren(el, state);
    this.ops.push(popGraphicsState());
  }

  private drawText(el: ElementNode, state: State): void {
    const p = (el.properties ?? {}) as Props;
    const content = decodeEntities(el.children.map((c) => (typeof c === 'string' ? c : c.type === 'text' ? String(c.value ?? '') : '')).join(''));
    if (content === '') return;
    const color = parseColor(String(p.fill ?? 'black'));
    const alpha = state.alpha * (color?.a ?? 1) * num(p['fill-opacity'], 1);
    if (!color || alpha <= 0) return;
    const size = num(p['font-size'], 16);
    const weight = parseWeight(p['font-weight']);
    const family = String(p['font-family'] ?? '')
      .split(',')[0]
      ?.trim()
      .replace(/^['"]|['"]$/g, '') as string;
    this.textRun(content, num(p.x), num(p.y), { size, family, weight, color, alpha, spacing: num(p['letter-spacing']) });
  }

  fontName(ref: PDFRef): PDFName {
    let name = this.fontNames.get(ref);
    if (!name) {
      name = this.page.node.newFontDictionary('F', ref);
      this.fontNames.set(ref, name);
    }
    return name;
  }

  /** Sets fill and stroke opacity through an ExtGState (one per distinct pair per page). */
  setAlpha(fillAlpha: number, strokeAlpha: number): void {
    if (fillAlpha >= 1 && strokeAlpha >= 1) return;
    const key = `${fillAlpha.toFixed(3)}/${strokeAlpha.toFixed(3)}`;
    let name = this.alphaNames.get(key);
    if (!name) {
      const ctx = this.canvas.doc.context;
      name = this.page.node.newExtGState('GS', ctx.obj({ Type: 'ExtGState', ca: round3(fillAlpha), CA: round3(strokeAlpha) }));
      this.alphaNames.set(key, name);
    }
    this.ops.push(setGraphicsState(name));
  }

  private resources(kind: string): PDFDict {
    const resources = this.page.node.normalizedEntries().Resources;
    const key = PDFName.of(kind);
    let dict = resources.lookupMaybe(key, PDFDict);
    if (!dict) {
      dict = this.canvas.doc.context.obj({});
      resources.set(key, dict);
    }
    return dict;
  }
}

const NOT_DRAWN = new Set([
  'defs',
  'clipPath',
  'mask',
  'pattern',
  'linearGradient',
  'radialGradient',
  'filter',
  'title',
  'desc',
  'metadata',
  'style',
  'foreignObject',
]);
const SHAPES = new Set(['rect', 'path', 'circle', 'ellipse', 'line', 'polygon', 'polyline']);

function svgRoot(svg: string): ElementNode | undefined {
  const root = parse(svg);
  return root.children.find((c): c is ElementNode => typeof c !== 'string' && c.type === 'element' && c.tagName === 'svg');
}

/**
 * Draws a satori SVG as page content. The page must already have its size (points); the SVG's
 * width/height (CSS px) are mapped onto it.
 */
export async function drawSvgPage(canvas: DocumentCanvas, page: PDFPage, svg: string): Promise<void> {
  const root = svgRoot(svg);
  if (!root) throw new Error('renderer produced no SVG');
  const drawing = new PageDrawing(canvas, page);
  drawing.collectDefs(root);
  drawing.begin();
  await drawing.drawChildren(root, { alpha: 1 });
  drawing.finish();
}

// ---------------------------------------------------------------------------------------------
// Attribute parsing

function num(value: string | number | undefined, fallback = 0): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'number' ? value : Number.parseFloat(value);
  return Number.isFinite(n) ? n : fallback;
}

const round3 = (n: number): number => Math.round(Math.min(1, Math.max(0, n)) * 1000) / 1000;

function parseWeight(value: string | number | undefined): number {
  if (value === 'bold' || value === 'bolder') return 700;
  if (value === undefined || value === 'normal' || value === 'lighter') return 400;
  return num(value, 400);
}

function concat(m: Matrix): PDFOperator {
  return concatTransformationMatrix(...m);
}

function multiply(a: Matrix, b: Matrix): Matrix {
  return [
    a[0] * b[0] + a[2] * b[1],
    a[1] * b[0] + a[3] * b[1],
    a[0] * b[2] + a[2] * b[3],
    a[1] * b[2] + a[3] * b[3],
    a[0] * b[4] + a[2] * b[5] + a[4],
    a[1] * b[4] + a[3] * b[5] + a[5],
  ];
}

function invert(m: Matrix): Matrix {
  const det = m[0] * m[3] - m[1] * m[2] || 1;
  return [m[3] / det, -m[1] / det, -m[2] / det, m[0] / det, (m[2] * m[5] - m[3] * m[4]) / det, (m[1] * m[4] - m[0] * m[5]) / det];
}

/** SVG transform lists: matrix, translate, scale, rotate, skewX, skewY. */
function parseTransform(value: string): Matrix {
  let m: Matrix = [1, 0, 0, 1, 0, 0];
  for (const [, fn, args] of value.matchAll(/\b([A-Za-z]+)\s*\(([^()]*)\)/g)) {
    const a = (args as string)
      .trim()
      .split(/[\s,]+/)
      .map(Number);
    let t: Matrix = [1, 0, 0, 1, 0, 0];
    if (fn === 'matrix' && a.length === 6) t = a as Matrix;
    else if (fn === 'translate') t = [1, 0, 0, 1, a[0] ?? 0, a[1] ?? 0];
    else if (fn === 'scale') t = [a[0] ?? 1, 0, 0, a[1] ?? a[0] ?? 1, 0, 0];
    else if (fn === 'rotate') {
      const r = ((a[0] ?? 0) * Math.PI) / 180;
      const [cx, cy] = [a[1] ?? 0, a[2] ?? 0];
      t = multiply(multiply([1, 0, 0, 1, cx, cy], [Math.cos(r), Math.sin(r), -Math.sin(r), Math.cos(r), 0, 0]), [1, 0, 0, 1, -cx, -cy]);
    } else if (fn === 'skewX') t = [1, 0, Math.tan(((a[0] ?? 0) * Math.PI) / 180), 1, 0, 0];
    else if (fn === 'skewY') t = [1, Math.tan(((a[0] ?? 0) * Math.PI) / 180), 0, 1, 0, 0];
    m = multiply(m, t);
  }
  return m.map((v) => (Number.isFinite(v) ? v : 0)) as Matrix;
}

/** Maps an svg element's viewBox onto the box x,y,w,h (preserveAspectRatio xMidYMid meet, or none). */
function viewBoxMatrix(svg: ElementNode, x: number, y: number, w: number, h: number): Matrix {
  const p = (svg.properties ?? {}) as Props;
  const vb = String(p.viewBox ?? '')
    .trim()
    .split(/[\s,]+/)
    .map(Number);
  if (vb.length !== 4 || !vb.every(Number.isFinite) || (vb[2] as number) <= 0 || (vb[3] as number) <= 0) return [1, 0, 0, 1, x, y];
  const [vx, vy, vw, vh] = vb as [number, number, number, number];
  if (p.preserveAspectRatio === 'none') return [w / vw, 0, 0, h / vh, x - (vx * w) / vw, y - (vy * h) / vh];
  const s = Math.min(w / vw, h / vh);
  return [s, 0, 0, s, x + (w - vw * s) / 2 - vx * s, y + (h - vh * s) / 2 - vy * s];
}

/** A number as content-stream text: at most 3 decimals, never exponent notation. */
function n(v: number): string {
  if (!Number.isFinite(v)) return '0';
  const r = Math.round(v * 1000) / 1000;
  return Object.is(r, -0) ? '0' : String(r);
}

function glyphHex(glyphs: readonly number[]): string {
  let hex = '';
  for (const g of glyphs) hex += g.toString(16).padStart(4, '0');
  return hex;
}

export interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}
const BLACK: Rgba = { r: 0, g: 0, b: 0, a: 1 };

const NAMED: Record<string, string> = {
  black: '#000000',
  white: '#ffffff',
  red: '#ff0000',
  green: '#008000',
  blue: '#0000ff',
  gray: '#808080',
  grey: '#808080',
  silver: '#c0c0c0',
  yellow: '#ffff00',
  orange: '#ffa500',
  purple: '#800080',
  navy: '#000080',
  teal: '#008080',
  maroon: '#800000',
  olive: '#808000',
  lime: '#00ff00',
  aqua: '#00ffff',
  cyan: '#00ffff',
  fuchsia: '#ff00ff',
  magenta: '#ff00ff',
  gold: '#ffd700',
  pink: '#ffc0cb',
  brown: '#a52a2a',
};

/** CSS colours as satori writes them: #rgb(a), #rrggbb(aa), rgb()/rgba(), a few names; null for none/transparent. */
export function parseColor(value: string): Rgba | null {
  const v = value.trim().toLowerCase();
  if (v === 'none' || v === 'transparent' || v === '') return null;
  const hex = (NAMED[v] ?? v).match(/^#([0-9a-f]{3,8})$/)?.[1];
  if (hex) {
    const full = hex.length <= 4 ? [...hex].map((c) => c + c).join('') : hex;
    const n = (i: number): number => Number.parseInt(full.slice(i, i + 2), 16) / 255;
    return { r: n(0), g: n(2), b: n(4), a: full.length === 8 ? n(6) : 1 };
  }
  const fn = v.match(/^rgba?\(([^)]*)\)$/)?.[1];
  if (fn) {
    const parts = fn.split(/[\s,/]+/).filter(Boolean);
    const channel = (s: string | undefined): number => (s?.endsWith('%') ? Number.parseFloat(s) / 100 : num(s) / 255);
    const alpha = parts[3] === undefined ? 1 : parts[3].endsWith('%') ? Number.parseFloat(parts[3]) / 100 : num(parts[3], 1);
    const clamp = (n: number): number => Math.min(1, Math.max(0, n));
    return { r: clamp(channel(parts[0])), g: clamp(channel(parts[1])), b: clamp(channel(parts[2])), a: clamp(alpha) };
  }
  return BLACK;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const cp = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
      return Number.isFinite(cp) && cp >= 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}
