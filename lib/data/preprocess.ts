/**
 * Model-input pre-processing, as the reference CLIP/CheXzero pipeline does it: grayscale image → resize to
 * `resolution × resolution` with Pillow's bicubic filter (aspect not kept) → 3 identical channels → per-channel
 * `(x − mean) / std`.
 *
 * 8-bit images (PNG, JPEG, what the reference reads) go through Pillow's 8-bit fixed-point resize, which rounds to
 * uint8 — so the model sees exactly the `k/255` values torchvision's `ToTensor` would. 16-bit PNG and DICOM images keep a
 * float path (no 8-bit quantisation): the reference pipeline never reads them, and throwing away their precision
 * would only lose information. An image already at the target size is used as is.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { InputError } from "../util/mod.ts";
import type { GrayImage } from "./image.ts";
import { resize, type ResizeFilter } from "./resize.ts";

/** Per-channel mean and std (RGB order) applied after scaling pixels to [0, 1]. */
export interface Normalisation {
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

/** Names of the built-in normalisation presets. */
export type NormalisationName = "chexzero" | "openai";

const CHEXZERO_MEAN = 101.48761 / 255;
const CHEXZERO_STD = 83.43944 / 255;

/**
 * Normalisation presets: `chexzero` (CheXzero's MIMIC-CXR statistics, 101.48761/255 and 83.43944/255 on every channel)
 * and `openai` (OpenAI CLIP's ImageNet-like statistics).
 */
export const NORMALISATION: Readonly<Record<NormalisationName, Normalisation>> = {
  chexzero: { mean: [CHEXZERO_MEAN, CHEXZERO_MEAN, CHEXZERO_MEAN], std: [CHEXZERO_STD, CHEXZERO_STD, CHEXZERO_STD] },
  openai: { mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711] },
};

/** Looks a preset up by name; throws `InputError` listing the known names. */
export function normalisationPreset(name: string): Normalisation {
  if (Object.hasOwn(NORMALISATION, name)) return NORMALISATION[name as NormalisationName];
  throw new InputError(
    `Cannot use normalisation ${JSON.stringify(name)}: expected one of ${Object.keys(NORMALISATION).join(", ")}`,
  );
}

/** A normalisation from the same mean and std on every channel (e.g. `--mean M --std S`). */
export function uniformNormalisation(mean: number, std: number): Normalisation {
  if (!(Number.isFinite(mean) && Number.isFinite(std) && std > 0)) {
    throw new InputError(`Cannot use normalisation mean ${mean} std ${std}: std must be a positive number`);
  }
  return { mean: [mean, mean, mean], std: [std, std, std] };
}

/**
 * What is wrong with a normalisation read from a file, or null: it needs three finite means and three finite, positive
 * stds (a zero std would turn every image into NaN).
 */
export function normalisationProblem(norm: unknown): string | null {
  const n = norm as { mean?: unknown; std?: unknown } | null;
  const three = (xs: unknown, ok: (x: number) => boolean) =>
    Array.isArray(xs) && xs.length === 3 && xs.every((x) => typeof x === "number" && ok(x));
  if (!n || typeof n !== "object") return "normalisation is missing";
  if (!three(n.mean, Number.isFinite)) return "normalisation.mean is not three finite numbers";
  if (!three(n.std, (x) => Number.isFinite(x) && x > 0)) return "normalisation.std is not three positive numbers";
  return null;
}

function resolveNorm(norm: Normalisation | NormalisationName): Normalisation {
  return typeof norm === "string" ? normalisationPreset(norm) : norm;
}

/** Options for {@link prepareImage} and {@link toModelInput}. */
export interface PrepareOptions {
  /** Resize filter. @default "bicubic" */
  filter?: ResizeFilter;
}

/** Resizes `img` to `resolution × resolution` when needed (Pillow bicubic; 8-bit path for 8-bit images). */
export function prepareImage(img: GrayImage, resolution: number, options: PrepareOptions = {}): GrayImage {
  if (img.width === resolution && img.height === resolution) return img;
  return resize(img, resolution, resolution, { filter: options.filter ?? "bicubic" });
}

/**
 * Normalises a gray image into interleaved RGB floats on the host: `[height * width * 3]`, value
 * `(data[i] − mean[c]) / std[c]` in float32. No resizing.
 */
