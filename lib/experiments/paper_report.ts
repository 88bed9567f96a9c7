/**
 * The paper's published table next to measured results, for reports: the paper's Table 1 as a wide table, a
 * side-by-side table and chart of paper and measured values, and the provenance of a measured result set.
 * Values are in %; measured summaries come from `measuredSummary` (`paper_table.ts`).
 * @module
 */
import * as Plot from "@observablehq/plot";
import { formatMeanStd } from "../report/tables.ts";
import {
  type MeasuredSummary,
  METRIC_LABELS,
  PAPER_METRICS,
  PAPER_RESULTS,
  type PaperDataset,
  type PaperMetric,
  type PaperValue,
} from "./paper_table.ts";
import type { RunRecord } from "./store.ts";

/** Display names of the paper's data sets, in the table's order. */
export const PAPER_DATASET_LABELS: Readonly<Record<PaperDataset, string>> = {
  zhanglab: "ZhangLab",
  chexpert: "CheXpert",
  vindr: "VinDr-CXR",
};

const DATASETS = Object.keys(PAPER_DATASET_LABELS) as PaperDataset[];

function paperText(v: PaperValue | undefined): string {
  return v ? formatMeanStd(v.mean, v.std, 1) : "–";
}

/** The paper's Table 1 as wide rows: `method` (`*` = re-run by the authors), then `<data set> <metric>` columns. */
export function paperTableRows(): Record<string, string>[] {
  return PAPER_RESULTS.map((p) => {
    const row: Record<string, string> = { method: p.method + (p.rerun ? "*" : "") };
    for (const d of DATASETS) {
      for (const m of PAPER_METRICS[d]) {
        row[`${PAPER_DATASET_LABELS[d]} ${METRIC_LABELS[m]}`] = paperText(p.results[d]?.[m]);
      }
    }
    return row;
  });
}

/**
 * One row per paper method that the platform runs (zero-shot, CoOp, PPAD) × metric: the paper's value on each of its
 * data sets and the measured value (mean ± std, `n` runs) under the column `<measuredLabel> (measured)`.
 */
export function sideBySideRows(
  measured: readonly MeasuredSummary[],
  measuredLabel: string,
  metrics: readonly PaperMetric[] = ["auroc", "ap", "acc", "f1"],
): Record<string, string | number>[] {
  const rows: Record<string, string | number>[] = [];
  for (const p of PAPER_RESULTS) {
    if (!p.variant) continue;
    for (const metric of metrics) {
      const row: Record<string, string | number> = {
        method: p.method + (p.rerun ? "*" : ""),
        variant: p.variant,
        metric: METRIC_LABELS[metric],
      };
      for (const d of DATASETS) row[`${PAPER_DATASET_LABELS[d]} (paper)`] = paperText(p.results[d]?.[metric]);
      const m = measured.find((s) => s.variant === p.variant && s.metric === metric);
      row[`${measuredLabel} (measured)`] = m ? formatMeanStd(m.mean, m.std, 1) : "not run";
      row.runs = m ? m.n : 0;
      rows.push(row);
    }
  }
  return rows;
}

/** One value of the comparison chart. */
export interface PaperPoint {
  method: string;
  /** Data set label; measured ones end in `(measured)`. */
  dataset: string;
  value: number;
  measured: boolean;
}

/** Points for {@link paperChart}: every paper value of `metric`, plus the measured means of the same methods. */
export function paperPoints(
  measured: readonly MeasuredSummary[],
  measuredLabel: string,
  metric: PaperMetric,
): PaperPoint[] {
  const points: PaperPoint[] = [];
  for (const p of PAPER_RESULTS) {
    const method = p.method + (p.rerun ? "*" : "");
    for (const d of DATASETS) {
      const v = p.results[d]?.[metric];
      if (v) points.push({ method, dataset: PAPER_DATASET_LABELS[d], value: v.mean, measured: false });
    }
    const m = p.variant ? measured.find((s) => s.variant === p.variant && s.metric === metric) : undefined;
    if (m) points.push({ method, dataset: `${measuredLabel} (measured)`, value: m.mean, measured: true });
  }
  return points;
}

