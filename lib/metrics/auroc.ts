/**
 * Area under the ROC curve.
 * @module
 */
import { _checkBinary, _requireBothClasses } from "./validate.ts";

/**
 * AUROC with ties averaged, equal to scikit-learn's `roc_auc_score`: the Mann–Whitney U statistic with mid-ranks,
 * divided by (positives · negatives). Throws a RangeError when only one class is present.
 * @param labels `[n]` 0 = normal, 1 = abnormal
 * @param scores `[n]` finite; higher = more abnormal
 * @returns AUROC in [0, 1]
 * @example
 * ```ts
 * const a = auroc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
 * if (a !== 0.75) throw new Error(`expected 0.75, got ${a}`);
 * ```
 */
export function auroc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const c = _checkBinary(labels, scores, "auroc");
  _requireBothClasses(c, "auroc");
  const n = c.n;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[a] - scores[b]);
  // Sum of the (1-based, mid-) ranks of the positives.
  let rankSum = 0;
  for (let start = 0; start < n;) {
    let end = start + 1;
    while (end < n && scores[order[end]] === scores[order[start]]) end++;
    const midRank = (start + 1 + end) / 2; // average of ranks start+1 … end
    for (let k = start; k < end; k++) if (labels[order[k]] === 1) rankSum += midRank;
    start = end;
  }
  const u = rankSum - (c.positives * (c.positives + 1)) / 2;
  return u / (c.positives * c.negatives);
}
