/**
 * takumi (Rust, WASM): layout, raster and encode in one pass; several times faster than
 * satori + resvg on gradient-heavy cards. Trees go through @takumi-rs/helpers' `fromJsx` with the
 * HTML default styles off, so a `div` means what it means in satori (a flex container).
 */
import { fromJsx } from '@takumi-rs/helpers/jsx';
import initTakumi, { __dropInstance, type MeasuredNode, Renderer, type Node as TakumiNode } from '@takumi-rs/wasm';

export type { MeasuredNode, TakumiNode };

import takumiWasm from '@takumi-rs/wasm/auto';
import { BUNDLED_FONTS } from '../../fonts/bundled';
import { RTL_LETTER, splitEmoji, twemojiName } from '../../fonts/text-assets';
import { forgetMemory, registerDroppable, trackMemory } from '../../lib/wasm-memory';
import { encodePng } from '../encode/png';
import { encodeWebp } from '../encode/webp';
import type { Engine, RenderOutput, RenderRequest } from '../engine';
import { CONTENT_TYPES, ImageDecodeError } from '../engine';

/**
 * Fallback-font bytes one renderer may hold before a fresh one is started (fonts cannot be
 * unregistered). They live in takumi's WASM memory (decompressed, two to three times their WOFF2
 * size), which never shrinks: a retired renderer's memory is reused by the next, so this bounds
 * takumi's share of the isolate budget (lib/caches.ts), with the glyph cache (8 MiB, takumi's
 * default) and what one render decodes (render/budget.ts).
 */
const MAX_REGISTERED_BYTES = 12 * 1024 * 1024;

interface Instance {
  renderer: Renderer;
  /** Faces registered (by family and face key), and their bytes. */
  registered: Map<string, Promise<void>>;
  /** Per custom family, the keys of the faces registered under it. */
  customFaces: Map<string, Set<string>>;
  bytes: number;
  /** Renders using this renderer now; a replaced renderer is freed when the last one ends. */
  active: number;
  retired: boolean;
}

/**
 * What takumi's memory may hold between renders: the bundled fonts (~19 MB once registered), its
 * glyph cache (8 MiB) and some fallback faces. A render that grew it past this (a large output,
 * big pictures) leaves it to be let go once idle (lib/isolate-memory.ts): the next render starts
 * a fresh instance (its bundled fonts registered again, ~10 ms) instead of every later tenant
 * living beside the high-water mark of the largest render this isolate ever drew.
 */
export const TAKUMI_RESTING_BYTES = 40 * 1024 * 1024;

let instance: Promise<Instance> | undefined;
/** The shared instance once it is made (what `drop` frees without waiting). */
let made: Instance | undefined;
/** Renderers alive now (the shared one, retired ones still drawing, font probes). */
let alive = 0;
/** Renders and font probes under way, and instances being made: takumi is idle when both are 0. */
let rendering = 0;
let starting = 0;
/** A render trapped in this instance: it is let go as soon as nothing uses it. */
let trapped = false;

function newRenderer(): Renderer {
  const r = new Renderer();
  alive++;
  return r;
}

function freeRenderer(r: Renderer): void {
  r.free();
  alive--;
}

function getInstance(): Promise<Instance> {
  instance ??= (async () => {
    starting++;
    try {
      const exports = await initTakumi({ module_or_path: takumiWasm });
      trackMemory('takumi', exports.memory);
      const renderer = newRenderer();
      for (const f of BUNDLED_FONTS) {
        await renderer.registerFont({ name: f.family, data: f.woff2, weight: f.weight, style: 'normal' });
      }
      made = { renderer, registered: new Map(), customFaces: new Map(), bytes: 0, active: 0, retired: false };
      return made;
    } finally {
      starting--;
    }
  })();
  instance.catch(() => {
    instance = undefined;
  });
  return instance;
}

registerDroppable('takumi', {
  restingBytes: TAKUMI_RESTING_BYTES,
  idle: () => rendering === 0 && starting === 0,
  broken: () => trapped,
  drop() {
    trapped = false;
    // idle: the shared renderer is unused and every retired one was freed by its last render
    if (made && !made.retired) {
      made.retired = true;
      freeRenderer(made.renderer);
    }
    instance = undefined;
    made = undefined;
    if (alive === 0) {
      __dropInstance();
      forgetMemory('takumi');
    }
  },
});

/** The bundled families in the order takumi should fall back through them. */
const BUNDLED_FAMILIES = [...new Set(BUNDLED_FONTS.map((f) => f.family))];

