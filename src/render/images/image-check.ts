/**
 * Structural checks of a fetched image before it reaches an engine. takumi silently drops an
 * image it cannot decode and satori throws deep inside layout, so a corrupt logo would either
 * vanish or surface as a 5xx; and a small file can declare a huge bitmap (a decompression bomb).
 * We walk the container format (PNG chunks with their CRCs, JPEG markers up to the frame header,
 * the GIF header and trailer, WebP's RIFF chunk and frame header, AVIF's ISO-BMFF boxes), read
 * the declared size, and refuse what is broken or too big.
 * No pixel data is decoded: this costs microseconds. No library does just this without decoding.
 */

import { crc32 } from '../../lib/crc32';

/**
 * Largest declared bitmap accepted for an input image: 4.2 MP (2048 × 2048), the most an output
 * has. An engine decodes a picture whole into its WASM memory, which never shrinks: measured in
 * workerd (issue 15), one 16 MP picture in an og-card at 2× grew takumi's and resvg's memories to
 * 130 MB each — past an isolate's whole 128 MB — for the rest of the isolate's life; at 4.2 MP
 * they reach about 47 and 50 MB.
 */
export const MAX_INPUT_PIXELS = 4_200_000;

export type CheckResult = { ok: true; width: number; height: number } | { ok: false; reason: string };

function checkPng(b: Uint8Array, view: DataView): CheckResult {
  let offset = 8;
  let width = 0;
  let height = 0;
  let sawData = false;
  for (let index = 0; ; index++) {
    if (offset + 12 > b.length) return { ok: false, reason: 'PNG ends before its IEND chunk' };
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...b.subarray(offset + 4, offset + 8));
    const end = offset + 8 + length;
    if (end + 4 > b.length) return { ok: false, reason: `PNG chunk ${type} runs past the end of the file` };
    if (crc32(b, offset + 4, end) !== view.getUint32(end)) return { ok: false, reason: `PNG chunk ${type} is corrupt (CRC mismatch)` };
    if (index === 0) {
      if (type !== 'IHDR' || length !== 13) return { ok: false, reason: 'PNG does not start with an IHDR chunk' };
      width = view.getUint32(offset + 8);
      height = view.getUint32(offset + 12);
    }
    if (type === 'IDAT') sawData = true;
    if (type === 'IEND') break;
    offset = end + 4;
  }
  if (!sawData) return { ok: false, reason: 'PNG has no image data' };
  return { ok: true, width, height };
}

function checkJpeg(b: Uint8Array, view: DataView): CheckResult {
  let offset = 2;
  while (offset + 4 <= b.length) {
    if (b[offset] !== 0xff) return { ok: false, reason: 'JPEG marker stream is corrupt' };
    const marker = b[offset + 1] as number;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      offset += 2;
      continue;
    }
    const length = view.getUint16(offset + 2);
    if (length < 2 || offset + 2 + length > b.length) return { ok: false, reason: 'JPEG segment runs past the end of the file' };
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (length < 8) return { ok: false, reason: 'JPEG frame header is truncated' };
      return { ok: true, height: view.getUint16(offset + 5), width: view.getUint16(offset + 7) };
    }
    if (marker === 0xda || marker === 0xd9) break; // scan data or end before any frame header
    offset += 2 + length;
  }
  return { ok: false, reason: 'JPEG has no frame header' };
}

function checkGif(b: Uint8Array, view: DataView): CheckResult {
  const version = String.fromCharCode(...b.subarray(0, 6));
  if (version !== 'GIF87a' && version !== 'GIF89a') return { ok: false, reason: 'GIF header is not GIF87a/GIF89a' };
  if (b.length < 14 || b[b.length - 1] !== 0x3b) return { ok: false, reason: 'GIF is truncated (no trailer)' };
  return { ok: true, width: view.getUint16(6, true), height: view.getUint16(8, true) };
}

const fourCC = (b: Uint8Array, at: number) => String.fromCharCode(...b.subarray(at, at + 4));

