/**
 * Node side of the PDF inspection the workerd tests use (POST /__pdf/inspect on the global setup's
 * server; test/helpers/pdf.ts calls it): writes the bytes to a temp dir and runs the real tools —
 * qpdf --check, and poppler's pdfinfo, pdffonts, pdftotext, pdftoppm and pdfimages — in parallel.
 * A tool that fails (exit code, timeout, missing binary) is reported in `errors`; nothing throws.
 *
 * Coordinates from pdftotext (words, lines) are in PDF points with the origin at the top left of
 * the page, y growing downwards (poppler's convention).
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The binaries inspectPdf runs, and the Debian package each comes from. */
export const PDF_TOOLS = {
  qpdf: 'qpdf',
  pdfinfo: 'poppler-utils',
  pdffonts: 'poppler-utils',
  pdftotext: 'poppler-utils',
  pdftoppm: 'poppler-utils',
  pdfimages: 'poppler-utils',
} as const;

export type PdfTool = keyof typeof PDF_TOOLS;

export interface PdfToolError {
  tool: PdfTool;
  /** What was run, e.g. "pdftoppm -png -r 50 -f 3 -l 3". */
  command: string;
  /** null when the tool never ran to completion (missing binary, timeout, killed). */
  exitCode: number | null;
  message: string;
}

export interface PdfQpdfCheck {
  /** qpdf --check exited 0. */
  ok: boolean;
  /** 0 ok, 2 errors, 3 warnings only (ok is false then too); null when qpdf did not run. */
  exitCode: number | null;
  /** exit code 3: qpdf found problems it could work around. */
  warnings: boolean;
  /** stdout and stderr. */
  output: string;
}

export interface PdfBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface PdfPageInfo {
  page: number;
  /** Points (1/72 in), rotation not applied. */
  width: number;
  height: number;
  /** pdfinfo's paper name when it recognises the size, e.g. "A4", "letter". */
  paper: string | null;
  rotation: number;
  mediaBox: PdfBox | null;
  cropBox: PdfBox | null;
  trimBox: PdfBox | null;
}

export interface PdfInfo {
  pages: number;
  pageSizes: PdfPageInfo[];
  title: string | null;
  author: string | null;
  subject: string | null;
  producer: string | null;
  creator: string | null;
  /** ISO 8601 (pdfinfo -isodates), e.g. "2026-01-31T12:00:00Z". */
  creationDate: string | null;
  modDate: string | null;
  /** e.g. "1.7". */
  pdfVersion: string | null;
  fileSize: number | null;
  encrypted: boolean;
  tagged: boolean;
  /** Every "Key: value" line of pdfinfo's output that is not a per-page line. */
  raw: Record<string, string>;
}

export interface PdfFont {
  name: string;
  /** e.g. "Type 1", "TrueType", "CID TrueType", "Type 1C". */
  type: string;
  encoding: string;
  embedded: boolean;
  subset: boolean;
  /** Has a ToUnicode map. */
  unicode: boolean;
  objectId: string;
}

export interface PdfPageText {
  page: number;
  /** pdftotext -layout. */
  text: string;
}

