/**
 * A scored test set as one table row, in %: AUROC with its 95 % bootstrap interval, AP (optionally with its
 * interval), ACC and F1 at 0.5, and F1-max.
 * @module
 */
import { auroc, averagePrecision, bootstrapCI, computeMetrics } from "../metrics/mod.ts";
import { fixedStreamSeed, Rng } from "../util/mod.ts";

/** Options for {@link metricsRow}. */
export interface MetricsRowOptions {
  /** Bootstrap resamples of the intervals (seeded: AUROC with 0, AP with 1). @default 1000 */
  resamples?: number;
  /** Give AP its interval too. @default false */
  apInterval?: boolean;
  /** Start with the number of test images and of abnormal ones. @default false */
  counts?: boolean;
}

/** `x` in % with one decimal. */
function _pct(x: number): string {
  return (100 * x).toFixed(1);
}

/**
 * The metrics of `scores` `[n]` against `labels` `[n]` (1 = abnormal) as text cells in %: `AUROC (%)` as
 * `mean [lo, hi]`, `AP (%)`, `ACC@0.5 (%)`, `F1@0.5 (%)`, `F1-max (%)`.
 */
export function metricsRow(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  options: MetricsRowOptions = {},
): Record<string, string | number> {
  const n = options.resamples ?? 1000;
  const m = computeMetrics(labels, scores);
  const ci = bootstrapCI(labels, scores, auroc, { rng: new Rng(fixedStreamSeed("tableBootstrapAuroc")), n });
  const ap = options.apInterval
    ? bootstrapCI(labels, scores, averagePrecision, { rng: new Rng(fixedStreamSeed("tableBootstrapAp")), n })
    : null;
  return {
    ...(options.counts ? { "test images": m.n, abnormal: m.positives } : {}),
    "AUROC (%)": `${_pct(m.auroc)} [${_pct(ci.lo)}, ${_pct(ci.hi)}]`,
    "AP (%)": ap ? `${_pct(m.ap)} [${_pct(ap.lo)}, ${_pct(ap.hi)}]` : _pct(m.ap),
    "ACC@0.5 (%)": _pct(m.acc),
    "F1@0.5 (%)": _pct(m.f1),
    "F1-max (%)": _pct(m.f1max),
  };
}