/** WebP: the RIFF container and the first chunk's frame header (lossy VP8, lossless VP8L, extended VP8X). */
function checkWebp(b: Uint8Array, view: DataView): CheckResult {
  if (b.length < 30 || fourCC(b, 0) !== 'RIFF' || fourCC(b, 8) !== 'WEBP') return { ok: false, reason: 'WebP RIFF header is broken' };
  if (view.getUint32(4, true) + 8 > b.length) return { ok: false, reason: 'WebP is truncated' };
  const chunk = fourCC(b, 12);
  if (chunk === 'VP8 ') {
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return { ok: false, reason: 'WebP VP8 frame has no start code' };
    return { ok: true, width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
  }
  if (chunk === 'VP8L') {
    if (b[20] !== 0x2f) return { ok: false, reason: 'WebP VP8L signature is missing' };
    const bits = view.getUint32(21, true);
    return { ok: true, width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') {
    const width = 1 + ((b[24] as number) | ((b[25] as number) << 8) | ((b[26] as number) << 16));
    const height = 1 + ((b[27] as number) | ((b[28] as number) << 8) | ((b[29] as number) << 16));
    return { ok: true, width, height };
  }
  return { ok: false, reason: `WebP starts with an unknown chunk "${chunk}"` };
}

/**
 * AVIF (ISO-BMFF): an `ftyp` naming an AVIF brand, then the image spatial extents (`ispe`) in
 * meta → iprp → ipco. The largest extent counts (the primary item's, or bigger), so the pixel
 * limit holds whatever item a decoder picks.
 */
function checkAvif(b: Uint8Array, view: DataView): CheckResult {
  let width = 0;
  let height = 0;
  let sawFtyp = false;
  const walk = (start: number, end: number, depth: number): string | null => {
    for (let at = start; at + 8 <= end; ) {
      let size = view.getUint32(at);
      const type = fourCC(b, at + 4);
      let header = 8;
      if (size === 1) {
        if (at + 16 > end || view.getUint32(at + 8) !== 0) return 'AVIF box is larger than 4 GB';
        size = view.getUint32(at + 12);
        header = 16;
      } else if (size === 0) size = end - at;
      if (size < header || at + size > end) return `AVIF box "${type}" runs past its container`;
      if (type === 'ftyp' && depth === 0) {
        const brands = [];
        for (let i = at + 8; i + 4 <= at + size; i += 4) if (i !== at + 12) brands.push(fourCC(b, i));
        if (!brands.includes('avif') && !brands.includes('avis')) return 'file is ISO-BMFF but not AVIF';
        sawFtyp = true;
      } else if (type === 'meta' && depth === 0) {
        const problem = walk(at + header + 4, at + size, depth + 1);
        if (problem) return problem;
      } else if ((type === 'iprp' || type === 'ipco') && depth < 4) {
        const problem = walk(at + header, at + size, depth + 1);
        if (problem) return problem;
      } else if (type === 'ispe' && size >= header + 12) {
        const w = view.getUint32(at + header + 4);
        const h = view.getUint32(at + header + 8);
        if (w * h > width * height) [width, height] = [w, h];
      }
      at += size;
    }
    return null;
  };
  const problem = walk(0, b.length, 0);
  if (problem) return { ok: false, reason: problem };
  if (!sawFtyp) return { ok: false, reason: 'AVIF has no ftyp box' };
  if (width === 0) return { ok: false, reason: 'AVIF declares no image size (ispe)' };
  return { ok: true, width, height };
}

export type CheckedType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp' | 'image/avif';

const ascii = (bytes: Uint8Array, at: number, length: number) => String.fromCharCode(...bytes.subarray(at, at + length));

/** A picture's type by its magic bytes (what a `Content-Type` header or a `data:` URI claims is checked against it). */
export function sniffImage(bytes: Uint8Array): CheckedType | undefined {
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes[0] === 0x47 && bytes[1] === 0x49 && bytes[2] === 0x46 && bytes[3] === 0x38) return 'image/gif';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return 'image/webp';
  if (ascii(bytes, 4, 4) === 'ftyp') return 'image/avif'; // an ISO-BMFF file; checkImage requires an AVIF brand
  return undefined;
}

const CHECKS: Record<CheckedType, (b: Uint8Array, view: DataView) => CheckResult> = {
  'image/png': checkPng,
  'image/jpeg': checkJpeg,
  'image/gif': checkGif,
  'image/webp': checkWebp,
  'image/avif': checkAvif,
};

export function checkImage(bytes: Uint8Array, type: CheckedType): CheckResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const result = CHECKS[type](bytes, view);
  if (!result.ok) return result;
  if (result.width === 0 || result.height === 0) return { ok: false, reason: 'image declares a zero size' };
  return result;
}

/** The pixels a picture decodes to, from its header (0 for bytes that are not a picture we read). */
export function picturePixels(bytes: Uint8Array): number {
  const type = sniffImage(bytes);
  if (!type) return 0;
  const checked = checkImage(bytes, type);
  return checked.ok ? checked.width * checked.height : 0;
}
