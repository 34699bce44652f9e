/**
 * Fonts and emoji a render needs beyond the bundled ones, found from its text and read from the
 * FONTS R2 bucket (seeded by scripts/seed-fonts.mjs; layout in scripts/font-packs.mjs).
 *
 * Before a render, the tree's text is walked (with the font weight each string inherits) and cut
 * into graphemes. Emoji graphemes become Twemoji SVGs; every other code point the bundled fonts
 * do not cover is looked up in the families of the manifest, in fallback order, down to one
 * unicode-range subset of one family (a CJK family is cut into ~120 subsets of 20–60 KB, so a
 * Japanese title reads a few hundred KB, not 5 MB). Han characters are shared by Japanese,
 * Chinese and Korean, which draw them differently: the text's kana make it Japanese, its hangul
 * Korean, and Han alone is drawn as Simplified Chinese; that family is moved first and the
 * render's `lang` set, so takumi also picks the locale's forms.
 *
 * Per isolate: the manifest is read once; subsets and emoji are kept in a byte-bounded cache, so
 * a later render of the same script reads nothing.
 */
import { ProblemError } from '../errors/problem';
import { ByteCache } from '../lib/byte-cache';
import { registerCache, stringBytes } from '../lib/caches';
import type { TemplateNode } from '../render/jsx';
import { BUNDLED_RANGES } from './bundled';

export const MANIFEST_KEY = 'fonts/manifest.json';

export type FontFormat = 'woff' | 'woff2';
type Span = [offset: number, length: number];
type Range = [first: number, last: number];

interface ManifestFamily {
  family: string;
  lang: string | null;
  weights: number[];
  packs: Record<string, Record<FontFormat, string>>;
  subsets: { id: string; ranges: Range[]; at: Record<string, Record<FontFormat, Span>> }[];
}

interface Manifest {
  version: string;
  families: ManifestFamily[];
  emoji: { pack: string; index: Record<string, Span> };
}

/** A subset of a fallback family, ready for an engine. */
export interface FallbackFont {
  /** Unique per manifest, family, weight, subset and format: what an engine registers once. */
  key: string;
  family: string;
  weight: number;
  subset: string;
  ranges: readonly Range[];
  data: Uint8Array;
}

export interface TextAssets {
  /** Fallback subsets the text needs, in fallback order. */
  fonts: FallbackFont[];
  /** The fallback families in the order engines should try them (after the bundled ones). */
  families: string[];
  /** BCP-47 language of the text's Han characters, when it has any, or of its script. */
  lang?: string;
  /** Emoji grapheme → Twemoji SVG. */
  emoji: Map<string, Uint8Array>;
  /** The text has right-to-left letters (some paragraph may run right to left). */
  rtl?: boolean;
}

export const NO_TEXT_ASSETS: TextAssets = Object.freeze({ fonts: [], families: [], emoji: new Map() });

// ---------------------------------------------------------------------------------------------
// Text walk

export interface TextRun {
  text: string;
  weight: number;
}

function weightOf(value: unknown, inherited: number): number {
  if (typeof value === 'number') return value;
  if (value === 'bold') return 700;
  if (value === 'normal') return 400;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return inherited;
}

