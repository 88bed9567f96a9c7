/**
 * Image decoding to one grayscale type: PNG (1–16 bit; gray, gray+alpha, RGB, RGBA, palette) via `fast-png`, JPEG via
 * `jpeg-js`, DICOM via `dicom-parser` (see `dicom.ts`). The format is detected from the magic bytes, never the extension.
 * Colour becomes gray with PIL's `convert("L")` (ITU-R 601-2 luma, `L = R·299/1000 + G·587/1000 + B·114/1000`, computed in
 * PIL's fixed point for 8-bit data so results are bit-identical to PIL).
 * @module
 */
import * as png from "fast-png";
import * as jpeg from "jpeg-js";
import { inflateSync } from "node:zlib";
import { InputError } from "../util/mod.ts";
import { decodeDicom, isDicom } from "./dicom.ts";
import type { GrayImage } from "./gray_image.ts";

export type { GrayImage } from "./gray_image.ts";

/** The formats {@link decodeImage} recognises. */
export type ImageFormat = "png" | "jpeg" | "dicom";

/** Limits applied while decoding untrusted files. */
export const DECODE_LIMITS = {
  /** Largest accepted image, in megapixels (width × height). */
  maxMegapixels: 100,
  /** jpeg-js `maxMemoryUsageInMB`. */
  jpegMaxMemoryMB: 1024,
} as const;

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The format of `bytes` from its magic bytes, or null when unknown. */
export function detectFormat(bytes: Uint8Array): ImageFormat | null {
  if (bytes.length >= 8 && PNG_MAGIC.every((b, i) => bytes[i] === b)) return "png";
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  if (isDicom(bytes)) return "dicom";
  return null;
}

function fail(name: string, reason: string): never {
  throw new InputError(`Cannot decode ${name}: ${reason}`);
}

function checkSize(name: string, width: number, height: number): void {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    fail(name, `invalid dimensions ${width}×${height}`);
  }
  if (width * height > DECODE_LIMITS.maxMegapixels * 1e6) {
    fail(name, `${width}×${height} exceeds the ${DECODE_LIMITS.maxMegapixels} megapixel limit`);
  }
}

/**
 * PIL's 8-bit luma: `(R·19595 + G·38470 + B·7471 + 0x8000) >> 16` (Pillow's `L24`), the fixed-point form of
 * `R·299/1000 + G·587/1000 + B·114/1000` with rounding. Inputs and result are integers in [0, 255].
 */
export function luma8(r: number, g: number, b: number): number {
  return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >>> 16;
}

/** Float luma for high-bit-depth colour, same weights as {@link luma8}: inputs and result in [0, 1]. */
export function lumaFloat(r: number, g: number, b: number): number {
  return r * 0.299 + g * 0.587 + b * 0.114;
}

/** Unpacks 1/2/4-bit gray samples (rows padded to whole bytes) to sample values `[height * width]`. */
function unpackLowDepth(data: ArrayLike<number>, width: number, height: number, depth: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const bytesPerRow = Math.ceil((width * depth) / 8);
  if (data.length < bytesPerRow * height) throw new RangeError(`pixel data holds ${data.length} bytes`);
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const byte = data[y * bytesPerRow + (bit >> 3)];
      out[y * width + x] = (byte >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return out;
}

/** Samples per pixel of each PNG colour type (gray, RGB, palette, gray + alpha, RGBA). */
const PNG_CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** A PNG's IHDR fields, read from the first chunk without decoding anything. */
export interface PngHeader {
  width: number;
  height: number;
  depth: number;
  colorType: number;
  interlace: number;
}

/** Reads the IHDR of `bytes` (a PNG), or throws an `InputError` naming `name`. */
export function readPngHeader(bytes: Uint8Array, name: string): PngHeader {
  if (bytes.length < 33) fail(name, "truncated PNG header");
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(8) !== 13 || String.fromCharCode(...bytes.subarray(12, 16)) !== "IHDR") {
    fail(name, "invalid PNG: the first chunk is not a 13-byte IHDR");
  }
  return {
    width: dv.getUint32(16),
    height: dv.getUint32(20),
    depth: bytes[24],
    colorType: bytes[25],
    interlace: bytes[28],
  };
}

