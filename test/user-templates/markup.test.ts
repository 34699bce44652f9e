/**
 * User templates' markup and compiler, as pure functions: what the markup may contain, how vars are
 * typed from their use, and that a var's value only ever fills the one text, style value or
 * attribute value its placeholder stood in.
 */
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../src/lib/crc32';
import type { TemplateElement, TemplateNode } from '../../src/render/jsx';
import { compileTemplate, type TemplateSource, type VarDeclaration } from '../../src/user-templates/compile';
import { parseMarkup } from '../../src/user-templates/markup';
import { errorsOf } from '../helpers/markup';

const META = { id: 'tpl_01JD5X1Q4ZB8R3W2K7T6YV9N0M', version: 1, name: 'Test', description: '' };
const SIZE = { width: 400, height: 200 };
const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAE0lEQVR4AWNcsGDBfwYgYGKAAgAsKALjuNjIWQAAAABJRU5ErkJggg==';

function compile(html: string, vars: Record<string, VarDeclaration> = {}, extra: Partial<TemplateSource> = {}) {
  return compileTemplate(META, { ...SIZE, html, vars, ...extra });
}

/** The template's own elements: what the canvas (the render root) holds. */
function body(html: string, values: Record<string, unknown> = {}, vars: Record<string, VarDeclaration> = {}): TemplateNode | TemplateNode[] | undefined {
  return compile(html, vars).render(values, SIZE).props.children as TemplateNode | TemplateNode[] | undefined;
}

/** The only element of a template's body. */
function only(html: string, values: Record<string, unknown> = {}, vars: Record<string, VarDeclaration> = {}): TemplateElement {
  const out = body(html, values, vars);
  expect(Array.isArray(out) || typeof out !== 'object').toBe(false);
  return out as TemplateElement;
}

describe('a var value never becomes markup, an attribute or a declaration', () => {
  it.each(['<img src=x onerror=alert(1)>', '</div><div style="background:url(http://x)">', '{{other}}'])(
    'title %j is drawn as one text child, as written',
    (title) => {
      const el = only('<div><h1>{{title}}</h1></div>', { title, other: 'secret' });
      expect(el).toEqual({
        type: 'div',
        props: {
          style: { display: 'flex' },
          children: { type: 'div', props: { style: { display: 'flex', fontSize: '2em', fontWeight: 700 }, children: title } },
        },
      });
    },
  );

  it("a var's value is not read for placeholders: {{a}} holding '{{b}}' stays literal", () => {
    expect(only('<span>{{a}} {{b}}</span>', { a: '{{b}}', b: 'secret' }).props.children).toBe('{{b}} secret');
  });

  it('a color var refuses a value that would add a CSS declaration, and takes real colours', () => {
    const def = compile('<div style="background:{{bg}}">x</div>', { bg: { type: 'color' } });
    for (const bad of ['red; background: url(http://x)', '#fff;color:red', '#fff url(http://x)', 'url(http://x)', 'expression(alert(1))']) {
      expect(def.vars.safeParse({ bg: bad }).success, bad).toBe(false);
    }
    for (const good of ['#0f0', '#00ff00', '#00ff0080', 'rgb(0, 255, 0)', 'rgba(0 255 0 / 50%)', 'hsl(120, 100%, 50%)', 'transparent']) {
      expect(def.vars.safeParse({ bg: good }).success, good).toBe(true);
    }
  });

  it("the style's properties come from the markup alone: a value fills only its own property", () => {
    // even a value that slipped past the schema could not add a key
    const el = only('<div style="background:{{bg}};color:#000">x</div>', { bg: 'red; color: white' }, { bg: { type: 'color' } });
    expect(el.props.style).toEqual({ display: 'flex', background: 'red; color: white', color: '#000' });
  });

  it.each(['{{prop}}: red', 'color: #00f; {{prop}}: red; background: #fff', 'border-{{side}}: 1px solid #000'])(
    'a placeholder cannot stand for (part of) a CSS property name: %j is refused at html',
    (css) => {
      expect(errorsOf(() => parseMarkup(`<div style="${css}">x</div>`))).toEqual([{ path: 'html', message: expect.any(String) }]);
    },
  );
});

