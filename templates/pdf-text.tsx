/**
 * Text fitting for the PDF templates (invoice, certificate, report), which lay out their own pages:
 * word wrap, clamping to a number of lines with an ellipsis, choosing a font size that fits, and
 * drawing pre-wrapped lines as fixed-height blocks, all measured with `page.measureText`.
 *
 * The 4% margin (`WIDE`): every fitting decision here treats text as 4% wider than measured. The
 * renderer lays each line out again by itself, and its shaping and rounding need not agree with
 * `measureText` to the last fraction of a pixel. Lines are drawn one `nowrap` div each, so a line
 * that came out wider than we computed would not rewrap: it would run past its box, into the next
 * column or the page margin. The 4% is that slack, so a line we computed always fits its width.
 */
import { h, type Style, type TemplateElement } from '../src/render/jsx';
import type { PageContext } from './define';

void h;

/** The font weights `page.measureText` and the bundled fonts support. */
export type Weight = 400 | 500 | 600 | 700;

/** A text measurer with the signature of `page.measureText`: width in CSS px of one line. */
export type Measure = PageContext['measureText'];

/** The safety factor on measured widths (see the header): text is laid out as if 4% wider. */
export const WIDE = 1.04;

/** What shortened text ends with. */
export const ELLIPSIS = '…';

/**
 * `page.measureText`, memoised per string and weight. Advances scale linearly with the font size,
 * so each string is measured once (at 100 px) and scaled: trying several sizes is cheap.
 */
export function memoMeasure(page: PageContext): Measure {
  const cache = new Map<string, number>();
  return (s, fontSize, weight = 400) => {
    const key = `${weight}|${s}`;
    let w = cache.get(key);
    if (w === undefined) {
      w = page.measureText(s, 100, weight);
      cache.set(key, w);
    }
    return (w * fontSize) / 100;
  };
}

/**
 * Greedy word wrap of `value` into lines at most `width` wide (measured `WIDE`); runs of white
 * space become one space and empty text gives no lines. A word wider than the line breaks between
 * characters (as `word-break: break-word` would). Advances add up (no kerning), so a line's width is
 * the sum of its words' and spaces' widths: each word is measured once.
 */
