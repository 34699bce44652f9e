/**
 * Just enough of TrueType/OpenType for two readers: vector PDFs (pdf.ts), which put real,
 * searchable text in a document — WOFF → sfnt (PDF embeds TrueType, not WOFF), the character
 * map, advance widths and the few metrics a PDF font descriptor needs — and uploads
 * (font-file.ts), which check a file's tables and read the face it declares.
 *
 * Hand-written on purpose: fontkit (through pdf-lib's `embedFont`) spent 50–90 ms per document
 * in `layout()` (it parses GSUB/GPOS to shape) and as much again subsetting, measured here for
 * one line of Inter. We need neither shaping nor subsetting for Latin, Greek and Cyrillic text
 * laid out by satori: a cmap lookup and hmtx advances, read once per isolate.
 */
import { deflateSync, inflateSync } from 'node:zlib';

export interface FontMetrics {
  unitsPerEm: number;
  ascent: number;
  descent: number;
  capHeight: number;
  bbox: [number, number, number, number];
  italicAngle: number;
  weightClass: number;
}

/** A parsed TrueType font: glyph lookup and advances, plus the sfnt bytes to embed. */
export class SfntFont {
  readonly metrics: FontMetrics;
  private readonly cmap: Map<number, number>;
  private readonly advances: Uint16Array;
  private readonly tables: Map<string, TableRecord>;

  constructor(readonly bytes: Uint8Array) {
    const tables = readTableDirectory(bytes);
    this.tables = tables;
    const view = (tag: string): DataView => {
      const t = tables.get(tag);
      if (!t) throw new Error(`font has no ${tag} table`);
      return new DataView(bytes.buffer, bytes.byteOffset + t.offset, t.length);
    };
    const head = view('head');
    const hhea = view('hhea');
    const maxp = view('maxp');
    const unitsPerEm = head.getUint16(18);
    const os2 = tables.has('OS/2') ? view('OS/2') : null;
    const post = tables.has('post') ? view('post') : null;
    const ascent = hhea.getInt16(4);
    this.metrics = {
      unitsPerEm,
      ascent,
      descent: hhea.getInt16(6),
      capHeight: os2 && os2.getUint16(0) >= 2 && os2.byteLength >= 90 ? os2.getInt16(88) : Math.round(ascent * 0.75),
      bbox: [head.getInt16(36), head.getInt16(38), head.getInt16(40), head.getInt16(42)],
      italicAngle: post ? post.getInt32(4) / 65536 : 0,
      weightClass: os2 ? os2.getUint16(4) : 400,
    };
    const numGlyphs = maxp.getUint16(4);
    const numberOfHMetrics = hhea.getUint16(34);
    const hmtx = view('hmtx');
    this.advances = new Uint16Array(numGlyphs);
    let last = 0;
    for (let gid = 0; gid < numGlyphs; gid++) {
      if (gid < numberOfHMetrics) last = hmtx.getUint16(gid * 4);
      this.advances[gid] = last;
    }
    this.cmap = readCmap(view('cmap'));
  }

  /** Glyphs in the font (maxp). */
  get glyphCount(): number {
    return this.advances.length;
  }

  /** Code points the cmap maps to a glyph other than .notdef. */
  get mappedCount(): number {
    let n = 0;
    for (const gid of this.cmap.values()) if (gid !== 0) n++;
    return n;
  }

  /** The glyph for a code point, or 0 (.notdef) when the font lacks it. */
  glyphId(codePoint: number): number {
    return this.cmap.get(codePoint) ?? 0;
  }

  /** Advance width of a glyph in font units. */
  advance(glyphId: number): number {
    return this.advances[glyphId] ?? 0;
  }

