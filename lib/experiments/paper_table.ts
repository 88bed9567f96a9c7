/**
 * The paper's published numbers as typed data, and the table that puts them next to measured results: for each method ×
 * metric, the paper's mean ± std, the measured mean ± std over seeds, and the difference (all in %).
 *
 * Source: Sun et al., "Position-Guided Prompt Learning for Anomaly Detection in Chest X-Rays", MICCAI 2024
 * (arXiv 2405.11976), Table 1 (mean ± std of 5 runs; `*` = re-run by the authors, std not published).
 * @module
 */
import { InputError } from "../util/errors.ts";
import { csvField } from "../util/csv.ts";
import { formatMeanStd, meanStd } from "../report/tables.ts";
import type { RunRecord } from "./store.ts";
import { canonicalMethod, PAPER_METHOD } from "./config.ts";

/** Where the published numbers come from (short form, for table cells). */
export const PAPER_TABLE = "MICCAI 2024 Table 1";

/** Where the published numbers come from (full citation). */
export const PAPER_SOURCE =
  'MICCAI 2024 Table 1: Sun et al., "Position-Guided Prompt Learning for Anomaly Detection in Chest X-Rays" (arXiv 2405.11976)';

/** Data sets the paper reports numbers for. */
export type PaperDataset = "zhanglab" | "chexpert" | "vindr";
/** Metrics of the paper's table (`auroc` is the paper's "AUC"). */
export type PaperMetric = "acc" | "auroc" | "f1" | "ap";

/** Data sets `deno task reproduce` accepts (`rsna` = Med-AD's RSNA, `rsna-bmad` = BMAD's; neither has paper numbers). */
export const REPRODUCE_DATASETS = ["zhanglab", "chexpert", "vindr", "rsna", "rsna-bmad"] as const;
/** One of {@link REPRODUCE_DATASETS}. */
export type ReproduceDataset = typeof REPRODUCE_DATASETS[number];

/** A published value in %: std is null where the paper gives none (the authors' baseline re-runs). */
export interface PaperValue {
  mean: number;
  std: number | null;
}

/** One row of the paper's table. */
export interface PaperMethod {
  /** Name as printed in the paper. */
  method: string;
  /** The platform variant that reproduces it, or null for rows shown for context only (not run). */
  variant: "zeroshot" | "coop" | "ppad" | null;
  /** Re-run by the paper's authors (`*` in the table). */
  rerun: boolean;
  results: Partial<Record<PaperDataset, Partial<Record<PaperMetric, PaperValue>>>>;
}

/** The metrics the paper reports per data set, in the table's order. */
export const PAPER_METRICS: Readonly<Record<PaperDataset, readonly PaperMetric[]>> = {
  zhanglab: ["acc", "auroc", "f1"],
  chexpert: ["acc", "auroc", "f1"],
  vindr: ["auroc", "ap"],
};

/** How the paper labels each metric. */
export const METRIC_LABELS: Readonly<Record<string, string>> = {
  acc: "ACC",
  auroc: "AUC",
  f1: "F1",
  ap: "AP",
  f1max: "F1-max",
};

const v = (mean: number, std: number | null = null): PaperValue => ({ mean, std });

/** The paper's Table 1 (%), every row and data set it reports. */
export const PAPER_RESULTS: readonly PaperMethod[] = [
  {
    method: "SQUID",
    variant: null,
    rerun: false,
    results: {
      zhanglab: { acc: v(80.3), auroc: v(87.6), f1: v(84.7) },
      chexpert: { acc: v(71.9), auroc: v(78.1), f1: v(75.9) },
    },
  },
  { method: "DDAD", variant: null, rerun: false, results: { vindr: { auroc: v(78.2), ap: v(74.6) } } },
  {
    method: "CheXzero zero-shot",
    variant: "zeroshot",
    rerun: true,
    results: {
      zhanglab: { acc: v(83.0), auroc: v(92.7), f1: v(87.5) },
      chexpert: { acc: v(77.4), auroc: v(87.7), f1: v(79.7) },
      vindr: { auroc: v(77.6), ap: v(78.4) },
    },
  },
  {
    method: "CoOp",
    variant: "coop",
    rerun: true,
    results: {
      zhanglab: { acc: v(84.6), auroc: v(94.6), f1: v(88.6) },
      chexpert: { acc: v(80.4), auroc: v(87.0), f1: v(79.2) },
      vindr: { auroc: v(79.9), ap: v(80.9) },
    },
  },
  {
    method: "MaPLe",
    variant: null,
    rerun: true,
    results: {
      zhanglab: { acc: v(86.1), auroc: v(95.1), f1: v(89.5) },
      chexpert: { acc: v(79.5), auroc: v(86.3), f1: v(79.6) },
      vindr: { auroc: v(74.2), ap: v(75.7) },
    },
  },
  {
    method: "PPAD",
    variant: "ppad",
    rerun: false,
    results: {
      zhanglab: { acc: v(89.4, 0.6), auroc: v(96.7, 0.4), f1: v(91.8, 0.5) },
      chexpert: { acc: v(82.7, 0.6), auroc: v(88.5, 0.9), f1: v(82.0, 0.8) },
      vindr: { auroc: v(81.9, 0.9), ap: v(82.1, 1.1) },
    },
  },
];

