/**
 * Training PPAD's prompts: normal-only k-shot images, each turned abnormal by a synthesis with probability 0.5 inside
 * a region drawn uniformly; SGD with momentum and cosine annealing on BCE-with-logits of the region's scaled logits.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Normalisation } from "../data/mod.ts";
import type { PromptModel } from "../prompts/mod.ts";
import { arrayPool, type ImagePool, type Synthesis } from "../synthesis/mod.ts";
import type { Rng } from "../util/mod.ts";
import type { BatchSource } from "./batch_streams.ts";
import { cosineLr, SgdMomentum } from "./optimizer.ts";

export { pixelsFromGray } from "../prompts/mod.ts";

/** Options for {@link trainPrompts}. */
export interface TrainOptions {
  /** Normal training images `[shots][size*size]` in [0, 1], at the model's resolution. */
  images: readonly Float32Array[];
  synthesis: Synthesis;
  /**
   * Normal images a pool-based synthesis (FPI) takes its patches from: the train split's normals, as the release
   * does. @default the shots themselves
   */
  pool?: ImagePool;
  normalisation: Normalisation;
  rng: Rng;
  /** Optimisation steps (one batch of all shots each; the paper: 100). @default 100 */
  steps?: number;
  /** @default 1e-3 */
  lr?: number;
  /** @default 0.9 */
  momentum?: number;
  /** Probability that a sample is synthesised as abnormal. @default 0.5 */
  abnormalProbability?: number;
  /** Images per forward pass (gradients are accumulated over chunks of one batch). @default 64 */
  chunk?: number;
  /** Called after each step. */
  onStep?: (step: number, loss: number, lr: number) => void;
  /**
   * Where the batches come from, e.g. a recorded stream (lib/train/batch_streams.ts); it must give exactly what
   * {@link drawBatch} would draw from `rng`. @default drawBatch with `rng`
   */
  batches?: BatchSource;
}

/** One training batch: images with their drawn regions and labels (0 normal, 1 abnormal). */
export interface TrainBatch {
  /** `[batch][size*size]` in [0, 1]. */
  images: Float32Array[];
  /** `[batch]` index of each sample's region in the model's region set. */
  regionIndex: number[];
  /** `[batch]` 0 normal, 1 abnormal (synthesised). */
  labels: number[];
}

/**
 * Draws one batch: every shot once, in order; per shot, in this order from `rng`: the region index uniform over the
 * model's regions (`rng.int(0, R − 1)`), then abnormal with probability `p` (`rng.bernoulli(p)`; never drawn when the
 * synthesis is `none`), then, when abnormal, the synthesis's own draws inside the drawn region.
 * @param model anything with the region set (`regions`, `numRegions`), e.g. a PromptModel
 * @param shots `[k][size*size]` normal images in [0, 1]
 * @param pool normal images for pool-based syntheses (FPI) @default the shots
 * @returns `[k]` images (a shot itself when normal), region indices and labels
 */
export function drawBatch(
  model: Pick<PromptModel, "regions" | "numRegions">,
  shots: readonly Float32Array[],
  synthesis: Synthesis,
  rng: Rng,
  p = 0.5,
  pool: ImagePool = arrayPool(shots),
): TrainBatch {
  const size = model.regions.size;
  const out: TrainBatch = { images: [], regionIndex: [], labels: [] };
  for (let i = 0; i < shots.length; i++) {
    const r = rng.int(0, model.numRegions - 1);
    const abnormal = synthesis.name !== "none" && rng.bernoulli(p);
    let image = shots[i];
    if (abnormal) image = synthesis.apply({ image, size, region: model.regions.regions[r], pool }, rng).image;
    out.images.push(image);
    out.regionIndex.push(r);
    out.labels.push(abnormal ? 1 : 0);
  }
  return out;
}

/**
 * Trains the prompt model in place; returns the loss of every step. The frozen CLIP is never updated.
 *
 * Per step: one batch (every shot once, see {@link drawBatch}), split into chunks of `chunk` images whose gradients
 * are summed. Image features that cannot depend on the prompts (no image prompts, or a region that keeps every patch)
 * are computed outside the gradient tape, from the model's frozen-feature source when it has one; fixed text (no
 * learned context) is encoded once. Each of these gives bitwise the numbers of the direct computation.
 */
export function trainPrompts(model: PromptModel, options: TrainOptions): number[] {
  const steps = options.steps ?? 100;
  const baseLr = options.lr ?? 1e-3;
  const vars = model.trainableVariables();
  const varList = Object.values(vars);
  if (varList.length === 0) return [];
  const opt = new SgdMomentum({ lr: baseLr, momentum: options.momentum ?? 0.9 });
  const chunk = options.chunk ?? 64;
  const pool = options.pool ?? arrayPool(options.images);
  const next = options.batches ??
    (() => drawBatch(model, options.images, options.synthesis, options.rng, options.abnormalProbability ?? 0.5, pool));
  const losses: number[] = [];
  // Without a learned context the text features are the same every step.
  const fixedText = model.text.context ? null : model.textFeatures();
  try {
    for (let step = 0; step < steps; step++) {
      opt.lr = cosineLr(baseLr, step, steps);
      const batch = next(step);
      const n = batch.images.length;
      let total = 0;
      const acc: Record<string, tf.Tensor> = {};
      for (let s = 0; s < n; s += chunk) {
        const e = Math.min(n, s + chunk);
        const weight = (e - s) / n;
        const regionIndex = batch.regionIndex.slice(s, e);
        const labels = batch.labels.slice(s, e);
        // Rows that need no gradient through the image tower are encoded (or looked up) outside the tape.
        const prepared = model.prepareImages(batch.images.slice(s, e), regionIndex, options.normalisation);
        const { value, grads } = chunkGradients(model, varList, prepared.promptedRows.length > 0, () => {
          const img = model.featuresOf(prepared);
          const txt = fixedText ?? model.textFeatures();
          return tf.mul(model.loss(img, txt, regionIndex, labels), weight) as tf.Scalar;
        });
        total += value.dataSync()[0];
        value.dispose();
        prepared.dispose();
        for (const [k, g] of Object.entries(grads)) {
          if (acc[k]) {
            const sum = tf.add(acc[k], g);
            acc[k].dispose();
            g.dispose();
            acc[k] = sum;
          } else acc[k] = g;
        }
      }
      opt.apply(vars, acc);
      for (const g of Object.values(acc)) g.dispose();
      losses.push(total);
      options.onStep?.(step, total, opt.lr);
    }
  } finally {
    opt.dispose();
    fixedText?.dispose();
  }
  return losses;
}

/**
 * `tf.variableGrads` of `f` over the variables it reaches, and an exact zero gradient for the image prompts when no
 * row of the chunk goes through them (every row seen whole): through the tape their gradient would be exactly zero
 * too, and the optimiser must still take its momentum step. No tape at all when nothing is reached.
 */
function chunkGradients(
  model: PromptModel,
  varList: readonly tf.Variable[],
  reachesImagePrompts: boolean,
  f: () => tf.Scalar,
): { value: tf.Scalar; grads: Record<string, tf.Tensor> } {
  const reached = varList.filter((v) => reachesImagePrompts || v !== model.image?.tokens);
  const { value, grads } = reached.length ? tf.variableGrads(f, reached) : { value: tf.tidy(f), grads: {} };
  const out: Record<string, tf.Tensor> = {};
  for (const v of varList) out[v.name] = (grads as tf.NamedTensorMap)[v.name] ?? tf.zerosLike(v);
  return { value, grads: out };
}
