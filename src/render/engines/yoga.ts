/**
 * The yoga (flexbox) WASM instance, once per isolate, shared by satori and the direct PDF path
 * (imported as a compiled module: workerd compiles no WASM from bytes).
 */
import initYoga, { type Yoga } from 'yoga-wasm-web';
import yogaWasm from 'yoga-wasm-web/dist/yoga.wasm';

import { captureInstance } from '../../lib/wasm-memory';

let ready: Promise<Yoga> | undefined;

export function loadYoga(): Promise<Yoga> {
  // yoga keeps its instance to itself: its memory is read for the budget (lib/wasm-memory.ts)
  ready ??= captureInstance('yoga', yogaWasm as WebAssembly.Module, () => initYoga(yogaWasm));
  ready.catch(() => {
    ready = undefined;
  });
  return ready;
}