/** A face to register: a fallback subset (with its unicode range) or a caller's font. */
interface Face {
  key: string;
  family: string;
  weight: number;
  style: 'normal' | 'italic';
  data: Uint8Array;
  ranges?: readonly (readonly [number, number])[];
}

/**
 * takumi keeps one registration per font file (by its bytes): the same file registered again under
 * another family name is ignored, so two accounts uploading the same font would share one family.
 * An uploaded face is registered with its family's name appended after the sfnt tables (which font
 * parsers locate by offset, so trailing bytes are never read), making each family's copy its own.
 */
function tagged(data: Uint8Array, family: string): Uint8Array {
  const tag = new TextEncoder().encode(`\u0000picstream:${family}`);
  const out = new Uint8Array(data.byteLength + tag.byteLength);
  out.set(data);
  out.set(tag, data.byteLength);
  return out;
}

/** A face's identity in a renderer: the same file under another family name is another face. */
const faceKey = (f: Face) => `${f.family}|${f.key}`;

function release(inst: Instance): void {
  inst.active--;
  if (inst.retired && inst.active === 0) freeRenderer(inst.renderer);
}

/** Starts a fresh renderer for the renders to come; those holding this one finish with it. */
function retire(inst: Instance): void {
  if (inst.retired) return;
  instance = undefined;
  made = undefined;
  inst.retired = true;
  if (inst.active === 0) freeRenderer(inst.renderer);
}

/**
 * Whether a failed render may have left the renderer unusable: a WASM trap (a Rust panic is an
 * `unreachable`, a runaway recursion a stack overflow) unwinds through takumi without releasing
 * what it held (a borrowed RefCell says "recursive use of an object" ever after). takumi's own
 * errors (an undecodable image, a style it refuses, a size out of range) are answered before
 * anything is held, and leave it as it was (test/render/memory.test.ts).
 */
function poisoned(err: unknown): boolean {
  if (err instanceof WebAssembly.RuntimeError) return true;
  const message = err instanceof Error ? err.message : String(err);
  return /unreachable|recursive use of an object|already (mutably )?borrowed|memory access out of bounds/i.test(message);
}

/**
 * Registers the faces a render needs (each once per renderer; a fallback subset as a unicode-range
 * face of its family) and holds the renderer for the render (`release` when done). A renderer that
 * has taken in too many is replaced: renders still holding the old one finish with it, and the
 * last of them frees its WASM memory.
 */
async function withFonts(faces: readonly Face[]): Promise<Instance> {
  let inst = await getInstance();
  const missing = faces.filter((f) => !inst.registered.has(faceKey(f)));
  const adding = missing.reduce((n, f) => n + f.data.byteLength, 0);
  // a custom family holding a face this render's family no longer has (deleted, or uploaded again):
  // fonts cannot be unregistered, so the family starts over in a fresh renderer
  const wanted = new Set(faces.filter((f) => !f.ranges).map(faceKey));
  const stale = faces.some((f) => !f.ranges && [...(inst.customFaces.get(f.family) ?? [])].some((k) => !wanted.has(k)));
  if (stale || (missing.length > 0 && inst.bytes > 0 && inst.bytes + adding > MAX_REGISTERED_BYTES)) {
    retire(inst);
    inst = await getInstance();
  }
  const current = inst;
  current.active++;
  try {
    await Promise.all(
      faces.map((f) => {
        let done = current.registered.get(faceKey(f));
        if (!done) {
          current.bytes += f.data.byteLength;
          const range = f.ranges ? { unicodeRange: f.ranges.map(([a, b]) => [a, b] as [number, number]) } : {};
          done = Promise.resolve(
            current.renderer.registerFont({ name: f.family, data: f.ranges ? f.data : tagged(f.data, f.family), weight: f.weight, style: f.style, ...range }),
          ) as Promise<void>;
          current.registered.set(faceKey(f), done);
          if (!f.ranges) current.customFaces.set(f.family, (current.customFaces.get(f.family) ?? new Set()).add(faceKey(f)));
        }
        return done;
      }),
    );
  } catch (err) {
    release(current);
    throw err;
  }
  return current;
}

/**
 * takumi's image errors reach JavaScript as plain Errors carrying only the Display text of its
 * Rust error (`ImageResourceError`: "An error occurred while decoding the image data: …", "…
 * parsing an SVG image: …", or the whole `TakumiError::ImageResolveError`), so this one call
 * site turns that text into a type; nothing past the engine reads engine messages.
 */
