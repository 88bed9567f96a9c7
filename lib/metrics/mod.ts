/**
 * Image-level anomaly-detection metrics, numerically equal to scikit-learn's: AUROC (mid-rank ties), average precision
 * (step sum), accuracy and F1 at a threshold (`score > t`), F1-max (test-set-optimal), ROC/PR curves, stratified
 * percentile bootstrap intervals, AUROC per finding, and the `id,label,score` CSV reader.
 * @module
 */
export { auroc } from "./auroc.ts";
export { averagePrecision } from "./ap.ts";
export { accuracyAt, type Confusion, confusionAt, f1At, f1Max, f1MaxWithThreshold } from "./threshold.ts";
export { binaryClfCounts, type ClfCounts, type PrCurve, prCurve, type RocCurve, rocCurve } from "./curves.ts";
export { type BinaryMetric, bootstrapCI, type BootstrapOptions } from "./bootstrap.ts";
export { computeMetrics, type Metrics } from "./compute.ts";
export { aurocPerFinding, type AurocPerFindingOptions, type FindingAuroc } from "./per_finding.ts";
export { parseScoresCsv, SCORE_COLUMNS, type ScoresTable } from "./scores_csv.ts";
