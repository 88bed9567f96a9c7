/**
 * ROC and precision–recall curves, point for point as scikit-learn computes them (`drop_intermediate=False`).
 * @module
 */
import { _checkBinary, _orderDescending, _requireBothClasses } from "./validate.ts";

/**
 * Cumulative counts at each distinct score threshold, highest threshold first (sklearn's `_binary_clf_curve`).
 * A sample is predicted positive at threshold t when `score >= t`.
 */
export interface ClfCounts {
  /** `[k]` distinct scores, decreasing. */
  thresholds: Float64Array;
  /** `[k]` true positives with `score >= thresholds[i]`. */
  tps: Float64Array;
  /** `[k]` false positives with `score >= thresholds[i]`. */
  fps: Float64Array;
}

/**
 * Counts true and false positives at every distinct score (ties grouped), highest score first.
 * @param labels `[n]` 0/1
 * @param scores `[n]` finite
 * @returns arrays of length k = number of distinct scores
 */
export function binaryClfCounts(labels: ArrayLike<number>, scores: ArrayLike<number>): ClfCounts {
  _checkBinary(labels, scores, "binaryClfCounts");
  const order = _orderDescending(scores);
  const t: number[] = [], tp: number[] = [], fp: number[] = [];
  let tps = 0, fps = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    if (labels[i] === 1) tps++;
    else fps++;
    const last = k === order.length - 1 || scores[order[k + 1]] !== scores[i];
    if (last) {
      t.push(scores[i]);
      tp.push(tps);
      fp.push(fps);
    }
  }
  return { thresholds: Float64Array.from(t), tps: Float64Array.from(tp), fps: Float64Array.from(fp) };
}

/** ROC curve points: `fpr[i]`, `tpr[i]` at `thresholds[i]`; all `[k+1]`, starting at (0, 0) with threshold +Infinity. */
export interface RocCurve {
  fpr: Float64Array;
  tpr: Float64Array;
  thresholds: Float64Array;
}

/**
 * The ROC curve (sklearn `roc_curve(drop_intermediate=False)`): one point per distinct score plus (0, 0) first.
 * Throws a RangeError when only one class is present.
 * @param labels `[n]` 0/1
 * @param scores `[n]` finite
 */
export function rocCurve(labels: ArrayLike<number>, scores: ArrayLike<number>): RocCurve {
  _requireBothClasses(_checkBinary(labels, scores, "rocCurve"), "rocCurve");
  const { thresholds, tps, fps } = binaryClfCounts(labels, scores);
  const k = thresholds.length, p = tps[k - 1], n = fps[k - 1];
  const fpr = new Float64Array(k + 1), tpr = new Float64Array(k + 1), th = new Float64Array(k + 1);
  th[0] = Infinity;
  for (let i = 0; i < k; i++) {
    fpr[i + 1] = fps[i] / n;
    tpr[i + 1] = tps[i] / p;
    th[i + 1] = thresholds[i];
  }
  return { fpr, tpr, thresholds: th };
}

/**
 * Precision–recall points in order of decreasing threshold: `[k+1]` arrays starting at (recall 0, precision 1)
 * (sklearn's final point, which has no threshold: `thresholds[0] = +Infinity`), then one point per distinct score.
 * This is sklearn's `precision_recall_curve` output reversed.
 */
export interface PrCurve {
  precision: Float64Array;
  recall: Float64Array;
  thresholds: Float64Array;
}

/**
 * The precision–recall curve (sklearn `precision_recall_curve`, reversed so the threshold decreases).
 * Throws a RangeError when there is no positive label.
 * @param labels `[n]` 0/1
 * @param scores `[n]` finite
 */
export function prCurve(labels: ArrayLike<number>, scores: ArrayLike<number>): PrCurve {
  const c = _checkBinary(labels, scores, "prCurve");
  if (c.positives === 0) throw new RangeError("Cannot compute prCurve: no positive label (recall undefined)");
  const { thresholds, tps, fps } = binaryClfCounts(labels, scores);
  const k = thresholds.length;
  const precision = new Float64Array(k + 1), recall = new Float64Array(k + 1), th = new Float64Array(k + 1);
  precision[0] = 1;
  th[0] = Infinity;
  for (let i = 0; i < k; i++) {
    precision[i + 1] = tps[i] / (tps[i] + fps[i]);
    recall[i + 1] = tps[i] / c.positives;
    th[i + 1] = thresholds[i];
  }
  return { precision, recall, thresholds: th };
}