/**
 * Verifies the zlib stream of a PNG's IDAT chunks, Adler-32 checksum included (node:zlib's `inflateSync`), with the
 * output bounded by what the header's size needs: corrupt pixel data or a stream that inflates beyond the image is
 * refused. (fast-png, via fflate, skips the checksum.)
 */
function verifyPngZlib(bytes: Uint8Array, header: PngHeader, name: string): void {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [];
  for (let at = 8; at + 12 <= bytes.length;) {
    const length = dv.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (type === "IDAT") parts.push(bytes.subarray(at + 8, at + 8 + length));
    if (type === "IEND") break;
    at += 12 + length;
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const idat = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    idat.set(p, offset);
    offset += p.length;
  }
  const bits = (PNG_CHANNELS[header.colorType] ?? 4) * header.depth;
  // Rows of the filtered image (Adam7 adds at most one filter byte per row and pass).
  const needed = header.height * (1 + Math.ceil((header.width * bits) / 8)) + 7 * header.height + 64;
  try {
    inflateSync(idat, { maxOutputLength: needed });
  } catch (err) {
    const why = (err as Error).message.includes("larger than")
      ? `its pixel data inflates beyond the ${header.width}×${header.height} image`
      : `corrupt pixel data (zlib: ${(err as Error).message})`;
    fail(name, `invalid PNG: ${why}`);
  }
}

function decodePngGray(bytes: Uint8Array, name: string): GrayImage {
  // The header's size is checked before anything is inflated (decompression bombs fail fast, in little memory).
  const header = readPngHeader(bytes, name);
  checkSize(name, header.width, header.height);
  let img: png.DecodedPng;
  try {
    img = png.decode(bytes, { checkCrc: true });
  } catch (err) {
    fail(name, `invalid PNG (${(err as Error).message})`);
  }
  verifyPngZlib(bytes, header, name);
  const { width, height, depth, channels } = img;
  checkSize(name, width, height);
  const n = width * height;
  const out = new Float32Array(n);
  if (img.palette) {
    let rgb: Uint8Array;
    try {
      rgb = png.convertIndexedToRgb(img);
    } catch (err) {
      fail(name, `invalid PNG palette (${(err as Error).message})`);
    }
    const step = img.palette[0]?.length ?? 3;
    if (rgb.length < n * step || step < 3) fail(name, "palette data is truncated");
    for (let i = 0; i < n; i++) out[i] = luma8(rgb[i * step], rgb[i * step + 1], rgb[i * step + 2]) / 255;
    return { width, height, data: out, bitDepth: 8, source: name };
  }
  const data = img.data;
  if (depth < 8) {
    if (channels !== 1) fail(name, `unsupported PNG: ${depth}-bit samples with ${channels} channels`);
    let samples: Uint8Array;
    try {
      samples = unpackLowDepth(data, width, height, depth);
    } catch (err) {
      fail(name, `truncated PNG data (${(err as Error).message})`);
    }
    const max = (1 << depth) - 1;
    // PIL expands 1/2/4-bit gray to 8 bits (0 → 0, max → 255, e.g. 2-bit: 0, 85, 170, 255).
    for (let i = 0; i < n; i++) out[i] = Math.round((samples[i] * 255) / max) / 255;
    return { width, height, data: out, bitDepth: 8, source: name };
  }
  if (data.length < n * channels) {
    fail(name, `truncated PNG data (${data.length} samples for ${width}×${height}×${channels})`);
  }
  const max = depth === 16 ? 65535 : 255;
  if (channels === 1 || channels === 2) {
    // Gray, or gray + alpha (alpha ignored, as PIL's LA → L does).
    for (let i = 0; i < n; i++) out[i] = data[i * channels] / max;
  } else if (channels === 3 || channels === 4) {
    if (depth === 8) {
      for (let i = 0; i < n; i++) {
        const j = i * channels;
        out[i] = luma8(data[j], data[j + 1], data[j + 2]) / 255;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const j = i * channels;
        out[i] = Math.min(1, lumaFloat(data[j] / max, data[j + 1] / max, data[j + 2] / max));
      }
    }
  } else {
    fail(name, `unsupported PNG channel count ${channels}`);
  }
  return { width, height, data: out, bitDepth: depth, source: name };
}

