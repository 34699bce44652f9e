/** The native-zlib PNG encoder, checked by a real decoder (fast-png) pixel for pixel. */
import { describe, expect, it } from 'vitest';
import { encodePng, unpremultiply } from '../../../src/render/encode/png';
import { decodePng } from '../../helpers/api';

function pattern(width: number, height: number): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const x = i % width;
    const y = Math.floor(i / width);
    // gradients, wrap-around (borrow) cases and partial alpha
    rgba.set([(x * 7) & 0xff, (y * 13 + x) & 0xff, (255 - x - y) & 0xff, (x + y) % 3 === 0 ? 255 : (x * y) & 0xff], i * 4);
  }
  return rgba;
}

describe('encodePng', () => {
  it.each([
    [1, 1],
    [3, 5],
    [17, 9],
    [1200, 630],
  ])('round-trips %i×%i RGBA exactly', (width, height) => {
    const rgba = pattern(width, height);
    const png = decodePng(encodePng(rgba, width, height));
    expect([png.width, png.height]).toEqual([width, height]);
    const firstMismatch = png.data.findIndex((v, i) => v !== rgba[i]);
    expect(firstMismatch).toBe(-1);
  });

  it('accepts pixels that start at an unaligned offset', () => {
    const rgba = pattern(5, 4);
    const backing = new Uint8Array(rgba.length + 1);
    backing.set(rgba, 1);
    expect(decodePng(encodePng(backing.subarray(1), 5, 4)).data).toEqual(rgba);
  });

  it('refuses a buffer of the wrong size', () => {
    expect(() => encodePng(new Uint8Array(10), 2, 2)).toThrow(/expected 16 bytes/);
  });

  it('unpremultiply restores straight alpha', () => {
    const px = unpremultiply(new Uint8Array([127, 0, 0, 127, 10, 20, 30, 255, 0, 0, 0, 0]));
    expect([...px]).toEqual([255, 0, 0, 127, 10, 20, 30, 255, 0, 0, 0, 0]);
  });
});
