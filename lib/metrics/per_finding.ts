/**
 * AUROC per finding: the normal images against the images of one finding alone, for every finding.
 * @module
 */
import { auroc } from "./auroc.ts";

/** The AUROC of one finding against the normals. */
export interface FindingAuroc {
  finding: string;
  /** Abnormal images (label 1) of this finding. */
  nAbnormal: number;
  auroc: number;
}

/** Options for {@link aurocPerFinding}. */
export interface AurocPerFindingOptions {
  /** The findings to report, in this order. @default every finding present except `normal`, sorted by name */
  findings?: readonly string[];
  /** The finding of the normal images. @default "normal" */
  normal?: string;
}

/**
 * AUROC of the normal images against the images of each finding alone. A finding whose subset lacks either class is
 * left out; images whose finding is undefined (unknown) take part in none.
 * @param findings `[n]` each image's finding (`normal` for normal images)
 * @param labels `[n]` 0 normal, 1 abnormal
 * @param scores `[n]` anomaly scores
 * @example
 * ```ts
 * aurocPerFinding(["normal", "nodule", "normal", "effusion"], [0, 1, 0, 1], [0.1, 0.9, 0.2, 0.15]);
 * // [{ finding: "effusion", nAbnormal: 1, auroc: 0.5 }, { finding: "nodule", nAbnormal: 1, auroc: 1 }]
 * ```
 */
export function aurocPerFinding(
  findings: readonly (string | undefined)[],
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  options: AurocPerFindingOptions = {},
): FindingAuroc[] {
  if (findings.length !== labels.length || labels.length !== scores.length) {
    throw new RangeError(
      `Cannot compute AUROC per finding: ${findings.length} findings, ${labels.length} labels, ${scores.length} scores`,
    );
  }
  const normal = options.normal ?? "normal";
  const kinds = options.findings ??
    [...new Set(findings.filter((f): f is string => !!f && f !== normal))].sort();
  const out: FindingAuroc[] = [];
  for (const finding of kinds) {
    const idx: number[] = [];
    for (let i = 0; i < findings.length; i++) if (findings[i] === normal || findings[i] === finding) idx.push(i);
    const ls = idx.map((i) => labels[i]);
    if (!ls.includes(0) || !ls.includes(1)) continue;
    out.push({ finding, nAbnormal: ls.filter((l) => l === 1).length, auroc: auroc(ls, idx.map((i) => scores[i])) });
  }
  return out;
}