describe('placeholders in style values', () => {
  it('are filled in the value they stand in, the rest of the value and the other declarations as written', () => {
    const el = only('<div style="background:{{bg}};border:2px solid {{bg}};padding:8px">x</div>', { bg: '#123456' }, { bg: { type: 'color' } });
    expect(el.props.style).toEqual({ display: 'flex', background: '#123456', border: '2px solid #123456', padding: 8 });
  });

  it('font-size:{{size}}px with a number var gives a number of pixels; a lone {{size}} stays a number', () => {
    const vars: Record<string, VarDeclaration> = { size: { type: 'number' } };
    expect(only('<div style="font-size:{{size}}px">x</div>', { size: 48 }, vars).props.style).toEqual({ display: 'flex', fontSize: 48 });
    expect(only('<div style="font-size:{{size}}">x</div>', { size: 48 }, vars).props.style).toEqual({ display: 'flex', fontSize: 48 });
  });

  it('a declaration whose var is empty is left out', () => {
    const el = only('<div style="font-size:{{size}}px;color:#000">x</div>', {}, { size: { type: 'number' } });
    expect(el.props.style).toEqual({ display: 'flex', color: '#000' });
  });

  it('an undeclared var in a style value is refused at vars.<name>, asking for color or number', () => {
    const errors = errorsOf(() => compile('<div style="color:{{ink}}">x</div>'));
    expect(errors).toEqual([{ path: 'vars.ink', message: expect.stringMatching(/color or number/) }]);
  });

  it('a text var in a style value is refused at vars.<name>.type', () => {
    const errors = errorsOf(() => compile('<div style="color:{{ink}}">x</div>', { ink: { type: 'text' } }));
    expect(errors).toEqual([{ path: 'vars.ink.type', message: expect.stringMatching(/color or number/) }]);
  });

  it('an undeclared var in an <img> width is refused too (attribute values are values)', () => {
    const errors = errorsOf(() => compile(`<img src="${PNG}" width="{{w}}">`));
    expect(errors).toEqual([{ path: 'vars.w', message: expect.stringMatching(/color or number/) }]);
  });
});

