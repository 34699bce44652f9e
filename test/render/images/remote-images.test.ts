/**
 * Remote image vars against a real local HTTP server (test/global-setup.ts) standing in for the
 * web: the guard refuses blocked addresses before any fetch, limits hold, errors name the var.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { config } from '../../../src/config';
import { REMOTE_IMAGE_CACHE_TTL_MS, remoteImageCacheKey } from '../../../src/render/images/image-cache';
import { MAX_INPUT_PIXELS } from '../../../src/render/images/image-check';
import { fetchRemoteImage } from '../../../src/render/images/remote-images';
import { checkSvgMarkup, SVG_RASTER_MAX_SIDE, SVG_RASTER_MIN_SIDE, SvgRejected, svgToPng } from '../../../src/render/images/svg-image';
import { decodePng, expectProblem, generate, get, pathOf, postJson } from '../../helpers/api';
import { inspectPdf, pagePixels } from '../../helpers/pdf';
import { FRAME_BOMB_GIF, GIF_FRAME_1, GIF_FRAME_2, SVG_ORANGE } from '../../image-fixtures';

const origin = () => env.TEST_IMAGE_ORIGIN;

async function hits(): Promise<Record<string, number>> {
  return (await fetch(`${origin()}/__hits`)).json();
}

function ogWithLogo(logo: string, title = 'Logo test') {
  return generate({ template: 'og-card', vars: { title, logo } });
}

/** Pixels within a few steps of a colour (lossy codecs and scaling move channels a little). */
function countNear(png: { data: Uint8Array }, rgb: readonly number[], tolerance = 12): number {
  let n = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    if (rgb.every((c, k) => Math.abs((png.data[i + k] ?? 0) - c) <= tolerance)) n++;
  }
  return n;
}

/** Renders a card with `vars` on `engine` and decodes the stored PNG. */
async function renderCard(template: string, engine: 'takumi' | 'satori', vars: Record<string, unknown>) {
  const res = await generate({ template, engine, vars });
  const body = await res.json<{ url: string }>();
  expect(res.status, JSON.stringify(body)).toBe(200);
  const bytes = new Uint8Array(await (await get(pathOf(body.url))).arrayBuffer());
  return { png: decodePng(bytes), bytes };
}

/** A URL no earlier render has used, so the image cache cannot answer for it. */
const fresh = (path: string) => `${origin()}${path}${path.includes('?') ? '&' : '?'}u=${crypto.randomUUID()}`;

