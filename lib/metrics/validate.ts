/**
 * Input checks shared by the metric functions (private to `lib/metrics/`).
 * @module
 */

/** Counts of a checked binary problem. */
export interface _Checked {
  n: number;
  positives: number;
  negatives: number;
}

/**
 * Checks that `labels` and `scores` have the same non-zero length, labels are 0 or 1 and scores are finite.
 * @param labels `[n]` 0 = normal, 1 = abnormal
 * @param scores `[n]` finite anomaly scores
 * @param fn the calling metric's name, for messages
 */
export function _checkBinary(labels: ArrayLike<number>, scores: ArrayLike<number>, fn: string): _Checked {
  if (labels.length !== scores.length) {
    throw new RangeError(`Cannot compute ${fn}: ${labels.length} labels but ${scores.length} scores`);
  }
  if (labels.length === 0) throw new RangeError(`Cannot compute ${fn}: no samples`);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (y !== 0 && y !== 1) throw new RangeError(`Cannot compute ${fn}: label ${i} must be 0 or 1, got ${y}`);
    if (!Number.isFinite(scores[i])) {
      throw new RangeError(`Cannot compute ${fn}: score ${i} is not finite (${scores[i]})`);
    }
    positives += y;
  }
  return { n: labels.length, positives, negatives: labels.length - positives };
}

/** Throws a RangeError unless both classes are present. */
export function _requireBothClasses(c: _Checked, fn: string): void {
  if (c.positives === 0 || c.negatives === 0) {
    const only = c.positives === 0 ? "0 (normal)" : "1 (abnormal)";
    throw new RangeError(`Cannot compute ${fn}: only one class present (all ${c.n} labels are ${only})`);
  }
}

/** Indices `[n]` that sort `scores` in decreasing order (stable: ties keep input order). */
export function _orderDescending(scores: ArrayLike<number>): Uint32Array {
  const order = new Uint32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => scores[b] - scores[a] || a - b);
}