/** Every string in the tree with the font weight it is drawn in. */
export function textRuns(node: TemplateNode, weight = 400, out: TextRun[] = []): TextRun[] {
  if (typeof node === 'string' || typeof node === 'number') {
    out.push({ text: String(node), weight });
    return out;
  }
  const own = weightOf(node.props.style?.fontWeight, weight);
  const children = node.props.children;
  if (Array.isArray(children)) for (const child of children) textRuns(child, own, out);
  else if (children !== undefined) textRuns(children, own, out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Emoji

const PICTOGRAPHIC = /^\p{Extended_Pictographic}/u;
const PRESENTATION = /^\p{Emoji_Presentation}/u;
const MODIFIED = /^\p{Emoji_Modifier_Base}\p{Emoji_Modifier}/u;
const FLAG = /^\p{Regional_Indicator}{2}$/u;
const KEYCAP = /^[#*0-9]\uFE0F?\u20E3$/u;
// biome-ignore lint/suspicious/noMisleadingCharacterClass: a class of single code points (U+20E3 alone is the keycap mark)
const MAYBE_EMOJI = /[\p{Extended_Pictographic}\p{Regional_Indicator}\u20E3]/u;
const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * Whether a grapheme is drawn as an emoji: a flag, a keycap, or a pictograph with emoji
 * presentation (by default, or asked for with U+FE0F, or as a ZWJ sequence or skin-tone pair).
 * U+FE0E (text presentation) keeps a pictograph as text (a symbol font draws it).
 */
export function isEmoji(grapheme: string): boolean {
  if (grapheme.includes('\uFE0E')) return false;
  if (FLAG.test(grapheme) || KEYCAP.test(grapheme)) return true;
  return PICTOGRAPHIC.test(grapheme) && (grapheme.includes('\uFE0F') || grapheme.includes('\u200D') || PRESENTATION.test(grapheme) || MODIFIED.test(grapheme));
}

/** Twemoji's file name: code points in hex joined by "-", without U+FE0F unless it is a ZWJ sequence. */
export function twemojiName(grapheme: string): string {
  const chars = grapheme.includes('\u200D') ? grapheme : grapheme.replaceAll('\uFE0F', '');
  return [...chars].map((c) => (c.codePointAt(0) ?? 0).toString(16)).join('-');
}

/** The text cut into plain runs and emoji graphemes, in order (emoji as `{ emoji }`). */
export function splitEmoji(text: string): (string | { emoji: string })[] {
  if (!MAYBE_EMOJI.test(text)) return [text];
  const parts: (string | { emoji: string })[] = [];
  let plain = '';
  for (const { segment } of segmenter.segment(text)) {
    if (isEmoji(segment)) {
      if (plain) parts.push(plain);
      plain = '';
      parts.push({ emoji: segment });
    } else plain += segment;
  }
  if (plain) parts.push(plain);
  return parts;
}

/**
 * Scripts satori cannot lay out: it has no bidi (right-to-left text comes out mirrored) and no
 * shaping beyond Latin-like scripts (Arabic letters do not join; Indic vowel signs land in the
 * wrong place; Thai tone marks collide with the vowels above). takumi does all of it. Fonts exist
 * for Arabic, Hebrew, Devanagari and Thai; the rest are listed because satori would draw them just
 * as wrongly.
 */
const UNSHAPED_BY_SATORI =
  /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Devanagari}\p{Script=Bengali}\p{Script=Gurmukhi}\p{Script=Gujarati}\p{Script=Oriya}\p{Script=Tamil}\p{Script=Telugu}\p{Script=Kannada}\p{Script=Malayalam}\p{Script=Sinhala}\p{Script=Myanmar}\p{Script=Khmer}\p{Script=Thai}\p{Script=Lao}\p{Script=Tibetan}]/u;

/** Paths (`vars.title`) of string vars holding text satori cannot lay out. */
export function unshapedBySatori(value: unknown, path: string, out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (UNSHAPED_BY_SATORI.test(value)) out.push(path);
  } else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) unshapedBySatori(v, `${path}.${i}`, out);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) unshapedBySatori(v, `${path}.${k}`, out);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Coverage

/** Whether a code point is in one of the sorted, non-overlapping ranges (binary search). */
/** The index of the range holding `cp` in sorted, disjoint ranges (binary search), or -1. */
function rangeIndex(ranges: readonly Range[], cp: number): number {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = ranges[mid] as Range;
    if (cp < r[0]) hi = mid - 1;
    else if (cp > r[1]) lo = mid + 1;
    else return mid;
  }
  return -1;
}

const inRanges = (ranges: readonly Range[], cp: number): boolean => rangeIndex(ranges, cp) >= 0;

