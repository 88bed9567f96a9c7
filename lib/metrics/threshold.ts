/**
 * Thresholded metrics: accuracy and F1 at a fixed threshold, and the test-set-optimal F1 (F1-max).
 *
 * Decision rule: a sample is predicted abnormal when `score > threshold` (strictly greater), as the PPAD release
 * does (`pred = score > 0.5`). F1-max instead sweeps sklearn's PR-curve thresholds, where the rule is `score >= t`.
 * @module
 */
import { prCurve } from "./curves.ts";
import { _checkBinary } from "./validate.ts";

/** Confusion counts at a threshold (`score > threshold` → predicted abnormal). */
export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/**
 * Confusion matrix at `threshold`, predicting abnormal when `score > threshold`.
 * @param labels `[n]` 0/1
 * @param scores `[n]` finite
 */
export function confusionAt(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold = 0.5): Confusion {
  _checkBinary(labels, scores, "confusionAt");
  if (!Number.isFinite(threshold)) {
    throw new RangeError(`Cannot compute confusionAt: threshold ${threshold} not finite`);
  }
  const c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < labels.length; i++) {
    const pred = scores[i] > threshold;
    if (labels[i] === 1) pred ? c.tp++ : c.fn++;
    else pred ? c.fp++ : c.tn++;
  }
  return c;
}

/**
 * Accuracy at `threshold` (abnormal when `score > threshold`).
 * @param labels `[n]` 0/1
 * @param scores `[n]` finite
 * @returns (TP + TN) / n
 */
export function accuracyAt(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold = 0.5): number {
  const c = confusionAt(labels, scores, threshold);
  return (c.tp + c.tn) / labels.length;
}

/**
 * F1 of the abnormal class at `threshold` (abnormal when `score > threshold`); 0 when TP + FP + FN = 0
 * (sklearn's `zero_division=0`).
 * @param labels `[n]` 0/1
 * @param scores `[n]` finite
 * @returns 2TP / (2TP + FP + FN)
 */
export function f1At(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold = 0.5): number {
  const c = confusionAt(labels, scores, threshold);
  const den = 2 * c.tp + c.fp + c.fn;
  return den === 0 ? 0 : (2 * c.tp) / den;
}

/**
 * F1-max: the largest F1 over the PR-curve thresholds (`score >= t` for every distinct score t). This threshold is
 * chosen on the test set itself: report it labelled as test-set-optimal, never as F1.
 * @param labels `[n]` 0/1, at least one positive
 * @param scores `[n]` finite
 * @returns `{f1, threshold}`: the best F1 and the smallest score at which it is reached
 */
export function f1MaxWithThreshold(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
): { f1: number; threshold: number } {
  const { precision, recall, thresholds } = prCurve(labels, scores);
  let best = 0, at = Infinity;
  for (let i = 0; i < precision.length; i++) {
    const s = precision[i] + recall[i];
    const f1 = s === 0 ? 0 : (2 * precision[i] * recall[i]) / s;
    if (f1 > best) {
      best = f1;
      at = thresholds[i];
    }
  }
  return { f1: best, threshold: at };
}

/**
 * F1-max (see {@link f1MaxWithThreshold}): the best F1 over the PR curve, test-set-optimal.
 * @param labels `[n]` 0/1, at least one positive
 * @param scores `[n]` finite
 */
export function f1Max(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  return f1MaxWithThreshold(labels, scores).f1;
}
