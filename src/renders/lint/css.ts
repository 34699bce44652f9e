/**
 * Markup and CSS the engines ignore or draw differently, from what each documents (satori's
 * README table of supported properties, 0.15; takumi 2.16's CSS support) and what the fidelity
 * test (test/render/fidelity.test.ts) has shown. A static reading of the tree's inline styles:
 * it says where a picture may differ between engines, or from a browser, before anything is
 * drawn. Pure.
 */
import type { TemplateNode } from '../../render/jsx';
import type { LintIssue } from './issue';

interface Rule {
  property: string;
  /** Which values the rule is about (all when absent). */
  when?: (value: string) => boolean;
  engines: ('satori' | 'takumi')[];
  why: string;
}

const lower = (v: string) => v.trim().toLowerCase();
const oneOf =
  (...values: string[]) =>
  (v: string) =>
    values.includes(lower(v));
const noneOf =
  (...values: string[]) =>
  (v: string) =>
    !values.includes(lower(v));

const RULES: readonly Rule[] = [
  {
    property: 'display',
    when: noneOf('flex', 'none', 'block', 'contents'),
    engines: ['satori'],
    why: 'satori lays out flex and block boxes only (grid, inline and table become flex)',
  },
  {
    property: 'position',
    when: oneOf('fixed', 'sticky'),
    engines: ['satori', 'takumi'],
    why: 'an image has no scrolling: fixed and sticky are drawn as static',
  },
  { property: 'zIndex', engines: ['satori'], why: 'satori paints in document order and ignores z-index' },
  { property: 'borderStyle', when: noneOf('solid', 'dashed', 'none'), engines: ['satori'], why: 'satori draws solid and dashed borders only' },
  { property: 'flexBasis', when: oneOf('auto', 'content'), engines: ['satori'], why: 'satori takes flex-basis lengths only' },
  { property: 'float', engines: ['satori', 'takumi'], why: 'no engine floats boxes (flex layout)' },
  { property: 'gridTemplateColumns', engines: ['satori'], why: 'satori has no grid layout' },
  { property: 'gridTemplateRows', engines: ['satori'], why: 'satori has no grid layout' },
  { property: 'gridTemplateAreas', engines: ['satori'], why: 'satori has no grid layout' },
  { property: 'gridArea', engines: ['satori'], why: 'satori has no grid layout' },
  { property: 'gridColumn', engines: ['satori'], why: 'satori has no grid layout' },
  { property: 'gridRow', engines: ['satori'], why: 'satori has no grid layout' },
  { property: 'writingMode', engines: ['satori', 'takumi'], why: 'vertical writing modes are not laid out' },
  { property: 'columnCount', engines: ['satori', 'takumi'], why: 'multi-column layout is not supported' },
  { property: 'columns', engines: ['satori', 'takumi'], why: 'multi-column layout is not supported' },
  { property: 'backdropFilter', engines: ['satori'], why: 'satori ignores backdrop-filter' },
  {
    property: 'textDecorationStyle',
    when: noneOf('solid', 'dotted', 'dashed', 'double'),
    engines: ['satori'],
    why: 'satori draws solid, dotted, dashed and double decorations only',
  },
  { property: 'animation', engines: ['satori', 'takumi'], why: 'a still image draws the first frame: animations are ignored' },
  { property: 'transition', engines: ['satori', 'takumi'], why: 'a still image has no transitions' },
  { property: 'cursor', engines: ['satori', 'takumi'], why: 'an image has no pointer' },
  {
    property: 'transform',
    when: (v) => /(?:3d|perspective|rotate[xy]|translatez|scalez)\s*\(/i.test(v),
    engines: ['satori', 'takumi'],
    why: 'three-dimensional transforms are not supported',
  },
  { property: 'overflow', when: oneOf('scroll', 'auto'), engines: ['satori', 'takumi'], why: 'an image does not scroll: drawn as hidden or visible' },
];

/** CSS-wide values and custom properties nothing resolves in an inline style. */
const VAR_FUNCTION = /\bvar\(\s*--/i;

/** One issue per property and value the tree's inline styles use that an engine ignores or draws differently. */
export function cssIssues(root: TemplateNode, path: string): LintIssue[] {
  const found = new Map<string, LintIssue>();
  const visit = (node: TemplateNode) => {
    if (typeof node !== 'object') return;
    for (const [property, raw] of Object.entries(node.props.style ?? {})) {
      if (raw === undefined) continue;
      const value = String(raw);
      const key = `${property}:${value}`;
      if (found.has(key)) continue;
      if (VAR_FUNCTION.test(value)) {
        found.set(key, issue(path, property, value, ['satori', 'takumi'], 'CSS custom properties (var(--…)) are not resolved in inline styles'));
        continue;
      }
      const rule = RULES.find((r) => r.property === property && (!r.when || r.when(value)));
      if (rule) found.set(key, issue(path, property, value, rule.engines, rule.why));
    }
    const kids = node.props.children;
    for (const child of Array.isArray(kids) ? kids : kids === undefined ? [] : [kids]) visit(child);
  };
  visit(root);
  return [...found.values()];
}

function issue(path: string, property: string, value: string, engines: string[], why: string): LintIssue {
  const css = property.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return {
    path,
    code: 'css_unsupported',
    severity: 'warning',
    message: `${css}: ${value.length > 60 ? `${value.slice(0, 59)}…` : value} — ${why} (${engines.join(' and ')}).`,
    property: css,
    value,
    engines,
  };
}
