/**
 * The "TEST" watermark on images made with a test key (and on previews), so that a free image can
 * never pass for a paid one: the word repeated across the whole picture in staggered rows, so any
 * crop worth keeping still carries it, over a red badge in the top-right corner and a band along
 * the bottom edge that say so at a glance. Laid over the template's own tree (absolute positioning
 * over a relative root), so both engines and the PDF pages draw it.
 *
 * An SVG would still let the marks be deleted as elements, so a test key's SVG is the watermarked
 * picture itself, rasterised and wrapped in an `<svg>` of the same size (pngAsSvg): the marks
 * are pixels of the one image the file holds, as in a PNG.
 */
import { Buffer } from 'node:buffer';
import { h, type TemplateElement } from './jsx';

const RED = '#dc2626';

/**
 * The tiled layer: rows of "TEST" with a word's gap between them, every other row shifted by half
 * a step, from edge to edge. With marks 4 units apart across and 2.5 units down (a unit is a 21st
 * of the shorter side), any window of about a sixth of the image each way holds part of one.
 */
function tiles(width: number, height: number, unit: number): TemplateElement {
  const fontSize = Math.round(unit * 0.8);
  const across = Math.round(unit * 4); // one word (about 2.8 units) and its gap
  const down = Math.round(unit * 2.5);
  const rows = Math.ceil(height / down) + 1;
  const words = Math.ceil(width / across) + 2;
  const row = (r: number) =>
    h(
      'div',
      { style: { display: 'flex', flexShrink: 0, height: down, marginLeft: r % 2 === 0 ? -Math.round(across / 2) : -across, alignItems: 'center' } },
      ...Array.from({ length: words }, () =>
        h(
          'div',
          {
            style: { display: 'flex', flexShrink: 0, width: across, justifyContent: 'center', fontSize, fontWeight: 700, letterSpacing: Math.round(unit / 8) },
          },
          'TEST',
        ),
      ),
    );
  return h(
    'div',
    {
      style: {
        position: 'absolute',
        left: 0,
        top: -Math.round(down / 2),
        width,
        height: height + down,
        display: 'flex',
        flexDirection: 'column',
        overflow: 'hidden',
        color: RED,
        opacity: 0.4,
        fontFamily: 'Inter',
      },
    },
    ...Array.from({ length: rows }, (_, r) => row(r)),
  );
}

export function withTestWatermark(element: TemplateElement, width: number, height: number): TemplateElement {
  const unit = Math.max(12, Math.round(Math.min(width, height) / 21));
  return h(
    'div',
    { style: { display: 'flex', position: 'relative', width, height, overflow: 'hidden' } },
    element,
    tiles(width, height, unit),
    h(
      'div',
      {
        style: {
          position: 'absolute',
          top: unit,
          right: unit,
          display: 'flex',
          padding: `${Math.round(unit / 3)}px ${Math.round(unit * 0.8)}px`,
          backgroundColor: RED,
          color: '#ffffff',
          fontFamily: 'Inter',
          fontWeight: 700,
          fontSize: unit,
          letterSpacing: Math.round(unit / 6),
          borderRadius: Math.round(unit / 4),
        },
      },
      'TEST',
    ),
    h('div', {
      style: { position: 'absolute', left: 0, right: 0, bottom: 0, height: Math.max(4, Math.round(unit / 4)), display: 'flex', backgroundColor: RED },
    }),
  );
}

/**
 * A watermarked picture as a test key's SVG: the PNG the engine drew (at the request's scale)
 * wrapped in an `<svg>` of the CSS size, so the marks cannot be taken out by deleting elements.
 */
export function pngAsSvg(png: Uint8Array, width: number, height: number): Uint8Array {
  const href = `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
  return new TextEncoder().encode(
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><image width="${width}" height="${height}" preserveAspectRatio="none" xlink:href="${href}"/></svg>`,
  );
}