/** Validates a `--dataset` value for `reproduce`. */
export function parseReproduceDataset(value: unknown): ReproduceDataset {
  if (typeof value === "string" && (REPRODUCE_DATASETS as readonly string[]).includes(value)) {
    return value as ReproduceDataset;
  }
  throw new InputError(
    value === undefined
      ? `Cannot reproduce: --dataset is required (one of ${REPRODUCE_DATASETS.join(", ")})`
      : `Cannot use --dataset ${JSON.stringify(value)}: expected one of ${REPRODUCE_DATASETS.join(", ")}`,
  );
}

/** The paper's name for a data set's numbers, or null when the paper reports none (RSNA in either release). */
export function paperDatasetOf(dataset: string): PaperDataset | null {
  return dataset === "zhanglab" || dataset === "chexpert" || dataset === "vindr" ? dataset : null;
}

/** Why there is nothing to compare with, for data sets without paper numbers. */
export function noPaperNumbersNote(dataset: string): string {
  return `The paper reports no numbers for ${dataset}` +
    (dataset.startsWith("rsna") ? " (RSNA is not in its Table 1)" : "") +
    ": the table lists the measured values only.";
}

/** Metrics summarised per variant (stored as fractions in run records). */
export const SUMMARY_METRICS = ["auroc", "ap", "acc", "f1", "f1max"] as const;

/** Measured mean ± sample std over runs, in %. `std` is null with fewer than two runs. */
export interface MeasuredSummary {
  variant: string;
  metric: string;
  mean: number;
  std: number | null;
  n: number;
}

const VARIANT_ORDER = ["zeroshot", "coop", "ppad"];

function variantRank(name: string): number {
  const i = VARIANT_ORDER.indexOf(name);
  return i < 0 ? VARIANT_ORDER.length : i;
}

/**
 * Per variant and metric, the mean and sample std (n − 1) over runs, in % (records store fractions). Variants in the
 * paper's order (zeroshot, coop, ppad, then others by name); metrics in {@link SUMMARY_METRICS} order.
 */
export function measuredSummary(
  records: readonly RunRecord[],
  metrics: readonly string[] = SUMMARY_METRICS,
): MeasuredSummary[] {
  const variants = [...new Set(records.map((r) => r.spec.variant as string))]
    .sort((a, b) => variantRank(a) - variantRank(b) || a.localeCompare(b));
  const out: MeasuredSummary[] = [];
  for (const variant of variants) {
    const mine = records.filter((r) => r.spec.variant === variant);
    for (const metric of metrics) {
      const values = mine.map((r) => r.metrics[metric]).filter((x) => Number.isFinite(x)).map((x) => x * 100);
      if (values.length === 0) continue;
      const { mean, std } = meanStd(values);
      out.push({ variant, metric, mean, std: Number.isFinite(std) ? std : null, n: values.length });
    }
  }
  return out;
}