  /**
   * The font cut down to `glyphs` (plus .notdef and the parts of composite glyphs) for embedding:
   * the other glyphs' outlines are left empty, so glyph ids — and with them the PDF's codes,
   * widths and ToUnicode map — stay as they are; the shaping and layout tables a PDF never reads
   * (GSUB, GPOS, GDEF, kern, …) are dropped. An invoice's faces shrink from 60–100 KB to a few KB.
   */
  subset(glyphs: Iterable<number>): Uint8Array {
    const table = (tag: string): Uint8Array | undefined => {
      const t = this.tables.get(tag);
      return t ? this.bytes.subarray(t.offset, t.offset + t.length) : undefined;
    };
    const head = table('head');
    const loca = table('loca');
    const glyf = table('glyf');
    if (!head || !loca || !glyf) return this.bytes; // not TrueType outlines: embed as is
    const longLoca = new DataView(head.buffer, head.byteOffset, head.byteLength).getInt16(50) === 1;
    const locaView = new DataView(loca.buffer, loca.byteOffset, loca.byteLength);
    const glyphCount = this.advances.length;
    const offset = (g: number): number => (longLoca ? locaView.getUint32(g * 4) : locaView.getUint16(g * 2) * 2);
    const glyfView = new DataView(glyf.buffer, glyf.byteOffset, glyf.byteLength);

    const keep = new Set<number>([0]);
    const pending = [...glyphs];
    while (pending.length > 0) {
      const g = pending.pop() as number;
      if (g < 0 || g >= glyphCount || keep.has(g)) continue;
      keep.add(g);
      const start = offset(g);
      if (offset(g + 1) - start < 10 || glyfView.getInt16(start) >= 0) continue;
      // a composite glyph: keep its components too
      let at = start + 10;
      for (;;) {
        const flags = glyfView.getUint16(at);
        pending.push(glyfView.getUint16(at + 2));
        at += 4 + (flags & 0x1 ? 4 : 2) + (flags & 0x8 ? 2 : flags & 0x40 ? 4 : flags & 0x80 ? 8 : 0);
        if (!(flags & 0x20)) break;
      }
    }

    const ids = [...keep].sort((a, b) => a - b);
    const size = ids.reduce((n, g) => n + align4(offset(g + 1) - offset(g)), 0);
    const newGlyf = new Uint8Array(size);
    const newLoca = new Uint8Array((glyphCount + 1) * 4);
    const locaOut = new DataView(newLoca.buffer);
    let cursor = 0;
    let next = 0;
    for (let g = 0; g <= glyphCount; g++) {
      locaOut.setUint32(g * 4, cursor);
      if (g < glyphCount && ids[next] === g) {
        next++;
        const data = glyf.subarray(offset(g), offset(g + 1));
        newGlyf.set(data, cursor);
        cursor += align4(data.byteLength);
      }
    }
    const newHead = head.slice();
    new DataView(newHead.buffer).setInt16(50, 1); // long loca offsets
    new DataView(newHead.buffer).setUint32(8, 0); // checkSumAdjustment: not recomputed (PDF readers do not check it)

    const out: [string, Uint8Array][] = [];
    for (const tag of [...this.tables.keys()].sort()) {
      if (tag === 'glyf') out.push([tag, newGlyf]);
      else if (tag === 'loca') out.push([tag, newLoca]);
      else if (tag === 'head') out.push([tag, newHead]);
      else if (EMBEDDED_TABLES.has(tag)) out.push([tag, table(tag) as Uint8Array]);
    }
    return writeSfnt(new DataView(this.bytes.buffer, this.bytes.byteOffset).getUint32(0), out);
  }
}

/** The tables a PDF's TrueType font program uses (outlines, metrics, hinting, names); the rest are layout tables. */
const EMBEDDED_TABLES = new Set(['head', 'hhea', 'hmtx', 'maxp', 'loca', 'glyf', 'cvt ', 'fpgm', 'prep', 'OS/2', 'post', 'name', 'cmap']);

function checksum(data: Uint8Array): number {
  let sum = 0;
  const padded =
    data.byteLength % 4 === 0
      ? data
      : (() => {
          const p = new Uint8Array(align4(data.byteLength));
          p.set(data);
          return p;
        })();
  const view = new DataView(padded.buffer, padded.byteOffset, padded.byteLength);
  for (let i = 0; i < padded.byteLength; i += 4) sum = (sum + view.getUint32(i)) >>> 0;
  return sum;
}

