/**
 * Keeps the isolate within its memory budget around renders (README "Memory"). Two rules:
 *
 * - After every render, idle WASM instances that a render grew past their resting size are let go
 *   (made again on their next use: lib/wasm-memory.ts `dropIdleInstances`), and if the caches and
 *   the WASM memories together are still over ISOLATE_BUDGET_BYTES, the caches give up their least
 *   recently used entries until they fit. So whatever the largest render an isolate ever drew, what
 *   it holds between requests returns under the budget.
 * - A heavy render (output and decoded pictures together over HEAVY_RENDER_PIXELS) runs alone
 *   among heavy renders in its isolate, after every idle instance was let go (its own engine's
 *   too: a fresh instance is not fragmented by earlier renders — takumi peaked at 118 MB for a
 *   render that takes a fresh one to 69 MB) and the caches shrunk to a quarter of their budget:
 *   two of the largest renders never overlap, and one has the room the caches would otherwise
 *   hold. Light renders (an ordinary card) never wait.
 */
import { CACHES_BUDGET_BYTES, cacheBytes, ISOLATE_BUDGET_BYTES, trimCaches } from './caches';
import { dropIdleInstances, notePeaks, totalWasmBytes } from './wasm-memory';

/** 2 MP of work: a 1200×630 card at 2× with a logo is light; 2048² or a big photo is heavy. */
export const HEAVY_RENDER_PIXELS = 2_000_000;

/**
 * What one engine's WASM memory reaches, on a fresh instance, for the largest render the budget
 * allows (render/budget.ts; test/render/memory.test.ts measured takumi at 76 MiB for a 2048²
 * output with 4.2 MP of pictures stacked across it, one translucent, and resvg at 67 MiB for
 * satori's largest). During a heavy render the isolate holds this, yoga (16 MiB) and the caches
 * at a quarter (12 MiB): 108 MiB, the rest being the JavaScript copies of the output (README "Memory").
 */
export const ENGINE_PEAK_BYTES = 80 * 1024 * 1024;

let heavyTurn: Promise<void> = Promise.resolve();

/**
 * Runs a render (`draw`) under the rules above. `pixels`: its output pixels plus the decoded
 * pixels of its pictures.
 */
export async function withRenderMemory<T>(pixels: number, draw: () => Promise<T>): Promise<T> {
  if (pixels <= HEAVY_RENDER_PIXELS) {
    try {
      return await draw();
    } finally {
      settle();
    }
  }
  const previous = heavyTurn;
  let done!: () => void;
  heavyTurn = new Promise<void>((resolve) => {
    done = resolve;
  });
  await previous;
  try {
    dropIdleInstances({ all: true });
    trimCaches(CACHES_BUDGET_BYTES / 4);
    return await draw();
  } finally {
    settle();
    done();
  }
}

/** What a render leaves: idle instances over their resting size let go, the caches trimmed to fit. */
export function settle(): void {
  notePeaks();
  dropIdleInstances();
  const over = cacheBytes() + totalWasmBytes() - ISOLATE_BUDGET_BYTES;
  if (over > 0) trimCaches(Math.max(0, cacheBytes() - over));
}
