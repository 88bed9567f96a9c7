/**
 * Image resizing that reproduces Pillow's `Image.resize` (libImaging/Resample.c, `ImagingResample`):
 * separable convolution, horizontal pass then vertical pass, per-output-pixel coefficients normalised to sum 1, filter
 * support multiplied by the downscale factor (antialiasing). For 8-bit images the coefficients are fixed point
 * (`PRECISION_BITS = 32 − 8 − 2`), each pass rounds and clips to uint8 — bit-exact with Pillow's mode "L" path.
 * Images of higher bit depth take Pillow's float ("F" mode) path: double coefficients, float32 intermediate.
 * Nearest neighbour follows Pillow's affine scale (`ImagingScaleAffine`).
 * @module
 */
import type { GrayImage } from "./image.ts";

/** Resampling filters, as in Pillow. */
export type ResizeFilter = "bicubic" | "bilinear" | "nearest";

/** Options for {@link resize}. */
export interface ResizeOptions {
  /** @default "bicubic" */
  filter?: ResizeFilter;
  /**
   * `"auto"`: Pillow's 8-bit fixed-point path for images of bitDepth ≤ 8, the float path otherwise.
   * `"float"`: always the float path (no rounding between passes).
   * @default "auto"
   */
  precision?: "auto" | "float";
}

const PRECISION_BITS = 32 - 8 - 2;
const PRECISION_SCALE = 2 ** PRECISION_BITS;

/** Pillow's bicubic kernel with a = −0.5 (support 2). */
export function bicubicKernel(x: number): number {
  const a = -0.5;
  if (x < 0.0) x = -x;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

/** Pillow's triangle (bilinear) kernel (support 1). */
export function bilinearKernel(x: number): number {
  if (x < 0.0) x = -x;
  if (x < 1.0) return 1.0 - x;
  return 0.0;
}

/** Per-output-pixel filter taps along one axis: `bounds[2·i]` first input index, `bounds[2·i+1]` tap count. */
export interface Coefficients {
  /** Maximum taps per output pixel. */
  ksize: number;
  /** `[outSize * 2]`: (first input index, number of taps). */
  bounds: Int32Array;
  /** `[outSize * ksize]` normalised weights (zero-padded). */
  weights: Float64Array;
}

/** Pillow's `precompute_coeffs` for resizing `inSize` → `outSize` along one axis (box = whole axis). */
export function precomputeCoeffs(inSize: number, outSize: number, filter: "bicubic" | "bilinear"): Coefficients {
  const kernel = filter === "bicubic" ? bicubicKernel : bilinearKernel;
  const baseSupport = filter === "bicubic" ? 2.0 : 1.0;
  const scale = inSize / outSize;
  const filterscale = scale < 1.0 ? 1.0 : scale;
  const support = baseSupport * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Float64Array(outSize * ksize);
  const ss = 1.0 / filterscale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    let ww = 0.0;
    // C's (int) cast truncates toward zero.
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    const base = xx * ksize;
    for (let x = 0; x < xmax; x++) {
      const w = kernel((x + xmin - center + 0.5) * ss);
      weights[base + x] = w;
      ww += w;
    }
    if (ww !== 0.0) { for (let x = 0; x < xmax; x++) weights[base + x] /= ww; }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { ksize, bounds, weights };
}

/** Pillow's `normalize_coeffs_8bpc`: weights to fixed point with `PRECISION_BITS` fractional bits. */
function fixedPoint(weights: Float64Array): Int32Array {
  const out = new Int32Array(weights.length);
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i];
    out[i] = w < 0 ? Math.trunc(-0.5 + w * PRECISION_SCALE) : Math.trunc(0.5 + w * PRECISION_SCALE);
  }
  return out;
}

