/**
 * PNG encoding for the synthetic benchmark (fast-png; deterministic: same pixels, same bytes).
 * @module
 */
import { encode } from "fast-png";

/** Encodes an 8-bit grayscale image `data` `[height * width]` as PNG bytes. */
export function encodeGrayPng(width: number, height: number, data: Uint8Array): Uint8Array {
  if (data.length !== width * height) {
    throw new RangeError(`Cannot encode PNG: ${data.length} pixels for a ${width}×${height} image`);
  }
  return encode({ width, height, data, depth: 8, channels: 1 });
}

/** Encodes an 8-bit RGB image `data` `[height * width * 3]` as PNG bytes. */
export function encodeRgbPng(width: number, height: number, data: Uint8Array): Uint8Array {
  if (data.length !== width * height * 3) {
    throw new RangeError(`Cannot encode PNG: ${data.length} values for a ${width}×${height} RGB image`);
  }
  return encode({ width, height, data, depth: 8, channels: 3 });
}

/** Quantises a float image `[n]` in [0, 1] to 8 bits (round half up, clamped). */
export function toUint8(image: Float32Array): Uint8Array {
  const out = new Uint8Array(image.length);
  for (let i = 0; i < image.length; i++) {
    const v = image[i] * 255 + 0.5;
    out[i] = v <= 0 ? 0 : v >= 255 ? 255 : v;
  }
  return out;
}
