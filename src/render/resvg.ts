/**
 * resvg (WASM), initialised once per isolate — its initWasm throws on a second call — for the
 * satori engine (SVG → raster) and for SVG remote images (svg-image.ts).
 */
import { initWasm } from '@resvg/resvg-wasm';
import resvgWasm from '@resvg/resvg-wasm/index_bg.wasm';

import { captureInstance } from '../lib/wasm-memory';

let ready: Promise<void> | undefined;

export function ensureResvg(): Promise<void> {
  // resvg keeps its instance to itself: its memory is read for the budget (lib/wasm-memory.ts)
  ready ??= captureInstance('resvg', resvgWasm as WebAssembly.Module, () => initWasm(resvgWasm));
  ready.catch(() => {
    ready = undefined; // a later request tries again
  });
  return ready;
}