describe('elements and attributes', () => {
  it.each([
    ['<table><tr><td>x</td></tr></table>', '<table>'],
    ['<script>alert(1)</script>', '<script>'],
    ['<SCRIPT>alert(1)</SCRIPT>', '<SCRIPT>'],
    ['<style>div { color: red }</style>', '<style>'],
    ['<iframe src="https://example.com"></iframe>', '<iframe>'],
    ['<a href="https://example.com">x</a>', '<a>'],
    ['<div>one<br>two</div>', '<br>'],
    ['<svg><foreignObject><div>x</div></foreignObject></svg>', '<foreignObject>'],
    ['<svg><script>alert(1)</script></svg>', '<script>'],
    ['<svg><image href="https://example.com/a.png"/></svg>', '<image>'],
  ])('%s is refused at html, naming the element', (html, element) => {
    const errors = errorsOf(() => parseMarkup(html));
    expect(errors).toEqual([{ path: 'html', message: expect.stringContaining(`${element} is not supported`) }]);
  });

  it('class is refused (there are no style sheets); id is allowed', () => {
    expect(errorsOf(() => parseMarkup('<div class="card">x</div>'))).toEqual([{ path: 'html', message: expect.stringContaining('class is not supported') }]);
    expect(() => parseMarkup('<div id="card">x</div>')).not.toThrow();
  });

  it.each([
    ['<div onclick="alert(1)">x</div>', 'onclick'],
    [`<img src="${PNG}" onerror="alert(1)">`, 'onerror'],
    ['<svg onload="alert(1)" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>', 'onload'],
    ['<svg viewBox="0 0 10 10"><rect onclick="alert(1)" width="10" height="10"/></svg>', 'onclick'],
    ['<svg viewBox="0 0 10 10"><rect href="https://example.com" width="10" height="10"/></svg>', 'href'],
    ['<svg viewBox="0 0 10 10"><rect xlink:href="https://example.com" width="10" height="10"/></svg>', 'xlink:href'],
  ])('%s: the %s attribute is refused', (html, attr) => {
    expect(errorsOf(() => parseMarkup(html))).toEqual([{ path: 'html', message: expect.stringContaining(`the ${attr} attribute is not supported`) }]);
  });

  it('an SVG attribute may refer only to its own drawing with url(#id)', () => {
    const remote = '<svg viewBox="0 0 10 10"><rect fill="url(https://example.com/p.svg#g)" width="10" height="10"/></svg>';
    expect(errorsOf(() => parseMarkup(remote))).toEqual([{ path: 'html', message: expect.stringContaining('url(#id)') }]);
    const local =
      '<svg viewBox="0 0 10 10"><defs><linearGradient id="g"><stop offset="0" stop-color="#000"/></linearGradient></defs><rect fill="url(#g)" width="10" height="10"/></svg>';
    const svg = parseMarkup(local).root[0];
    expect(svg).toMatchObject({ kind: 'el', type: 'svg', attrs: { viewBox: '0 0 10 10' } });
  });

  it('text inside <svg> is refused (it would not be drawn)', () => {
    expect(errorsOf(() => parseMarkup('<svg viewBox="0 0 10 10">hello</svg>'))).toEqual([
      { path: 'html', message: expect.stringContaining('text inside <svg>') },
    ]);
  });

  it('markup with nothing to draw is refused', () => {
    expect(errorsOf(() => parseMarkup('  <!-- nothing -->\n '))).toEqual([{ path: 'html', message: expect.stringContaining('nothing to draw') }]);
  });
});

