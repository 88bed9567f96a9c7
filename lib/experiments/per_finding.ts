/**
 * Per-finding results on the synthetic benchmark: AUROC of each run's scores for normal test images against the test
 * images of one finding, using the benchmark's `manifest.csv` (read by `lib/data/synthetic/manifest.ts`).
 * @module
 */
import { aurocPerFinding } from "../metrics/mod.ts";
import type { CaseInfo } from "../data/mod.ts";
import { join, writeFileAtomic } from "../util/mod.ts";
import { paths, readJsonOrNull, type RunRecord, type TrainedRecord } from "./store.ts";
import { aggregateScores } from "../eval/mod.ts";

/** One row of the per-finding table. */
export interface FindingRow {
  run_id: string;
  variant: string;
  regions: string;
  synthesis: string;
  scoring: string;
  sides: string;
  seed: number;
  finding: string;
  n_abnormal: number;
  auroc: number;
}

/** AUROC per finding (normals vs that finding) for each run; rows `[runs × findings]`. */
export async function perFindingAuroc(
  out: string,
  records: readonly RunRecord[],
  cases: ReadonlyMap<string, CaseInfo>,
): Promise<FindingRow[]> {
  const rows: FindingRow[] = [];
  for (const r of records) {
    const trained = await readJsonOrNull<TrainedRecord>(paths.trained(out, r.trainingId));
    if (!trained) continue;
    const scores = aggregateScores(trained.probs, r.spec.scoring);
    const findings = trained.ids.map((id) => cases.get(id)?.finding);
    for (const f of aurocPerFinding(findings, trained.labels, scores)) {
      rows.push({
        run_id: r.id,
        variant: r.spec.variant,
        regions: r.spec.regions,
        synthesis: r.spec.synthesis,
        scoring: r.spec.scoring,
        sides: r.spec.sides ?? "image",
        seed: r.spec.seed,
        finding: f.finding,
        n_abnormal: f.nAbnormal,
        auroc: Number(f.auroc.toFixed(6)),
      });
    }
  }
  return rows;
}

/** Writes `per_finding.csv` (tidy: one row per run × finding). */
export async function writePerFinding(out: string, rows: readonly FindingRow[]): Promise<string> {
  const cols = [
    "run_id",
    "variant",
    "regions",
    "synthesis",
    "scoring",
    "sides",
    "seed",
    "finding",
    "n_abnormal",
    "auroc",
  ] as const;
  const text = [cols.join(","), ...rows.map((r) => cols.map((c) => r[c]).join(","))].join("\n") + "\n";
  const path = join(out, "per_finding.csv");
  await writeFileAtomic(path, text);
  return path;
}