export interface PdfWord {
  text: string;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

export interface PdfLine extends PdfWord {
  words: PdfWord[];
}

export interface PdfPageWords {
  page: number;
  width: number;
  height: number;
  words: PdfWord[];
  /** pdftotext's text lines (words joined by a space), in reading order. */
  lines: PdfLine[];
}

export interface PdfImage {
  page: number;
  num: number;
  /** image, mask, smask, stencil. */
  type: string;
  width: number;
  height: number;
  color: string;
  xPpi: number;
  yPpi: number;
  size: string;
}

export interface PdfImages {
  /**
   * pdfimages -list rows per page, perPage[0] being page 1 (one entry per page of pdfinfo's count).
   * Masks count too (an RGBA image is an image and an smask row): filter `rows` by type for images only.
   */
  perPage: number[];
  rows: PdfImage[];
}

export interface PdfPagePng {
  page: number;
  dpi: number;
  /** A PNG file, base64. */
  base64: string;
}

export interface PdfInspection {
  /** Bytes received. */
  bytes: number;
  qpdf: PdfQpdfCheck;
  /** null when pdfinfo failed (see errors). */
  info: PdfInfo | null;
  fonts: PdfFont[];
  pages: PdfPageText[];
  words: PdfPageWords[];
  /** Only the pages asked for, and only those pdftoppm could render. */
  png: PdfPagePng[];
  images: PdfImages;
  /** Every tool run that failed, qpdf --check excepted (its verdict is `qpdf`). Empty for a sound PDF. */
  errors: PdfToolError[];
}

export interface InspectPdfOptions {
  /** 1-based pages to rasterise. */
  png?: number[];
  /** Resolution of the PNGs; default 50. */
  dpi?: number;
}

const TIMEOUT_MS = 60_000;
const MAX_OUTPUT = 256 * 1024 * 1024;

/** The tools in PDF_TOOLS that are not on PATH. */
export function missingPdfTools(): PdfTool[] {
  // PATH only: inspectPdf runs the tools by name
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  return (Object.keys(PDF_TOOLS) as PdfTool[]).filter(
    (tool) =>
      !dirs.some((dir) => {
        try {
          accessSync(path.join(dir, tool), constants.X_OK);
          return true;
        } catch {
          return false;
        }
      }),
  );
}

interface RunResult {
  tool: PdfTool;
  command: string;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Set when the process did not run or did not finish (ENOENT, timeout, signal). */
  failure: string | null;
}

/** Runs a tool on files in `dir` and resolves, whatever happens. */
function run(dir: string, tool: PdfTool, args: string[]): Promise<RunResult> {
  // the command as reported: the temp paths left out
  const command = [tool, ...args.filter((a) => !path.isAbsolute(a))].join(' ');
  return new Promise((resolve) => {
    execFile(tool, args, { encoding: 'utf8', maxBuffer: MAX_OUTPUT, timeout: TIMEOUT_MS, env: { ...process.env, TZ: 'UTC' } }, (error, stdout, stderr) => {
      const err = error as (NodeJS.ErrnoException & { killed?: boolean; signal?: string | null }) | null;
      const exitCode = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      let failure: string | null = null;
      if (err && exitCode === null) {
        failure =
          err.code === 'ENOENT'
            ? `${tool} is not installed (Debian/Ubuntu: apt-get install ${PDF_TOOLS[tool]})`
            : err.killed || err.signal
              ? `${tool} was killed (${err.signal ?? 'timeout'}) after at most ${TIMEOUT_MS / 1000} s`
              : err.message;
      }
      // messages name the input in.pdf, not by its temp path
      const clean = (s: unknown) => String(s ?? '').replaceAll(`${dir}${path.sep}`, '');
      resolve({ tool, command, exitCode, stdout: clean(stdout), stderr: clean(stderr), failure });
    });
  });
}

function toError(r: RunResult): PdfToolError {
  return { tool: r.tool, command: r.command, exitCode: r.exitCode, message: (r.failure ?? r.stderr.trim()) || `exit code ${r.exitCode}` };
}

function parseBox(s: string | undefined): PdfBox | null {
  const n = s?.trim().split(/\s+/).map(Number);
  if (n?.length !== 4 || n.some(Number.isNaN)) return null;
  return { x0: n[0] as number, y0: n[1] as number, x1: n[2] as number, y1: n[3] as number };
}

/** pdfinfo -box -isodates -f 1 -l <many>: document keys, and one size/rot/box line per page. */
export function parsePdfInfo(out: string): PdfInfo {
  const raw: Record<string, string> = {};
  const perPage = new Map<number, Record<string, string>>();
  for (const line of out.split('\n')) {
    const page = line.match(/^Page\s+(\d+)\s+([A-Za-z]+):\s*(.*)$/);
    if (page) {
      const n = Number(page[1]);
      const fields = perPage.get(n) ?? {};
      perPage.set(n, fields);
      fields[page[2] as string] = (page[3] as string).trim();
      continue;
    }
    const kv = line.match(/^([^:]+):\s*(.*)$/);
    if (kv) raw[(kv[1] as string).trim()] = (kv[2] as string).trim();
  }
  const pageSizes: PdfPageInfo[] = [...perPage.entries()]
    .sort(([a], [b]) => a - b)
    .map(([page, f]) => {
      const size = f.size?.match(/^([\d.]+)\s+x\s+([\d.]+)\s+pts(?:\s+\((.+)\))?/);
      return {
        page,
        width: size ? Number(size[1]) : Number.NaN,
        height: size ? Number(size[2]) : Number.NaN,
        paper: size?.[3] ?? null,
        rotation: Number(f.rot ?? 0),
        mediaBox: parseBox(f.MediaBox),
        cropBox: parseBox(f.CropBox),
        trimBox: parseBox(f.TrimBox),
      };
    });
  const str = (key: string) => (raw[key] === undefined || raw[key] === '' ? null : (raw[key] as string));
  const fileSize = raw['File size']?.match(/^(\d+)/);
  return {
    pages: Number(raw.Pages ?? 0),
    pageSizes,
    title: str('Title'),
    author: str('Author'),
    subject: str('Subject'),
    producer: str('Producer'),
    creator: str('Creator'),
    creationDate: str('CreationDate'),
    modDate: str('ModDate'),
    pdfVersion: str('PDF version'),
    fileSize: fileSize ? Number(fileSize[1]) : null,
    encrypted: (raw.Encrypted ?? 'no').startsWith('yes'),
    tagged: raw.Tagged === 'yes',
    raw,
  };
}

/** pdffonts: fixed-width columns, their widths given by the dashes under the header. */
export function parsePdfFonts(out: string): PdfFont[] {
  const lines = out.split('\n');
  const dashIndex = lines.findIndex((l) => /^-+(\s+-+)+\s*$/.test(l));
  if (dashIndex < 1) return [];
  const header = lines[dashIndex - 1] as string;
  const spans: [number, number][] = [];
  for (const m of (lines[dashIndex] as string).matchAll(/-+/g)) spans.push([m.index, m.index + m[0].length]);
  const names = spans.map(([a, b]) => header.slice(a, b).trim());
  const col = (row: string, name: string) => {
    const i = names.indexOf(name);
    if (i < 0) return '';
    const [a] = spans[i] as [number, number];
    // the last column (object ID) runs to the end of the line
    const b = i === spans.length - 1 ? row.length : (spans[i + 1] as [number, number])[0];
    return row.slice(a, b).trim();
  };
  return lines
    .slice(dashIndex + 1)
    .filter((l) => l.trim() !== '')
    .map((row) => ({
      name: col(row, 'name'),
      type: col(row, 'type'),
      encoding: col(row, 'encoding'),
      embedded: col(row, 'emb') === 'yes',
      subset: col(row, 'sub') === 'yes',
      unicode: col(row, 'uni') === 'yes',
      objectId: col(row, 'object ID'),
    }));
}

/** pdfimages -list: whitespace-separated columns under a header and a line of dashes. */
export function parsePdfImages(out: string): PdfImage[] {
  const lines = out.split('\n');
  const dashIndex = lines.findIndex((l) => /^-{5,}\s*$/.test(l));
  return lines
    .slice(dashIndex + 1)
    .map((l) => l.trim().split(/\s+/))
    .filter((c) => c.length >= 16 && /^\d+$/.test(c[0] as string))
    .map((c) => ({
      page: Number(c[0]),
      num: Number(c[1]),
      type: c[2] as string,
      width: Number(c[3]),
      height: Number(c[4]),
      color: c[5] as string,
      xPpi: Number(c[12]),
      yPpi: Number(c[13]),
      size: c[14] as string,
    }));
}

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[e.toLowerCase()] as string;
  });
}

