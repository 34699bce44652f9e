/**
 * Issue 15, finding 4: the font size and a picture's box are bounded in every CSS unit, not only
 * in bare px. Asserted on the filled tree (compileTemplate(…).render(values, size)): every font
 * size is a px number or an em/rem/% the engines resolve as the compiler did, at most twice the
 * canvas's longer side (800 px for 400×200), along the whole tree (em of em of em…); a picture's
 * box cannot grow past it whatever the layout does; raster-heavy lengths (shadow blur, border
 * width, background size) are clamped too. A length the compiler cannot read there is refused.
 */
import { describe, expect, it } from 'vitest';
import type { TemplateElement, TemplateNode } from '../../src/render/jsx';
import { compileTemplate, toPx, type VarDeclaration } from '../../src/user-templates/compile';
import { errorsOf } from '../helpers/markup';

const META = { id: 'tpl_01JD5X1Q4ZB8R3W2K7T6YV9N0M', version: 1, name: 'Test', description: '' };
const SIZE = { width: 400, height: 200 };
const LIMIT = 800;

const render = (html: string, values: Record<string, unknown> = {}, vars: Record<string, VarDeclaration> = {}) =>
  compileTemplate(META, { ...SIZE, html, vars }).render(values, SIZE);

function elements(node: TemplateNode | TemplateNode[] | undefined, out: TemplateElement[] = []): TemplateElement[] {
  if (Array.isArray(node)) for (const n of node) elements(n, out);
  else if (node && typeof node === 'object') {
    out.push(node);
    elements(node.props.children as TemplateNode | TemplateNode[] | undefined, out);
  }
  return out;
}

const childElements = (el: TemplateElement): TemplateElement[] => {
  const c = el.props.children as TemplateNode | TemplateNode[] | undefined;
  return (Array.isArray(c) ? c : [c]).filter((x): x is TemplateElement => typeof x === 'object' && x !== null);
};

/** The px font size of every element of the tree, resolved as the engines do (em/% of the parent's, rem of 16). */
function fontSizes(root: TemplateElement): number[] {
  const out: number[] = [];
  const walk = (el: TemplateElement, parent: number) => {
    const fs = el.props.style?.fontSize;
    const px =
      fs === undefined ? parent : typeof fs === 'number' ? fs : (toPx(fs, { canvas: SIZE, em: parent, limit: Number.POSITIVE_INFINITY }, parent) as number);
    out.push(px);
    for (const child of childElements(el)) walk(child, px);
  };
  walk(root, 16);
  return out;
}

