/**
 * Checking a run trained outside the sweep (a notebook's) against the sweep's stored copy of the same run: the same
 * training id means the same shots, initialisation and synthesis draws, so the region probabilities must agree.
 * @module
 */
import { aggregateScores, type ScoringName } from "../eval/mod.ts";
import { auroc } from "../metrics/mod.ts";
import { shownPath } from "../util/mod.ts";
import { paths, readJsonOrNull, type TrainedRecord } from "./store.ts";

/** How a run compares with the sweep's stored run of the same training id. */
export interface StoredRunComparison {
  /** The stored record's path. */
  path: string;
  /** AUROC of the stored run and of this one under the same scoring (fractions). */
  storedAuroc: number;
  auroc: number;
  /** The largest absolute difference of a region probability between the two. */
  maxDifference: number;
}

/**
 * Compares `trained` with `trained/<trainingId>.json` in the sweep folder `sweepDir`; null when the sweep has no such
 * run (other settings than the sweep's).
 */
export async function compareWithStoredRun(
  sweepDir: string,
  trainingId: string,
  trained: TrainedRecord,
  scoring: ScoringName,
): Promise<StoredRunComparison | null> {
  const path = paths.trained(sweepDir, trainingId);
  const stored = await readJsonOrNull<TrainedRecord>(path);
  if (!stored) return null;
  let maxDifference = 0;
  stored.probs.forEach((row, i) =>
    row.forEach((p, r) => (maxDifference = Math.max(maxDifference, Math.abs(p - trained.probs[i][r]))))
  );
  const aurocOf = (t: TrainedRecord) => auroc(t.labels, aggregateScores(t.probs, scoring));
  return { path, storedAuroc: aurocOf(stored), auroc: aurocOf(trained), maxDifference };
}

/** The comparison in one sentence, or where the run was looked for when there is none. */
export function describeStoredRun(
  comparison: StoredRunComparison | null,
  where: { sweepDir: string; trainingId: string },
): string {
  if (!comparison) {
    return `no run ${where.trainingId} in ${shownPath(where.sweepDir)} (other settings than the sweep's)`;
  }
  const pct = (x: number) => (100 * x).toFixed(1);
  return `the sweep's run ${shownPath(comparison.path)}: AUROC ${pct(comparison.storedAuroc)}, this notebook ` +
    `${pct(comparison.auroc)}; largest difference of a region probability ` +
    `${comparison.maxDifference.toExponential(1)} (same run: same shots, initialisation and draws)`;
}
