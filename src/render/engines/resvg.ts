/**
 * resvg (WASM), for the satori engine (SVG → raster) and for SVG remote images (svg-image.ts).
 * Its memory grows with what it draws (about 8 bytes an output pixel and 12 a picture pixel) and
 * never shrinks, so an instance a render grew past RESVG_RESTING_BYTES is let go once idle
 * (lib/isolate-memory.ts) and made again on the next use: its glue is patched to allow a second
 * init (patches/@resvg+resvg-wasm+2.6.2.patch). Every use runs inside `useResvg`, which is what
 * tells idle from busy, and frees every resvg object it makes before it returns.
 */
import { dropWasm, initWasm } from '@resvg/resvg-wasm';
import resvgWasm from '@resvg/resvg-wasm/index_bg.wasm';

import { captureInstance, forgetMemory, registerDroppable } from '../../lib/wasm-memory';

/** What resvg may keep between renders: an ordinary card (1200×630 at 2×) and a picture or two. */
export const RESVG_RESTING_BYTES = 24 * 1024 * 1024;

let ready: Promise<void> | undefined;
let using = 0;
let trapped = false;

function ensureResvg(): Promise<void> {
  // resvg keeps its instance to itself: its memory is read for the budget (lib/wasm-memory.ts)
  ready ??= captureInstance('resvg', resvgWasm as WebAssembly.Module, () => initWasm(resvgWasm));
  ready.catch(() => {
    ready = undefined; // a later request tries again
  });
  return ready;
}

/** Runs `use` with resvg initialised; `use` frees what it makes. A trap marks the instance for dropping. */
export async function useResvg<T>(use: () => T | Promise<T>): Promise<T> {
  using++;
  try {
    await ensureResvg();
    return await use();
  } catch (err) {
    if (err instanceof WebAssembly.RuntimeError) trapped = true;
    throw err;
  } finally {
    using--;
  }
}

registerDroppable('resvg', {
  restingBytes: RESVG_RESTING_BYTES,
  idle: () => using === 0,
  broken: () => trapped,
  drop() {
    trapped = false;
    ready = undefined;
    dropWasm();
    forgetMemory('resvg');
  },
});
