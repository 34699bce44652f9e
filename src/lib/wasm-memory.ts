/**
 * The WASM memories of the isolate's modules (takumi, resvg, yoga, the @jsquash codecs), read for
 * the memory budget (lib/caches.ts, README "Memory"). A WebAssembly.Memory only ever grows.
 *
 * takumi and resvg are droppable (`registerDroppable`): their glue is patched (patches/) so an
 * idle instance can be let go and made again, which lib/isolate-memory.ts does once a render grew
 * one past its resting size. yoga lives as long as the isolate (16 MiB, layout only). What one
 * render may ask of any of them is bounded by render/budget.ts. The @jsquash codecs (WebP in and out, AVIF in) each start at 16 MiB and
 * are used for a moment per request, so they are made for each use and dropped after it
 * (`useCodec`): their memory is held only while a picture is being coded, and the largest it
 * reached is kept as a figure (`wasmPeakBytes`).
 *
 * takumi returns its exports from init, so it hands over its memory directly. resvg and yoga keep
 * their instance to themselves; their init is run through `captureInstance`, which watches
 * `WebAssembly.instantiate` for the module it was given while that init runs (and only then).
 */
const memories = new Map<string, WebAssembly.Memory>();
/** The largest each module's memory has been in this isolate. */
const peaks = new Map<string, number>();

export function trackMemory(name: string, memory: WebAssembly.Memory | undefined): void {
  if (memory) memories.set(name, memory);
}

/** Stops counting a module's memory (its instance was let go), keeping the largest it reached. */
export function forgetMemory(name: string): void {
  notePeaks();
  memories.delete(name);
}

/** Records the size of every tracked memory as a peak if it is the largest seen. */
export function notePeaks(): void {
  for (const [name, memory] of memories) peaks.set(name, Math.max(peaks.get(name) ?? 0, memory.buffer.byteLength));
}

/**
 * A module whose instance can be let go and made again on its next use (takumi, resvg: their
 * glue is patched to allow it, see patches/). `idle` says nothing holds the instance now (no
 * render, no object of its alive); `drop` lets it go, and its memory with the last reference.
 */
export interface Droppable {
  /** What the module holds after ordinary renders; above it an idle instance is let go. */
  restingBytes: number;
  idle(): boolean;
  /** A trap went through it: let it go when idle whatever its size (its allocator may be broken). */
  broken?(): boolean;
  drop(): void;
}

const droppables = new Map<string, Droppable>();

export function registerDroppable(name: string, module: Droppable): void {
  droppables.set(name, module);
}

/**
 * Lets go of idle instances: those over their resting size (or broken by a trap), or with `all`
 * every idle one. Returns the names dropped. A dropped module is made again when next used, from its
 * compiled module (a few milliseconds, plus what it loads: takumi registers its bundled fonts).
 */
export function dropIdleInstances(options: { all?: boolean } = {}): string[] {
  const dropped: string[] = [];
  for (const [name, module] of droppables) {
    const memory = memories.get(name);
    if (!memory || !module.idle()) continue;
    if (options.all || module.broken?.() || memory.buffer.byteLength > module.restingBytes) {
      module.drop();
      dropped.push(name);
    }
  }
  return dropped;
}

/** The memory an instance exports (or imports, as emscripten may), if any. */
export function memoryOf(instance: WebAssembly.Instance, imports?: WebAssembly.Imports): WebAssembly.Memory | undefined {
  const exported = Object.values(instance.exports).find((v): v is WebAssembly.Memory => v instanceof WebAssembly.Memory);
  if (exported) return exported;
  for (const ns of Object.values(imports ?? {})) {
    const imported = Object.values(ns).find((v): v is WebAssembly.Memory => v instanceof WebAssembly.Memory);
    if (imported) return imported;
  }
  return undefined;
}

/** Bytes of each module's memory held now, by name (codecs only while one is in use). */
export function wasmMemoryBytes(): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries([...memories].map(([name, m]) => [name, m.buffer.byteLength]));
  for (const { name, memory } of inUse.values()) out[name] = (out[name] ?? 0) + memory.buffer.byteLength;
  return out;
}

export function totalWasmBytes(): number {
  return Object.values(wasmMemoryBytes()).reduce((n, b) => n + b, 0);
}

const watched = new Map<WebAssembly.Module, string>();
let original: typeof WebAssembly.instantiate | undefined;

/** Runs `init`, recording the memory of the instance it makes from `module` under `name`. */
export async function captureInstance<T>(name: string, module: WebAssembly.Module, init: () => Promise<T>): Promise<T> {
  watched.set(module, name);
  if (!original) {
    const instantiate = WebAssembly.instantiate;
    original = instantiate;
    WebAssembly.instantiate = ((source: BufferSource | WebAssembly.Module, imports?: WebAssembly.Imports) => {
      const made = (instantiate as (s: unknown, i?: WebAssembly.Imports) => Promise<WebAssembly.Instance | { instance: WebAssembly.Instance }>)(
        source,
        imports,
      );
      const as = source instanceof WebAssembly.Module ? watched.get(source) : undefined;
      if (as) {
        made.then(
          (r) => trackMemory(as, memoryOf(r instanceof WebAssembly.Instance ? r : r.instance, imports)),
          () => undefined,
        );
      }
      return made;
    }) as typeof WebAssembly.instantiate;
  }
  try {
    return await init();
  } finally {
    watched.delete(module);
    if (watched.size === 0 && original) {
      WebAssembly.instantiate = original;
      original = undefined;
    }
  }
}

/** Memories of codec instances in use right now (a use is synchronous, so usually none). */
const inUse = new Map<symbol, { name: string; memory: WebAssembly.Memory }>();

/**
 * An emscripten module factory, as @jsquash's codecs export them. (Its options typed loosely:
 * @jsquash declares them as Partial<EmscriptenWasm.ModuleOpts>, which what is passed here is.)
 */
// biome-ignore lint/suspicious/noExplicitAny: see above
type CodecFactory<M> = (options: any) => Promise<M>;

/**
 * Makes a fresh instance of a codec from its compiled module, runs `use` on it and lets it go: its
 * memory is counted while `use` runs and is garbage after. Instantiating a compiled module takes
 * about a millisecond; holding four codecs' memories for the isolate's life would take 64 MB.
 */
export async function useCodec<M, T>(name: string, module: WebAssembly.Module, factory: CodecFactory<M>, use: (codec: M) => T | Promise<T>): Promise<T> {
  let memory: WebAssembly.Memory | undefined;
  const codec = await factory({
    noInitialRun: true,
    instantiateWasm(imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void) {
      const instance = new WebAssembly.Instance(module, imports);
      memory = memoryOf(instance, imports);
      done(instance);
      return instance.exports;
    },
  });
  const token = Symbol(name);
  if (memory) inUse.set(token, { name, memory });
  try {
    return await use(codec);
  } finally {
    inUse.delete(token);
    if (memory) peaks.set(name, Math.max(peaks.get(name) ?? 0, memory.buffer.byteLength));
  }
}

/** The largest each codec's memory has been in this isolate (0 for one never used). */
export function wasmPeakBytes(): Record<string, number> {
  return Object.fromEntries(peaks);
}