function attrs(tag: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of tag.matchAll(/(\w+)="([^"]*)"/g)) out[m[1] as string] = Number(m[2]);
  return out;
}

/** pdftotext -bbox-layout's XHTML: pages, their lines and words with boxes. */
export function parseBboxLayout(xhtml: string): PdfPageWords[] {
  const pages: PdfPageWords[] = [];
  let page: PdfPageWords | undefined;
  let line: PdfLine | undefined;
  for (const m of xhtml.matchAll(/<(page|line)\b([^>]*)>|<\/line>|<word\b([^>]*)>([^<]*)<\/word>/g)) {
    if (m[1] === 'page') {
      const a = attrs(m[2] as string);
      page = { page: pages.length + 1, width: a.width ?? Number.NaN, height: a.height ?? Number.NaN, words: [], lines: [] };
      pages.push(page);
    } else if (m[1] === 'line') {
      const a = attrs(m[2] as string);
      line = { text: '', xMin: a.xMin ?? Number.NaN, yMin: a.yMin ?? Number.NaN, xMax: a.xMax ?? Number.NaN, yMax: a.yMax ?? Number.NaN, words: [] };
      page?.lines.push(line);
    } else if (m[0] === '</line>') {
      if (line) line.text = line.words.map((w) => w.text).join(' ');
      line = undefined;
    } else if (m[3] !== undefined) {
      const a = attrs(m[3]);
      const word = {
        text: decodeEntities(m[4] ?? ''),
        xMin: a.xMin ?? Number.NaN,
        yMin: a.yMin ?? Number.NaN,
        xMax: a.xMax ?? Number.NaN,
        yMax: a.yMax ?? Number.NaN,
      };
      page?.words.push(word);
      line?.words.push(word);
    }
  }
  return pages;
}

