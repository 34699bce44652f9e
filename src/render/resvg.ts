/**
 * resvg (WASM), initialised once per isolate — its initWasm throws on a second call — for the
 * satori engine (SVG → raster) and for SVG remote images (svg-image.ts).
 */
import { initWasm } from '@resvg/resvg-wasm';
import resvgWasm from '@resvg/resvg-wasm/index_bg.wasm';

let ready: Promise<void> | undefined;

export function ensureResvg(): Promise<void> {
  ready ??= initWasm(resvgWasm);
  ready.catch(() => {
    ready = undefined; // a later request tries again
  });
  return ready;
}