describe('images', () => {
  it.each([
    ['<img src="https://example.com/logo.png">', 'src must be an image var'],
    ['<img src="//example.com/logo.png">', 'src must be an image var'],
    ['<img src="data:image/svg+xml;base64,PHN2Zy8+">', 'src must be an image var'],
    ['<img>', 'src is required'],
    ['<div style="background-image:url(https://example.com/bg.png)">x</div>', 'url() in backgroundImage'],
    ['<div style="background:URL( \'http://169.254.169.254/\' )">x</div>', 'url() in background'],
    ['<div style="background:url(&quot;https://example.com/bg.png&quot;)">x</div>', 'url() in background'],
    ['<div style="background-image:url(https://cdn.example.com/{{path}}.png)">x</div>', 'url() in backgroundImage'],
  ])('a remote (or partly var) image is refused: %s', (html, message) => {
    expect(errorsOf(() => parseMarkup(html))).toEqual([{ path: 'html', message: expect.stringContaining(message) }]);
  });

  it('src="{{logo}}" makes logo an image var, whose values must be http(s) URLs', () => {
    const def = compile('<div><img src="{{logo}}" width="64" height="64"></div>');
    expect(def.imageVars).toEqual(['logo']);
    expect(def.declared.logo).toEqual({ type: 'image' });
    expect(def.vars.safeParse({ logo: 'https://example.com/logo.png' }).success).toBe(true);
    for (const bad of [PNG, 'javascript:alert(1)', 'file:///etc/passwd', 'not a url']) expect(def.vars.safeParse({ logo: bad }).success, bad).toBe(false);
  });

  it('url({{photo}}) in a style makes photo an image var, and the other placeholders of that value stay values', () => {
    const def = compile('<div style="background:{{tint}} url(\'{{photo}}\')">x</div>', { tint: { type: 'color' } });
    expect(def.imageVars).toEqual(['photo']);
    const el = def.render({ tint: '#fff', photo: PNG }, SIZE).props.children as TemplateElement;
    expect(el.props.style).toEqual({ display: 'flex', background: `#fff url('${PNG}')` });
  });

  it('a PNG data: URL is accepted as a literal source, in <img> and in url()', () => {
    expect(only(`<img src="${PNG}" width="2" height="2">`)).toEqual({ type: 'img', props: { src: PNG, width: 2, height: 2 } });
    expect(only(`<div style="background-image:url(${PNG})">x</div>`).props.style).toEqual({ display: 'flex', backgroundImage: `url(${PNG})` });
  });

  it('an <img src="{{logo}}"> is left out when logo is empty, drawn when it has a value', () => {
    const html = '<div><img src="{{logo}}" width="64" height="64"><span>Acme</span></div>';
    const span = { type: 'span', props: { children: 'Acme' } };
    for (const empty of [{}, { logo: '' }]) expect(only(html, empty).props.children).toEqual(span);
    // by render time an image var holds the picture fetched under the guard, as a data: URL
    const picture = 'data:image/png;base64,iVBORw0KGgo=';
    expect(only(html, { logo: picture }).props.children).toEqual([{ type: 'img', props: { src: picture, width: 64, height: 64 } }, span]);
    // anything else reaching the render (never from a request: the schema takes https URLs and the
    // runner swaps them for data: URLs) is left out rather than handed to an engine that would fetch it
    expect(only(html, { logo: 'https://example.com/logo.png' }).props.children).toEqual(span);
  });

  it('an image var used as text is refused (declared or not)', () => {
    expect(errorsOf(() => compile('<div><img src="{{logo}}"><span>{{logo}}</span></div>'))).toEqual([
      { path: 'vars.logo', message: expect.stringContaining('both as an image source and as text') },
    ]);
    expect(errorsOf(() => compile('<div>{{logo}}</div>', { logo: { type: 'image' } }))).toEqual([
      { path: 'vars.logo.type', message: expect.stringContaining('image var used as text') },
    ]);
    expect(errorsOf(() => compile('<img src="{{logo}}">', { logo: { type: 'text' } }))).toEqual([
      { path: 'vars.logo.type', message: expect.stringContaining('must be image') },
    ]);
  });
});

describe('data-if and data-unless', () => {
  const html = '<div><div data-if="badge">NEW</div><div data-unless="{{badge}}">plain</div></div>';
  const shown = (text: string) => ({ type: 'div', props: { style: { display: 'flex' }, children: text } });

  it('keep an element only when the var has (has no) value', () => {
    expect(only(html, { badge: 'yes' }).props.children).toEqual(shown('NEW'));
    expect(only(html, {}).props.children).toEqual(shown('plain'));
    expect(only(html, { badge: '' }).props.children).toEqual(shown('plain'));
  });

  it('make the var an optional text var', () => {
    const def = compile(html);
    expect(def.declared.badge).toEqual({ type: 'text' });
    expect(def.vars.safeParse({}).success).toBe(true);
  });

  it('must name a var, and not both on one element', () => {
    expect(errorsOf(() => parseMarkup('<div data-if="a b">x</div>'))).toEqual([{ path: 'html', message: expect.stringContaining('data-if names a var') }]);
    expect(errorsOf(() => parseMarkup('<div data-if="a" data-unless="b">x</div>'))).toEqual([{ path: 'html', message: expect.stringContaining('not both') }]);
  });
});