/** Runs the tools on one PDF. Never throws for a bad PDF or a failing tool: see `errors`. */
export async function inspectPdf(bytes: Uint8Array, options: InspectPdfOptions = {}): Promise<PdfInspection> {
  const dpi = Math.min(Math.max(Math.round(options.dpi ?? 50), 1), 600);
  const pngPages = [...new Set(options.png ?? [])].filter((p) => Number.isInteger(p) && p >= 1).sort((a, b) => a - b);
  const dir = await mkdtemp(path.join(tmpdir(), 'picstream-pdf-'));
  try {
    const file = path.join(dir, 'in.pdf');
    await writeFile(file, bytes);
    const pngRuns = pngPages.map(async (page) => {
      const root = path.join(dir, `page-${page}`);
      const r = await run(dir, 'pdftoppm', ['-png', '-r', String(dpi), '-f', String(page), '-l', String(page), '-singlefile', file, root]);
      if (r.exitCode !== 0) return { r, png: null };
      try {
        return { r, png: { page, dpi, base64: (await readFile(`${root}.png`)).toString('base64') } };
      } catch (e) {
        return { r: { ...r, exitCode: null, failure: `pdftoppm wrote no ${root}.png: ${(e as Error).message}` }, png: null };
      }
    });
    const [qpdf, info, fonts, text, bbox, images, ...pngs] = await Promise.all([
      run(dir, 'qpdf', ['--check', file]),
      // pdfinfo clamps -l to the page count; -f/-l make it print every page's size and boxes
      run(dir, 'pdfinfo', ['-box', '-isodates', '-f', '1', '-l', '2147483647', file]),
      run(dir, 'pdffonts', [file]),
      run(dir, 'pdftotext', ['-layout', '-enc', 'UTF-8', file, '-']),
      run(dir, 'pdftotext', ['-bbox-layout', '-enc', 'UTF-8', file, '-']),
      run(dir, 'pdfimages', ['-list', file]),
      ...pngRuns,
    ]);
    const errors: PdfToolError[] = [];
    const ok = (r: RunResult) => {
      if (r.exitCode === 0) return true;
      errors.push(toError(r));
      return false;
    };
    const parsedInfo = ok(info) ? parsePdfInfo(info.stdout) : null;
    const pageCount = parsedInfo?.pages ?? 0;
    const pages: PdfPageText[] = [];
    if (ok(text)) {
      // one page per form feed; pdftotext ends every page, the last included, with one
      const parts = text.stdout.split('\f');
      const n = pageCount || parts.length - 1;
      for (let i = 0; i < n; i++) pages.push({ page: i + 1, text: parts[i] ?? '' });
    }
    const words = ok(bbox) ? parseBboxLayout(bbox.stdout) : [];
    const fontRows = ok(fonts) ? parsePdfFonts(fonts.stdout) : [];
    const imageRows = ok(images) ? parsePdfImages(images.stdout) : [];
    const perPage = Array.from({ length: pageCount }, (_, i) => imageRows.filter((row) => row.page === i + 1).length);
    const png: PdfPagePng[] = [];
    for (const { r, png: p } of pngs as { r: RunResult; png: PdfPagePng | null }[]) {
      if (p) png.push(p);
      else errors.push(toError(r));
    }
    return {
      bytes: bytes.byteLength,
      qpdf: {
        ok: qpdf.exitCode === 0,
        exitCode: qpdf.exitCode,
        warnings: qpdf.exitCode === 3,
        output: [qpdf.failure, qpdf.stdout, qpdf.stderr].filter(Boolean).join('\n').trim(),
      },
      info: parsedInfo,
      fonts: fontRows,
      pages,
      words,
      png,
      images: { perPage, rows: imageRows },
      errors,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