/** A JPEG's frame size from its SOFn marker (walking the marker segments), or null when no frame header is found. */
export function readJpegSize(bytes: Uint8Array): { width: number; height: number } | null {
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2;
      continue;
    }
    const length = (bytes[at + 2] << 8) | bytes[at + 3];
    const sof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (sof) {
      if (at + 9 > bytes.length) return null;
      return { height: (bytes[at + 5] << 8) | bytes[at + 6], width: (bytes[at + 7] << 8) | bytes[at + 8] };
    }
    if (marker === 0xda || marker === 0xd9) return null; // scan data before any frame header
    at += 2 + length;
  }
  return null;
}

function decodeJpegGray(bytes: Uint8Array, name: string): GrayImage {
  const size = readJpegSize(bytes);
  if (size) checkSize(name, size.width, size.height);
  let img: { width: number; height: number; data: Uint8Array };
  try {
    img = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      maxResolutionInMP: DECODE_LIMITS.maxMegapixels,
      maxMemoryUsageInMB: DECODE_LIMITS.jpegMaxMemoryMB,
    });
  } catch (err) {
    fail(name, `invalid JPEG (${String((err as Error)?.message ?? err)})`);
  }
  const { width, height, data } = img;
  checkSize(name, width, height);
  const n = width * height;
  if (data.length < n * 3) fail(name, "truncated JPEG data");
  const out = new Float32Array(n);
  // jpeg-js always returns 3 channels (gray replicated): luma8 of equal channels is the gray value itself.
  for (let i = 0; i < n; i++) out[i] = luma8(data[i * 3], data[i * 3 + 1], data[i * 3 + 2]) / 255;
  return { width, height, data: out, bitDepth: 8, source: name };
}

/**
 * Decodes PNG, JPEG or DICOM bytes to a grayscale image with values in [0, 1] (`data`: `[height * width]`).
 * The format comes from the magic bytes. Throws `InputError` `Cannot decode <name>: <reason>`.
 */
export function decodeImage(bytes: Uint8Array, name: string): GrayImage {
  const format = detectFormat(bytes);
  if (format === "png") return decodePngGray(bytes, name);
  if (format === "jpeg") return decodeJpegGray(bytes, name);
  if (format === "dicom") return decodeDicom(bytes, name);
  if (bytes.length === 0) fail(name, "the file is empty");
  const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join(" ");
  fail(name, `unknown image format (first bytes ${head}; expected PNG, JPEG or DICOM)`);
}

/** Reads and decodes an image file (see {@link decodeImage}); a missing file is an `InputError` naming it. */
export async function readImage(path: string): Promise<GrayImage> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new InputError(`Cannot read ${path}: no such file`);
    throw new InputError(`Cannot read ${path}: ${(err as Error).message}`);
  }
  return decodeImage(bytes, path);
}

/** Synchronous {@link readImage}. */
export function readImageSync(path: string): GrayImage {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new InputError(`Cannot read ${path}: no such file`);
    throw new InputError(`Cannot read ${path}: ${(err as Error).message}`);
  }
  return decodeImage(bytes, path);
}

/** Encodes a gray image `[height * width]` in [0, 1] as a baseline JPEG (jpeg-js, 3 equal channels), `quality` 1–100. */
export function encodeGrayJpeg(img: GrayImage, quality = 90): Uint8Array {
  const n = img.width * img.height;
  const rgba = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    const v = Math.round(Math.min(1, Math.max(0, img.data[i])) * 255);
    rgba[i * 4] = rgba[i * 4 + 1] = rgba[i * 4 + 2] = v;
    rgba[i * 4 + 3] = 255;
  }
  const out = jpeg.encode({ width: img.width, height: img.height, data: rgba }, quality);
  return new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength);
}

/** Creates a {@link GrayImage} from 8-bit samples `[height * width]` (value / 255). */
export function grayFromUint8(width: number, height: number, data: Uint8Array, source = "memory"): GrayImage {
  if (data.length !== width * height) {
    throw new RangeError(`Cannot make image: ${data.length} samples for ${width}×${height}`);
  }
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] / 255;
  return { width, height, data: out, bitDepth: 8, source };
}

/** The 8-bit samples of an image `[height * width]`: `round(data · 255)`, clipped (exact for 8-bit sources). */
export function toUint8(img: GrayImage): Uint8Array {
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = Math.round(img.data[i] * 255);
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return out;
}