describe('whitespace', () => {
  it('indentation between block elements makes no text nodes', () => {
    const html = `
      <div>
        <h1>Title</h1>
        <p>
          Body
        </p>
      </div>
    `;
    expect(body(html)).toEqual({
      type: 'div',
      props: {
        style: { display: 'flex' },
        children: [
          { type: 'div', props: { style: { display: 'flex', fontSize: '2em', fontWeight: 700 }, children: 'Title' } },
          { type: 'div', props: { style: { display: 'flex' }, children: 'Body' } },
        ],
      },
    });
  });

  it('word spaces next to inline elements are kept, as no-break spaces at the element edges', () => {
    expect(only('<span>By <b>Ada</b> and <i>Bo</i></span>').props.children).toEqual([
      'By\u00A0',
      { type: 'span', props: { style: { fontWeight: 700 }, children: 'Ada' } },
      '\u00A0and\u00A0',
      { type: 'span', props: { style: { fontStyle: 'italic' }, children: 'Bo' } },
    ]);
  });

  it('runs of whitespace inside text collapse to one space', () => {
    expect(only('<span>a \n\t  b</span>').props.children).toBe('a b');
  });
});

describe('styles', () => {
  it('the -webkit-line-clamp idiom becomes lineClamp on a block', () => {
    const el = only('<div style="display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp: 3;overflow:hidden">long text</div>');
    expect(el.props.style).toEqual({ display: 'block', lineClamp: 3, overflow: 'hidden' });
  });

  it('font-family lists the uploaded families it names (as written, once), not Inter or the generic names', () => {
    const def = compile(
      '<div style="font-family: \'Brand Sans\', Inter, sans-serif"><span style=\'font-family: "brand sans", monospace\'>x</span><span style="font-family: Mono Two">y</span></div>',
    );
    // named twice (in another case), listed once: uploaded families are looked up case-insensitively
    expect(def.fontFamilies.map((f) => f.toLowerCase())).toEqual(['brand sans', 'mono two']);
    expect(compile('<div style="font-family: \'Brand Sans\', Inter">x</div>').fontFamilies).toEqual(['Brand Sans']);
    expect((def.render({}, SIZE).props.children as TemplateElement).props.style).toEqual({ display: 'flex', fontFamily: "'Brand Sans', Inter, sans-serif" });
  });

  it('font-family cannot come from a var', () => {
    expect(errorsOf(() => parseMarkup('<div style="font-family:{{font}}">x</div>'))).toContainEqual({
      path: 'html',
      message: expect.stringContaining('font-family cannot come from a var'),
    });
  });

  it('a style that is not CSS is refused at html', () => {
    expect(errorsOf(() => parseMarkup('<div style="color">x</div>'))).toEqual([{ path: 'html', message: expect.stringContaining('not valid CSS') }]);
  });
});