/** Lays tables out behind an sfnt table directory (tags sorted, 4-byte aligned). */
function writeSfnt(flavor: number, tables: readonly [string, Uint8Array][], checksums?: readonly number[]): Uint8Array {
  const numTables = tables.length;
  const headerLength = 12 + numTables * 16;
  const total = tables.reduce((n, [, data]) => n + align4(data.byteLength), headerLength);
  const out = new Uint8Array(total);
  const o = new DataView(out.buffer);
  const pow2 = 2 ** Math.floor(Math.log2(numTables));
  o.setUint32(0, flavor);
  o.setUint16(4, numTables);
  o.setUint16(6, pow2 * 16);
  o.setUint16(8, Math.log2(pow2));
  o.setUint16(10, numTables * 16 - pow2 * 16);
  let offset = headerLength;
  tables.forEach(([tagName, data], i) => {
    const at = 12 + i * 16;
    for (let k = 0; k < 4; k++) o.setUint8(at + k, tagName.charCodeAt(k));
    o.setUint32(at + 4, checksums?.[i] ?? checksum(data));
    o.setUint32(at + 8, offset);
    o.setUint32(at + 12, data.byteLength);
    out.set(data, offset);
    offset += align4(data.byteLength);
  });
  return out;
}

interface TableRecord {
  offset: number;
  length: number;
}

function readTableDirectory(bytes: Uint8Array): Map<string, TableRecord> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint16(4);
  const tables = new Map<string, TableRecord>();
  for (let i = 0; i < count; i++) {
    const at = 12 + i * 16;
    tables.set(tag(view, at), { offset: view.getUint32(at + 8), length: view.getUint32(at + 12) });
  }
  return tables;
}

function tag(view: DataView, at: number): string {
  return String.fromCharCode(view.getUint8(at), view.getUint8(at + 1), view.getUint8(at + 2), view.getUint8(at + 3));
}

/** Reads the best Unicode subtable: (3,10) or (0,4+) format 12, else (3,1) or (0,x) format 4. */
function readCmap(cmap: DataView): Map<number, number> {
  const count = cmap.getUint16(2);
  let best: { offset: number; score: number } | undefined;
  for (let i = 0; i < count; i++) {
    const platform = cmap.getUint16(4 + i * 8);
    const encoding = cmap.getUint16(6 + i * 8);
    const offset = cmap.getUint32(8 + i * 8);
    const format = cmap.getUint16(offset);
    const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
    if (!unicode || (format !== 4 && format !== 12)) continue;
    const score = format === 12 ? 2 : 1;
    if (!best || score > best.score) best = { offset, score };
  }
  const map = new Map<number, number>();
  if (!best) return map;
  const at = best.offset;
  if (cmap.getUint16(at) === 12) {
    const groups = cmap.getUint32(at + 12);
    for (let g = 0; g < groups; g++) {
      const p = at + 16 + g * 12;
      const start = cmap.getUint32(p);
      const end = cmap.getUint32(p + 4);
      const glyph = cmap.getUint32(p + 8);
      for (let c = start; c <= end; c++) map.set(c, glyph + (c - start));
    }
    return map;
  }
  const segments = cmap.getUint16(at + 6) / 2;
  const ends = at + 14;
  const starts = ends + segments * 2 + 2;
  const deltas = starts + segments * 2;
  const rangeOffsets = deltas + segments * 2;
  for (let s = 0; s < segments; s++) {
    const end = cmap.getUint16(ends + s * 2);
    const start = cmap.getUint16(starts + s * 2);
    const delta = cmap.getInt16(deltas + s * 2);
    const rangeOffset = cmap.getUint16(rangeOffsets + s * 2);
    if (start === 0xffff) break;
    for (let c = start; c <= end; c++) {
      let glyph: number;
      if (rangeOffset === 0) glyph = (c + delta) & 0xffff;
      else {
        const p = rangeOffsets + s * 2 + rangeOffset + (c - start) * 2;
        glyph = cmap.getUint16(p);
        if (glyph !== 0) glyph = (glyph + delta) & 0xffff;
      }
      if (glyph !== 0) map.set(c, glyph);
    }
  }
  return map;
}

