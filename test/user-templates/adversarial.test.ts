/**
 * Issue 15, finding 1: the user-template patterns that backtracked catastrophically are scanners
 * now. These are behaviour tests, not timed ones: each scanner gives what the old pattern gave on
 * ordinary inputs (the old pattern is the oracle, on inputs short enough for it), and the 250 KB
 * inputs that used to take minutes to weeks of CPU get the answer they should — on the code before
 * the fix they never came back within the test timeout. The timings are a benchmark row
 * (`BENCH_ONLY=adversarial npm run bench`).
 */
import { describe, expect, it } from 'vitest';
import { compileTemplate, isColor, type VarDeclaration } from '../../src/user-templates/compile';
import { literalValue, MAX_HTML_BYTES, parseLength, parseMarkup, urlItemAt, urlStarts } from '../../src/user-templates/markup';
import { errorsOf } from '../helpers/markup';

const META = { id: 'tpl_01JD5X1Q4ZB8R3W2K7T6YV9N0M', version: 1, name: 'Test', description: '' };
const KB250 = 250 * 1024;

const compile = (html: string, vars: Record<string, VarDeclaration> = {}) => compileTemplate(META, { width: 400, height: 200, html, vars });

/** The patterns as they were before issue 15 (oracles for short inputs only). */
const OLD_URL_ITEM = /url\s*\(\s*(['"]?)([^'"()]*?)\1\s*\)/iy;
const OLD_NUMBER = /^(-?\d*\.?\d+)(px)?$/;
const OLD_COLOR = /^(?:#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|(?:rgba?|hsla?)\(\s*-?[\d.]+%?(?:\s*[,\s/]\s*-?[\d.]+%?){2,3}\s*\)|transparent)$/;

function oldUrlItemAt(value: string, index: number) {
  OLD_URL_ITEM.lastIndex = index;
  const found = OLD_URL_ITEM.exec(value);
  return found ? { text: found[0], src: found[2] } : null;
}

describe('the url() item scanner reads what the old pattern read', () => {
  const cases = [
    'url(a.png)',
    'url( a.png )',
    'URL  (  "a b.png"  )',
    "url('x')",
    'url(\'x")',
    'url("x\')',
    'url(x"y)',
    'url(a(b))',
    'url()',
    "url('')",
    'url(\t\n x \n)',
    'url(',
    'url(   ',
    'url("abc',
    'url(abc',
    'url (#a)',
    'urlx(a)',
    'background: #fff url({{photo}}) no-repeat, url(data:image/png;base64,AAAA)',
    'url(url(a))',
    "url( ' spaced ' )",
  ];
  it.each(cases)('%j', (value) => {
    const starts = [...value.matchAll(/url\s*\(/gi)].map((m) => m.index);
    expect(urlStarts(value)).toEqual(starts);
    for (const i of [0, ...starts]) expect(urlItemAt(value, i), `at ${i}`).toEqual(oldUrlItemAt(value, i));
  });

  it('on 250 KB: an unclosed url( and spaces, url( repeated, an unclosed quote', () => {
    expect(urlItemAt(`url(${' '.repeat(KB250)}`, 0)).toBeNull();
    expect(urlItemAt(`url(${' '.repeat(KB250)}a)`, 0)).toEqual({ text: `url(${' '.repeat(KB250)}a)`, src: 'a' });
    const repeated = 'url('.repeat(KB250 / 4);
    expect(urlStarts(repeated)).toHaveLength(KB250 / 4);
    expect(urlStarts(repeated).every((i) => urlItemAt(repeated, i) === null)).toBe(true);
    expect(urlItemAt(`url("${' '.repeat(KB250)}`, 0)).toBeNull();
  });
});

describe('numbers and lengths', () => {
  it.each(['12', '-12', '1.5', '.5', '-.5', '12px', '1.5px', '1.', '', '-', 'px', '12PX', '12em', '1e3', '+1', '1..2', ' 7px ', '0', '00.10px'])(
    'literalValue(%j) is as before for px and bare numbers',
    (value) => {
      const old = OLD_NUMBER.exec(value.trim());
      // the one change: 12PX is read as 12px now
      expect(literalValue(value, 'width')).toEqual(old ? Number(old[1]) : value.trim() === '12PX' ? 12 : value.trim());
    },
  );

  it('upper-case PX is a length too (CSS units are case-insensitive)', () => {
    expect(literalValue('50PX', 'width')).toBe(50);
    expect(parseLength('50PX')).toEqual({ n: 50, unit: 'px' });
    expect(parseLength('2.5Em')).toEqual({ n: 2.5, unit: 'em' });
  });

  it('250 KB of digits (with or without a tail) is no number, read in one pass', () => {
    const digits = '1'.repeat(KB250);
    expect(parseLength(digits)).toBeNull();
    expect(literalValue(`${digits}x`, 'width')).toBe(`${digits}x`);
    expect(literalValue(`-${digits}.`, 'width')).toBe(`-${digits}.`);
    // under the CSS value cap, a 4,000-digit width is kept as the text it is
    const el = compile(`<div style="width:${'1'.repeat(4000)}x">x</div>`).render({}, { width: 400, height: 200 }).props.children as {
      props: { style: Record<string, unknown> };
    };
    expect(el.props.style.width).toBe(`${'1'.repeat(4000)}x`);
  });
});

describe('colour values', () => {
  it.each([
    '#fff',
    '#ffffff',
    '#ffffff80',
    '#ffff',
    'transparent',
    'rgb(1, 2, 3)',
    'rgb(1 2 3)',
    'rgb(1 2 3 / 50%)',
    'rgba(1,2,3,0.5)',
    'hsl(120, 50%, 50%)',
    'hsla(120 50% 50% / .5)',
    'rgb( 1 ,2 , 3 )',
    'rgb(1,2)',
    'rgb(1,2,3,4,5)',
    'rgb(1  2  3)',
    'rgb(1,,2,3)',
    'red',
    'rgb(1, 2, 3);color:red',
  ])('%j is a colour exactly when the old pattern said so', (value) => {
    expect(isColor(value)).toBe(OLD_COLOR.test(value));
  });

  it('a long whitespace run, or anything over 64 characters, is refused by the var schema', () => {
    const def = compile('<div style="background:{{bg}}">x</div>', { bg: { type: 'color' } });
    const run = ' '.repeat(KB250 / 3);
    // the first: 18 s at 400 spaces a run on the code before
    for (const bad of [
      `hsl(0${run}.${run}.${run},0.x)`,
      `rgb(1${' '.repeat(KB250)}x`,
      `rgb(1,${' '.repeat(KB250)}2,3)`,
      `rgb(${'1 '.repeat(KB250 / 2)}`,
      `#${'f'.repeat(KB250)}`,
    ]) {
      const parsed = def.vars.safeParse({ bg: bad });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(['bg']);
    }
    expect(def.vars.safeParse({ bg: '  rgb(1, 2, 3)  ' }).success).toBe(true);
  });
});

describe('the markup with 250 KB of the reported shapes is refused with the right message', () => {
  const pad = (prefix: string, fill: string, suffix: string) =>
    prefix + fill.repeat(Math.floor((KB250 - prefix.length - suffix.length) / fill.length)) + suffix;

  it.each([
    // the shapes as reproduced on the code before (a non-space character after the spaces: values are trimmed):
    // 1 s at 2,000 spaces, 7.9 s at 4,000
    ['unclosed url( and spaces', pad('<div style="background:url(', ' ', 'x">x</div>'), /url\(\) must be an image var/],
    ['url( repeated', pad('<div style="background:', 'url(', '">x</div>'), /url\(\) must be an image var/],
    ['an escaped quote repeated (the CSS parser backtracked from each)', pad('<div style="font-family:', "'\\", '">x</div>'), /quoted string is not closed/],
    ['data-if="{{" and spaces', pad('<div data-if="{{', ' ', 'x">x</div>'), /data-if names a var/],
    ['data-if="{{" and spaces and "}}"', pad('<div data-if="{{', ' ', '}}x">x</div>'), /data-if names a var/],
    ['a very long CSS value', pad('<div style="color:', 'a', '">x</div>'), /longer than 4096 characters/],
    ['a long digit run (1.2 s at 32,000 digits before)', pad('<div style="width:', '1', 'x">x</div>'), /longer than 4096/],
  ])('%s', (_name, html, message) => {
    expect(html.length).toBeLessThanOrEqual(MAX_HTML_BYTES);
    expect(html.length).toBeGreaterThan(KB250 - 10);
    const errors = errorsOf(() => parseMarkup(html));
    expect(errors).toEqual([{ path: 'html', message: expect.stringMatching(message) }]);
  });

  it('placeholders with long space runs, and svg url( runs, stay what they were', () => {
    const spaces = ' '.repeat(KB250 / 2);
    // a placeholder with spaces inside its braces is still one placeholder
    expect(parseMarkup(`<div>{{${spaces}title${spaces}}}</div>`).uses.get('title')).toEqual(new Set(['text']));
    const svg = `<div><svg viewBox="0 0 1 1"><rect fill="${'url( '.repeat(KB250 / 10)}#a)" width="1" height="1"/></svg></div>`;
    expect(errorsOf(() => parseMarkup(svg))[0]?.message).toMatch(/may refer only to an element of the same drawing/);
    // url( #id) with a space is a reference inside the drawing (the old lookahead refused it)
    expect(() => parseMarkup('<div><svg viewBox="0 0 1 1"><rect fill="url( #a)" width="1" height="1"/></svg></div>')).not.toThrow();
  });

  it('quoted strings and url() items keep ; and } inside them, as the CSS parser read them', () => {
    const el = compile(`<div style="font-family:'A;B', sans-serif;background:#fff">x</div>`).render({}, { width: 400, height: 200 }).props.children as {
      props: { style: Record<string, unknown> };
    };
    expect(el.props.style).toEqual({ display: 'flex', fontFamily: "'A;B', sans-serif", background: '#fff' });
    expect(errorsOf(() => parseMarkup('<div style="color:\uE000x">x</div>'))[0]?.message).toMatch(/private-use/);
  });
});