/** Pillow's `clip8`: fixed-point accumulator → uint8 (arithmetic shift, then clamp). */
function clip8(acc: number): number {
  const v = Math.floor(acc / PRECISION_SCALE);
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Resizes 8-bit samples `[inH * inW]` → `[outH * outW]` exactly like Pillow's mode "L" `resize` (bicubic/bilinear). */
export function resampleUint8(
  src: Uint8Array,
  inW: number,
  inH: number,
  outW: number,
  outH: number,
  filter: "bicubic" | "bilinear",
): Uint8Array {
  if (src.length !== inW * inH) throw new RangeError(`Cannot resize: ${src.length} samples for ${inW}×${inH}`);
  const needH = outW !== inW, needV = outH !== inH;
  if (!needH && !needV) return src.slice();
  const horiz = precomputeCoeffs(inW, outW, filter);
  const vert = precomputeCoeffs(inH, outH, filter);
  // Only the rows the vertical pass reads are resampled horizontally (as Pillow does).
  const yFirst = vert.bounds[0];
  const yLast = vert.bounds[outH * 2 - 2] + vert.bounds[outH * 2 - 1];
  let cur = src, curW = inW, rowOffset = 0;
  let rows = inH;
  if (needH) {
    rows = needV ? yLast - yFirst : inH;
    rowOffset = needV ? yFirst : 0;
    const k = fixedPoint(horiz.weights);
    const tmp = new Uint8Array(outW * rows);
    const ks = horiz.ksize;
    for (let yy = 0; yy < rows; yy++) {
      const rowBase = (yy + rowOffset) * inW;
      for (let xx = 0; xx < outW; xx++) {
        const xmin = horiz.bounds[xx * 2], xmax = horiz.bounds[xx * 2 + 1];
        const kb = xx * ks;
        let acc = 1 << (PRECISION_BITS - 1);
        for (let x = 0; x < xmax; x++) acc += src[rowBase + xmin + x] * k[kb + x];
        tmp[yy * outW + xx] = clip8(acc);
      }
    }
    cur = tmp;
    curW = outW;
  }
  if (!needV) return cur;
  const shift = needH ? yFirst : 0;
  const k = fixedPoint(vert.weights);
  const ks = vert.ksize;
  const out = new Uint8Array(curW * outH);
  for (let yy = 0; yy < outH; yy++) {
    const ymin = vert.bounds[yy * 2] - shift, ymax = vert.bounds[yy * 2 + 1];
    const kb = yy * ks;
    for (let xx = 0; xx < curW; xx++) {
      let acc = 1 << (PRECISION_BITS - 1);
      for (let y = 0; y < ymax; y++) acc += cur[(ymin + y) * curW + xx] * k[kb + y];
      out[yy * curW + xx] = clip8(acc);
    }
  }
  return out;
}

/** Resizes float samples `[inH * inW]` like Pillow's mode "F" path: double weights, float32 storage, no clipping. */
export function resampleFloat(
  src: Float32Array,
  inW: number,
  inH: number,
  outW: number,
  outH: number,
  filter: "bicubic" | "bilinear",
): Float32Array {
  if (src.length !== inW * inH) throw new RangeError(`Cannot resize: ${src.length} samples for ${inW}×${inH}`);
  const needH = outW !== inW, needV = outH !== inH;
  if (!needH && !needV) return src.slice();
  let cur = src, curW = inW;
  if (needH) {
    const { ksize, bounds, weights } = precomputeCoeffs(inW, outW, filter);
    const tmp = new Float32Array(outW * inH);
    for (let yy = 0; yy < inH; yy++) {
      const rowBase = yy * inW;
      for (let xx = 0; xx < outW; xx++) {
        const xmin = bounds[xx * 2], xmax = bounds[xx * 2 + 1], kb = xx * ksize;
        let acc = 0;
        for (let x = 0; x < xmax; x++) acc += src[rowBase + xmin + x] * weights[kb + x];
        tmp[yy * outW + xx] = acc;
      }
    }
    cur = tmp;
    curW = outW;
  }
  if (!needV) return cur;
  const { ksize, bounds, weights } = precomputeCoeffs(inH, outH, filter);
  const out = new Float32Array(curW * outH);
  for (let yy = 0; yy < outH; yy++) {
    const ymin = bounds[yy * 2], ymax = bounds[yy * 2 + 1], kb = yy * ksize;
    for (let xx = 0; xx < curW; xx++) {
      let acc = 0;
      for (let y = 0; y < ymax; y++) acc += cur[(ymin + y) * curW + xx] * weights[kb + y];
      out[yy * curW + xx] = acc;
    }
  }
  return out;
}

/** Source index per output index for Pillow's nearest resize (affine scale with accumulated coordinate). */
function nearestIndex(inSize: number, outSize: number): Int32Array {
  const a = inSize / outSize;
  const out = new Int32Array(outSize);
  let xo = a * 0.5;
  for (let x = 0; x < outSize; x++) {
    const xin = xo < 0 ? -1 : Math.trunc(xo);
    out[x] = Math.min(Math.max(xin, 0), inSize - 1);
    xo += a;
  }
  return out;
}

/**
 * Resizes a gray image to `width × height` (aspect not kept), reproducing Pillow's `Image.resize`.
 * Returns a new image (`data`: `[height * width]`); 8-bit inputs give 8-bit outputs (values `k/255`).
 */
export function resize(img: GrayImage, width: number, height: number, options: ResizeOptions = {}): GrayImage {
  const { filter = "bicubic", precision = "auto" } = options;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`Cannot resize ${img.source}: invalid target size ${width}×${height}`);
  }
  const { width: inW, height: inH } = img;
  if (width === inW && height === inH) return { ...img, data: img.data.slice() };
  if (filter === "nearest") {
    const xs = nearestIndex(inW, width), ys = nearestIndex(inH, height);
    const out = new Float32Array(width * height);
    for (let y = 0; y < height; y++) {
      const row = ys[y] * inW;
      for (let x = 0; x < width; x++) out[y * width + x] = img.data[row + xs[x]];
    }
    return { ...img, width, height, data: out };
  }
  if (precision === "auto" && img.bitDepth <= 8) {
    const u8 = new Uint8Array(img.data.length);
    for (let i = 0; i < u8.length; i++) {
      const v = Math.round(img.data[i] * 255);
      u8[i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
    const r = resampleUint8(u8, inW, inH, width, height, filter);
    const out = new Float32Array(r.length);
    for (let i = 0; i < r.length; i++) out[i] = r[i] / 255;
    return { ...img, width, height, data: out, bitDepth: 8 };
  }
  const out = resampleFloat(img.data, inW, inH, width, height, filter);
  return { ...img, width, height, data: out };
}

/** Bicubic resize (Pillow `Image.BICUBIC`), see {@link resize}. `data`: `[height * width]`. */
export function resizeBicubic(img: GrayImage, width: number, height: number): GrayImage {
  return resize(img, width, height, { filter: "bicubic" });
}
