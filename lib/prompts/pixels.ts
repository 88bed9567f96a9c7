/**
 * Grey images in [0, 1] → normalised model input. Shared by training, scoring and the prompt-free feature cache (so
 * that every path builds bitwise the same pixels).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Normalisation } from "../data/mod.ts";

/** Normalises `[batch][size*size]` grey images in [0, 1] into model input `[batch, size, size, 3]`. */
export function pixelsFromGray(images: readonly Float32Array[], size: number, norm: Normalisation): tf.Tensor4D {
  const per = size * size;
  const buf = new Float32Array(images.length * per * 3);
  const [m0, m1, m2] = norm.mean, [s0, s1, s2] = norm.std;
  images.forEach((img, b) => {
    let j = b * per * 3;
    for (let i = 0; i < per; i++, j += 3) {
      const v = img[i];
      buf[j] = (v - m0) / s0;
      buf[j + 1] = (v - m1) / s1;
      buf[j + 2] = (v - m2) / s2;
    }
  });
  return tf.tensor4d(buf, [images.length, size, size, 3]);
}

/** True when two normalisations are the same numbers (so their pixels, and features, are the same). */
export function sameNormalisation(a: Normalisation, b: Normalisation): boolean {
  return a.mean.every((m, i) => m === b.mean[i]) && a.std.every((s, i) => s === b.std[i]);
}