export function wrap(measure: Measure, value: string, width: number, fontSize: number, weight: Weight): string[] {
  const limit = width / WIDE;
  const space = measure(' ', fontSize, weight);
  const lines: string[] = [];
  let line = '';
  let lineW = 0;
  for (const word of value.split(/\s+/).filter(Boolean)) {
    const w = measure(word, fontSize, weight);
    if (line && lineW + space + w <= limit) {
      line += ` ${word}`;
      lineW += space + w;
      continue;
    }
    if (line) lines.push(line);
    if (w <= limit) {
      line = word;
      lineW = w;
      continue;
    }
    line = '';
    lineW = 0;
    for (const ch of word) {
      const cw = measure(ch, fontSize, weight);
      if (line && lineW + cw > limit) {
        lines.push(line);
        line = '';
        lineW = 0;
      }
      line += ch;
      lineW += cw;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * `line` shortened, a character at a time from the end, until it fits `width` (measured `WIDE`)
 * with a trailing ellipsis; white space before the ellipsis is dropped. Always ends with `ELLIPSIS`.
 */
export function ellipsize(measure: Measure, line: string, width: number, fontSize: number, weight: Weight): string {
  const chars = Array.from(line);
  while (chars.length > 0 && measure(`${chars.join('').trimEnd()}${ELLIPSIS}`, fontSize, weight) * WIDE > width) chars.pop();
  return `${chars.join('').trimEnd()}${ELLIPSIS}`;
}

/**
 * `wrap`ped lines, at most `max`, the last one ending with an ellipsis when text was left out (it
 * is the last kept line and the next one, `ellipsize`d).
 */
export function clampLines(measure: Measure, value: string, width: number, fontSize: number, weight: Weight, max: number): string[] {
  const lines = wrap(measure, value, width, fontSize, weight);
  if (lines.length <= max) return lines;
  const kept = lines.slice(0, max);
  kept[max - 1] = ellipsize(measure, `${kept[max - 1]} ${lines[max]}`, width, fontSize, weight);
  return kept;
}

/**
 * One line: `value` with its white space collapsed and trimmed, as is when the whole string
 * measures within `width` (measured `WIDE`), else shortened with an ellipsis; '' for empty text.
 * Not quite `clampLines(…, 1)[0] ?? ''`: that decides the fit word by word (`wrap` adds up word
 * and space widths against `width / WIDE`), which can come out the other way right at the limit.
 */
export function oneLine(measure: Measure, value: string, width: number, fontSize: number, weight: Weight): string {
  const flat = value.replace(/\s+/g, ' ').trim();
  return measure(flat, fontSize, weight) * WIDE <= width ? flat : ellipsize(measure, flat, width, fontSize, weight);
}

/**
 * The largest font size from `max` down to `min`, in 0.5 px steps, at which `value` fits `width`
 * on one line (measured `WIDE`); `min` when none does (the caller shortens or lets it be).
 */
export function fitSize(measure: Measure, value: string, width: number, max: number, min: number, weight: Weight): number {
  let size = max;
  while (size > min && measure(value, size, weight) * WIDE > width) size -= 0.5;
  return size;
}

/**
 * The largest size (whole px, `max` down to `min`) at which `value` fits in one line, else in two,
 * …, as the `steps` say, each step its own line count and size range; failing all of them, the
 * last step's `min` px with the text clamped to its line count (`clampLines`).
 */
export function fitBlock(
  measure: Measure,
  value: string,
  width: number,
  weight: Weight,
  steps: { lines: number; max: number; min: number }[],
): { fontSize: number; lines: string[] } {
  for (const step of steps) {
    for (let size = step.max; size >= step.min; size--) {
      const lines = wrap(measure, value, width, size, weight);
      if (lines.length <= step.lines) return { fontSize: size, lines };
    }
  }
  const last = steps[steps.length - 1]!;
  return { fontSize: last.min, lines: clampLines(measure, value, width, last.min, weight, last.lines) };
}

/** How the lines of a `Lines` block are set. */
export interface LinesStyle {
  fontSize: number;
  lineHeight: number;
  weight: Weight;
  color: string;
  /**
   * CSS `letter-spacing` in px, set on every line when given and not 0. The renderer adds it after
   * every character: measure with it added (the wrapping here does not know about it).
   */
  letterSpacing?: number;
}

/**
 * Pre-wrapped lines, one fixed-height div each (no wrapping in the renderer): the block is exactly
 * `lines × lineHeight` tall, so templates can add heights up to fill pages.
 *
 * - `align`: 'left' or 'right' sets `justifyContent` on every line (start or end of the block's
 *   width); 'center' centres the lines on each other (`alignItems` on the block); absent, neither
 *   is set and lines start at the left.
 * - `marginTop`: set on the block when given (0 included).
 */
export function Lines(props: { lines: string[]; style: LinesStyle; align?: 'left' | 'right' | 'center'; marginTop?: number }): TemplateElement {
  const { fontSize, lineHeight, weight, color, letterSpacing } = props.style;
  const { align, marginTop } = props;
  return (
    <div
      style={{
        display: 'flex',
        flexDirection: 'column',
        ...(align === 'center' ? { alignItems: 'center' } : {}),
        flexShrink: 0,
        height: props.lines.length * lineHeight,
        ...(marginTop !== undefined ? { marginTop } : {}),
      }}
    >
      {props.lines.map((line) => (
        <div
          style={{
            display: 'flex',
            ...(align === 'left' || align === 'right' ? { justifyContent: align === 'right' ? 'flex-end' : 'flex-start' } : {}),
            height: lineHeight,
            fontSize,
            lineHeight: lineHeight / fontSize,
            fontWeight: weight,
            color,
            whiteSpace: 'nowrap',
            ...(letterSpacing ? { letterSpacing } : {}),
          }}
        >
          {line}
        </div>
      ))}
    </div>
  );
}

/** A document page's root: white, the page's size, its margins as padding, a column of blocks. */
export function pageStyle(p: { width: number; height: number; top: number; bottom: number; x: number; color: string }): Style {
  return {
    display: 'flex',
    flexDirection: 'column',
    width: p.width,
    height: p.height,
    paddingTop: p.top,
    paddingBottom: p.bottom,
    paddingLeft: p.x,
    paddingRight: p.x,
    backgroundColor: '#ffffff',
    color: p.color,
    fontFamily: 'Inter',
  };
}
