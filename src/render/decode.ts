/**
 * Input images the engines cannot draw — WebP and AVIF — decoded with libwebp / libavif (dav1d)
 * compiled to WASM (@jsquash) and re-encoded as PNG, which both engines and the PDF writer take.
 * Each decoder is imported as a compiled WebAssembly.Module (workerd cannot compile from bytes)
 * and instantiated once per isolate, on first use. The caller has checked the file's structure
 * and declared size first (image-check.ts), so a decode never starts on a bitmap over the limit.
 */
import avifDecWasm from '@jsquash/avif/codec/dec/avif_dec.wasm';
import decodeAvif, { init as initAvif } from '@jsquash/avif/decode';
import webpDecWasm from '@jsquash/webp/codec/dec/webp_dec.wasm';
import decodeWebp, { init as initWebp } from '@jsquash/webp/decode';
import { encodePng } from './png';

let webpReady: Promise<unknown> | undefined;
let avifReady: Promise<unknown> | undefined;

export type DecodedType = 'image/webp' | 'image/avif';

/** The picture as PNG bytes; throws when the decoder cannot read it. */
export async function toPng(bytes: Uint8Array, type: DecodedType): Promise<Uint8Array> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let image: { data: Uint8ClampedArray; width: number; height: number } | null;
  if (type === 'image/webp') {
    webpReady ??= initWebp(webpDecWasm);
    await webpReady;
    image = await decodeWebp(buffer);
  } else {
    avifReady ??= initAvif(avifDecWasm);
    await avifReady;
    image = await decodeAvif(buffer);
  }
  if (!image) throw new Error(`${type} could not be decoded`);
  return encodePng(new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength), image.width, image.height);
}