describe('the vars schema', () => {
  it('is strict: a var the template does not have is refused', () => {
    const def = compile('<div>{{title}}</div>');
    expect(def.vars.safeParse({ title: 'a' }).success).toBe(true);
    expect(def.vars.safeParse({ title: 'a', subtitle: 'b' }).success).toBe(false);
  });

  it('a required text var must be given and not blank; an optional one may be left out', () => {
    const def = compile('<div>{{title}} {{subtitle}}</div>', { title: { type: 'text', required: true } });
    expect(def.vars.safeParse({}).success).toBe(false);
    expect(def.vars.safeParse({ title: '   ' }).success).toBe(false);
    expect(def.vars.safeParse({ title: 'Hi' }).success).toBe(true);
    expect(def.vars.safeParse({ title: 'Hi', subtitle: 'there' }).success).toBe(true);
  });

  it('text is at most max_length (500 by default) characters', () => {
    const def = compile('<div>{{title}} {{note}}</div>', { note: { type: 'text', max_length: 5 } });
    expect(def.vars.safeParse({ title: 'x'.repeat(500), note: '12345' }).success).toBe(true);
    expect(def.vars.safeParse({ title: 'x'.repeat(501) }).success).toBe(false);
    expect(def.vars.safeParse({ note: '123456' }).success).toBe(false);
  });

  it('a number var takes only numbers within its bounds', () => {
    const def = compile('<div style="font-size:{{size}}px">x</div>', { size: { type: 'number', min: 8, max: 96 } });
    expect(def.vars.safeParse({ size: 48 }).success).toBe(true);
    for (const bad of ['48', '48px', 4, 97, Number.NaN]) expect(def.vars.safeParse({ size: bad }).success, String(bad)).toBe(false);
  });

  it('fills in the declared defaults, which also make the default example', () => {
    const def = compile('<div style="background:{{accent}};font-size:{{size}}px">{{title}}</div>', {
      accent: { type: 'color', default: '#4f46e5' },
      size: { type: 'number', default: 32 },
    });
    expect(def.vars.parse({})).toEqual({ accent: '#4f46e5', size: 32 });
    expect(def.example).toEqual({ accent: '#4f46e5', size: 32, title: 'Title' });
    const el = def.render(def.vars.parse({ title: 'Hi' }) as Record<string, unknown>, SIZE).props.children as TemplateElement;
    expect(el).toEqual({ type: 'div', props: { style: { display: 'flex', background: '#4f46e5', fontSize: 32 }, children: 'Hi' } });
  });

  it('a default that does not match its type is refused at vars.<name>.default', () => {
    const errors = errorsOf(() => compile('<div style="color:{{ink}}">x</div>', { ink: { type: 'color', default: 'red; background: url(http://x)' } }));
    expect(errors).toEqual([{ path: 'vars.ink.default', message: expect.any(String) }]);
  });

  it('an example that does not match is refused at example.<name>', () => {
    const errors = errorsOf(() =>
      compile(
        '<div style="font-size:{{size}}px">{{title}}</div>',
        { title: { type: 'text', required: true }, size: { type: 'number' } },
        { example: { title: 5, size: 'big' } },
      ),
    );
    expect(errors.map((e) => e.path).sort()).toEqual(['example.size', 'example.title']);
    expect(errorsOf(() => compile('<div>{{title}}</div>', { title: { type: 'text', required: true } }, { example: {} }))).toEqual([
      { path: 'example.title', message: expect.any(String) },
    ]);
  });
});

describe('the compiled template', () => {
  it('renders a flex canvas of the requested size in the house font, holding the markup', () => {
    const def = compile('<div>{{title}}</div>');
    expect(def).toMatchObject({ id: META.id, version: 1, kind: 'image', size: SIZE, example: { title: 'Title' }, imageVars: [], fontFamilies: [] });
    expect(def.render({ title: 'Hi' }, { width: 320, height: 160 })).toEqual({
      type: 'div',
      props: {
        style: { display: 'flex', width: 320, height: 160, fontFamily: 'Inter' },
        children: { type: 'div', props: { style: { display: 'flex' }, children: 'Hi' } },
      },
    });
  });

  it('renders the same tree however many times it is called (the markup is parsed once)', () => {
    const def = compile('<div><span>{{a}}</span></div>');
    const first = def.render({ a: 'one' }, SIZE);
    def.render({ a: 'two' }, SIZE);
    expect(def.render({ a: 'one' }, SIZE)).toEqual(first);
  });
});