/**
 * A dot chart of one metric: a row per paper method, a dot per data set (paper values as circles, measured values as
 * larger diamonds), with a colour legend.
 */
export function paperChart(
  points: readonly PaperPoint[],
  options: { metric: string; title?: string; subtitle?: string; width?: number },
): Plot.PlotOptions {
  const methods = PAPER_RESULTS.map((p) => p.method + (p.rerun ? "*" : "")).filter((m) =>
    points.some((p) => p.method === m)
  );
  const values = points.map((p) => p.value);
  const lo = Math.max(0, Math.floor((Math.min(...values) - 3) / 5) * 5);
  const hi = Math.min(100, Math.ceil((Math.max(...values) + 3) / 5) * 5);
  return {
    title: options.title,
    subtitle: options.subtitle,
    width: options.width ?? 680,
    height: methods.length * 34 + 60,
    marginLeft: 150,
    style: { fontSize: "11px", background: "white", overflow: "visible" },
    x: { domain: [lo, hi], grid: true, label: `${options.metric} (%)`, labelAnchor: "center", labelArrow: "none" },
    y: { domain: methods, label: null },
    color: { legend: true, scheme: "tableau10", domain: [...new Set(points.map((p) => p.dataset))] },
    marks: [
      Plot.ruleY(methods, { stroke: "#eee" }),
      Plot.dot(points.filter((p) => !p.measured), { x: "value", y: "method", fill: "dataset", r: 5, stroke: "white" }),
      Plot.dot(points.filter((p) => p.measured), {
        x: "value",
        y: "method",
        fill: "dataset",
        r: 7,
        symbol: "diamond",
        stroke: "#222",
      }),
    ],
  };
}

/** Where a set of measured runs comes from: the file, model, data, protocol and seeds. */
export interface Provenance {
  results: string;
  variants: string;
  dataset: string;
  data: string;
  model: string;
  model_hash: string;
  seeds: string;
  shots: string;
  steps: string;
  test_images: string;
  backend: string;
  finished: string;
}

/** The provenance of `records` read from `results` (a folder or file, as shown to the reader). */
export function runProvenance(records: readonly RunRecord[], results: string): Provenance {
  const uniq = (f: (r: RunRecord) => unknown, rs: readonly RunRecord[] = records) =>
    [...new Set(rs.map((r) => String(f(r))))].join(", ");
  const finished = records.map((r) => r.finishedAt).sort();
  // Seeds, shots and steps describe the trained runs; a zero-shot run (no shots, no steps, seed 0) is said apart, so
  // that the table never reads "seeds 0" or "shots 64, 0".
  const trained = records.filter((r) => r.spec.shots > 0 || r.spec.steps > 0);
  const zeroShot = records.length - trained.length;
  const aside = zeroShot > 0 ? (trained.length ? " (zero-shot runs: none)" : "none (zero-shot only)") : "";
  const seedList = [...new Set(trained.map((r) => r.spec.seed))].sort((a, b) => a - b);
  const seeds = trained.length
    ? `${seedList.length} seed${seedList.length > 1 ? "s" : ""} (${seedList.join(", ")})`
    : "none (zero-shot only)";
  const perTrained = (f: (r: RunRecord) => unknown) => trained.length ? `${uniq(f, trained)}${aside}` : aside;
  return {
    results,
    variants: uniq((r) => r.spec.variant),
    dataset: uniq((r) => r.spec.dataset),
    data: uniq((r) => r.spec.data),
    model: uniq((r) => r.spec.model),
    model_hash: uniq((r) => r.spec.modelHash),
    seeds,
    shots: perTrained((r) => r.spec.shots),
    steps: perTrained((r) => r.spec.steps),
    test_images: uniq((r) => r.nTest),
    backend: uniq((r) => r.spec.backend),
    finished: finished.length ? `${finished[0]} … ${finished[finished.length - 1]}` : "",
  };
}
