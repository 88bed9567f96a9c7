/**
 * Image-level anomaly scores from per-region abnormal probabilities.
 * @module
 */
import { InputError } from "../util/mod.ts";

/** How per-region probabilities become one image score. */
export const SCORINGS = ["paper", "mean", "max"] as const;
/** One of {@link SCORINGS}: `paper` = max if max > threshold (0.8) else mean. */
export type ScoringName = typeof SCORINGS[number];

/** The paper's threshold: an image takes its largest region probability when that exceeds it (the release's 0.8). */
export const PAPER_THRESHOLD = 0.8;

/** Validates a scoring name from a flag or config. */
export function parseScoring(value: string): ScoringName {
  if ((SCORINGS as readonly string[]).includes(value)) return value as ScoringName;
  throw new InputError(`Cannot use scoring ${JSON.stringify(value)}: expected one of ${SCORINGS.join(", ")}`);
}

/**
 * Aggregates one image's per-region abnormal probabilities `[regions]` into a score.
 * `paper`: max_r p_r if it exceeds `threshold` (0.8, the release's value), else mean_r p_r.
 */
export function aggregateScore(probs: ArrayLike<number>, scoring: ScoringName, threshold = PAPER_THRESHOLD): number {
  const n = probs.length;
  if (n === 0) throw new RangeError("Cannot aggregate an empty list of region probabilities");
  let max = -Infinity, sum = 0;
  for (let i = 0; i < n; i++) {
    const p = probs[i];
    if (p > max) max = p;
    sum += p;
  }
  const mean = sum / n;
  if (scoring === "max") return max;
  if (scoring === "mean") return mean;
  return max > threshold ? max : mean;
}

/** Scores every image: `probs` is `[images][regions]`; returns `[images]`. */
export function aggregateScores(
  probs: ArrayLike<number>[],
  scoring: ScoringName,
  threshold = PAPER_THRESHOLD,
): Float64Array {
  const out = new Float64Array(probs.length);
  for (let i = 0; i < probs.length; i++) out[i] = aggregateScore(probs[i], scoring, threshold);
  return out;
}

/** How each scoring rule is described on an overlay. */
export const SCORING_DESCRIPTIONS: Readonly<Record<ScoringName, string>> = {
  paper: "paper (max if > 0.8, else mean)",
  mean: "mean of the regions",
  max: "max of the regions",
};
