/**
 * The comparison of measured results with the paper's numbers, shaped for notebook 05: a side-by-side table and a
 * dot chart of paper and measured values, the measured summary and the comparison as display rows, and the summary
 * sentences generated from the numbers. Values are in %.
 * @module
 */
import * as Plot from "@observablehq/plot";
import { BASE_STYLE, formatMeanStd } from "../report/mod.ts";
import { signed } from "../util/mod.ts";
import {
  METRIC_LABELS,
  PAPER_DATASET_LABELS,
  PAPER_DATASETS,
  PAPER_RESULTS,
  PAPER_SOURCE,
  paperDatasetOf,
  type PaperMetric,
  paperText,
} from "./paper_numbers.ts";
import {
  compareWithPaper,
  type ComparisonRow,
  type MeasuredSummary,
  measuredSummary,
  type PaperDatasetResult,
} from "./paper_comparison.ts";
import { runProvenance } from "./provenance.ts";
import type { RunRecord } from "./store.ts";

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
      for (const d of PAPER_DATASETS) row[`${PAPER_DATASET_LABELS[d]} (paper)`] = paperText(p.results[d]?.[metric]);
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
    for (const d of PAPER_DATASETS) {
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
    style: BASE_STYLE,
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

/** The measured summary as display rows: variant, metric (the paper's label), `measured (%)` as mean ± std, runs. */
export function measuredRows(measured: readonly MeasuredSummary[]): Record<string, string | number>[] {
  return measured.map((m) => ({
    variant: m.variant,
    metric: METRIC_LABELS[m.metric] ?? m.metric,
    "measured (%)": formatMeanStd(m.mean, m.std),
    runs: m.n,
  }));
}

/** Comparison rows (`compareWithPaper`) as display rows: paper and measured as mean ± std, the signed difference. */
export function comparisonDisplayRows(rows: readonly ComparisonRow[]): Record<string, string | number>[] {
  return rows.map((r) => ({
    method: r.method,
    metric: METRIC_LABELS[r.metric] ?? r.metric,
    "paper (%)": formatMeanStd(r.paper_mean, r.paper_std),
    "measured (%)": formatMeanStd(r.measured_mean, r.measured_std),
    runs: r.measured_n,
    difference: r.difference === null ? "–" : signed(r.difference),
    source: r.source,
  }));
}

/**
 * Where every number of the comparison comes from, as `numbers`/`source` rows: the paper's table, then the
 * provenance of the measured runs (read from `where`), or a row saying there are none.
 */
export function comparisonProvenanceRows(
  records: readonly RunRecord[],
  where: string,
): { numbers: string; source: string }[] {
  return [
    { numbers: "paper columns", source: PAPER_SOURCE },
    ...(records.length
      ? Object.entries(runProvenance(records, where)).map(([k, v]) => ({ numbers: `measured: ${k}`, source: v }))
      : [{ numbers: "measured", source: "none (no results folder)" }]),
  ];
}

/** One line on a real data set's results: its model and hash, data, seeds, shots, steps and test images. */
export function describeDatasetResult(result: PaperDatasetResult, where: string): string {
  const p = runProvenance(result.records, where);
  return `${result.dataset}: model ${p.model} (${p.model_hash}); data ${p.data}; seeds ${p.seeds}; shots ${p.shots}; ` +
    `steps ${p.steps}; test images ${p.test_images}` +
    (paperDatasetOf(result.dataset) ? "" : " (the paper reports no numbers for this data set)");
}

/**
 * The comparison in sentences, generated from the numbers: PPAD against zero-shot as measured on `measuredLabel`,
 * the same gap as the paper reports it on each of its data sets, and PPAD on each real data set of `results` against
 * the paper (`shown` writes a folder as the reader sees it); a sentence says so when no real data set was measured.
 */
export function paperSummarySentences(
  measured: readonly MeasuredSummary[],
  measuredLabel: string,
  results: readonly PaperDatasetResult[],
  shown: (path: string) => string = (path) => path,
): string[] {
  const value = (variant: string, metric: string) => measured.find((m) => m.variant === variant && m.metric === metric);
  const sentences: string[] = [];
  const [zs, pp] = [value("zeroshot", "auroc"), value("ppad", "auroc")];
  if (zs && pp) {
    const note = measuredLabel.startsWith("synthetic") ? " (the synthetic benchmark, not a paper data set)" : "";
    sentences.push(
      `On ${measuredLabel}${note}, PPAD's AUC is ${pp.mean.toFixed(1)} % against the frozen model's zero-shot ` +
        `${zs.mean.toFixed(1)} % (${signed(pp.mean - zs.mean)} points, ${pp.n} PPAD run${pp.n === 1 ? "" : "s"}).`,
    );
  }
  for (const dataset of PAPER_DATASETS) {
    const rows = compareWithPaper(dataset, []);
    const paperOf = (method: string) =>
      rows.find((r) => r.method.startsWith(method) && r.metric === "auroc")?.paper_mean;
    const [pz, pppad] = [paperOf("CheXzero"), paperOf("PPAD")];
    if (pz != null && pppad != null) {
      sentences.push(
        `The paper reports PPAD ${pppad.toFixed(1)} % against zero-shot ${pz.toFixed(1)} % AUC on ` +
          `${PAPER_DATASET_LABELS[dataset]} (${signed(pppad - pz)} points).`,
      );
    }
  }
  for (const result of results) {
    const row = compareWithPaper(result.dataset, measuredSummary(result.records))
      .find((r) => r.variant === "ppad" && r.metric === "auroc");
    if (row?.measured_mean != null) {
      sentences.push(
        `Measured on ${result.dataset} (${shown(result.dir)}, model ${result.records[0].spec.modelHash}, ` +
          `${row.measured_n} run${row.measured_n === 1 ? "" : "s"}): PPAD AUC ${row.measured_mean.toFixed(1)} %` +
          (row.paper_mean !== null && row.difference !== null
            ? ` against the paper's ${row.paper_mean.toFixed(1)} % (${signed(row.difference)} points).`
            : " (the paper reports no number for this data set)."),
      );
    }
  }
  if (results.length === 0) {
    sentences.push(
      "No result on the paper's data sets is available here, so no measured number in this notebook is directly " +
        "comparable with the paper's.",
    );
  }
  return sentences;
}
