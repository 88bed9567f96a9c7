/**
 * Average precision.
 * @module
 */
import { binaryClfCounts } from "./curves.ts";
import { _checkBinary } from "./validate.ts";

/**
 * Average precision as scikit-learn's `average_precision_score`: Σₙ (Rₙ − Rₙ₋₁)·Pₙ over the distinct score thresholds
 * (decreasing, ties grouped), with R₋₁ = 0; a step sum, not interpolated. Throws a RangeError when no label is positive.
 * @param labels `[n]` 0 = normal, 1 = abnormal
 * @param scores `[n]` finite; higher = more abnormal
 * @returns AP in [0, 1]
 * @example
 * ```ts
 * // Thresholds 0.9 (P 0, R 0), 0.8 (P ½, R ½), 0.1 (P ⅔, R 1): AP = ½·½ + ½·⅔ = 7/12.
 * const ap = averagePrecision([0, 1, 1], [0.9, 0.8, 0.1]);
 * if (Math.abs(ap - 7 / 12) > 1e-12) throw new Error(`expected 7/12, got ${ap}`);
 * ```
 */
export function averagePrecision(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const c = _checkBinary(labels, scores, "averagePrecision");
  if (c.positives === 0) throw new RangeError("Cannot compute averagePrecision: no positive label");
  const { tps, fps } = binaryClfCounts(labels, scores);
  let ap = 0, prevRecall = 0;
  for (let i = 0; i < tps.length; i++) {
    const recall = tps[i] / c.positives;
    ap += (recall - prevRecall) * (tps[i] / (tps[i] + fps[i]));
    prevRecall = recall;
  }
  return ap;
}
