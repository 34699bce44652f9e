/**
 * Lossy WebP encoding with libwebp compiled to WASM (@jsquash/webp), shared by both engines:
 * takumi's WASM build only writes lossless WebP, and resvg writes none. The encoder module is
 * imported as a compiled WebAssembly.Module (workerd cannot compile from bytes) and instantiated
 * for each picture, then dropped (lib/wasm-memory.ts useCodec: its 16 MiB and more are not held
 * between requests).
 */

// The SIMD build: workerd's V8 supports WASM SIMD, and @jsquash picks the SIMD glue when it does.
import webpEncoder from '@jsquash/webp/codec/enc/webp_enc_simd.js';
import webpEncWasm from '@jsquash/webp/codec/enc/webp_enc_simd.wasm';
import { defaultOptions } from '@jsquash/webp/meta.js';
import { useCodec } from '../../lib/wasm-memory';
import { WEBP_QUALITY } from '../engine';

/** The encoder's entry point as its .d.ts declares it. */
type WebpEncoder = { encode(data: BufferSource, width: number, height: number, options: typeof defaultOptions): Uint8Array | null };

export async function encodeWebp(rgba: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  const pixels = new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  const out = await useCodec<WebpEncoder, Uint8Array | null>('webp encoder', webpEncWasm, webpEncoder, (codec) =>
    codec.encode(pixels, width, height, {
      ...defaultOptions,
      quality: WEBP_QUALITY,
      method: 1, // measured in workerd: 35 ms vs 41 ms for method 2, 3 % larger files
    }),
  );
  if (!out) throw new Error('WebP encoding failed');
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength).slice();
}
