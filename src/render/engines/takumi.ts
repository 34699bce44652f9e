/**
 * takumi (Rust, WASM): layout, raster and encode in one pass; several times faster than
 * satori + resvg on gradient-heavy cards. Trees go through @takumi-rs/helpers' `fromJsx` with the
 * HTML default styles off, so a `div` means what it means in satori (a flex container).
 */
import { fromJsx } from '@takumi-rs/helpers/jsx';
import initTakumi, { Renderer } from '@takumi-rs/wasm';
import takumiWasm from '@takumi-rs/wasm/auto';
import type { Engine, RenderOutput, RenderRequest } from '../engine';
import { CONTENT_TYPES } from '../engine';
import { BUNDLED_FONTS } from '../fonts';
import { encodePng } from '../png';
import { encodeWebp } from '../webp';

let renderer: Promise<Renderer> | undefined;
function getRenderer(): Promise<Renderer> {
  renderer ??= (async () => {
    await initTakumi({ module_or_path: takumiWasm });
    const r = new Renderer();
    for (const f of BUNDLED_FONTS) {
      await r.registerFont({ name: f.family, data: f.woff2, weight: f.weight, style: 'normal' });
    }
    return r;
  })();
  renderer.catch(() => {
    renderer = undefined;
  });
  return renderer;
}

export const takumiEngine: Engine = {
  name: 'takumi',
  formats: ['png', 'webp'],
  async render({ element, images = [], width, height, scale, format }: RenderRequest): Promise<RenderOutput> {
    const r = await getRenderer();
    const { node } = await fromJsx(element, { defaultStyles: false });
    // takumi's width/height are the output's pixels; devicePixelRatio scales the layout into them.
    const outW = Math.round(width * scale);
    const outH = Math.round(height * scale);
    // takumi takes image bytes keyed by src (it does not decode data: URLs in the tree itself)
    const options = { width: outW, height: outH, devicePixelRatio: scale, images: [...images] };
    // raw RGBA, encoded here: takumi's own PNG encoder costs ~3× its rasteriser (see ../png.ts)
    const raw = await r.render(node, { ...options, format: 'raw' });
    const bytes = format === 'webp' ? await encodeWebp(raw, outW, outH) : encodePng(raw, outW, outH);
    return { bytes, contentType: CONTENT_TYPES[format], width: outW, height: outH };
  },
};
