/**
 * Input images not every engine draws the same way — WebP, AVIF and GIF — decoded and re-encoded
 * as PNG, which both engines and the PDF writer take. WebP and AVIF go through libwebp / libavif
 * (dav1d) compiled to WASM (@jsquash): each decoder is imported as a compiled WebAssembly.Module
 * (workerd cannot compile from bytes) and instantiated for each picture, then dropped
 * (lib/wasm-memory.ts useCodec). GIF goes
 * through omggif (plain JS, 4 KB): only its first frame, so an animated GIF is its first picture
 * everywhere — takumi, satori and PDFs alike, which cannot embed GIF at all. The caller has
 * checked the file's structure and declared size first (image-check.ts), and a GIF's first frame
 * is checked against the same limit here, so a decode never starts on a bitmap over the limit.
 */
import avifDecoder from '@jsquash/avif/codec/dec/avif_dec.js';
import avifDecWasm from '@jsquash/avif/codec/dec/avif_dec.wasm';
import webpDecoder from '@jsquash/webp/codec/dec/webp_dec.js';
import webpDecWasm from '@jsquash/webp/codec/dec/webp_dec.wasm';
import { GifReader } from 'omggif';
import { useCodec } from '../../lib/wasm-memory';
import { encodePng } from '../encode/png';
import { MAX_INPUT_PIXELS } from './image-check';

/** A picture whose decode would pass the pixel limit: the caller's input is too large, not broken. */
export class DecodeLimitError extends Error {}

type ImageDataLike = { data: Uint8ClampedArray; width: number; height: number };
/** The codecs' entry points as their .d.ts files declare them (8-bit AVIF output only). */
type WebpDecoder = { decode(data: BufferSource): ImageDataLike | null };
type AvifDecoder = { decode(data: BufferSource, bitDepth: 8): ImageDataLike | null };

export type DecodedType = 'image/webp' | 'image/avif' | 'image/gif';

/** The picture as PNG bytes; throws when the decoder cannot read it. */
export async function toPng(bytes: Uint8Array, type: DecodedType): Promise<Uint8Array> {
  if (type === 'image/gif') return gifFirstFrame(bytes);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  // the PNG is written while the codec is in use: its pixels are a view of the codec's memory
  const png = (image: { data: Uint8ClampedArray; width: number; height: number } | null) => {
    if (!image) throw new Error(`${type} could not be decoded`);
    return encodePng(new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength), image.width, image.height);
  };
  return type === 'image/webp'
    ? useCodec<WebpDecoder, Uint8Array>('webp decoder', webpDecWasm, webpDecoder, (codec) => png(codec.decode(buffer)))
    : useCodec<AvifDecoder, Uint8Array>('avif decoder', avifDecWasm, avifDecoder, (codec) => png(codec.decode(buffer, 8)));
}

/**
 * The first frame of a GIF on its logical screen (transparent where the frame leaves it), as PNG.
 * omggif reads every frame's descriptor up front (no pixels) and decodes only the frame asked for.
 */
function gifFirstFrame(bytes: Uint8Array): Uint8Array {
  const { gif, frame } = gifFirstFrameInfo(bytes);
  if (frame.x + frame.width > gif.width || frame.y + frame.height > gif.height) throw new Error('GIF frame lies outside the image');
  const rgba = new Uint8Array(gif.width * gif.height * 4);
  gif.decodeAndBlitFrameRGBA(0, rgba);
  return encodePng(rgba, gif.width, gif.height);
}

/**
 * A GIF's reader and first frame's descriptor, checked against the pixel limit: the frame's own
 * size is what a decoder allocates, and a 1×1 screen can carry a 65535² frame. No pixels are read.
 * Throws DecodeLimitError over the limit, Error when the GIF cannot be read. Also used for GIFs
 * embedded in SVGs (svg-image.ts), which resvg decodes at their first frame's size.
 */
export function gifFirstFrameInfo(bytes: Uint8Array): { gif: GifReader; frame: ReturnType<GifReader['frameInfo']> } {
  const gif = new GifReader(bytes);
  if (gif.numFrames() === 0) throw new Error('GIF has no frames');
  const frame = gif.frameInfo(0);
  if (frame.width * frame.height > MAX_INPUT_PIXELS)
    throw new DecodeLimitError(`GIF frame is ${frame.width}×${frame.height} pixels; the limit is ${MAX_INPUT_PIXELS}`);
  return { gif, frame };
}
