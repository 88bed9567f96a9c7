/**
 * Scoring a test set with a prompt model: per-region abnormal probabilities, image scores, metrics.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Normalisation } from "../data/mod.ts";
import type { PromptModel } from "../prompts/mod.ts";

/** Options for {@link regionProbabilities}. */
export interface EvaluateOptions {
  normalisation: Normalisation;
  /** Images per forward pass. @default 32 */
  batch?: number;
  /** Called after each batch with the number of images done. */
  onBatch?: (done: number, total: number) => void;
}

/**
 * Per-region abnormal probabilities for every image: `images` `[n][size*size]` in [0, 1] at the model's resolution →
 * `[n][R]`. Text features are computed once. Regions whose image feature does not depend on the image prompts take it
 * from the model's frozen-feature source when it has one (a sweep's feature cache), with the same numbers.
 */
export function regionProbabilities(
  model: PromptModel,
  images: readonly Float32Array[],
  options: EvaluateOptions,
): Float32Array[] {
  const batch = options.batch ?? 32;
  const out: Float32Array[] = [];
  const txt = model.textFeatures();
  try {
    for (let s = 0; s < images.length; s += batch) {
      const e = Math.min(images.length, s + batch);
      out.push(...model.regionProbabilitiesFromGray(images.slice(s, e), options.normalisation, txt));
      options.onBatch?.(e, images.length);
    }
  } finally {
    txt.dispose();
  }
  return out;
}

/** Current tfjs tensor count (for leak checks around evaluation and training). */
export function liveTensors(): number {
  return tf.memory().numTensors;
}
