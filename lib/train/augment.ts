/**
 * Augmentation of grey chest X-rays for pretraining: a random affine view (scale, aspect, small rotation and shift,
 * bilinear, edges clamped), an intensity jitter (gamma, contrast, brightness) and, in the `acquisition` preset, the
 * blur and noise of other detectors and exposures. No flips: a flipped film would swap the sides that position words
 * name.
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
  /** Gaussian blur sigma range in pixels (below 0.3 px no blur). @default [0, 0]: never drawn */
  blurSigma?: [number, number];
  /** Standard deviation range of additive Gaussian pixel noise. @default [0, 0]: never drawn */
  noiseStd?: [number, number];
}

/** The light defaults of {@link augmentGray}: every range an {@link AugmentOptions} may leave out. */
const LIGHT: Required<Omit<AugmentOptions, "blurSigma" | "noiseStd">> = {
  scale: [0.8, 1.0],
  aspect: [0.9, 1.1],
  rotateDeg: 7,
  gamma: [0.8, 1.25],
  contrast: [0.85, 1.15],
  brightness: 0.04,
};

/** The augmentation presets a pretraining run can name. */
export type AugmentPreset = "none" | "light" | "acquisition";

/** Names of {@link AugmentPreset}, for flags and validation. */
export const AUGMENT_PRESETS: readonly AugmentPreset[] = ["none", "light", "acquisition"];

/**
 * The options of a preset, or `false` for `none`. `light` is {@link augmentGray}'s defaults; `acquisition` widens the
 * view and intensity ranges and adds blur and noise, to vary what differs between hospitals, detectors and patients.
 */
export function augmentPreset(preset: AugmentPreset): AugmentOptions | false {
  if (preset === "none") return false;
  if (preset === "light") return {};
  return {
    scale: [0.6, 1.0],
    aspect: [0.8, 1.25],
    rotateDeg: 10,
    gamma: [0.6, 1.6],
    contrast: [0.7, 1.3],
    brightness: 0.08,
    blurSigma: [0, 1.5],
    noiseStd: [0, 0.03],
  };
}

/** One line for a model card: what a preset does. */
export function describeAugmentPreset(preset: AugmentPreset): string {
  const o = augmentPreset(preset);
  if (o === false) return "none";
  const v = { ...LIGHT, ...o };
  const r = ([lo, hi]: [number, number]) => `${lo}–${hi}`;
  let text = `${preset}: affine view (scale ${r(v.scale)}, aspect ${r(v.aspect)}, ±${v.rotateDeg}°) + ` +
    `gamma ${r(v.gamma)} / contrast ${r(v.contrast)} / brightness ±${v.brightness}`;
  if (o.blurSigma) text += ` + blur σ ${r(o.blurSigma)} px`;
  if (o.noiseStd) text += ` + noise σ ${r(o.noiseStd)}`;
  return text;
}

/**
 * One augmented view of a square grey image `[size*size]` in [0, 1] → `[size*size]` in [0, 1]. Pure in (image, rng
 * state): the same generator state gives the same view. Blur and noise draw from the generator only when their ranges
 * are set, so the light defaults give the same views as before those options existed.
 */
export function augmentGray(image: Float32Array, size: number, rng: Rng, options: AugmentOptions = {}): Float32Array {
  const [s0, s1] = options.scale ?? LIGHT.scale;
  const [a0, a1] = options.aspect ?? LIGHT.aspect;
  const rot = (options.rotateDeg ?? LIGHT.rotateDeg) * Math.PI / 180;
  const [g0, g1] = options.gamma ?? LIGHT.gamma;
  const [c0, c1] = options.contrast ?? LIGHT.contrast;
  const bright = options.brightness ?? LIGHT.brightness;
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
  if (options.blurSigma) {
    const sigma = rng.uniform(options.blurSigma[0], options.blurSigma[1]);
    if (sigma >= 0.3) gaussianBlurInPlace(out, size, sigma);
  }
  const noise = options.noiseStd ? rng.uniform(options.noiseStd[0], options.noiseStd[1]) : 0;
  const mean = sum / out.length;
  for (let i = 0; i < out.length; i++) {
    const v = mean + (out[i] - mean) * contrast + offset + (noise > 0 ? rng.normal(0, noise) : 0);
    out[i] = Math.min(1, Math.max(0, v));
  }
  return out;
}

/** Separable Gaussian blur of a square image `[size*size]`, in place, edges clamped; kernel radius ⌈3σ⌉. */
function gaussianBlurInPlace(image: Float32Array, size: number, sigma: number): void {
  const radius = Math.ceil(3 * sigma);
  const kernel = new Float32Array(2 * radius + 1);
  let total = 0;
  for (let k = -radius; k <= radius; k++) total += kernel[k + radius] = Math.exp(-(k * k) / (2 * sigma * sigma));
  for (let k = 0; k < kernel.length; k++) kernel[k] /= total;
  const tmp = new Float32Array(image.length);
  const clamp = (i: number) => Math.min(size - 1, Math.max(0, i));
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let acc = 0;
      for (let k = -radius; k <= radius; k++) acc += kernel[k + radius] * image[y * size + clamp(x + k)];
      tmp[y * size + x] = acc;
    }
  }
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let acc = 0;
      for (let k = -radius; k <= radius; k++) acc += kernel[k + radius] * tmp[clamp(y + k) * size + x];
      image[y * size + x] = acc;
    }
  }
}