/** The fields that make runs of one variant comparable (everything but the seed and where they ran). */
function configurationKey(r: RunRecord): string {
  const { seed: _seed, backend: _backend, model: _model, data: _data, ...rest } = r.spec;
  return JSON.stringify(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * The records of the paper's protocol among `records`, which may hold a whole ablation grid (e.g. `deno task ablate`'s
 * folder): each record whose method is the paper's for its variant (PAPER_METHOD with that variant, canonicalised),
 * ignoring shots and steps (protocol settings that `--shots`/`--steps` may change and the report states).
 */
export function paperProtocolRecords(records: readonly RunRecord[]): RunRecord[] {
  const fields = ["regions", "synthesis", "scoring", "sides", "nCtx", "lr", "momentum", "classWords"] as const;
  return records.filter((r) => {
    const paper = canonicalMethod({ ...PAPER_METHOD, variant: r.spec.variant });
    return fields.every((f) => JSON.stringify(r.spec[f] ?? PAPER_METHOD[f]) === JSON.stringify(paper[f]));
  });
}

/**
 * Checks that, per variant, every record shares one configuration (only seeds, backends and paths may differ), so
 * that a mean over them means something. Throws an `InputError` naming `where` otherwise.
 */
export function requireOneConfiguration(records: readonly RunRecord[], where: string): void {
  const byVariant = new Map<string, Set<string>>();
  for (const r of records) {
    const set = byVariant.get(r.spec.variant) ?? new Set<string>();
    set.add(configurationKey(r));
    byVariant.set(r.spec.variant, set);
  }
  for (const [variant, keys] of byVariant) {
    if (keys.size > 1) {
      throw new InputError(
        `Cannot compare ${variant} runs in ${where}: they mix ${keys.size} configurations (shots, steps, model, test ` +
          "limit or data set differ); give each configuration its own --out",
      );
    }
  }
}

/** One row of the paper-vs-measured table (values in %; difference = measured − paper, in points). */
export interface ComparisonRow {
  method: string;
  /** The variant that was run for this row, or null for context rows. */
  variant: string | null;
  metric: string;
  paper_mean: number | null;
  paper_std: number | null;
  measured_mean: number | null;
  measured_std: number | null;
  /** Runs behind the measured value (0 = not run). */
  measured_n: number;
  difference: number | null;
  source: string;
}

/**
 * The comparison table for `dataset`: with paper numbers, one row per paper method × the paper's metrics for that data
 * set (context rows have no measured value); without, one row per measured variant × ACC/AUC/F1/AP with no paper value.
 */
export function compareWithPaper(dataset: string, measured: readonly MeasuredSummary[]): ComparisonRow[] {
  const find = (variant: string, metric: string) => measured.find((m) => m.variant === variant && m.metric === metric);
  const paper = paperDatasetOf(dataset);
  const rows: ComparisonRow[] = [];
  if (paper === null) {
    const variants = [...new Set(measured.map((m) => m.variant))];
    for (const variant of variants) {
      for (const metric of ["acc", "auroc", "f1", "ap"]) {
        const m = find(variant, metric);
        if (!m) continue;
        rows.push({
          method: PAPER_RESULTS.find((p) => p.variant === variant)?.method ?? variant,
          variant,
          metric,
          paper_mean: null,
          paper_std: null,
          measured_mean: m.mean,
          measured_std: m.std,
          measured_n: m.n,
          difference: null,
          source: "measured only (no paper numbers)",
        });
      }
    }
    return rows;
  }
  for (const p of PAPER_RESULTS) {
    const published = p.results[paper];
    if (!published) continue;
    for (const metric of PAPER_METRICS[paper]) {
      const pv = published[metric];
      if (!pv) continue;
      const m = p.variant ? find(p.variant, metric) : undefined;
      rows.push({
        method: p.method + (p.rerun ? "*" : ""),
        variant: p.variant,
        metric,
        paper_mean: pv.mean,
        paper_std: pv.std,
        measured_mean: m ? m.mean : null,
        measured_std: m ? m.std : null,
        measured_n: m ? m.n : 0,
        difference: m ? m.mean - pv.mean : null,
        source: PAPER_TABLE,
      });
    }
  }
  return rows;
}

/** The comparison rows as CSV text (header + rows; empty cells for missing values; values in % with 2 decimals). */
export function comparisonCsv(rows: readonly ComparisonRow[]): string {
  const cols = [
    "method",
    "variant",
    "metric",
    "paper_mean",
    "paper_std",
    "measured_mean",
    "measured_std",
    "measured_n",
    "difference",
    "source",
  ] as const;
  const cell = (x: unknown, col: string) => {
    if (x === null || x === undefined) return "";
    if (typeof x === "number") return col === "measured_n" ? String(x) : x.toFixed(2);
    return csvField(String(x));
  };
  return [cols.join(","), ...rows.map((r) => cols.map((c) => cell(r[c], c)).join(","))].join("\n") + "\n";
}

/** What the measured runs deviated from, for the report's header. */
export interface ProtocolNote {
  dataset: string;
  shots: number;
  steps: number;
  seeds: number;
  testLimit: number | null;
  modelHash: string;
  /** The checkpoint as the runs recorded it (path or label). */
  model?: string;
  counts?: { train: { normal: number | null }; test: { normal: number; abnormal: number } };
}

/**
 * One sentence on the backbone: the paper's numbers are CheXzero's, so any other checkpoint makes the comparison one of
 * backbones as much as of methods; the platform's own small CLIPs are named as such.
 */
export function backboneNote(model: string | undefined, modelHash: string): string {
  const name = model ? `${model} (${modelHash})` : modelHash;
  if (model && /ppad-mini-cxr/.test(model)) {
    return `Backbone: ${name}, the platform's small CXR CLIP, **not CheXzero**: the paper's numbers are CheXzero's, so ` +
      "the differences below measure the backbone as much as the method; this is not a reproduction.";
  }
  return `Backbone: ${name}. The paper's numbers are CheXzero's (ViT-B/32); with another checkpoint this is a ` +
    "different experiment, not a reproduction.";
}

/** F1 (%) of calling every test image abnormal: 2·abnormal / (2·abnormal + normal). */
export function allAbnormalF1(counts: { normal: number; abnormal: number }): number {
  return (100 * 2 * counts.abnormal) / (2 * counts.abnormal + counts.normal);
}

/**
 * The note under an F1-max column: it is the best F1 over thresholds on the test set itself, and calling every image
 * abnormal already reaches 2p/(2p + n); measured F1-max values at that floor are named as such. Null without F1-max
 * rows or counts.
 */
export function f1MaxNote(
  rows: readonly { metric: string; method: string; measured_mean: number | null }[],
  counts?: { test: { normal: number; abnormal: number } },
): string | null {
  const f1 = rows.filter((r) => r.metric === "f1max" && r.measured_mean !== null);
  if (!counts || f1.length === 0) return null;
  const floor = allAbnormalF1(counts.test);
  const atFloor = f1.filter((r) => Math.abs(r.measured_mean! - floor) < 0.05).map((r) => r.method);
  return `F1-max is the best F1 over every threshold on the test set itself (optimistic). Calling every image ` +
    `abnormal already gives F1 = ${floor.toFixed(1)} % (${counts.test.abnormal} abnormal, ${counts.test.normal} ` +
    `normal)` +
    (atFloor.length
      ? `; ${atFloor.join(", ")} reach${atFloor.length === 1 ? "es" : ""} exactly that, i.e. no threshold beats ` +
        `that trivial rule.`
      : ".");
}

/** The comparison as a Markdown document: provenance, protocol, the table, and notes. */
export function comparisonMarkdown(rows: readonly ComparisonRow[], protocol: ProtocolNote): string {
  const lines = [`# Paper vs measured: ${protocol.dataset}`, ""];
  const paper = paperDatasetOf(protocol.dataset);
  lines.push(paper ? `Published numbers: ${PAPER_SOURCE}.` : noPaperNumbersNote(protocol.dataset), "");
  const deviations: string[] = [];
  if (protocol.shots !== 64) deviations.push(`${protocol.shots} shots (paper: 64)`);
  if (protocol.steps !== 100) deviations.push(`${protocol.steps} steps (paper: 100)`);
  if (protocol.seeds !== 5) deviations.push(`${protocol.seeds} seed(s) (paper: 5)`);
  if (protocol.testLimit) deviations.push(`a test subsample of ${protocol.testLimit} images (paper: all)`);
  const c = protocol.counts;
  lines.push(
    `Measured: ${protocol.seeds} seed(s), ${protocol.shots}-shot normal-only, ${protocol.steps} steps, model ${protocol.modelHash}` +
      (c
        ? `; train normal pool ${c.train.normal ?? "?"}, test ${c.test.normal} normal + ${c.test.abnormal} abnormal`
        : "") +
      ".",
  );
  lines.push(
    deviations.length ? `Deviations from the paper's protocol: ${deviations.join("; ")}.` : "Protocol: the paper's.",
  );
  lines.push("", backboneNote(protocol.model, protocol.modelHash));
  lines.push("");
  lines.push("| method | metric | paper (%) | measured (%) | runs | difference (points) |");
  lines.push("|:---|:---|---:|---:|---:|---:|");
  for (const r of rows) {
    const diff = r.difference === null ? "–" : `${r.difference >= 0 ? "+" : ""}${r.difference.toFixed(1)}`;
    lines.push(
      `| ${r.method} | ${METRIC_LABELS[r.metric] ?? r.metric} | ${formatMeanStd(r.paper_mean, r.paper_std)} | ` +
        `${formatMeanStd(r.measured_mean, r.measured_std)} | ${r.measured_n || "–"} | ${diff} |`,
    );
  }
  lines.push("");
  lines.push(
    "Measured values are mean ± sample std over seeds (a single run has no std). ACC and F1 at threshold 0.5 on the " +
      "paper's score (max over regions if above 0.8, else their mean).",
  );
  const f1max = f1MaxNote(rows, protocol.counts);
  if (f1max) lines.push(f1max);
  if (paper) {
    lines.push(
      "`*` = re-run by the paper's authors; the paper gives no std for them. Rows with no measured value (SQUID, DDAD, " +
        "MaPLe) are shown for context and are not run by the platform.",
    );
  }
  return lines.join("\n") + "\n";
}