describe('font sizes in every unit stay within twice the canvas', () => {
  it.each([
    ['100em', LIMIT],
    ['100EM', LIMIT],
    ['50PX', 50],
    ['5000PX', LIMIT],
    ['500vw', LIMIT],
    ['10vh', 20],
    ['1000vmin', LIMIT],
    ['1vmax', 4],
    ['10000%', LIMIT],
    ['150%', '150%'],
    ['600pt', LIMIT],
    ['12pt', 16],
    ['20pt', 26.667],
    ['3pc', 48],
    ['20in', LIMIT],
    ['1in', 96],
    ['100cm', LIMIT],
    ['1000mm', LIMIT],
    ['4000Q', LIMIT],
    ['100rem', LIMIT],
    ['2rem', '2rem'],
    ['2em', '2em'],
    ['-5px', 0],
  ])('font-size: %s', (css, expected) => {
    const el = render(`<div style="font-size:${css}">x</div>`).props.children as TemplateElement;
    expect(el.props.style?.fontSize).toEqual(expected);
  });

  it('nested em (10em in 10em in 10em…) is capped along the tree, not per element', () => {
    const depth = 12;
    const html = `${'<div style="font-size:10em">'.repeat(depth)}x${'</div>'.repeat(depth)}`;
    const root = render(html);
    const sizes = fontSizes(root);
    expect(sizes).toHaveLength(depth + 1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(LIMIT);
    // 16 → 160 → 800 (capped) → 800 …
    expect(sizes.slice(0, 4)).toEqual([16, 160, LIMIT, LIMIT]);
  });

  it('nested h1s (2em each) and % in em: every size bounded', () => {
    const html = `${'<h1><span style="font-size:300%">'.repeat(8)}x${'</span></h1>'.repeat(8)}`;
    const sizes = fontSizes(render(html));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(LIMIT);
    expect(sizes.at(-1)).toBe(LIMIT);
  });

  it('a number var or a var with a unit is bounded the same way', () => {
    const vars: Record<string, VarDeclaration> = { s: { type: 'number' } };
    expect((render('<div style="font-size:{{s}}em">x</div>', { s: 99999 }, vars).props.children as TemplateElement).props.style?.fontSize).toBe(LIMIT);
    expect((render('<div style="font-size:{{s}}vw">x</div>', { s: 3 }, vars).props.children as TemplateElement).props.style?.fontSize).toBe(12);
    // a var that makes no length is left out (the engines' default applies)
    expect((render('<div style="font-size:{{s}}zz">x</div>', { s: 3 }, vars).props.children as TemplateElement).props.style?.fontSize).toBeUndefined();
  });

  it('calc(), keywords and unknown units are refused when the template is made, naming the property', () => {
    for (const css of ['calc(100vw * 50)', 'larger', 'inherit', '10furlongs', 'var(--x)']) {
      expect(errorsOf(() => render(`<div style="font-size:${css}">x</div>`))).toEqual([
        { path: 'html', message: expect.stringMatching(/fontSize .* must be a length/) },
      ]);
    }
  });
});

describe("a picture's box stays within twice the canvas", () => {
  const svg = (attrs: string, style = '') =>
    `<div><svg ${attrs} ${style ? `style="${style}"` : ''} viewBox="0 0 10 10"><rect width="10" height="10" fill="#000"/></svg></div>`;
  const picture = (html: string, values: Record<string, unknown> = {}, vars: Record<string, VarDeclaration> = {}) =>
    elements(render(html, values, vars)).find((e) => e.type === 'svg' || e.type === 'img') as TemplateElement;

  it.each([
    ['width="500vw" height="50vh"', '', { width: LIMIT, height: 100 }],
    ['width="100em" height="10in"', '', { width: LIMIT, height: LIMIT }],
    ['width="50PX" height="20pt"', '', { width: 50, height: 26.667 }],
  ])('svg %s', (attrs, style, expected) => {
    expect(picture(svg(attrs, style)).props).toMatchObject(expected);
  });

  it('style lengths in every unit, and min-* sizes, are resolved and clamped', () => {
    const el = picture(svg('', 'width:500vw;height:300VH;min-width:1000em;min-height:99in'));
    expect(el.props.style).toMatchObject({ width: LIMIT, height: 600, minWidth: LIMIT, minHeight: LIMIT });
  });

  it('a box from a percentage, flex-grow or stretch gets max-width/max-height caps', () => {
    for (const style of ['width:100000%', 'flex-grow:1;width:10px;height:10px', 'flex:1 1 0%', 'align-self:stretch']) {
      const s = picture(svg('', style)).props.style as Record<string, unknown>;
      expect(s.maxWidth, style).toBe(LIMIT);
      expect(s.maxHeight, style).toBe(LIMIT);
      if (typeof s.width === 'string') expect(Number.parseFloat(s.width)).toBeLessThanOrEqual(100);
    }
    // a user's own smaller max stays
    expect(picture(svg('', 'width:50%;max-width:2in')).props.style).toMatchObject({ width: '50%', maxWidth: 192, maxHeight: LIMIT });
    // a box fixed in px is left as it is
    expect(picture(svg('width="10" height="10"')).props.style).toBeUndefined();
  });

  it('an img box from number vars in em is bounded', () => {
    const png = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAE0lEQVR4AWNcsGDBfwYgYGKAAgAsKALjuNjIWQAAAABJRU5ErkJggg==';
    const vars: Record<string, VarDeclaration> = { s: { type: 'number' } };
    const el = picture(`<div><img src="${png}" style="width:{{s}}em;height:{{s}}vmax"></div>`, { s: 5000 }, vars);
    expect(el.props.style).toMatchObject({ width: LIMIT, height: LIMIT });
    expect(picture(`<div><img src="${png}" width="{{s}}" height="{{s}}"></div>`, { s: 5000 }, vars).props).toMatchObject({ width: LIMIT, height: LIMIT });
  });

  it('calc() or a percentage max-width on a picture is refused, naming the property', () => {
    expect(errorsOf(() => render(svg('', 'width:calc(100% + 10px)')))).toEqual([
      { path: 'html', message: expect.stringMatching(/<svg>: width .* must be a length/) },
    ]);
    expect(errorsOf(() => render(svg('', 'max-width:100%')))).toEqual([{ path: 'html', message: expect.stringMatching(/maxWidth/) }]);
    expect(errorsOf(() => render(svg('width="fit-content"')))).toEqual([{ path: 'html', message: expect.stringMatching(/<svg>: width/) }]);
  });
});

describe('lengths that make the engines rasterise more are clamped', () => {
  const styleOf = (css: string) => (render(`<div style="${css}">x</div>`).props.children as TemplateElement).props.style;
  it('box-shadow and text-shadow blur, in any unit; colour functions untouched', () => {
    expect(styleOf('box-shadow:0 0 100000px rgb(1, 2, 3)')?.boxShadow).toBe('0 0 800px rgb(1, 2, 3)');
    expect(styleOf('box-shadow:1em 2EM 500vw 3px #000, inset 0 0 99in red')?.boxShadow).toBe('16px 32px 800px 3px #000, inset 0 0 800px red');
    expect(styleOf('text-shadow:0 0 1000em hsl(120 50% 50% / .5)')?.textShadow).toBe('0 0 800px hsl(120 50% 50% / .5)');
  });
  it('border and stroke widths, background size, blur()', () => {
    expect(styleOf('border:100em solid #000')?.border).toBe('800px solid #000');
    expect(styleOf('border-width:99999px')?.borderWidth).toBe(LIMIT);
    expect(styleOf('background-size:100000px 5000%')?.backgroundSize).toBe('800px 200%');
    expect(styleOf('filter:blur(1000em) brightness(2)')?.filter).toBe('blur(800px) brightness(2)');
  });
});