export function normaliseToHost(img: GrayImage, norm: Normalisation | NormalisationName): Float32Array {
  const out = new Float32Array(img.width * img.height * 3);
  normaliseInto(img, resolveNorm(norm), out, 0);
  return out;
}

function normaliseInto(img: GrayImage, norm: Normalisation, out: Float32Array, offset: number): void {
  normaliseGrayInto(img.data, img.width * img.height, norm, out, offset, "float32");
}

/**
 * How {@link normaliseGrayInto} rounds `(v − mean) / std`:
 * - `float32`: to float32 after each step (`fround(fround(v − mean) / std)`), as PyTorch's float32 tensors do, so that
 *   {@link toModelInput} (the reference pipeline: `deno task embed`, the parity tests) matches OpenAI/CheXzero's
 *   inputs bit for bit;
 * - `float64`: in double precision, rounded once when stored, as `pixelsFromGray` (lib/prompts/pixels.ts: training,
 *   scoring, the feature cache, the sweep) has always done; the committed runs were computed with it.
 * The two differ in the last bit for some values, so neither replaces the other.
 */
export type NormaliseArithmetic = "float32" | "float64";

/**
 * The one model-input normaliser: the first `n` grey values of `data` (`[n]`, in [0, 1]) replicated to 3 channels and
 * normalised per channel into `out[offset … offset + 3n)` (interleaved RGB, `[n * 3]`), with the rounding of
 * `arithmetic` (see {@link NormaliseArithmetic}).
 */
export function normaliseGrayInto(
  data: Float32Array,
  n: number,
  norm: Normalisation,
  out: Float32Array,
  offset: number,
  arithmetic: NormaliseArithmetic,
): void {
  const [m0, m1, m2] = norm.mean, [s0, s1, s2] = norm.std;
  if (arithmetic === "float32") {
    for (let i = 0, j = offset; i < n; i++, j += 3) {
      // Math.fround on the intermediate mimics float32 arithmetic ((x − mean) in float32, then / std).
      const v = data[i];
      out[j] = Math.fround(Math.fround(v - m0) / s0);
      out[j + 1] = Math.fround(Math.fround(v - m1) / s1);
      out[j + 2] = Math.fround(Math.fround(v - m2) / s2);
    }
  } else {
    for (let i = 0, j = offset; i < n; i++, j += 3) {
      const v = data[i];
      out[j] = (v - m0) / s0;
      out[j + 1] = (v - m1) / s1;
      out[j + 2] = (v - m2) / s2;
    }
  }
}

/**
 * Stacks images into a model input `tf.Tensor4D` of shape `[batch, resolution, resolution, 3]` (NHWC): each image is
 * resized if needed (see {@link prepareImage}), replicated to 3 channels, and normalised per channel with float32
 * rounding at each step, as the reference PyTorch pipeline does ({@link normaliseGrayInto}, `"float32"`). The
 * training and scoring path uses `pixelsFromGray` (lib/prompts/pixels.ts) instead: the same normaliser with
 * `"float64"` rounding, which the committed runs were computed with and which differs from this in the last bit for
 * some values. The caller owns (and disposes) the returned tensor.
 */
export function toModelInput(
  images: readonly GrayImage[],
  resolution: number,
  norm: Normalisation | NormalisationName,
  options: PrepareOptions = {},
): tf.Tensor4D {
  if (!(Number.isInteger(resolution) && resolution > 0)) {
    throw new RangeError(`Cannot prepare images: resolution must be a positive integer, got ${resolution}`);
  }
  const n = resolveNorm(norm);
  const per = resolution * resolution * 3;
  const buf = new Float32Array(images.length * per);
  images.forEach((img, b) => normaliseInto(prepareImage(img, resolution, options), n, buf, b * per));
  return tf.tensor4d(buf, [images.length, resolution, resolution, 3]);
}

/** Host version of {@link toModelInput}: `[batch * resolution * resolution * 3]` floats plus the shape. */
export function toModelInputHost(
  images: readonly GrayImage[],
  resolution: number,
  norm: Normalisation | NormalisationName,
  options: PrepareOptions = {},
): { data: Float32Array; shape: [number, number, number, number] } {
  const n = resolveNorm(norm);
  const per = resolution * resolution * 3;
  const data = new Float32Array(images.length * per);
  images.forEach((img, b) => normaliseInto(prepareImage(img, resolution, options), n, data, b * per));
  return { data, shape: [images.length, resolution, resolution, 3] };
}
