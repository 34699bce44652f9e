/**
 * Structural checks of a fetched image before it reaches an engine. takumi silently drops an
 * image it cannot decode and satori throws deep inside layout, so a corrupt logo would either
 * vanish or surface as a 5xx; and a small file can declare a huge bitmap (a decompression bomb).
 * We walk the container format (PNG chunks with their CRCs, JPEG markers up to the frame header,
 * the GIF header and trailer), read the declared size, and refuse what is broken or too big.
 * No pixel data is decoded: this costs microseconds. No library does just this without decoding.
 */

import { crc32 } from '../lib/crc32';

/** Largest declared bitmap accepted for an input image (decoded RGBA ≈ 64 MB at the limit). */
export const MAX_INPUT_PIXELS = 16_000_000;

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

export function checkImage(bytes: Uint8Array, type: 'image/png' | 'image/jpeg' | 'image/gif'): CheckResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const result = type === 'image/png' ? checkPng(bytes, view) : type === 'image/jpeg' ? checkJpeg(bytes, view) : checkGif(bytes, view);
  if (!result.ok) return result;
  if (result.width === 0 || result.height === 0) return { ok: false, reason: 'image declares a zero size' };
  return result;
}