describe('remote image vars', () => {
  // satori here; takumi draws remote images in the WebP/AVIF, SVG and GIF tests below (and in test/e2e)
  it('draws a fetched logo into the card', async () => {
    const res = await generate({ template: 'og-card', engine: 'satori', vars: { title: 'With a logo', logo: `${origin()}/logo.png` } });
    const body = await res.json<{ url: string }>();
    expect(res.status, JSON.stringify(body)).toBe(200);
    const png = decodePng(await (await get(pathOf(body.url))).arrayBuffer());
    // The fixture's top-left half is (220, 38, 38), a colour no theme uses: count pixels near it
    // (scaling the 128 px logo into its 64 px box may shift channels by a step or two).
    let red = 0;
    const near = (a: number | undefined, b: number) => Math.abs((a ?? 0) - b) <= 6;
    for (let i = 0; i < png.data.length; i += 4) {
      if (near(png.data[i], 220) && near(png.data[i + 1], 38) && near(png.data[i + 2], 38)) red++;
    }
    expect(red).toBeGreaterThan(500);
  });

  it.each(['takumi', 'satori'] as const)('draws a WebP logo and an AVIF avatar (decoded with WASM codecs) with %s', async (engine) => {
    const og = await generate({ template: 'og-card', engine, vars: { title: `WebP logo ${engine}`, logo: `${origin()}/logo.webp` } });
    const ogBody = await og.json<{ url: string }>();
    expect(og.status, JSON.stringify(ogBody)).toBe(200);
    // the fixture's dark half is blue (37, 99, 235)
    expect(countNear(decodePng(await (await get(pathOf(ogBody.url))).arrayBuffer()), [37, 99, 235])).toBeGreaterThan(500);

    const quote = await generate({
      template: 'quote',
      engine,
      vars: { quote: `An AVIF portrait ${engine}`, author: 'Ada', avatar: `${origin()}/avatar.avif` },
    });
    const quoteBody = await quote.json<{ url: string }>();
    expect(quote.status, JSON.stringify(quoteBody)).toBe(200);
    // …and the avatar's green (22, 163, 74)
    expect(countNear(decodePng(await (await get(pathOf(quoteBody.url))).arrayBuffer()), [22, 163, 74])).toBeGreaterThan(300);
  });

  it('a WebP logo goes into a PDF too (as the PNG it is decoded to)', async () => {
    const res = await postJson('/api/v1/generate/pdf', {
      template: 'invoice',
      vars: {
        number: `INV-WEBP-${crypto.randomUUID().slice(0, 8)}`,
        issue_date: '2026-11-28',
        seller: { name: 'Acme' },
        buyer: { name: 'Globex' },
        items: [{ description: 'Widgets', quantity: 3, unit_price: 20 }],
        logo: `${origin()}/logo.webp`,
      },
    });
    const body = await res.json<{ pages: number; url: string }>();
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.pages).toBe(1);
    // pdfimages finds the 128×128 logo embedded in the document
    const file = await get(`${new URL(body.url).pathname}${new URL(body.url).search}`);
    const info = await inspectPdf(await file.arrayBuffer());
    expect(info.images.rows.filter((r) => r.type === 'image').map((r) => `${r.width}x${r.height}`)).toEqual(['128x128']);
  });

  it('a WebP whose picture data is broken is a 422 naming the var, the URL and the reason', async () => {
    const p = await expectProblem(await ogWithLogo(`${origin()}/broken.webp`), 422, 'remote_image_undecodable');
    expect(p.errors?.[0]?.path).toBe('vars.logo');
    expect(p.detail).toMatch(/broken\.webp could not be decoded as image\/webp/);
  });

  it('follows a redirect to an allowed image', async () => {
    const res = await ogWithLogo(`${origin()}/redirect-good`, 'Redirected logo');
    expect(res.status).toBe(200);
  });

  it.each([
    ['https://127.0.0.1/x.png', 'loopback'],
    ['https://169.254.169.254/latest/meta-data', 'linkLocal'],
    ['https://[::1]/x.png', 'loopback'],
    ['https://10.0.0.8/x.png', 'private'],
    ['https://192.168.1.1/x.png', 'private'],
    ['https://100.64.0.1/x.png', 'carrierGradeNat'],
    ['https://[fd00::1]/x.png', 'uniqueLocal'],
    ['https://[::ffff:127.0.0.1]/x.png', 'loopback'],
    ['https://[::127.0.0.1]/x.png', 'IPv4-compatible loopback'],
    ['https://[::169.254.169.254]/latest/meta-data', 'IPv4-compatible metadata'],
    ['https://[64:ff9b::7f00:1]/x.png', 'NAT64 loopback'],
    ['https://[2002:7f00:1::1]/x.png', '6to4 loopback'],
    ['https://[2001:0:808:808::80ff:fffe]/x.png', 'Teredo loopback client'],
    ['https://2130706433/x.png', 'loopback'], // 127.0.0.1 as a decimal integer
    ['https://0x7f.1/x.png', 'loopback'],
    ['https://0.0.0.0/x.png', 'unspecified'],
    ['https://metadata.google.internal/computeMetadata/v1/', 'internal name'],
    ['https://printer.local/x.png', 'internal name'],
    ['https://user:secret@example.com/x.png', 'credentials'],
    ['http://example.com/x.png', 'https'],
  ])('refuses %s with 422 before any fetch (%s)', async (url) => {
    const p = await expectProblem(await ogWithLogo(url), 422, 'remote_image_blocked');
    expect(p.errors).toEqual([{ path: 'vars.logo', message: expect.any(String) }]);
    expect(p.detail).toContain('vars.logo');
    // the message names the URL (as parsed: 2130706433 is 127.0.0.1), never its password
    expect(p.errors?.[0]?.message).toContain(new URL(url).pathname);
    expect(p.errors?.[0]?.message).not.toContain('secret');
  });

  it('refuses the loopback address of the very server that would answer, without touching it', async () => {
    const port = new URL(origin()).port;
    const before = (await hits())['/logo.png'] ?? 0;
    await expectProblem(await ogWithLogo(`http://127.0.0.1:${port}/logo.png`), 422, 'remote_image_blocked');
    await expectProblem(await ogWithLogo(`https://127.0.0.1:${port}/logo.png`), 422, 'remote_image_blocked');
    expect((await hits())['/logo.png'] ?? 0).toBe(before);
  });

  it('refuses a redirect to a private address', async () => {
    const p = await expectProblem(await ogWithLogo(`${origin()}/redirect-private`), 422, 'remote_image_blocked');
    expect(p.errors?.[0]?.path).toBe('vars.logo');
  });

  it('refuses an image over 5 MB by Content-Length', async () => {
    await expectProblem(await ogWithLogo(`${origin()}/big.png`), 422, 'remote_image_too_large');
  });

  it('refuses an image over 5 MB while streaming (no Content-Length)', async () => {
    await expectProblem(await ogWithLogo(`${origin()}/big-chunked.png`), 422, 'remote_image_too_large');
  });

  it('refuses a non-image content type', async () => {
    const p = await expectProblem(await ogWithLogo(`${origin()}/page.html`), 422, 'remote_image_invalid_type');
    expect(p.detail).toContain('text/html');
  });

  it('refuses a file whose bytes are not an image, whatever its header says', async () => {
    await expectProblem(await ogWithLogo(`${origin()}/disguised.png`), 422, 'remote_image_invalid_type');
  });

  it('names the var and the HTTP status when the image is missing', async () => {
    const p = await expectProblem(await ogWithLogo(`${origin()}/missing.png`), 422, 'remote_image_fetch_failed');
    expect(p.detail).toMatch(/vars\.logo: .*missing\.png answered HTTP 404/);
    expect(p.errors?.[0]?.message).toContain(`${origin()}/missing.png answered HTTP 404`);
  });

  it('refuses an image declaring a huge bitmap (decompression bomb)', async () => {
    const p = await expectProblem(await ogWithLogo(`${origin()}/bomb.png`), 422, 'remote_image_too_large');
    expect(p.detail).toContain('20000×20000');
  });

  it('gives up after 5 s', async () => {
    const started = Date.now();
    await expectProblem(await ogWithLogo(`${origin()}/slow.png`), 422, 'remote_image_timeout');
    expect(Date.now() - started).toBeLessThan(6_500);
  }, 15_000);

  it('refuses a corrupt image (broken PNG chunk) with 422, not a 5xx or a silently missing logo', async () => {
    const p = await expectProblem(await ogWithLogo(`${origin()}/corrupt.png`), 422, 'remote_image_undecodable');
    expect(p.errors?.[0]?.path).toBe('vars.logo');
  });
});