const TAKUMI_IMAGE_ERROR = /^(Image resolution error|An error occurred while (decoding the image data|parsing an SVG image))/;
function undecodable(err: unknown): ImageDecodeError | undefined {
  const message = err instanceof Error ? err.message : String(err);
  return TAKUMI_IMAGE_ERROR.test(message) ? new ImageDecodeError(message, { cause: err }) : undefined;
}

const FIRST_STRONG = /[\p{L}]/u;

/**
 * A text whose first letter is right-to-left (Arabic, Hebrew) is a right-to-left paragraph, as
 * HTML's `dir="auto"` decides: it starts at the right and its left-to-right words (a brand name)
 * sit where a reader of the script expects them. A node that sets `direction` keeps it.
 */
function rightToLeftParagraphs(node: TakumiNode): TakumiNode {
  if (node.type === 'text') {
    const first = node.text.match(FIRST_STRONG)?.[0];
    if (!first || !RTL_LETTER.test(first) || node.style?.direction !== undefined) return node;
    return { ...node, style: { ...node.style, direction: 'rtl' } } as TakumiNode;
  }
  if (node.type === 'container' && node.children) {
    return { ...node, children: node.children.map((c) => (c ? rightToLeftParagraphs(c) : c)) } as TakumiNode;
  }
  return node;
}

const EMOJI_SRC = 'picstream-emoji:';

/**
 * Replaces emoji in the tree's text nodes with inline Twemoji images one em high (what takumi's
 * own helper does, with the SVGs from R2 instead of a CDN). A text node with emoji becomes a block
 * of inline runs; where the node was a flex box (whose children would each be a flex item, one
 * per line), the runs go in a block inside it, so its alignment still holds.
 */
function inlineEmoji(node: TakumiNode, emoji: ReadonlyMap<string, Uint8Array>, used: Map<string, Uint8Array>): TakumiNode {
  if (node.type === 'text') {
    const parts = splitEmoji(node.text);
    if (parts.every((p) => typeof p === 'string' || !emoji.has(p.emoji))) return node;
    const runs: TakumiNode[] = parts.flatMap((p): TakumiNode[] => {
      if (typeof p === 'string') return [{ type: 'text', text: p }];
      const data = emoji.get(p.emoji);
      if (!data) return [{ type: 'text', text: p.emoji }];
      const src = `${EMOJI_SRC}${twemojiName(p.emoji)}`;
      used.set(src, data);
      return [
        // a zero-width space before each image: without it, takumi (2.16) draws a line-clamped
        // block as a bare "…" when a line breaks right before an inline image
        { type: 'text', text: '\u200B' },
        {
          type: 'image',
          src,
          style: { display: 'inline-block', width: '1em', height: '1em', margin: '0 0.05em 0 0.1em', verticalAlign: '-0.1em' },
        },
      ] as TakumiNode[];
    });
    const { type: _type, text: _text, ...rest } = node;
    const display = rest.style?.display;
    if (display === undefined || display === 'block' || display === 'inline' || display === 'inline-block') {
      return { ...rest, type: 'container', style: { ...rest.style, display: display ?? 'block' }, children: runs } as TakumiNode;
    }
    return { ...rest, type: 'container', children: [{ type: 'container', style: { display: 'block' }, children: runs }] } as TakumiNode;
  }
  if (node.type === 'container' && node.children) {
    return { ...node, children: node.children.map((c) => (c ? inlineEmoji(c, emoji, used) : c)) } as TakumiNode;
  }
  return node;
}

/**
 * Whether takumi can load a font and draw text with it: registered in a renderer of its own (never
 * the shared one, which keeps what it is given) and drawn once. Throws what takumi says.
 */
export async function probeFont(data: Uint8Array): Promise<void> {
  rendering++;
  let probe: Renderer | undefined;
  try {
    await getInstance(); // the module initialised
    probe = newRenderer();
    await probe.registerFont({ name: 'PicStream Probe', data, weight: 400, style: 'normal' });
    const node: TakumiNode = { type: 'text', text: 'Aa09', style: { fontFamily: 'PicStream Probe', fontSize: 24 } } as TakumiNode;
    await probe.render(node, { width: 96, height: 32, format: 'raw', fontFamilies: ['PicStream Probe'] });
  } finally {
    if (probe) freeRenderer(probe);
    rendering--;
  }
}

