/**
 * PNG encoding: the project's one encoder (fast-png; deterministic: the same pixels always give the same bytes).
 * Decoding is `decodeImage` in `image.ts`.
 * @module
 */
import { encode } from "fast-png";
import type { GrayImage } from "./gray_image.ts";

/** Pixels to encode: `data` is `[height, width, channels]` row-major, 8-bit samples or 16-bit ones in a `Uint16Array`. */
export interface PngPixels {
  width: number;
  height: number;
  /** 1 = gray, 3 = RGB, 4 = RGBA. */
  channels: 1 | 3 | 4;
  data: Uint8Array | Uint16Array;
}

/** An 8-bit image: `data` is `[height, width, channels]` row-major (channels 1 = gray, 3 = RGB, 4 = RGBA). */
export interface RasterImage extends PngPixels {
  data: Uint8Array;
}

/**
 * Encodes pixels as PNG bytes: bit depth 8 for a `Uint8Array`, 16 for a `Uint16Array`.
 * @example
 * ```ts
 * encodePng({ width: 2, height: 1, channels: 1, data: new Uint8Array([0, 255]) }); // an 8-bit gray PNG
 * ```
 */
export function encodePng(image: PngPixels): Uint8Array {
  const { width, height, channels, data } = image;
  const expected = width * height * channels;
  if (data.length !== expected) {
    throw new RangeError(
      `Cannot encode PNG: ${data.length} samples for ${width}×${height}×${channels} (expected ${expected})`,
    );
  }
  return encode({ width, height, channels, depth: data instanceof Uint16Array ? 16 : 8, data });
}

/** Encodes a {@link GrayImage} as an 8-bit (default) or 16-bit gray PNG, rounding `data · (2^bits − 1)`. */
export function grayImageToPng(img: GrayImage, bitDepth: 8 | 16 = 8): Uint8Array {
  const max = bitDepth === 16 ? 65535 : 255;
  const data = bitDepth === 16 ? new Uint16Array(img.data.length) : new Uint8Array(img.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(Math.min(1, Math.max(0, img.data[i])) * max);
  return encodePng({ width: img.width, height: img.height, channels: 1, data });
}
