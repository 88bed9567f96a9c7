/**
 * Zero-shot anomaly scores of a frozen CLIP with hand-written class prompts: the probability of `"pneumonia."` in a
 * softmax over `"normal."` and `"pneumonia."` (the paper's CheXzero baseline; no training).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Normalisation } from "../data/mod.ts";
import type { BpeTokenizer, ClipModel } from "../encoders/mod.ts";
import { pixelsFromGray } from "./pixels.ts";

/** The two class prompts of zero-shot scoring, normal first. */
export const ZERO_SHOT_PROMPTS: readonly [string, string] = ["normal.", "pneumonia."];

/**
 * Zero-shot abnormal probability of each image: `images` `[n][size*size]` grey in [0, 1] (size = the model's
 * resolution) → `[n]` P("pneumonia.") from `softmax(scale · cos(image, text))`, encoded in batches of `batch`.
 */
export function zeroShotScores(
  model: ClipModel,
  tokenizer: BpeTokenizer,
  normalisation: Normalisation,
  images: readonly Float32Array[],
  batch = 32,
): Float32Array {
  const out = new Float32Array(images.length);
  const txt = tf.tidy(() => model.encodeText(tokenizer.tokenize([...ZERO_SHOT_PROMPTS])));
  for (let s = 0; s < images.length; s += batch) {
    const e = Math.min(images.length, s + batch);
    const probs = tf.tidy(() => {
      const px = pixelsFromGray(images.slice(s, e), model.config.imageResolution, normalisation);
      return tf.softmax(model.logits(model.encodeImage(px), txt)).slice([0, 1], [e - s, 1]);
    });
    out.set(probs.dataSync(), s);
    probs.dispose();
  }
  txt.dispose();
  return out;
}