/** A WOFF that declares more unpacked bytes than the caller allows. */
export class WoffTooLarge extends Error {}

/** A WOFF's table directory, checked to lie within the file. */
function woffDirectory(woff: Uint8Array) {
  const view = new DataView(woff.buffer, woff.byteOffset, woff.byteLength);
  if (woff.byteLength < 44 || tag(view, 0) !== 'wOFF') throw new Error('not a WOFF file');
  const numTables = view.getUint16(12);
  if (44 + numTables * 20 > woff.byteLength) throw new Error('its table directory runs past the file');
  const tables = Array.from({ length: numTables }, (_, i) => {
    const at = 44 + i * 20;
    const offset = view.getUint32(at + 4);
    const compLength = view.getUint32(at + 8);
    if (offset + compLength > woff.byteLength) throw new Error('a table runs past the file');
    return {
      tag: tag(view, at),
      checksum: view.getUint32(at + 16),
      stored: woff.subarray(offset, offset + compLength),
      origLength: view.getUint32(at + 12),
    };
  });
  return { flavor: view.getUint32(4), tables };
}

/**
 * WOFF 1.0 → sfnt: each table is stored zlib-compressed (or as is, when that was not smaller);
 * inflate them and lay them out again behind an sfnt table directory. For the bundled fonts; an
 * upload goes through unpackWoff (inflateSync has no usable output cap in workerd).
 */
export function woffToSfnt(woff: Uint8Array): Uint8Array {
  const { flavor, tables } = woffDirectory(woff);
  const data = tables.map((t) => (t.stored.byteLength < t.origLength ? new Uint8Array(inflateSync(t.stored)) : t.stored));
  if (data.some((d, i) => d.byteLength !== tables[i]?.origLength)) throw new Error('a table has the wrong length');
  return writeSfnt(
    flavor,
    tables.map((t, i) => [t.tag, data[i] as Uint8Array]),
    tables.map((t) => t.checksum),
  );
}

/**
 * An untrusted WOFF → sfnt, unpacking at most `maxBytes`: the tables' declared sizes are checked
 * first, and each compressed table is streamed through DecompressionStream and dropped as soon as
 * it runs past its declared size, so a zip bomb is refused without being inflated. Throws an
 * Error saying what is wrong.
 */
export async function unpackWoff(woff: Uint8Array, maxBytes: number): Promise<Uint8Array> {
  const { flavor, tables } = woffDirectory(woff);
  const claimed = tables.reduce((n, t) => n + t.origLength, 0);
  if (claimed > maxBytes) throw new WoffTooLarge(`its tables unpack to ${claimed} bytes (at most ${maxBytes})`);
  const data: Uint8Array[] = [];
  for (const t of tables) {
    if (t.stored.byteLength >= t.origLength) {
      if (t.stored.byteLength !== t.origLength) throw new Error('a table has the wrong length');
      data.push(t.stored);
      continue;
    }
    const out = new Uint8Array(t.origLength);
    let total = 0;
    const reader = new Blob([t.stored]).stream().pipeThrough(new DecompressionStream('deflate')).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (total + value.byteLength > t.origLength) throw new Error('a table unpacks to more than it declares');
        out.set(value, total);
        total += value.byteLength;
      }
    } catch (err) {
      throw err instanceof Error && err.message.startsWith('a table') ? err : new Error('a table does not unpack');
    } finally {
      reader.cancel().catch(() => {});
    }
    if (total !== t.origLength) throw new Error('a table unpacks to less than it declares');
    data.push(out);
  }
  return writeSfnt(
    flavor,
    tables.map((t, i) => [t.tag, data[i] as Uint8Array]),
    tables.map((t) => t.checksum),
  );
}

const align4 = (n: number): number => (n + 3) & ~3;

/** zlib-compresses bytes (PDF's FlateDecode) with the runtime's native zlib, as the PNG encoder does. */
export function deflate(data: Uint8Array): Uint8Array {
  return deflateSync(data);
}
