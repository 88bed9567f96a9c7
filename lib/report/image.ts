/**
 * Raster helpers for figures without a canvas: gray float images → 8-bit RGB, coloured mask overlays and outlines,
 * and a small perceptual colour ramp. Every image is row-major `[height, width]` (`[height, width, 3]` for RGB).
 * @module
 */
import type { RasterImage } from "../data/mod.ts";

/** An RGB colour, components 0–255. */
export type Rgb = readonly [number, number, number];

/** A mask drawn over an image: `mask` is `[height*width]`, > 0.5 inside. */
export interface Overlay {
  mask: ArrayLike<number>;
  /** @default [230, 57, 70] (red) */
  color?: Rgb;
  /** Fill opacity inside the mask (0 = outline only). @default 0.35 */
  alpha?: number;
  /** Also draw the mask's boundary in `color`. @default true */
  outline?: boolean;
}

/** Options for {@link grayToRgb}. */
export interface GrayOptions {
  /** Value range mapped to black…white. @default [0, 1] when every value lies there, else [min, max] */
  range?: readonly [number, number];
}

/** Value range of a gray image: [0, 1] when all values fit, else [min, max] of the finite values. */
export function autoRange(gray: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < gray.length; i++) {
    const v = gray[i];
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return [0, 1];
  if (lo >= 0 && hi <= 1) return [0, 1];
  return hi > lo ? [lo, hi] : [lo - 0.5, lo + 0.5];
}

/** Converts a gray float image `[height*width]` to 8-bit RGB `[height, width, 3]`. */
export function grayToRgb(
  gray: ArrayLike<number>,
  width: number,
  height: number,
  options: GrayOptions = {},
): RasterImage {
  checkSize(gray.length, width, height, "gray image");
  const [lo, hi] = options.range ?? autoRange(gray);
  const k = hi > lo ? 255 / (hi - lo) : 0;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const v = Number.isFinite(gray[i]) ? Math.round((gray[i] - lo) * k) : 0;
    const b = v < 0 ? 0 : v > 255 ? 255 : v;
    data[3 * i] = data[3 * i + 1] = data[3 * i + 2] = b;
  }
  return { width, height, channels: 3, data };
}

function checkSize(length: number, width: number, height: number, what: string): void {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`Cannot use ${what} size ${width}×${height}: expected positive integers`);
  }
  if (length !== width * height) {
    throw new RangeError(`Cannot use ${what}: ${length} values for ${width}×${height} (expected ${width * height})`);
  }
}

/** Draws overlays onto an RGB raster in place: filled with `alpha`, plus a 1-pixel boundary. Returns the raster. */
export function drawOverlays(rgb: RasterImage, overlays: readonly Overlay[]): RasterImage {
  const { width, height, data } = rgb;
  for (const o of overlays) {
    checkSize(o.mask.length, width, height, "overlay mask");
    const [r, g, b] = o.color ?? [230, 57, 70];
    const a = o.alpha ?? 0.35;
    const outline = o.outline ?? true;
    const inside = (x: number, y: number) => x >= 0 && y >= 0 && x < width && y < height && o.mask[y * width + x] > 0.5;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (!inside(x, y)) continue;
        const edge = outline && (!inside(x - 1, y) || !inside(x + 1, y) || !inside(x, y - 1) || !inside(x, y + 1));
        const w = edge ? 1 : a;
        const p = 3 * (y * width + x);
        data[p] = Math.round(data[p] * (1 - w) + r * w);
        data[p + 1] = Math.round(data[p + 1] * (1 - w) + g * w);
        data[p + 2] = Math.round(data[p + 2] * (1 - w) + b * w);
      }
    }
  }
  return rgb;
}

/** Stops of the diverging ramp used for probabilities: blue (0, normal) → pale yellow (0.5) → red (1, abnormal). */
export const PROBABILITY_RAMP: readonly Rgb[] = [
  [44, 123, 182],
  [171, 217, 233],
  [255, 255, 191],
  [253, 174, 97],
  [215, 25, 28],
];

/** Colour of `t` ∈ [0, 1] on a ramp of evenly spaced stops (linear interpolation; t is clamped). */
export function rampColor(t: number, stops: readonly Rgb[] = PROBABILITY_RAMP): Rgb {
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(u));
  const f = u - i;
  const a = stops[i];
  const b = stops[i + 1];
  return [
    Math.round(a[0] + (b[0] - a[0]) * f),
    Math.round(a[1] + (b[1] - a[1]) * f),
    Math.round(a[2] + (b[2] - a[2]) * f),
  ];
}

/** `#rrggbb` for an RGB colour. */
export function rgbHex(c: Rgb): string {
  return "#" + c.map((v) => v.toString(16).padStart(2, "0")).join("");
}

/** Nearest-neighbour upscaling of a raster by an integer factor (`[h, w, c]` → `[h·f, w·f, c]`). */
export function upscale(image: RasterImage, factor: number): RasterImage {
  if (!(Number.isInteger(factor) && factor >= 1 && factor <= 64)) {
    throw new RangeError(`Cannot upscale by ${factor}: expected an integer in 1…64`);
  }
  if (factor === 1) return image;
  const { width, height, channels, data } = image;
  const W = width * factor;
  const out = new Uint8Array(W * height * factor * channels);
  for (let y = 0; y < height * factor; y++) {
    const sy = Math.floor(y / factor);
    for (let x = 0; x < W; x++) {
      const s = (sy * width + Math.floor(x / factor)) * channels;
      const d = (y * W + x) * channels;
      for (let c = 0; c < channels; c++) out[d + c] = data[s + c];
    }
  }
  return { width: W, height: height * factor, channels, data: out };
}
