/**
 * Fonts for vector PDFs: the bundled WOFF fonts (the same files satori lays out with) turned into
 * TrueType once per isolate, a per-character fallback chain that mirrors satori's, text
 * measurement for templates that paginate, and per-document embedding as Type0/CIDFontType2 fonts
 * with Identity-H encoding (glyph ids as codes) and a ToUnicode map, so text can be selected,
 * searched and extracted.
 *
 * Each face is embedded as a subset (the glyphs the document uses; see SfntFont.subset), so a
 * document carries a few KB per face rather than 20–40 KB.
 */
import type { PDFDict, PDFDocument, PDFRef } from 'pdf-lib';
import { PDFString } from 'pdf-lib';
import { BUNDLED_FONTS, type FontWeight, SANS } from './bundled';
import { deflate, SfntFont, woffToSfnt } from './sfnt';

export interface LoadedFace {
  /** Family and weight as templates name them. */
  family: string;
  weight: FontWeight;
  /** PostScript-style name for the PDF (no spaces). */
  postscriptName: string;
  font: SfntFont;
}

let loaded: LoadedFace[] | undefined;

/** The bundled faces as TrueType, decoded once per isolate. */
export function pdfFaces(): LoadedFace[] {
  loaded ??= BUNDLED_FONTS.map((f) => {
    const weightName = { 400: 'Regular', 500: 'Medium', 600: 'SemiBold', 700: 'Bold' }[f.weight];
    return {
      family: f.family,
      weight: f.weight,
      postscriptName: `${f.family.replace(/[^A-Za-z0-9]/g, '')}-${weightName}`,
      font: new SfntFont(woffToSfnt(new Uint8Array(f.woff))),
    };
  });
  return loaded;
}

/** The face of `family` closest to `weight` (CSS matching, simplified: nearest, heavier on ties). */
function nearest(faces: readonly LoadedFace[], weight: number): LoadedFace | undefined {
  let best: LoadedFace | undefined;
  for (const f of faces) {
    if (
      !best ||
      Math.abs(f.weight - weight) < Math.abs(best.weight - weight) ||
      (Math.abs(f.weight - weight) === Math.abs(best.weight - weight) && f.weight > best.weight)
    ) {
      best = f;
    }
  }
  return best;
}

/**
 * Faces in the order a character is looked up: the named family (nearest weight), then every
 * other bundled family in bundle order — the order satori falls back in.
 */
export function faceChain(faces: readonly LoadedFace[], family: string, weight: number): LoadedFace[] {
  let byKey = chains.get(faces);
  if (!byKey) {
    byKey = new Map();
    chains.set(faces, byKey);
  }
  const key = `${family}/${weight}`;
  let chain = byKey.get(key);
  if (!chain) {
    chain = resolveChain(faces, family, weight);
    byKey.set(key, chain);
  }
  return chain;
}

/** Chains already worked out, per set of faces (one per isolate in practice): text asks on every run. */
const chains = new WeakMap<readonly LoadedFace[], Map<string, LoadedFace[]>>();

function resolveChain(faces: readonly LoadedFace[], family: string, weight: number): LoadedFace[] {
  const families = [...new Set(faces.map((f) => f.family))];
  const named = families.includes(family) ? family : SANS;
  const order = [named, ...families.filter((f) => f !== named)];
  return order
    .map((fam) =>
      nearest(
        faces.filter((f) => f.family === fam),
        weight,
      ),
    )
    .filter((f): f is LoadedFace => f !== undefined);
}

/** A run of characters drawn with one face. */
export interface GlyphRun {
  face: LoadedFace;
  text: string;
  glyphs: number[];
  /** Advance in font units, without letter spacing. */
  advance: number;
}

/** Splits text into runs by the first face in the chain that has each character (.notdef from the first otherwise). */
export function shapeRuns(chain: readonly LoadedFace[], text: string): GlyphRun[] {
  const runs: GlyphRun[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    let face = chain[0] as LoadedFace;
    let glyph = 0;
    for (const f of chain) {
      const g = f.font.glyphId(cp);
      if (g !== 0) {
        face = f;
        glyph = g;
        break;
      }
    }
    const last = runs[runs.length - 1];
    const run = last && last.face === face ? last : { face, text: '', glyphs: [], advance: 0 };
    if (run !== last) runs.push(run);
    run.text += ch;
    run.glyphs.push(glyph);
    run.advance += face.font.advance(glyph);
  }
  return runs;
}

/** Width in px of one line of text at `fontSize`, the way the PDF renderer will set it. */
export function measureWith(faces: readonly LoadedFace[]) {
  return (text: string, fontSize: number, weight: FontWeight = 400): number => {
    let width = 0;
    for (const run of shapeRuns(faceChain(faces, SANS, weight), text)) width += (run.advance / run.face.font.metrics.unitsPerEm) * fontSize;
    return width;
  };
}

