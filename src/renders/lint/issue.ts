/**
 * What the template lint answers: issues, each at a field path of the request (`vars.title`,
 * `html`), with a stable code, a severity and the numbers an editor shows (which var, by how much).
 * `error`: the render would be refused, or would come out wrong (clipped text, tofu, a missing
 * picture); `warning`: drawn, but not as the source suggests (text ellipsised, a property one
 * engine ignores); `info`: worth knowing.
 */

export type Severity = 'error' | 'warning' | 'info';

export const LINT_CODES = [
  'template_invalid',
  'template_not_found',
  'template_kind_mismatch',
  'vars_invalid',
  'text_clamped',
  'text_overflow',
  'tofu',
  'image_blocked',
  'image_unreachable',
  'image_invalid',
  'image_too_large',
  'engine_unsupported',
  'css_unsupported',
  'limit_exceeded',
  'font_unavailable',
] as const;
export type LintCode = (typeof LINT_CODES)[number];

export interface LintIssue {
  path: string;
  code: LintCode;
  severity: Severity;
  message: string;
  /** The var the issue is about (its name, without the path prefix). */
  var?: string;
  /** Text: how far it runs past its box (or is hidden by its clamp), in CSS px. */
  overflow_px?: number;
  /** Text: lines drawn, and lines hidden by the clamp. */
  lines?: number;
  lines_hidden?: number;
  /** Tofu: the characters no font draws (`U+1230 ሰ`), and their scripts. */
  chars?: string[];
  scripts?: string[];
  /** Images: the URL at fault. */
  url?: string;
  /** CSS: the property and value at fault, and the engines that ignore it or draw it differently. */
  property?: string;
  value?: string;
  engines?: string[];
  /** Limits: what the request comes to, and what is allowed. */
  actual?: number;
  limit?: number;
}

/** A string var as it fills the template: its field path and value. */
export interface Binding {
  path: string;
  name: string;
  value: string;
}

/**
 * The var a drawn text comes from: the one whose value it is, else the longest one it contains
 * (a user template's "By {{author}}" draws "By Ada"); none for the template's own words. A
 * heuristic by value, not a trace of the template's code: two vars of equal value name the first.
 */
export function bindingFor(text: string, bindings: readonly Binding[]): Binding | undefined {
  const t = text.trim();
  let best: Binding | undefined;
  for (const b of bindings) {
    if (b.value === '') continue;
    if (b.value === t) return b;
    if (t.includes(b.value) && (!best || b.value.length > best.value.length)) best = b;
  }
  return best;
}
