/**
 * Diagnostics of a trained prompt model, the measurements that explain a result: how far the learned prompts moved,
 * whether they separate fresh synthetic anomalies of their own training shots, how each region branch scores on its
 * own, how often the paper's max-if-above-0.8 rule fires, and the backbone's temperature.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { HostTensor } from "../encoders/mod.ts";
import type { Normalisation } from "../data/mod.ts";
import { auroc } from "../metrics/mod.ts";
import type { PromptModel } from "../prompts/mod.ts";
import type { ImagePool, Synthesis } from "../synthesis/mod.ts";
import { drawBatch } from "../train/mod.ts";
import type { Rng } from "../util/mod.ts";
import { PAPER_THRESHOLD } from "./score_rule.ts";

/** Measurements taken while a run trains (the rest are computed from its test probabilities). */
export interface TrainingDiagnostics {
  /** ‖ctx − ctx₀‖ / ‖ctx₀‖ of the text context, or null when the variant learns none. */
  contextShift: number | null;
  /** ‖P − P₀‖ / ‖P₀‖ of the image prompts, or null when the variant learns none. */
  imagePromptShift: number | null;
  /** AUROC of synthesised vs normal on fresh draws of the training shots (held-out synthesis seed). */
  syntheticAuroc: number | null;
  /** BCE-with-logits (the training loss) on those draws; ln 2 ≈ 0.693 is a constant guess. */
  syntheticBce: number | null;
  /** exp(logit_scale) of the frozen backbone. */
  logitScale: number;
}

/** Relative L2 distance ‖after − before‖ / ‖before‖ of two equal-length arrays (0 when both are zero). */
export function relativeShift(before: ArrayLike<number>, after: ArrayLike<number>): number {
  if (before.length !== after.length) {
    throw new RangeError(`Cannot compare prompts of ${before.length} and ${after.length} numbers`);
  }
  let num = 0, den = 0;
  for (let i = 0; i < before.length; i++) {
    num += (after[i] - before[i]) ** 2;
    den += before[i] ** 2;
  }
  return den === 0 ? (num === 0 ? 0 : Infinity) : Math.sqrt(num / den);
}

/** Shifts of the learned prompts (`text_ctx`, `image_prompts` of `learnedTensors()`) from their initial values. */
export function promptShifts(
  initial: Record<string, HostTensor>,
  learned: Record<string, HostTensor>,
): { contextShift: number | null; imagePromptShift: number | null } {
  const shift = (k: string) => initial[k] && learned[k] ? relativeShift(initial[k].data, learned[k].data) : null;
  return { contextShift: shift("text_ctx"), imagePromptShift: shift("image_prompts") };
}

/** Options for {@link syntheticProbe}. */
export interface ProbeOptions {
  normalisation: Normalisation;
  /** Normal images for pool-based syntheses (FPI). */
  pool?: ImagePool;
  /** Batches drawn (each: every shot once, abnormal with probability 0.5). @default 4 */
  draws?: number;
  /** Images per forward pass. @default 64 */
  chunk?: number;
}

/**
 * Scores fresh synthetic draws of the training shots `[k][size*size]` exactly as training sees them (each shot in a
 * drawn region, abnormal with probability 0.5): AUROC of the drawn region's abnormal probability against the labels,
 * and the mean BCE of the training loss. `rng` must be a stream training never used.
 */
export function syntheticProbe(
  model: PromptModel,
  shots: readonly Float32Array[],
  synthesis: Synthesis,
  rng: Rng,
  options: ProbeOptions,
): { auroc: number; bce: number } {
  const labels: number[] = [], scores: number[] = [];
  let bceSum = 0;
  const chunk = options.chunk ?? 64;
  const txt = model.textFeatures();
  try {
    for (let d = 0; d < (options.draws ?? 4); d++) {
      const batch = drawBatch(model, shots, synthesis, rng, 0.5, options.pool);
      for (let s = 0; s < batch.images.length; s += chunk) {
        const e = Math.min(batch.images.length, s + chunk);
        const regionIndex = batch.regionIndex.slice(s, e), y = batch.labels.slice(s, e);
        const [p, bce] = tf.tidy(() => {
          // From the model's frozen-feature and patch sources when it has them (bitwise the same numbers).
          const img = model.imageFeaturesFromGray(batch.images.slice(s, e), regionIndex, options.normalisation);
          const logits = model.regionLogits(img, txt, regionIndex);
          return [
            tf.softmax(logits).slice([0, 1], [e - s, 1]).reshape([e - s]),
            tf.mul(model.loss(img, txt, regionIndex, y), e - s),
          ];
        });
        scores.push(...(p.dataSync() as Float32Array));
        bceSum += bce.dataSync()[0];
        p.dispose();
        bce.dispose();
        labels.push(...y);
      }
    }
  } finally {
    txt.dispose();
  }
  const bce = bceSum / labels.length;
  const both = labels.includes(0) && labels.includes(1);
  return { auroc: both ? auroc(labels, scores) : NaN, bce };
}

/** Test AUROC of each region branch alone: probabilities `[images][R]`, labels `[images]` → `{ region: AUROC }`. */
export function regionAurocs(
  labels: readonly number[],
  probs: readonly ArrayLike<number>[],
  regionNames: readonly string[],
): Record<string, number> {
  const out: Record<string, number> = {};
  regionNames.forEach((name, r) => (out[name] = auroc([...labels], probs.map((p) => p[r]))));
  return out;
}

/** Fraction of images whose largest region probability exceeds the paper's threshold (the rule takes the max). */
export function ruleFiredFraction(probs: readonly ArrayLike<number>[], threshold = PAPER_THRESHOLD): number {
  if (probs.length === 0) return 0;
  let fired = 0;
  for (const p of probs) if (Math.max(...Array.from(p)) > threshold) fired++;
  return fired / probs.length;
}

/**
 * The flat diagnostics of one trained run, keyed as in `diagnostics.csv`: `context_shift`, `image_prompt_shift`,
 * `synthetic_auroc`, `synthetic_bce`, `logit_scale`, `rule_fired` and `region_auroc:<region>` (absent values left out).
 * `probs` is `[images][R]`, `labels` `[images]`.
 */
export function diagnosticValues(
  training: TrainingDiagnostics | undefined,
  labels: readonly number[],
  probs: readonly ArrayLike<number>[],
  regionNames: readonly string[],
): Record<string, number> {
  const out: Record<string, number> = {};
  const put = (k: string, v: number | null | undefined) => {
    if (v !== null && v !== undefined && Number.isFinite(v)) out[k] = v;
  };
  put("context_shift", training?.contextShift);
  put("image_prompt_shift", training?.imagePromptShift);
  put("synthetic_auroc", training?.syntheticAuroc);
  put("synthetic_bce", training?.syntheticBce);
  put("logit_scale", training?.logitScale);
  put("rule_fired", ruleFiredFraction(probs));
  const both = labels.includes(0) && labels.includes(1);
  if (both) {
    for (const [name, a] of Object.entries(regionAurocs(labels, probs, regionNames))) put(`region_auroc:${name}`, a);
  }
  return out;
}
