/**
 * Builds the fonts and emoji the Worker keeps in R2 (too large for its bundle) from npm packages:
 * the Noto families for scripts the bundled fonts (Inter, Noto Sans Latin/Greek/Cyrillic) lack,
 * and the Twemoji SVGs. Used by `scripts/seed-fonts.mjs` (local dev, deploys) and by the tests'
 * global setup, so both seed the same bytes under the same keys.
 *
 * Layout (one object per family, weight and format, so a seed is a few dozen puts, not thousands):
 * - `fonts/<hash>/<family>-<weight>.<woff|woff2>.pack`: the family's unicode-range subsets (as
 *   fontsource cuts them) one after another. WOFF2 is what takumi reads, WOFF what satori reads.
 * - `emoji/<hash>/twemoji.svg.pack`: every Twemoji SVG one after another.
 * - `fonts/manifest.json`: for each family its script, weights, and each subset's unicode ranges
 *   and byte spans in each pack; for emoji the pack and, per file name (code points in hex joined
 *   by `-`, as Twemoji names them), its span. The Worker reads it once per isolate, then reads
 *   only the subsets (and emoji) a render needs, with ranged gets.
 * `<hash>` is a digest of everything seeded (packs and index): a reseed with other package versions writes new keys
 * and then the manifest, so isolates still holding the old manifest keep reading consistent packs.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { inflateSync } from 'node:zlib';

const require = createRequire(import.meta.url);

export const MANIFEST_KEY = 'fonts/manifest.json';

/**
 * The families, in fallback order (the Worker may put the CJK family a text's kana or hangul
 * points to first). `subsets`: fontsource's subset names to take — the numbered slices of a CJK
 * family, or a script's own subset (the families' Latin subsets duplicate what is bundled).
 */
export const FAMILIES = [
  { family: 'Noto Sans JP', pkg: 'noto-sans-jp', lang: 'ja', weights: [400, 700], subsets: 'numbered' },
  { family: 'Noto Sans SC', pkg: 'noto-sans-sc', lang: 'zh-Hans', weights: [400, 700], subsets: 'numbered' },
  { family: 'Noto Sans KR', pkg: 'noto-sans-kr', lang: 'ko', weights: [400, 700], subsets: 'numbered' },
  { family: 'Noto Sans Arabic', pkg: 'noto-sans-arabic', lang: 'ar', weights: [400, 700], subsets: ['arabic'] },
  { family: 'Noto Sans Hebrew', pkg: 'noto-sans-hebrew', lang: 'he', weights: [400, 700], subsets: ['hebrew'] },
  { family: 'Noto Sans Devanagari', pkg: 'noto-sans-devanagari', lang: 'hi', weights: [400, 700], subsets: ['devanagari'] },
  { family: 'Noto Sans Thai', pkg: 'noto-sans-thai', lang: 'th', weights: [400, 700], subsets: ['thai'] },
  { family: 'Noto Sans Symbols', pkg: 'noto-sans-symbols', lang: null, weights: [400, 700], subsets: ['symbols'] },
  { family: 'Noto Sans Symbols 2', pkg: 'noto-sans-symbols-2', lang: null, weights: [400], subsets: ['symbols', 'braille', 'math'] },
];

const FORMATS = ['woff', 'woff2'];

/** "U+4e00-4e0f,U+3001" → [[0x4e00, 0x4e0f], [0x3001, 0x3001]] */
export function parseUnicodeRange(css) {
  return css.split(',').map((part) => {
    const [a, b] = part.trim().replace(/^U\+/i, '').split('-');
    const lo = Number.parseInt(a, 16);
    return [lo, b === undefined ? lo : Number.parseInt(b, 16)];
  });
}

/**
 * The code points a WOFF font really maps to a glyph (its cmap: formats 4 and 12). fontsource's
 * unicode-range of a CJK slice is wider than the slice's glyphs (Noto Sans SC's slice 101 declares
 * a few Devanagari and Thai letters it has no glyph for), so the manifest keeps the intersection:
 * a code point is looked up in a family only where that family can draw it.
 */
export function woffCoverage(woff) {
  if (woff.toString('latin1', 0, 4) !== 'wOFF') throw new Error('not a WOFF file');
  const numTables = woff.readUInt16BE(12);
  let cmap;
  for (let i = 0; i < numTables; i++) {
    const at = 44 + i * 20;
    if (woff.toString('latin1', at, at + 4) !== 'cmap') continue;
    const offset = woff.readUInt32BE(at + 4);
    const compLength = woff.readUInt32BE(at + 8);
    const origLength = woff.readUInt32BE(at + 12);
    const raw = woff.subarray(offset, offset + compLength);
    cmap = compLength < origLength ? inflateSync(raw) : raw;
  }
  if (!cmap) throw new Error('WOFF without a cmap');
  const covered = new Set();
  const subtables = cmap.readUInt16BE(2);
  for (let i = 0; i < subtables; i++) {
    const platform = cmap.readUInt16BE(4 + i * 8);
    const encoding = cmap.readUInt16BE(6 + i * 8);
    const at = cmap.readUInt32BE(8 + i * 8);
    if (platform !== 3 && platform !== 0) continue;
    const format = cmap.readUInt16BE(at);
    if (format === 12) {
      const groups = cmap.readUInt32BE(at + 12);
      for (let g = 0; g < groups; g++) {
        const start = cmap.readUInt32BE(at + 16 + g * 12);
        const end = cmap.readUInt32BE(at + 20 + g * 12);
        const glyph = cmap.readUInt32BE(at + 24 + g * 12);
        for (let c = start; c <= end; c++) if (glyph + (c - start) !== 0) covered.add(c);
      }
    } else if (format === 4 && (encoding === 1 || platform === 0)) {
      const segments = cmap.readUInt16BE(at + 6) / 2;
      const ends = at + 14;
      const starts = ends + segments * 2 + 2;
      const deltas = starts + segments * 2;
      const rangeOffsets = deltas + segments * 2;
      for (let k = 0; k < segments; k++) {
        const end = cmap.readUInt16BE(ends + k * 2);
        const start = cmap.readUInt16BE(starts + k * 2);
        const delta = cmap.readInt16BE(deltas + k * 2);
        const rangeOffset = cmap.readUInt16BE(rangeOffsets + k * 2);
        for (let c = start; c <= end && c !== 0xffff; c++) {
          let glyph;
          if (rangeOffset === 0) glyph = (c + delta) & 0xffff;
          else {
            const g = cmap.readUInt16BE(rangeOffsets + k * 2 + rangeOffset + (c - start) * 2);
            glyph = g === 0 ? 0 : (g + delta) & 0xffff;
          }
          if (glyph !== 0) covered.add(c);
        }
      }
    }
  }
  return covered;
}

