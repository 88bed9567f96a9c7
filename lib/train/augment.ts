/**
 * Light augmentation of grey chest X-rays for pretraining: a random affine view (scale, aspect, small rotation and
 * shift, bilinear, edges clamped) and an intensity jitter (gamma, contrast, brightness). No flips: a flipped film
 * would swap the sides that position words name.
 * @module
 */
import type { Rng } from "../util/mod.ts";

/** Ranges of {@link augmentGray}. */
export interface AugmentOptions {
  /** Relative zoom range of the view (1 = the whole image). @default [0.8, 1.0] */
  scale?: [number, number];
  /** Aspect ratio range of the view. @default [0.9, 1.1] */
  aspect?: [number, number];
  /** Rotation in degrees, ±. @default 7 */
  rotateDeg?: number;
  /** Gamma range (intensity^gamma). @default [0.8, 1.25] */
  gamma?: [number, number];
  /** Contrast factor range around the image mean. @default [0.85, 1.15] */
  contrast?: [number, number];
  /** Brightness offset, ±. @default 0.04 */
  brightness?: number;
}

/**
 * One augmented view of a square grey image `[size*size]` in [0, 1] → `[size*size]` in [0, 1]. Pure in (image, rng
 * state): the same generator state gives the same view.
 */
export function augmentGray(image: Float32Array, size: number, rng: Rng, options: AugmentOptions = {}): Float32Array {
  const [s0, s1] = options.scale ?? [0.8, 1.0];
  const [a0, a1] = options.aspect ?? [0.9, 1.1];
  const rot = (options.rotateDeg ?? 7) * Math.PI / 180;
  const [g0, g1] = options.gamma ?? [0.8, 1.25];
  const [c0, c1] = options.contrast ?? [0.85, 1.15];
  const bright = options.brightness ?? 0.04;
  // The view: side lengths (as fractions of the image) from an area scale and an aspect ratio.
  const area = rng.uniform(s0, s1);
  const aspect = Math.exp(rng.uniform(Math.log(a0), Math.log(a1)));
  const fw = Math.min(1, Math.sqrt(area * aspect)), fh = Math.min(1, Math.sqrt(area / aspect));
  const theta = rng.uniform(-rot, rot);
  const cx = (size - 1) / 2 + rng.uniform(-1, 1) * (1 - fw) * size / 2;
  const cy = (size - 1) / 2 + rng.uniform(-1, 1) * (1 - fh) * size / 2;
  const gamma = Math.exp(rng.uniform(Math.log(g0), Math.log(g1)));
  const contrast = rng.uniform(c0, c1);
  const offset = rng.uniform(-bright, bright);
  const cos = Math.cos(theta), sin = Math.sin(theta);
  const out = new Float32Array(size * size);
  const half = (size - 1) / 2;
  let sum = 0;
  for (let y = 0; y < size; y++) {
    const dy = (y - half) * fh;
    for (let x = 0; x < size; x++) {
      const dx = (x - half) * fw;
      const sx = Math.min(size - 1, Math.max(0, cx + cos * dx - sin * dy));
      const sy = Math.min(size - 1, Math.max(0, cy + sin * dx + cos * dy));
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      const x1 = Math.min(size - 1, x0 + 1), y1 = Math.min(size - 1, y0 + 1);
      const tx = sx - x0, ty = sy - y0;
      const top = image[y0 * size + x0] * (1 - tx) + image[y0 * size + x1] * tx;
      const bottom = image[y1 * size + x0] * (1 - tx) + image[y1 * size + x1] * tx;
      const v = Math.pow(Math.max(0, top * (1 - ty) + bottom * ty), gamma);
      out[y * size + x] = v;
      sum += v;
    }
  }
  const mean = sum / out.length;
  for (let i = 0; i < out.length; i++) {
    out[i] = Math.min(1, Math.max(0, mean + (out[i] - mean) * contrast + offset));
  }
  return out;
}
