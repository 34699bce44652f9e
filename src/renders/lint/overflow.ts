/**
 * Text that does not fit, measured by the engine that draws it. takumi lays the tree out
 * (`measureLayout`, render/engines/takumi.ts) twice — as written, and with every line clamp and
 * ellipsis taken off — with the same fonts, fallbacks and sizes as a render, and no raster. Each
 * text node then says how many lines it drew (its text runs, one per line) and how tall it was; the
 * unclamped twin says how many lines the text needs. So a clamp is measured, not guessed: lines and
 * pixels hidden, for the var that fills it. Text that runs past its box (a fixed height, `nowrap`),
 * a clipping ancestor (`overflow: hidden`) or the image's edge is found from the runs' boxes.
 *
 * Why this and not our own line breaking over the fonts' advances (fonts/sfnt.ts): takumi shapes
 * (kerning, ligatures, fallback fonts, emoji), breaks lines and resolves flex sizes the way the
 * picture is drawn, so what it reports is what the default engine draws, to the pixel; a second
 * line breaker would drift from it on every rule it lacks. Two layouts of a card cost ~2–5 ms,
 * a fraction of drawing it. satori (the SVG engine) breaks lines the same way within ~0.5 % of a
 * line's width (it sets text without Inter's kerning), so a text that fits by less than that may
 * wrap one word differently there.
 *
 * Pure: it reads the measured trees and returns issues.
 */
import type { MeasuredNode, TakumiNode } from '../../render/engines/takumi';
import { type Binding, bindingFor, type LintIssue } from './issue';

interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const CLAMP_PROPERTIES = ['lineClamp', 'WebkitLineClamp', 'textOverflow'] as const;

/**
 * The tree as it is measured: takumi (2.16) reports the text runs of a text node laid out as a
 * block, not of one that is itself a flex or grid box (its text an anonymous item), so such a node
 * is measured as a block. Its box is still sized by its parent, and its one item wraps in the same
 * width; only the text's alignment inside the box (justify-content) is not kept, which moves the
 * runs but not their extent.
 */
export function measurable(node: TakumiNode): TakumiNode {
  if (node.type === 'text') {
    const display = (node.style as Record<string, unknown> | undefined)?.display;
    return display === 'flex' || display === 'grid' || display === 'inline-flex' || display === 'inline-grid'
      ? ({ ...node, style: { ...node.style, display: 'block' } } as TakumiNode)
      : node;
  }
  return node.type === 'container' && node.children ? ({ ...node, children: node.children.map((c) => (c ? measurable(c) : c)) } as TakumiNode) : node;
}

/** The tree with every line clamp and ellipsis taken off (the same shape, node for node). */
export function unclamped(node: TakumiNode): TakumiNode {
  const style = node.style as Record<string, unknown> | undefined;
  const bare =
    style && CLAMP_PROPERTIES.some((p) => p in style)
      ? Object.fromEntries(Object.entries(style).filter(([k]) => !(CLAMP_PROPERTIES as readonly string[]).includes(k)))
      : style;
  const children = node.type === 'container' && node.children ? { children: node.children.map((c) => (c ? unclamped(c) : c)) } : {};
  return { ...node, ...(bare !== style ? { style: bare } : {}), ...children } as TakumiNode;
}

const lineCount = (m: MeasuredNode) => new Set(m.runs.map((r) => Math.round(r.y))).size;
const round = (n: number) => Math.round(n);
const clips = (node: TakumiNode) => {
  const s = node.style as Record<string, unknown> | undefined;
  return s !== undefined && [s.overflow, s.overflowX, s.overflowY].some((v) => v === 'hidden' || v === 'clip');
};
/** Only translations are followed: a rotated or scaled subtree is not checked (its boxes are not axis-aligned). */
const translatedOnly = (t: MeasuredNode['transform']) => t[0] === 1 && t[1] === 0 && t[2] === 0 && t[3] === 1;

export interface OverflowInput {
  /** The tree as written and its unclamped twin, laid out (node beside measured box). */
  written: { node: TakumiNode; measured: MeasuredNode };
  unclamped: { node: TakumiNode; measured: MeasuredNode };
  width: number;
  height: number;
  bindings: readonly Binding[];
  /** Where text that no var fills is reported (`html`, `template`). */
  templatePath: string;
}