export const takumiEngine: Engine = {
  name: 'takumi',
  formats: ['png', 'webp'],
  fontFormat: 'woff2',
  async render({ element, images = [], text, custom, width, height, scale, format }: RenderRequest): Promise<RenderOutput> {
    const faces: Face[] = [...(custom ?? []), ...(text?.fonts ?? []).map((f) => ({ ...f, style: 'normal' as const }))];
    rendering++;
    try {
      const inst = await withFonts(faces);
      try {
        return await draw(inst.renderer, { element, images, text, custom, width, height, scale, format });
      } catch (err) {
        if (poisoned(err)) {
          retire(inst);
          trapped = true;
        }
        throw err;
      } finally {
        release(inst);
      }
    } finally {
      rendering--;
    }
  },
};

/** The tree as takumi draws it, and the options it is drawn with (shared by `draw` and `measureLayout`). */
async function prepare({ element, images = [], text, custom, width, height, scale }: Omit<RenderRequest, 'format'>) {
  let { node } = (await fromJsx(element, { defaultStyles: false })) as { node: TakumiNode };
  const emojiImages = new Map<string, Uint8Array>();
  if (text?.rtl) node = rightToLeftParagraphs(node);
  if (text && text.emoji.size > 0) node = inlineEmoji(node, text.emoji, emojiImages);
  // takumi's width/height are the output's pixels; devicePixelRatio scales the layout into them.
  const outW = Math.round(width * scale);
  const outH = Math.round(height * scale);
  // takumi takes image bytes keyed by src (it does not decode data: URLs in the tree itself)
  const options = {
    width: outW,
    height: outH,
    devicePixelRatio: scale,
    // cache 'none': takumi would otherwise keep decoded pictures (RGBA, 4 bytes a pixel) up to 64 MiB
    // in its WASM memory, which never shrinks; the remote-image cache (R2) spares the refetch instead
    images: [...images, ...[...emojiImages].map(([src, data]) => ({ src, data }))].map((i) => ({ ...i, cache: 'none' as const })),
    // the fallback chain: the bundled families, then those the text needs, in the order it needs them;
    // always given, so a render never depends on what earlier renders registered in this isolate
    fontFamilies: [...new Set((custom ?? []).map((f) => f.family)), ...BUNDLED_FAMILIES, ...(text?.families ?? [])],
    ...(text?.lang ? { lang: text.lang } : {}),
  };
  return { node, options, outW, outH };
}

async function draw(r: Renderer, request: RenderRequest): Promise<RenderOutput> {
  const { node, options, outW, outH } = await prepare(request);
  // raw RGBA, encoded here: takumi's own PNG encoder costs ~3× its rasteriser (see ../png.ts)
  const raw = await r.render(node, { ...options, format: 'raw' }).catch((err: unknown) => {
    throw undecodable(err) ?? err;
  });
  const bytes = request.format === 'webp' ? await encodeWebp(raw, outW, outH) : encodePng(raw, outW, outH);
  return { bytes, contentType: CONTENT_TYPES[request.format], width: outW, height: outH };
}

/** A node of the tree takumi laid out, beside the box it was given (`measured`). */
export interface LaidOutNode {
  node: TakumiNode;
  measured: MeasuredNode;
}

/**
 * Lays the trees out as takumi would draw them — the same fonts, fallbacks and options as a
 * render — without rasterising: each tree's takumi node beside its measured boxes and text runs
 * (`MeasuredNode.children` follows `node.children`). `edit` may change the takumi tree before it is
 * measured (the lint removes line clamps to learn how far text runs past them); all trees share
 * one font registration. Costs layout only: no pixels are allocated.
 */
export async function measureLayout(request: Omit<RenderRequest, 'format'>, edits: readonly ((node: TakumiNode) => TakumiNode)[]): Promise<LaidOutNode[]> {
  const faces: Face[] = [...(request.custom ?? []), ...(request.text?.fonts ?? []).map((f) => ({ ...f, style: 'normal' as const }))];
  rendering++;
  try {
    const inst = await withFonts(faces);
    try {
      const { node, options } = await prepare(request);
      const out: LaidOutNode[] = [];
      for (const edit of edits) {
        const edited = edit(node);
        out.push({ node: edited, measured: await inst.renderer.measure(edited, options) });
      }
      return out;
    } catch (err) {
      if (poisoned(err)) {
        retire(inst);
        trapped = true;
      }
      throw err;
    } finally {
      release(inst);
    }
  } finally {
    rendering--;
  }
}