/** An invoice with `logo`, as a PDF: its pdfimages rows and page 1 drawn by pdftoppm. */
async function invoiceWithLogo(logo: string) {
  const res = await postJson('/api/v1/generate/pdf', {
    template: 'invoice',
    vars: {
      number: `INV-${crypto.randomUUID().slice(0, 8)}`,
      issue_date: '2026-11-28',
      seller: { name: 'Acme' },
      buyer: { name: 'Globex' },
      items: [{ description: 'Widgets', quantity: 3, unit_price: 20 }],
      logo,
    },
  });
  const body = await res.json<{ url: string }>();
  expect(res.status, JSON.stringify(body)).toBe(200);
  const file = await get(`${new URL(body.url).pathname}${new URL(body.url).search}`);
  const info = await inspectPdf(await file.arrayBuffer(), { png: [1], dpi: 100 });
  return { images: info.images.rows.filter((r) => r.type === 'image').map((r) => `${r.width}x${r.height}`), page: pagePixels(info, 1) };
}

describe('SVG images (rasterised to PNG with resvg)', () => {
  it.each(['takumi', 'satori'] as const)('draws an SVG logo with %s', async (engine) => {
    const { png } = await renderCard('og-card', engine, { title: `SVG logo ${engine}`, logo: fresh('/logo.svg') });
    // the logo's orange half: 64 px of SVG drawn at least 512 px wide, scaled into the card's 64 px box
    expect(countNear(png, SVG_ORANGE)).toBeGreaterThan(1000);
  });

  it('draws an SVG avatar, and a data: picture inside an SVG', async () => {
    const { png } = await renderCard('quote', 'takumi', { quote: 'Vectors', author: 'Ada', avatar: fresh('/tiny-icon.svg') });
    expect(countNear(png, SVG_ORANGE)).toBeGreaterThan(300);
    const embedded = await renderCard('og-card', 'satori', { title: 'Embedded PNG in SVG', logo: fresh('/embedded.svg') });
    expect(countNear(embedded.png, [220, 38, 38])).toBeGreaterThan(500);
  });

  it('an SVG goes into a PDF as a PNG', async () => {
    const { images, page } = await invoiceWithLogo(fresh('/logo.svg'));
    expect(images).toEqual([`${SVG_RASTER_MIN_SIDE}x${SVG_RASTER_MIN_SIDE}`]);
    expect(countNear(page, SVG_ORANGE, 20)).toBeGreaterThan(100);
  });

  it('rasterises at its own size, within [min, max] on the longer side, whatever it declares', async () => {
    const draw = async (path: string) => decodePng((await svgToPng(new Uint8Array(await (await fetch(`${origin()}${path}`)).arrayBuffer()))).png);
    const huge = await draw('/huge.svg'); // declares 100000×50000
    expect([huge.width, huge.height]).toEqual([SVG_RASTER_MAX_SIDE, SVG_RASTER_MAX_SIDE / 2]);
    expect(huge.width * huge.height).toBeLessThanOrEqual(MAX_INPUT_PIXELS);
    const tiny = await draw('/tiny-icon.svg'); // a 24×24 viewBox
    expect([tiny.width, tiny.height]).toEqual([SVG_RASTER_MIN_SIDE, SVG_RASTER_MIN_SIDE]);
    expect(countNear(tiny, SVG_ORANGE, 2)).toBeGreaterThan(100_000);
  });

  it('refuses an SVG that refers to an outside picture, without fetching it', async () => {
    const url = fresh('/external.svg');
    const p = await expectProblem(await ogWithLogo(url), 422, 'remote_image_undecodable');
    expect(p.errors).toEqual([{ path: 'vars.logo', message: expect.stringContaining(url) }]);
    expect(p.detail).toMatch(
      /vars\.logo: .*external\.svg\?u=[\w-]+ \(SVG\) refers to an outside resource \(href="http:\/\/localhost:\d+\/logo\.png\?from-svg"\)/,
    );
    expect((await hits())['/logo.png?from-svg']).toBeUndefined();
  });

  it.each([
    ['/css-external.svg', 'remote_image_undecodable', /refers to an outside resource \(url\(/],
    ['/entities.svg', 'remote_image_undecodable', /declares DTD entities/],
    ['/use-bomb.svg', 'remote_image_too_large', /more than 50000 elements once <use> references are expanded/],
    ['/broken.svg', 'remote_image_undecodable', /is not well-formed SVG/],
    ['/not-really.svg', 'remote_image_invalid_type', /says image\/svg\+xml but is not SVG markup/],
  ])('refuses %s with %s', async (path, code, reason) => {
    const url = fresh(path);
    const p = await expectProblem(await ogWithLogo(url), 422, code);
    expect(p.errors).toEqual([{ path: 'vars.logo', message: expect.stringContaining(url) }]);
    expect(p.errors?.[0]?.message).toMatch(reason);
  });

  const svg = (inner: string, attrs = 'width="10" height="10"') =>
    new TextEncoder().encode(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ${attrs}>${inner}</svg>`);
  it.each([
    ['an http href', '<image href="http://example.com/a.png" width="5" height="5"/>', /outside resource/],
    ['an xlink:href', '<image xlink:href="https://example.com/a.png" width="5" height="5"/>', /outside resource/],
    ['an href hidden in character references', '<image href="&#104;ttps://example.com/a.png"/>', /outside resource/],
    ['a protocol-relative href', "<use href='//example.com/a.svg#x'/>", /outside resource/],
    ['a file: href', '<image href="file:///etc/passwd"/>', /outside resource/],
    ['a CSS url() to another site', '<rect style="fill: url(https://example.com/p.svg#p)" width="5" height="5"/>', /url\(https:\/\/example\.com/],
    ['a CSS @import', '<style>@import "https://example.com/x.css";</style>', /@import/],
    ['a nested SVG as a data: URI', '<image href="data:image/svg+xml;base64,PHN2Zy8+"/>', /nested SVGs are not supported/],
    ['data that is not a picture', '<image href="data:text/plain,hello"/>', /not a PNG, JPEG or GIF/],
    ['a <use> cycle', '<g id="a"><use href="#b"/></g><g id="b"><use href="#a"/></g>', /cycle/],
    ['elements nested 100,000 deep', `${'<g>'.repeat(100_000)}${'</g>'.repeat(100_000)}`, /nests its elements too deeply|not well-formed/],
    ['too many filter primitives', `<filter id="f">${'<feGaussianBlur stdDeviation="1"/>'.repeat(65)}</filter>`, /65 filter primitives/],
  ])('checkSvgMarkup refuses %s', (_name, inner, reason) => {
    expect(() => checkSvgMarkup(svg(inner))).toThrow(SvgRejected);
    expect(() => checkSvgMarkup(svg(inner))).toThrow(reason);
  });

  // bypasses of the work limits found in review: each was accepted before, each is refused now
  /** n levels of 10 links to the level below (10^n elements), each link written by `link(id)`. */
  const linkBomb = (levels: number, link: (id: string) => string) => {
    let defs = '<rect id="l0" width="1" height="1"/>';
    for (let level = 1; level <= levels; level++) defs += `<g id="l${level}">${`<use ${link(`l${level - 1}`)}/>`.repeat(10)}</g>`;
    return `<defs>${defs}</defs><use ${link(`l${levels}`)}/>`;
  };
  /** `n` copies of `element`. */
  const many = (n: number, element: string) => element.repeat(n);
  /** A polyline through n points. */
  const polyline = (n: number, attrs: string) => `<polyline ${attrs} points="${Array.from({ length: n }, (_, i) => `${i},${i % 7}`).join(' ')}"/>`;
  it.each([
    // 1. every href counts, whatever its prefix, and only an exact #id is a link
    [
      'a <use> bomb through another prefix bound to XLink',
      linkBomb(6, (id) => `x:href="#${id}"`),
      'xmlns:x="http://www.w3.org/1999/xlink" width="10" height="10"',
      /more than 50000 elements once <use> references are expanded/,
    ],
    ['a <use> bomb with space before the #', linkBomb(6, (id) => `href=" #${id}"`), undefined, /href that is not exactly a #fragment/],
    [
      'an href with a prefix of another namespace',
      '<use y:href="#a"/><g id="a"/>',
      'xmlns:y="urn:other" width="10" height="10"',
      /prefix \(y:href\) not bound/,
    ],
    ['a <use> bomb whose links are character references', linkBomb(6, (id) => `href="#&#108;${id.slice(1)}"`), undefined, /more than 50000 elements/],
    // 2. markers, patterns, masks, clip paths and feImage count once per use
    [
      'a marker drawn at every vertex',
      `<marker id="m">${many(100, '<rect width="1" height="1"/>')}</marker>${polyline(1000, 'marker-mid="url(#m)"')}`,
      undefined,
      /more than 50000 elements/,
    ],
    [
      'a pattern painting many shapes',
      `<pattern id="p">${many(300, '<rect width="1" height="1"/>')}</pattern>${many(200, '<rect fill="url(#p)" width="5" height="5"/>')}`,
      undefined,
      /more than 50000 elements/,
    ],
    [
      'a pattern inherited from a group',
      `<pattern id="p">${many(300, '<rect width="1" height="1"/>')}</pattern><g fill="url(#p)">${many(200, '<rect width="5" height="5"/>')}</g>`,
      undefined,
      /more than 50000 elements/,
    ],
    [
      'a pattern set by a <style> rule',
      `<style>.a { fill: url(#p) }</style><pattern id="p">${many(300, '<rect width="1" height="1"/>')}</pattern>${many(200, '<rect class="a" width="5" height="5"/>')}`,
      undefined,
      /more than 50000 elements/,
    ],
    [
      'a mask on many shapes',
      `<mask id="k">${many(300, '<rect width="1" height="1"/>')}</mask>${many(200, '<rect style="mask: url(#k)" width="5" height="5"/>')}`,
      undefined,
      /more than 50000 elements/,
    ],
    [
      'a clip path on many shapes',
      `<clipPath id="c">${many(300, '<rect width="1" height="1"/>')}</clipPath>${many(200, '<rect clip-path="url(#c)" width="5" height="5"/>')}`,
      undefined,
      /more than 50000 elements/,
    ],
    [
      'an feImage of a <use> bomb',
      `${linkBomb(4, (id) => `href="#${id}"`)}<filter id="f"><feImage href="#l4"/></filter>${many(20, '<rect filter="url(#f)" width="5" height="5"/>')}`,
      undefined,
      /more than 50000 elements/,
    ],
    // 3. filter primitives count per element a filter applies to
    [
      'one filter on 100 elements',
      `<filter id="f"><feGaussianBlur stdDeviation="1"/></filter>${many(100, '<rect filter="url(#f)" width="5" height="5"/>')}`,
      undefined,
      /runs more than 64 filter primitives/,
    ],
    [
      'one filter on 100 elements by style attribute',
      `<filter id="f"><feGaussianBlur stdDeviation="1"/></filter>${many(100, '<rect style="filter:url(#f)" width="5" height="5"/>')}`,
      undefined,
      /runs more than 64 filter primitives/,
    ],
    [
      'one filter on 100 elements by a <style> rule',
      `<style>rect { filter: url('#f') }</style><filter id="f"><feGaussianBlur stdDeviation="1"/></filter>${many(100, '<rect width="5" height="5"/>')}`,
      undefined,
      /runs more than 64 filter primitives/,
    ],
    [
      'CSS filter functions on 100 elements',
      many(100, '<rect style="filter: blur(2px)" width="5" height="5"/>'),
      undefined,
      /runs more than 64 filter primitives/,
    ],
    // 4. an embedded GIF is sized by its frame, as decode.ts sizes a fetched one
    [
      'a GIF data: URI whose 1×1 screen carries a 65535² frame',
      `<image href="data:image/gif;base64,${FRAME_BOMB_GIF.toString('base64')}" width="1" height="1"/>`,
      undefined,
      /GIF frame is 65535×65535 pixels/,
    ],
  ])('checkSvgMarkup refuses %s', (_name, inner, attrs, reason) => {
    const markup = svg(inner, attrs);
    expect(() => checkSvgMarkup(markup)).toThrow(SvgRejected);
    expect(() => checkSvgMarkup(markup)).toThrow(reason);
  });

  it('refuses a <use> bomb linked through another XLink prefix with 422, before resvg', async () => {
    const url = fresh('/prefix-use-bomb.svg');
    const p = await expectProblem(await ogWithLogo(url), 422, 'remote_image_too_large');
    expect(p.errors).toEqual([{ path: 'vars.logo', message: expect.stringContaining(url) }]);
    expect(p.errors?.[0]?.message).toMatch(/\(SVG\) has more than 50000 elements once <use> references are expanded/);
  });

  it('refuses a GIF frame bomb inside an SVG with 422', async () => {
    const url = fresh('/gif-frame-bomb.svg');
    const p = await expectProblem(await ogWithLogo(url), 422, 'remote_image_too_large');
    expect(p.errors?.[0]?.message).toMatch(/\(SVG\) embeds a picture too large to draw: GIF frame is 65535×65535 pixels/);
  });

  it('checkSvgMarkup still allows a logo with a few gradients, clip paths, masks, markers and a filter', () => {
    const logo = `<defs>
      <linearGradient id="g1"><stop offset="0" stop-color="#f00"/><stop offset="1" stop-color="#00f"/></linearGradient>
      <radialGradient id="g2" xlink:href="#g1"/>
      <clipPath id="c0"><rect width="64" height="64" rx="8"/></clipPath>
      <mask id="m0"><rect width="64" height="64" fill="#fff"/><circle cx="32" cy="32" r="8"/></mask>
      <marker id="dot" markerWidth="4" markerHeight="4"><circle cx="2" cy="2" r="2"/></marker>
      <filter id="shadow"><feGaussianBlur stdDeviation="2"/><feOffset dx="1" dy="1"/><feMerge><feMergeNode/><feMergeNode in="SourceGraphic"/></feMerge></filter>
    </defs>
    <style>.cls-1 { fill: url(#g1); } .cls-2 { fill: url(#g2); stroke: url(#g1); }</style>
    <g clip-path="url(#c0)" filter="url(#shadow)">
      <g mask="url(#m0)">${many(200, '<path class="cls-1" d="M0 0 L10 0 L10 10 Z"/><path class="cls-2" d="M5 5 h4 v4 z"/>')}</g>
      ${polyline(50, 'fill="none" stroke="#000" marker-mid="url(#dot)"')}
    </g>`;
    expect(() => checkSvgMarkup(svg(logo, 'width="64" height="64"'))).not.toThrow();
  });

  it('checkSvgMarkup allows fragments, data: pictures and url(#id)', () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==';
    const ok = `<defs><linearGradient id="g"/></defs><rect fill="url(#g)" width="5" height="5"/><use href="#g"/><image href="data:image/png;base64,${png}" width="1" height="1"/>`;
    expect(() => checkSvgMarkup(svg(ok))).not.toThrow();
  });
});

describe('GIF images (first frame, as PNG)', () => {
  it.each(['takumi', 'satori'] as const)('draws the first frame of an animated GIF, never the second, with %s', async (engine) => {
    const { png } = await renderCard('og-card', engine, { title: `Animated GIF ${engine}`, logo: fresh('/animated.gif') });
    expect(countNear(png, GIF_FRAME_1)).toBeGreaterThan(500);
    expect(countNear(png, GIF_FRAME_2, 30)).toBe(0);
  });

  it('an animated GIF goes into a PDF as the PNG of its first frame', async () => {
    const { images, page } = await invoiceWithLogo(fresh('/animated.gif'));
    expect(images).toEqual(['64x64']);
    expect(countNear(page, GIF_FRAME_1, 20)).toBeGreaterThan(100);
    expect(countNear(page, GIF_FRAME_2, 30)).toBe(0);
  });

  it('refuses a GIF whose frame is bigger than the pixel limit, before decoding it', async () => {
    const url = fresh('/frame-bomb.gif');
    const p = await expectProblem(await ogWithLogo(url), 422, 'remote_image_too_large');
    expect(p.errors).toEqual([{ path: 'vars.logo', message: expect.stringContaining(url) }]);
    expect(p.detail).toContain('GIF frame is 65535×65535 pixels');
  });
});

describe('the remote-image cache (R2, by URL hash, with a TTL)', () => {
  const policyAt = (at: () => number) => ({ ...config({ REMOTE_IMAGE_INSECURE_HOSTS: 'localhost' }).remoteImages, cache: env.OUTPUT, now: at });

  it('a second render within the TTL uses the cached image without fetching', async () => {
    const url = fresh('/logo.png');
    const key = url.slice(origin().length);
    await renderCard('og-card', 'satori', { title: 'Cached logo 1', logo: url });
    expect((await hits())[key]).toBe(1);
    const { png } = await renderCard('og-card', 'satori', { title: 'Cached logo 2', logo: url });
    expect((await hits())[key]).toBe(1);
    expect(countNear(png, [220, 38, 38], 6)).toBeGreaterThan(500); // still drawn
    const object = await env.OUTPUT.head(await remoteImageCacheKey(url));
    expect(object?.key).toMatch(/^cache\/remote-images\/v1\/[0-9a-f]{64}$/);
    expect(object?.customMetadata).toEqual({ fetched_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), content_type: 'image/png' });
  });

  it('stores what the engines get: a GIF, WebP or SVG as its PNG', async () => {
    for (const path of ['/animated.gif', '/logo.webp', '/logo.svg']) {
      const url = fresh(path);
      const got = await fetchRemoteImage(url, 'vars.logo', policyAt(Date.now));
      expect(got.contentType).toBe('image/png');
      const object = await env.OUTPUT.get(await remoteImageCacheKey(url));
      expect(object?.customMetadata?.content_type).toBe('image/png');
      expect(new Uint8Array((await object?.arrayBuffer()) ?? new ArrayBuffer(0))).toEqual(got.bytes);
    }
  });

  it('fetches again once the TTL has passed', async () => {
    const url = fresh('/logo.png');
    const key = url.slice(origin().length);
    const t0 = Date.parse('2026-11-28T12:00:00Z');
    let clock = t0;
    const policy = policyAt(() => clock);
    await fetchRemoteImage(url, 'vars.logo', policy);
    expect((await hits())[key]).toBe(1);
    clock = t0 + REMOTE_IMAGE_CACHE_TTL_MS - 1; // just inside the TTL
    await fetchRemoteImage(url, 'vars.logo', policy);
    expect((await hits())[key]).toBe(1);
    clock = t0 + REMOTE_IMAGE_CACHE_TTL_MS; // expired
    await fetchRemoteImage(url, 'vars.logo', policy);
    expect((await hits())[key]).toBe(2);
    // the refetch restamped the entry: the TTL counts from it now
    const object = await env.OUTPUT.head(await remoteImageCacheKey(url));
    expect(object?.customMetadata?.fetched_at).toBe(new Date(clock).toISOString());
    clock += REMOTE_IMAGE_CACHE_TTL_MS - 1;
    await fetchRemoteImage(url, 'vars.logo', policy);
    expect((await hits())[key]).toBe(2);
  });

  it('never caches a failure', async () => {
    for (const [path, code] of [
      ['/missing.png', 'remote_image_fetch_failed'],
      ['/corrupt.png', 'remote_image_undecodable'],
      ['/broken.webp', 'remote_image_undecodable'],
    ] as const) {
      const url = fresh(path);
      const key = url.slice(origin().length);
      await expectProblem(await ogWithLogo(url), 422, code);
      await expectProblem(await ogWithLogo(url, 'Again'), 422, code);
      expect((await hits())[key], path).toBe(2);
      expect(await env.OUTPUT.head(await remoteImageCacheKey(url))).toBeNull();
    }
  });

  it('still runs the guard on a cached URL', async () => {
    // cached under a trusted host, then asked for under a policy that does not trust it
    const url = fresh('/logo.png');
    await fetchRemoteImage(url, 'vars.logo', policyAt(Date.now));
    await expect(fetchRemoteImage(url, 'vars.logo', { ...config({}).remoteImages, cache: env.OUTPUT })).rejects.toMatchObject({ code: 'remote_image_blocked' });
  });
});