describe('found in review: what could reach an engine unchecked', () => {
  it('a url( that never closes, or holds anything but an image var or a PNG/JPEG data: URL, is refused (satori would fetch it)', () => {
    for (const css of [
      'background-image:url(https://attacker.example/p.pngX',
      "background-image:url('https://attacker.example/p.png')",
      'background:linear-gradient(#000,#fff), url(https://attacker.example/p.png)',
      'background-image:URL(//attacker.example/p.png)',
    ]) {
      expect(
        errorsOf(() => compile(`<div style="${css.replace(/"/g, '&quot;')}">x</div>`)).map((e) => e.path),
        css,
      ).toContain('html');
    }
    // a data: URL and an image var are fine, and a filled value is checked again before it reaches an engine
    const el = only(`<div style="background-image:url({{bg}})">x</div>`, { bg: 'https://example.com/not-fetched.png' });
    expect(el.props.style?.backgroundImage).toBeUndefined();
    expect(only(`<div style="background-image:url({{bg}})">x</div>`, { bg: PNG }).props.style?.backgroundImage).toBe(`url(${PNG})`);
  });

  it("a literal data: image's decoded size is checked, as a fetched one's is (a small PNG can claim 30000×30000)", () => {
    const bytes = Uint8Array.from(atob(PNG.split(',')[1] as string), (c) => c.charCodeAt(0));
    const view = new DataView(bytes.buffer);
    view.setUint32(16, 30000); // IHDR width
    view.setUint32(20, 30000); // IHDR height
    view.setUint32(29, crc32(bytes, 12, 29)); // the IHDR chunk's CRC, so the file is well-formed
    const huge = `data:image/png;base64,${btoa(String.fromCharCode(...bytes))}`;
    expect(errorsOf(() => compile(`<div><img src="${huge}" width="10" height="10"></div>`))[0]?.message).toMatch(/4200000 pixels/);
    expect(errorsOf(() => compile(`<div style="background-image:url(${huge})">x</div>`))[0]?.message).toMatch(/4200000 pixels/);
    // a corrupt one is refused too, and line breaks inside base64 are taken out
    expect(errorsOf(() => compile('<div><img src="data:image/png;base64,AAAA"></div>'))[0]?.message).toMatch(/cannot be used/);
    const wrapped = `${PNG.slice(0, 40)}\n${PNG.slice(40)}`;
    expect(only(`<div><img src="${wrapped}" width="2" height="2"></div>`).props.children).toMatchObject({ type: 'img', props: { src: PNG } });
  });

  it('SVG attribute values may not hold quotes or angle brackets (satori writes them out unescaped)', () => {
    for (const value of ['&quot;', 'x&quot;/&gt;&lt;use href=&quot;#a&quot;/&gt;', '&lt;', 'a&amp;b']) {
      expect(errorsOf(() => compile(`<div><svg viewBox="0 0 1 1"><rect fill="${value}" width="1" height="1"/></svg></div>`)).map((e) => e.path)).toEqual([
        'html',
      ]);
    }
  });

  it("a number var cannot make a picture's box or the font size larger than twice the canvas", () => {
    const vars: Record<string, VarDeclaration> = { s: { type: 'number' } };
    const svg = only('<div><svg width="{{s}}" height="{{s}}" viewBox="0 0 10 10"><rect width="10" height="10" fill="#000"/></svg></div>', { s: 30000 }, vars);
    expect((svg.props.children as TemplateElement).props).toMatchObject({ width: 800, height: 800 });
    expect(only('<div style="font-size:{{s}}px">x</div>', { s: 100000 }, vars).props.style?.fontSize).toBe(800);
    // other lengths are layout only: left as given
    expect(only('<div style="margin-left:{{s}}px">x</div>', { s: 30000 }, vars).props.style?.marginLeft).toBe(30000);
  });

  it('px stays a length where CSS reads a bare number as a multiplier (line-height), and a bare number stays one', () => {
    expect(only('<div style="line-height:30px">x</div>').props.style?.lineHeight).toBe('30px');
    expect(only('<div style="line-height:1.2">x</div>').props.style?.lineHeight).toBe(1.2);
    expect(only('<div style="line-height:{{lh}}px">x</div>', { lh: 30 }, { lh: { type: 'number' } }).props.style?.lineHeight).toBe('30px');
    expect(only('<div style="font-size:{{fs}}px">x</div>', { fs: 30 }, { fs: { type: 'number' } }).props.style?.fontSize).toBe(30);
  });

  it('width×height over the output pixel limit is refused by the compiler itself (a PATCH of one side reaches it)', () => {
    expect(errorsOf(() => compileTemplate(META, { width: 2400, height: 2400, html: '<div>x</div>', vars: {} }))).toEqual([
      { path: 'width', message: expect.stringContaining('exceeds 4200000 pixels') },
    ]);
  });
});