/** Every text node's fit: clamped (warning), clipped or past the image's edge (error), spilling out of its box (warning). */
export function overflowIssues(input: OverflowInput): LintIssue[] {
  const issues: LintIssue[] = [];
  const seen = new Set<string>();
  const canvas: Rect = { x0: 0, y0: 0, x1: input.width, y1: input.height };
  const add = (issue: LintIssue) => {
    const key = `${issue.path}|${issue.code}`;
    if (seen.has(key)) return;
    seen.add(key);
    issues.push(issue);
  };
  const walk = (node: TakumiNode, m: MeasuredNode, u: MeasuredNode | undefined, clip: Rect) => {
    if (!translatedOnly(m.transform)) return;
    const x = m.transform[4];
    const y = m.transform[5];
    const box: Rect = { x0: x, y0: y, x1: x + m.width, y1: y + m.height };
    if (node.type === 'text') {
      textFit(node, m, u, box, clip, input, add);
      return;
    }
    const inner = clips(node) ? intersect(clip, box) : clip;
    const kids = node.type === 'container' ? (node.children ?? []) : [];
    kids.forEach((child, i) => {
      const cm = m.children[i];
      if (child && cm) walk(child, cm, u?.children[i], inner);
    });
  };
  walk(input.written.node, input.written.measured, input.unclamped.measured, canvas);
  return issues;
}

function intersect(a: Rect, b: Rect): Rect {
  return { x0: Math.max(a.x0, b.x0), y0: Math.max(a.y0, b.y0), x1: Math.min(a.x1, b.x1), y1: Math.min(a.y1, b.y1) };
}

function textFit(
  node: Extract<TakumiNode, { type: 'text' }>,
  m: MeasuredNode,
  u: MeasuredNode | undefined,
  box: Rect,
  clip: Rect,
  input: OverflowInput,
  add: (issue: LintIssue) => void,
): void {
  if (m.runs.length === 0 || node.text.trim() === '') return;
  const binding = bindingFor(node.text, input.bindings);
  const path = binding?.path ?? input.templatePath;
  const who = binding ? path : `the text "${excerpt(node.text)}"`;
  const about = binding ? { var: binding.name } : {};
  const lines = lineCount(m);

  // a clamp that hid lines: the unclamped twin drew more of them
  if (u && lineCount(u) > lines) {
    const hidden = lineCount(u) - lines;
    const px = round(u.height - m.height);
    add({
      path,
      code: 'text_clamped',
      severity: 'warning',
      message: `${who} needs ${lineCount(u)} lines at this size; ${lines} are shown and it ends with an ellipsis (${hidden} line${hidden > 1 ? 's' : ''}, ${px} px, hidden).`,
      ...about,
      overflow_px: px,
      lines,
      lines_hidden: hidden,
    });
    return;
  }

  // the runs' extent (glyph boxes) past the box, a clipping ancestor or the canvas. A run's box is
  // its font's ascent to descent, taller than a tight line height: a quarter of a line is slack
  const runHeight = m.runs.reduce((n, r) => Math.max(n, r.height), 0);
  const slack = Math.max(1, runHeight / 4);
  const ink: Rect = {
    x0: Math.min(...m.runs.map((r) => box.x0 + r.x)),
    y0: Math.min(...m.runs.map((r) => box.y0 + r.y)),
    x1: Math.max(...m.runs.map((r) => box.x0 + r.x + r.width)),
    y1: Math.max(...m.runs.map((r) => box.y0 + r.y + r.height)),
  };
  const past = (outer: Rect) => {
    const right = ink.x1 - outer.x1;
    const left = outer.x0 - ink.x0;
    const bottom = ink.y1 - outer.y1;
    const top = outer.y0 - ink.y0;
    const px = Math.max(right > 1 ? right : 0, left > 1 ? left : 0, bottom > slack ? bottom : 0, top > slack ? top : 0);
    return round(px);
  };
  const clipped = past(clips(node) ? intersect(clip, box) : clip);
  if (clipped > 0) {
    const edge = past({ x0: 0, y0: 0, x1: input.width, y1: input.height }) > 0;
    add({
      path,
      code: 'text_overflow',
      severity: 'error',
      message: `${who} runs ${clipped} px past ${edge ? "the image's edge" : 'the box that clips it (overflow: hidden)'}: that part is cut off.`,
      ...about,
      overflow_px: clipped,
      lines,
    });
    return;
  }
  const spill = past(box);
  if (spill > 0) {
    add({
      path,
      code: 'text_overflow',
      severity: 'warning',
      message: `${who} runs ${spill} px out of its box (a fixed size or nowrap) and is drawn over what lies beside it.`,
      ...about,
      overflow_px: spill,
      lines,
    });
  }
}

const excerpt = (text: string) => (text.length > 40 ? `${text.slice(0, 39)}…` : text);