describe('every refusal names the var, the URL and the reason', () => {
  it.each([
    ['/missing.png', 'remote_image_fetch_failed', /answered HTTP 404/],
    ['/page.html', 'remote_image_invalid_type', /is text\/html; expected PNG, JPEG, GIF, WebP, AVIF or SVG/],
    ['/disguised.png', 'remote_image_invalid_type', /says image\/png but is not a PNG, JPEG, GIF, WebP, AVIF or SVG file/],
    ['/big.png', 'remote_image_too_large', /is 6291456 bytes; the limit is 5242880/],
    ['/big-chunked.png', 'remote_image_too_large', /is larger than 5 MB/],
    ['/bomb.png', 'remote_image_too_large', /is 20000×20000 pixels; the limit is 4200000/],
    ['/corrupt.png', 'remote_image_undecodable', /: PNG chunk .* (is corrupt|runs past)/],
    ['/broken.webp', 'remote_image_undecodable', /could not be decoded as image\/webp/],
    ['/frame-bomb.gif', 'remote_image_too_large', /GIF frame is 65535×65535 pixels/],
    ['/use-bomb.svg', 'remote_image_too_large', /elements once <use> references are expanded/],
  ])('%s → %s', async (path, code, reason) => {
    const url = fresh(path);
    const p = await expectProblem(await ogWithLogo(url), 422, code);
    expect(p.errors).toEqual([{ path: 'vars.logo', message: expect.stringContaining(url) }]);
    expect(p.errors?.[0]?.message).toMatch(reason);
    expect(p.detail).toBe(`vars.logo: ${p.errors?.[0]?.message}`);
  });

  it('a redirect names the hop it refused', async () => {
    const p = await expectProblem(await ogWithLogo(fresh('/redirect-private')), 422, 'remote_image_blocked');
    expect(p.errors?.[0]?.message).toBe('https://127.0.0.1/x.png points to a loopback address, which is not allowed');
  });

  it('a timeout names the URL and the limit', async () => {
    const url = fresh('/slow.png');
    const p = await expectProblem(await ogWithLogo(url), 422, 'remote_image_timeout');
    expect(p.errors).toEqual([{ path: 'vars.logo', message: `${url} took longer than 5 s` }]);
  }, 15_000);

  it('in a PDF too: a picture over the 4.2 MP limit', async () => {
    const url = fresh('/wide.png');
    const res = await postJson('/api/v1/generate/pdf', {
      template: 'invoice',
      vars: {
        number: 'INV-WIDE',
        issue_date: '2026-11-28',
        seller: { name: 'A' },
        buyer: { name: 'B' },
        items: [{ description: 'x', quantity: 1, unit_price: 1 }],
        logo: url,
      },
    });
    const p = await expectProblem(res, 422, 'remote_image_too_large');
    expect(p.errors).toEqual([{ path: 'vars.logo', message: `${url} is 2100×2100 pixels; the limit is 4200000` }]);
  });
});
