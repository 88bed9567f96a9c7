/**
 * Per-finding results on the synthetic benchmark: AUROC of each run's scores for normal test images against the test
 * images of one finding, using the benchmark's `manifest.csv`.
 * @module
 */
import { auroc } from "../metrics/mod.ts";
import { splitCsvLine } from "../metrics/scores_csv.ts";
import { join } from "../util/path.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { paths, readJsonOrNull, type RunRecord, type TrainedRecord } from "./store.ts";
import { aggregateScores } from "../eval/scoring.ts";

/** Finding of every image id (`test/pneumonia_256/x.png` → `nodule`), from a benchmark manifest; null when absent. */
export async function readFindings(dataRoot: string): Promise<Map<string, string> | null> {
  const text = await Deno.readTextFile(join(dataRoot, "manifest.csv")).catch(() => null);
  if (!text) return null;
  const lines = text.trim().split("\n");
  const header = splitCsvLine(lines[0]) ?? [];
  const fi = header.indexOf("file"), ki = header.indexOf("finding");
  if (fi < 0 || ki < 0) return null;
  const out = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const cells = splitCsvLine(line);
    if (cells && cells[fi] && cells[ki]) out.set(cells[fi], cells[ki]);
  }
  return out;
}

/** One row of the per-finding table. */
export interface FindingRow {
  run_id: string;
  variant: string;
  regions: string;
  synthesis: string;
  scoring: string;
  seed: number;
  finding: string;
  n_abnormal: number;
  auroc: number;
}

/** AUROC per finding (normals vs that finding) for each run; rows `[runs × findings]`. */
export async function perFindingAuroc(
  out: string,
  records: readonly RunRecord[],
  findings: Map<string, string>,
): Promise<FindingRow[]> {
  const rows: FindingRow[] = [];
  for (const r of records) {
    const trained = await readJsonOrNull<TrainedRecord>(paths.trained(out, r.trainingId));
    if (!trained) continue;
    const scores = aggregateScores(trained.probs, r.spec.scoring);
    const kinds = [
      ...new Set(trained.ids.map((id) => findings.get(id)).filter((f) => f && f !== "normal")),
    ] as string[];
    for (const kind of kinds.sort()) {
      const idx = trained.ids.map((id, i) => (findings.get(id) === "normal" || findings.get(id) === kind ? i : -1))
        .filter((i) => i >= 0);
      const labels = idx.map((i) => trained.labels[i]);
      if (!labels.includes(0) || !labels.includes(1)) continue;
      rows.push({
        run_id: r.id,
        variant: r.spec.variant,
        regions: r.spec.regions,
        synthesis: r.spec.synthesis,
        scoring: r.spec.scoring,
        seed: r.spec.seed,
        finding: kind,
        n_abnormal: labels.filter((l) => l === 1).length,
        auroc: Number(auroc(labels, idx.map((i) => scores[i])).toFixed(6)),
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
