/**
 * The platform's standard image-level metric record.
 * @module
 */
import { auroc } from "./auroc.ts";
import { averagePrecision } from "./ap.ts";
import { accuracyAt, f1At, f1Max } from "./threshold.ts";
import { _checkBinary, _requireBothClasses } from "./validate.ts";

/** Image-level metrics of one run. `acc` and `f1` use `score > 0.5`; `f1max` is test-set-optimal. */
export interface Metrics {
  auroc: number;
  ap: number;
  acc: number;
  f1: number;
  f1max: number;
  n: number;
  positives: number;
}

/**
 * AUROC, AP, ACC and F1 at 0.5, and F1-max. Throws a RangeError unless both classes are present.
 * @param labels `[n]` 0 = normal, 1 = abnormal
 * @param scores `[n]` finite anomaly scores (probabilities for ACC/F1 at 0.5 to be meaningful)
 */
export function computeMetrics(labels: ArrayLike<number>, scores: ArrayLike<number>): Metrics {
  const c = _checkBinary(labels, scores, "computeMetrics");
  _requireBothClasses(c, "computeMetrics");
  return {
    auroc: auroc(labels, scores),
    ap: averagePrecision(labels, scores),
    acc: accuracyAt(labels, scores, 0.5),
    f1: f1At(labels, scores, 0.5),
    f1max: f1Max(labels, scores),
    n: c.n,
    positives: c.positives,
  };
}