function sortedRanges(ranges: readonly (readonly [number, number])[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

const BUNDLED = sortedRanges(BUNDLED_RANGES);

/** Code points drawn by no glyph (controls, joiners, variation selectors): never a reason to load a font. */
const INVISIBLE = /^[\p{Cc}\p{Cf}\p{Z}]$/u;
const KANA = /[\p{Script=Hiragana}\p{Script=Katakana}]/u;
const HANGUL = /\p{Script=Hangul}/u;
const HAN = /\p{Script=Han}/u;
/** Letters of right-to-left scripts. */
export const RTL_LETTER = /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]/u;

/** What the text needs beyond the bundled fonts, before looking at any manifest. */
export interface TextNeeds {
  /** Code points the bundled fonts lack, per weight drawn in (400 or 700). */
  codepoints: Map<number, Set<number>>;
  emoji: Set<string>;
  /** Language of the Han characters (and of the family tried first), if the text has any. */
  hanLang?: 'ja' | 'ko' | 'zh-Hans';
  /** The text has right-to-left letters. */
  rtl: boolean;
}

export function textNeeds(runs: readonly TextRun[]): TextNeeds {
  const codepoints = new Map<number, Set<number>>();
  const emoji = new Set<string>();
  let kana = false;
  let hangul = false;
  let han = false;
  let rtl = false;
  for (const run of runs) {
    const weight = run.weight >= 600 ? 700 : 400;
    for (const part of splitEmoji(run.text)) {
      if (typeof part !== 'string') {
        emoji.add(part.emoji);
        continue;
      }
      for (const ch of part) {
        const cp = ch.codePointAt(0) as number;
        if (inRanges(BUNDLED, cp) || INVISIBLE.test(ch)) continue;
        const set = codepoints.get(weight) ?? new Set<number>();
        codepoints.set(weight, set.add(cp));
        kana ||= KANA.test(ch);
        hangul ||= HANGUL.test(ch);
        han ||= HAN.test(ch);
        rtl ||= RTL_LETTER.test(ch);
      }
    }
  }
  const hanLang = kana ? 'ja' : hangul ? 'ko' : han ? 'zh-Hans' : undefined;
  return { codepoints, emoji, hanLang, rtl };
}

// ---------------------------------------------------------------------------------------------
// The store

interface LoadedManifest extends Manifest {
  /** Per family: its subsets' ranges merged and sorted, each tagged with the subset's index. */
  lookup: { ranges: Range[]; subset: number[] }[];
}

/** Per bucket (one per deployment; tests also use an empty one), its manifest, read once. */
let manifests = new WeakMap<R2Bucket, Promise<LoadedManifest | null>>();
/** Fallback subsets and emoji (WOFF2 subsets run 20–60 KB): 10 MB, lib/caches.ts. */
const cache = new ByteCache('fallback fonts and emoji');
/** The manifests' text as read, for the registry (one bucket per deployment: the last one read). */
let manifestBytes = 0;
registerCache('font manifest', () => manifestBytes);

/** Forgets the isolate's manifests and cached slices (tests start a cold isolate with it). */
export function resetTextAssetCaches(): void {
  manifests = new WeakMap();
  manifestBytes = 0;
  cache.clear();
}

/** R2 reads made by this isolate (manifest and spans): what the tests and the benchmark watch. */
export const fontStoreReads = { manifest: 0, spans: 0 };

function indexManifest(m: Manifest): LoadedManifest {
  const lookup = m.families.map((family) => {
    const tagged = family.subsets.flatMap((s, i) => s.ranges.map((r) => [r[0], r[1], i] as const)).sort((a, b) => a[0] - b[0]);
    // a family's slices may overlap (Noto Sans Symbols 2's `symbols` and `math` share a few code
    // points): cut them disjoint, the earlier-starting range keeping a shared point
    const ranges: Range[] = [];
    const subset: number[] = [];
    let end = -1;
    for (const [a, b, i] of tagged) {
      const from = Math.max(a, end + 1);
      if (from > b) continue;
      ranges.push([from, b]);
      subset.push(i);
      end = b;
    }
    return { ranges, subset };
  });
  return { ...m, lookup };
}

function loadManifest(bucket: R2Bucket): Promise<LoadedManifest | null> {
  let manifest = manifests.get(bucket);
  if (!manifest) {
    const loading = (async () => {
      fontStoreReads.manifest++;
      const object = await bucket.get(MANIFEST_KEY);
      if (!object) return null;
      const text = await object.text();
      // parsed and indexed, it holds about what its text does, twice over (the index)
      manifestBytes = stringBytes(text) * 2;
      return indexManifest(JSON.parse(text) as Manifest);
    })();
    // a missing or unreadable manifest is looked for again by the next render (a seed may land)
    loading.then(
      (m) => {
        if (!m) manifests.delete(bucket);
      },
      () => manifests.delete(bucket),
    );
    manifests.set(bucket, loading);
    manifest = loading;
  }
  return manifest;
}

/** The subset of `family` whose ranges hold `cp`, or -1. */
function subsetFor(lookup: LoadedManifest['lookup'][number], cp: number): number {
  const at = rangeIndex(lookup.ranges, cp);
  return at < 0 ? -1 : (lookup.subset[at] as number);
}

async function readSpan(bucket: R2Bucket, key: string, [offset, length]: Span): Promise<Uint8Array> {
  fontStoreReads.spans++;
  const object = await bucket.get(key, { range: { offset, length } });
  if (!object) throw new Error(`${key} is missing from the FONTS bucket (reseed with npm run seed:fonts)`);
  const data = new Uint8Array(await object.arrayBuffer());
  if (data.byteLength !== length) throw new Error(`${key}: read ${data.byteLength} bytes at ${offset}, expected ${length}`);
  return data;
}

function nearestWeight(weights: readonly number[], want: number): number {
  return weights.reduce((best, w) => (Math.abs(w - want) < Math.abs(best - want) ? w : best), weights[0] as number);
}

/**
 * The fonts and emoji a tree needs beyond the bundled fonts, read from the bucket (or the isolate's
 * cache). `format`: what the engine reads (takumi WOFF2, satori WOFF). Throws 503
 * `fonts_unavailable` when the text needs them and the bucket was never seeded: a render with
 * empty boxes would be cached and served as if it were right.
 */
export async function loadTextAssets(bucket: R2Bucket | undefined, element: TemplateNode, format: FontFormat): Promise<TextAssets> {
  const needs = textNeeds(textRuns(element));
  if (needs.codepoints.size === 0 && needs.emoji.size === 0) return NO_TEXT_ASSETS;
  const m = bucket ? await loadManifest(bucket) : null;
  if (!m || !bucket) {
    throw new ProblemError('fonts_unavailable', 'The text needs fonts or emoji this deployment has not seeded into its FONTS bucket (run npm run seed:fonts)');
  }
  // fallback order: the family the Han characters call for first, then the manifest's order
  const order = m.families.map((_, i) => i);
  const first = m.families.findIndex((f) => f.lang === needs.hanLang);
  if (first > 0) {
    order.splice(order.indexOf(first), 1);
    order.unshift(first);
  }

  const wanted = new Map<string, { family: ManifestFamily; weight: number; subset: number }>();
  const used = new Set<number>();
  for (const [weight, cps] of needs.codepoints) {
    for (const cp of cps) {
      for (const i of order) {
        const s = subsetFor(m.lookup[i] as LoadedManifest['lookup'][number], cp);
        if (s < 0) continue;
        const family = m.families[i] as ManifestFamily;
        const w = nearestWeight(family.weights, weight);
        wanted.set(`${i}/${w}/${s}`, { family, weight: w, subset: s });
        used.add(i);
        break;
      }
    }
  }
  const fonts = await Promise.all(
    [...wanted.values()].map(async ({ family, weight, subset }) => {
      const s = family.subsets[subset] as ManifestFamily['subsets'][number];
      const key = `${m.version}/${family.family}/${weight}/${s.id}.${format}`;
      const pack = family.packs[weight]?.[format] as string;
      const data = await cache.get(key, () => readSpan(bucket, pack, s.at[weight]?.[format] as Span));
      return { key, family: family.family, weight, subset: s.id, ranges: s.ranges, data };
    }),
  );
  // fonts in fallback order, so engines that try fonts in array order (satori) prefer the same family
  const rank = new Map(order.map((i, r) => [m.families[i]?.family, r]));
  fonts.sort((a, b) => (rank.get(a.family) ?? 0) - (rank.get(b.family) ?? 0));

  const emoji = new Map<string, Uint8Array>();
  await Promise.all(
    [...needs.emoji].map(async (grapheme) => {
      const name = twemojiName(grapheme);
      const span = m.emoji.index[name] ?? m.emoji.index[name.replaceAll('-fe0f', '')];
      if (!span) return; // not in Twemoji: drawn as text
      emoji.set(grapheme, await cache.get(`${m.version}/emoji/${name}`, () => readSpan(bucket, m.emoji.pack, span)));
    }),
  );

  const families = order.filter((i) => used.has(i)).map((i) => (m.families[i] as ManifestFamily).family);
  const scriptLang = families.length > 0 ? (m.families.find((f) => f.family === families[0])?.lang ?? undefined) : undefined;
  return { fonts, families, lang: needs.hanLang ?? scriptLang, emoji, ...(needs.rtl ? { rtl: true } : {}) };
}

/**
 * The code points of `text` no font can draw: outside the bundled fonts and every fallback family
 * of the bucket's manifest (emoji graphemes and invisible code points aside: Twemoji draws the
 * former, nothing needs to draw the latter). What the template lint reports as tofu; the caller
 * checks its uploaded fonts for what is left. Undefined when the bucket has no manifest (a
 * deployment that never seeded its fonts: a render of such text is refused anyway).
 */
export async function uncoveredCodepoints(bucket: R2Bucket | undefined, text: string): Promise<Set<number> | undefined> {
  const needs = textNeeds([{ text, weight: 400 }]);
  const out = new Set<number>();
  const wanted = needs.codepoints.get(400);
  if (!wanted) return out;
  const m = bucket ? await loadManifest(bucket) : null;
  if (!m) return undefined;
  for (const cp of wanted) if (!m.lookup.some((family) => subsetFor(family, cp) >= 0)) out.add(cp);
  return out;
}