/** Sorted, merged ranges of the code points in `declared` that `covered` holds. */
function intersect(declared, covered) {
  const points = [...covered].filter((c) => declared.some(([a, b]) => c >= a && c <= b)).sort((a, b) => a - b);
  const out = [];
  for (const c of points) {
    const last = out.at(-1);
    if (last && c === last[1] + 1) last[1] = c;
    else out.push([c, c]);
  }
  return out;
}

function packageDir(pkg) {
  return path.dirname(require.resolve(`${pkg}/package.json`));
}

const slug = (family) => family.toLowerCase().replaceAll(' ', '-');

/**
 * Reads the packages and returns `{ manifest, objects }`: objects are `{ key, body, contentType }`
 * (the manifest last). Deterministic: the same packages give the same bytes and keys.
 */
export function buildFontPacks() {
  const packs = []; // { name, body }
  const families = [];
  for (const spec of FAMILIES) {
    const dir = packageDir(`@fontsource/${spec.pkg}`);
    const version = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
    const unicode = JSON.parse(readFileSync(path.join(dir, 'unicode.json'), 'utf8'));
    const names = Object.keys(unicode)
      .map((key) => key.replace(/^\[(\d+)\]$/, '$1'))
      .filter((name) => (spec.subsets === 'numbered' ? /^\d+$/.test(name) : spec.subsets.includes(name)))
      .sort((a, b) => (/^\d+$/.test(a) && /^\d+$/.test(b) ? Number(a) - Number(b) : a.localeCompare(b)));
    const subsets = names.map((name) => {
      const declared = parseUnicodeRange(unicode[/^\d+$/.test(name) ? `[${name}]` : name]);
      // every weight of a slice has the same cmap: read it from the first
      const file = path.join(dir, 'files', `${spec.pkg}-${name}-${spec.weights[0]}-normal.woff`);
      return { id: name, ranges: intersect(declared, woffCoverage(readFileSync(file))), at: {} };
    });
    const packKeys = {};
    for (const weight of spec.weights) {
      packKeys[weight] = {};
      for (const format of FORMATS) {
        const parts = [];
        let offset = 0;
        for (const subset of subsets) {
          const bytes = readFileSync(path.join(dir, 'files', `${spec.pkg}-${subset.id}-${weight}-normal.${format}`));
          subset.at[weight] ??= {};
          subset.at[weight][format] = [offset, bytes.length];
          parts.push(bytes);
          offset += bytes.length;
        }
        const name = `${slug(spec.family)}-${weight}.${format}.pack`;
        packs.push({ name, dir: 'fonts', body: Buffer.concat(parts) });
        packKeys[weight][format] = name;
      }
    }
    families.push({ family: spec.family, lang: spec.lang, source: `@fontsource/${spec.pkg}@${version}`, weights: spec.weights, packs: packKeys, subsets });
  }

  const twemojiDir = packageDir('@discordapp/twemoji');
  const twemojiVersion = JSON.parse(readFileSync(path.join(twemojiDir, 'package.json'), 'utf8')).version;
  const svgDir = path.join(twemojiDir, 'dist', 'svg');
  const index = {};
  const parts = [];
  let offset = 0;
  for (const file of readdirSync(svgDir).sort()) {
    if (!file.endsWith('.svg')) continue;
    const bytes = readFileSync(path.join(svgDir, file));
    index[file.slice(0, -4)] = [offset, bytes.length];
    parts.push(bytes);
    offset += bytes.length;
  }
  packs.push({ name: 'twemoji.svg.pack', dir: 'emoji', body: Buffer.concat(parts) });

  const digest = createHash('sha256');
  for (const pack of packs) digest.update(pack.name).update(pack.body);
  digest.update(JSON.stringify(families)).update(JSON.stringify(index));
  const hash = digest.digest('hex').slice(0, 16);
  const keyOf = (pack) => `${pack.dir}/${hash}/${pack.name}`;
  for (const family of families) {
    for (const weight of Object.keys(family.packs)) {
      for (const format of FORMATS) family.packs[weight][format] = `fonts/${hash}/${family.packs[weight][format]}`;
    }
  }
  const manifest = {
    version: hash,
    families,
    emoji: { source: `@discordapp/twemoji@${twemojiVersion} (graphics CC-BY 4.0)`, pack: `emoji/${hash}/twemoji.svg.pack`, index },
  };
  const objects = packs.map((pack) => ({ key: keyOf(pack), body: pack.body, contentType: 'application/octet-stream' }));
  objects.push({ key: MANIFEST_KEY, body: Buffer.from(JSON.stringify(manifest)), contentType: 'application/json' });
  return { manifest, objects };
}