/** The faces one document uses: embedded on first use, glyphs recorded for ToUnicode and widths. */
export class DocumentFonts {
  private readonly used = new Map<LoadedFace, { ref: PDFRef; glyphs: Map<number, string> }>();

  constructor(private readonly doc: PDFDocument) {}

  /** The indirect reference of a face's font dictionary in this document. */
  use(run: GlyphRun): PDFRef {
    let entry = this.used.get(run.face);
    if (!entry) {
      entry = { ref: this.doc.context.nextRef(), glyphs: new Map() };
      this.used.set(run.face, entry);
    }
    const chars = [...run.text];
    run.glyphs.forEach((g, i) => {
      if (g !== 0 && !entry.glyphs.has(g)) entry.glyphs.set(g, chars[i] as string);
    });
    return entry.ref;
  }

  /** Writes every used face's objects (its subset compressed); call once, before saving. */
  finish(): void {
    const ctx = this.doc.context;
    for (const [face, { ref, glyphs }] of this.used) {
      const sfnt = face.font.subset(glyphs.keys());
      const m = face.font.metrics;
      const scale = 1000 / m.unitsPerEm;
      const s = (v: number): number => Math.round(v * scale);
      // a subset font's name carries a six-letter tag (PDF 32000-1, 9.6.4), here derived from its glyphs
      const name = `${subsetTag(glyphs.keys())}+${face.postscriptName}`;
      const fontFile = ctx.register(ctx.stream(deflate(sfnt), { Filter: 'FlateDecode', Length1: sfnt.byteLength }));
      const descriptor = ctx.register(
        ctx.obj({
          Type: 'FontDescriptor',
          FontName: name,
          Flags: 32, // nonsymbolic
          FontBBox: m.bbox.map(s),
          ItalicAngle: m.italicAngle,
          Ascent: s(m.ascent),
          Descent: s(m.descent),
          CapHeight: s(m.capHeight),
          StemV: Math.round(50 + (m.weightClass / 65) ** 2),
          FontFile2: fontFile,
        }),
      );
      // .notdef too: a character no face has is drawn as glyph 0, at glyph 0's advance
      const ids = [0, ...glyphs.keys()].sort((a, b) => a - b);
      const widths: (number | number[])[] = [];
      for (const g of ids) widths.push(g, [s(face.font.advance(g))]);
      const cidFont = ctx.register(
        ctx.obj({
          Type: 'Font',
          Subtype: 'CIDFontType2',
          BaseFont: name,
          CIDSystemInfo: { Registry: PDFString.of('Adobe'), Ordering: PDFString.of('Identity'), Supplement: 0 },
          FontDescriptor: descriptor,
          DW: 0,
          W: widths,
          CIDToGIDMap: 'Identity',
        }),
      );
      const toUnicode = ctx.register(ctx.flateStream(toUnicodeCmap(ids.filter((g) => glyphs.has(g)).map((g) => [g, glyphs.get(g) as string]))));
      const dict = ctx.obj({
        Type: 'Font',
        Subtype: 'Type0',
        BaseFont: name,
        Encoding: 'Identity-H',
        DescendantFonts: [cidFont],
        ToUnicode: toUnicode,
      });
      ctx.assign(ref, dict as PDFDict);
    }
  }
}

function subsetTag(glyphs: Iterable<number>): string {
  let h = 2166136261;
  for (const g of glyphs) h = Math.imul(h ^ g, 16777619) >>> 0;
  let tag = '';
  for (let i = 0; i < 6; i++) {
    tag += String.fromCharCode(65 + (h % 26));
    h = Math.floor(h / 26) + i * 7919;
  }
  return tag;
}

function utf16Hex(text: string): string {
  let hex = '';
  for (let i = 0; i < text.length; i++) hex += text.charCodeAt(i).toString(16).padStart(4, '0');
  return hex;
}

/** The ToUnicode CMap: glyph id → the character it was drawn for (bfchar blocks of ≤ 100). */
function toUnicodeCmap(entries: readonly [number, string][]): string {
  const lines = [
    '/CIDInit /ProcSet findresource begin',
    '12 dict begin',
    'begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def',
    '/CMapType 2 def',
    '1 begincodespacerange',
    '<0000> <FFFF>',
    'endcodespacerange',
  ];
  for (let i = 0; i < entries.length; i += 100) {
    const block = entries.slice(i, i + 100);
    lines.push(`${block.length} beginbfchar`);
    for (const [g, ch] of block) lines.push(`<${g.toString(16).padStart(4, '0')}> <${utf16Hex(ch)}>`);
    lines.push('endbfchar');
  }
  lines.push('endcmap', 'CMapName currentdict /CMap defineresource pop', 'end', 'end');
  return lines.join('\n');
}
