/**
 * SVG and animated-GIF inputs served by the test image server (test/global-setup.ts): good ones,
 * and ones the SVG rules must refuse (outside references, DTD entities, a <use> bomb, broken
 * markup). Each is built here in Node, with a real GIF encoder for the GIF.
 */
import { GifWriter } from 'omggif';

/** The animated GIF's frames: the first must be drawn, the second never. */
export const GIF_FRAME_1: [number, number, number] = [190, 24, 93];
export const GIF_FRAME_2: [number, number, number] = [13, 148, 136];
/** The SVG logo's fill. */
export const SVG_ORANGE: [number, number, number] = [234, 88, 12];

const hex = (rgb: [number, number, number]) => `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
const rgbInt = ([r, g, b]: [number, number, number]) => (r << 16) | (g << 8) | b;

/** Two 64×64 frames, each the two-tone diagonal in its own colour, looping forever. */
function animatedGif(): Buffer {
  const size = 64;
  const buf = Buffer.alloc(64 * 1024);
  const gif = new GifWriter(buf, size, size, { loop: 0, palette: [0xffffff, rgbInt(GIF_FRAME_1), rgbInt(GIF_FRAME_2), 0x000000] });
  for (const colourIndex of [1, 2]) {
    const pixels = Array.from({ length: size * size }, (_, i) => ((i % size) + Math.floor(i / size) < size ? colourIndex : 0));
    gif.addFrame(0, 0, size, size, pixels, { delay: 50 });
  }
  return buf.subarray(0, gif.end());
}
const ANIMATED_GIF = animatedGif();

/** A 1×1 GIF whose one frame says 65535×65535: the screen passes the size check, the frame must not. */
export const FRAME_BOMB_GIF = Buffer.concat([
  Buffer.from('GIF89a', 'ascii'),
  Buffer.from([1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255]),
  Buffer.from([0x2c, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 2, 2, 0x44, 0x01, 0, 0x3b]),
]);

const SVG_NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"';

/** A logo as an SVG: the two-tone diagonal in orange, drawn through a <use> of a <symbol>. */
const LOGO_SVG = `<?xml version="1.0" encoding="UTF-8"?>
<!-- a test logo -->
<svg ${SVG_NS} width="64" height="64" viewBox="0 0 64 64">
  <defs><symbol id="half" viewBox="0 0 64 64"><polygon points="0,0 64,0 0,64" fill="${hex(SVG_ORANGE)}"/></symbol></defs>
  <rect width="64" height="64" fill="#ffffff"/>
  <use xlink:href="#half" width="64" height="64"/>
</svg>`;

/** n levels of 10 <use>s of the level below: 10^n elements from a few hundred bytes. */
function useBomb(levels: number): string {
  let defs = '<rect id="l0" width="1" height="1"/>';
  for (let level = 1; level <= levels; level++) {
    defs += `<g id="l${level}">${Array.from({ length: 10 }, () => `<use href="#l${level - 1}"/>`).join('')}</g>`;
  }
  return `<svg ${SVG_NS} viewBox="0 0 10 10"><defs>${defs}</defs><use href="#l${levels}"/></svg>`;
}

export interface ImageFixture {
  type: string;
  body: string | Buffer;
}

/**
 * The fixture at `path`, if it is one of these; `origin` is the server's own, so an outside
 * reference can point at it and the test can show it was never fetched. `logo` is the PNG logo.
 */
export function imageFixture(path: string, origin: string, logo: Buffer): ImageFixture | undefined {
  const svg = (body: string): ImageFixture => ({ type: 'image/svg+xml', body });
  switch (path) {
    case '/animated.gif':
      return { type: 'image/gif', body: ANIMATED_GIF };
    case '/frame-bomb.gif':
      return { type: 'image/gif', body: FRAME_BOMB_GIF };
    case '/logo.svg':
      return svg(LOGO_SVG);
    case '/tiny-icon.svg':
      // a 24×24 icon: rasterised bigger so it stays sharp
      return svg(`<svg ${SVG_NS} viewBox="0 0 24 24"><circle cx="12" cy="12" r="10" fill="${hex(SVG_ORANGE)}"/></svg>`);
    case '/huge.svg':
      // declares 100000×50000 px: drawn at 2048×1024, not at its word
      return svg(`<svg ${SVG_NS} width="100000" height="50000"><rect width="100000" height="50000" fill="${hex(SVG_ORANGE)}"/></svg>`);
    case '/embedded.svg':
      // a data: picture inside the SVG is allowed (the red PNG logo)
      return svg(`<svg ${SVG_NS} width="128" height="128"><image width="128" height="128" href="data:image/png;base64,${logo.toString('base64')}"/></svg>`);
    case '/external.svg':
      // an outside picture: refused before anything could fetch it (the test counts hits on the path)
      return svg(`<svg ${SVG_NS} width="64" height="64"><image width="64" height="64" xlink:href="${origin}/logo.png?from-svg"/></svg>`);
    case '/css-external.svg':
      return svg(`<svg ${SVG_NS} width="64" height="64"><style>rect { fill: url('${origin}/paint.svg#p') }</style><rect width="64" height="64"/></svg>`);
    case '/entities.svg':
      // the billion laughs: DTD entities expanding to gigabytes
      return svg(
        `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><svg ${SVG_NS} width="10" height="10"><text>&c;</text></svg>`,
      );
    case '/use-bomb.svg':
      return svg(useBomb(9));
    case '/prefix-use-bomb.svg':
      // the same bomb linked with x:href, x bound to the XLink namespace: counted like xlink:href
      return svg(useBomb(9).replace('<svg ', '<svg xmlns:x="http://www.w3.org/1999/xlink" ').replaceAll('<use href=', '<use x:href='));
    case '/gif-frame-bomb.svg':
      // the frame-bomb GIF as a data: picture inside an SVG
      return svg(
        `<svg ${SVG_NS} width="10" height="10"><image width="10" height="10" href="data:image/gif;base64,${FRAME_BOMB_GIF.toString('base64')}"/></svg>`,
      );
    case '/broken.svg':
      return svg(`<svg ${SVG_NS} width="10" height="10"><g><rect width="10" height="10"/></svg>`);
    case '/not-really.svg':
      return svg('<html><body>not an svg</body></html>');
    default:
      return undefined;
  }
}
