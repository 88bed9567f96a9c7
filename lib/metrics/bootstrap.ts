/**
 * Bootstrap confidence intervals for a metric.
 * @module
 */
import type { Rng } from "../util/mod.ts";
import { _checkBinary, _requireBothClasses } from "./validate.ts";

/** A metric of labels and scores, e.g. {@link auroc}. */
export type BinaryMetric = (labels: ArrayLike<number>, scores: ArrayLike<number>) => number;

/** Options of {@link bootstrapCI}. */
export interface BootstrapOptions {
  /** The seeded generator that draws the resamples. */
  rng: Rng;
  /** Number of resamples. @default 1000 */
  n?: number;
  /** Two-sided level: the interval covers 1 − alpha. @default 0.05 */
  alpha?: number;
}

/**
 * A percentile bootstrap interval: `n` stratified resamples (positives and negatives each drawn with replacement
 * within their class, keeping the class counts, so both classes are always present), the metric on each, and the
 * alpha/2 and 1 − alpha/2 percentiles (linear interpolation, as numpy's default `percentile`).
 * @param labels `[n]` 0/1 with both classes
 * @param scores `[n]` finite
 * @returns `{lo, hi}` bounds and `estimate`, the metric on the full sample
 */
export function bootstrapCI(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  metric: BinaryMetric,
  { rng, n = 1000, alpha = 0.05 }: BootstrapOptions,
): { lo: number; hi: number; estimate: number } {
  const c = _checkBinary(labels, scores, "bootstrapCI");
  _requireBothClasses(c, "bootstrapCI");
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`Cannot run bootstrapCI: n must be an integer ≥ 1, got ${n}`);
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`Cannot run bootstrapCI: alpha must be in (0, 1), got ${alpha}`);
  const pos: number[] = [], neg: number[] = [];
  for (let i = 0; i < c.n; i++) (labels[i] === 1 ? pos : neg).push(i);
  const ys = new Float64Array(c.n), ss = new Float64Array(c.n);
  ys.fill(1, 0, pos.length);
  const values = new Float64Array(n);
  for (let b = 0; b < n; b++) {
    for (let k = 0; k < pos.length; k++) ss[k] = scores[pos[Math.floor(rng.next() * pos.length)]];
    for (let k = 0; k < neg.length; k++) ss[pos.length + k] = scores[neg[Math.floor(rng.next() * neg.length)]];
    values[b] = metric(ys, ss);
  }
  values.sort();
  return {
    lo: _percentile(values, alpha / 2),
    hi: _percentile(values, 1 - alpha / 2),
    estimate: metric(labels, scores),
  };
}

/** Linear-interpolation percentile of sorted `values` at fraction q ∈ [0, 1]. */
export function _percentile(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}
