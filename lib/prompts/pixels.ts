/**
 * Grey images in [0, 1] → normalised model input. Shared by training, scoring and the prompt-free feature cache (so
 * that every path builds bitwise the same pixels).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type Normalisation, normaliseGrayInto } from "../data/mod.ts";

/**
 * Normalises `[batch][size*size]` grey images in [0, 1] (already at the model's size) into model input
 * `[batch, size, size, 3]`: `normaliseGrayInto` (lib/data/preprocess.ts) with `"float64"` rounding, `(v − mean) / std`
 * in double precision rounded once to float32. It must not switch to `toModelInput`'s `"float32"` rounding (rounded
 * after each step, as PyTorch does, for parity with the reference): the two differ in the last bit for some values,
 * and every committed run (training, scoring, the feature cache) was computed with this one.
 */
export function pixelsFromGray(images: readonly Float32Array[], size: number, norm: Normalisation): tf.Tensor4D {
  const per = size * size;
  const buf = new Float32Array(images.length * per * 3);
  images.forEach((img, b) => normaliseGrayInto(img, per, norm, buf, b * per * 3, "float64"));
  return tf.tensor4d(buf, [images.length, size, size, 3]);
}

/** True when two normalisations are the same numbers (so their pixels, and features, are the same). */
export function sameNormalisation(a: Normalisation, b: Normalisation): boolean {
  return a.mean.every((m, i) => m === b.mean[i]) && a.std.every((s, i) => s === b.std[i]);
}
