/**
 * The paper's published numbers as typed data: Table 1 of Sun et al., "Position-Guided Prompt Learning for Anomaly
 * Detection in Chest X-Rays", MICCAI 2024 (arXiv 2405.11976), mean ± std of 5 runs (`*` = re-run by the authors, std
 * not published); the data sets and metrics it reports, their labels, the data sets `deno task reproduce` accepts,
 * and the table as wide rows.
 * @module
 */
import { formatMeanStd } from "../report/mod.ts";
import { InputError } from "../util/mod.ts";

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

/** A published value: its mean and, where the paper gives one, its std (%). */
const published = (mean: number, std: number | null = null): PaperValue => ({ mean, std });

/** The paper's Table 1 (%), every row and data set it reports. */
export const PAPER_RESULTS: readonly PaperMethod[] = [
  {
    method: "SQUID",
    variant: null,
    rerun: false,
    results: {
      zhanglab: { acc: published(80.3), auroc: published(87.6), f1: published(84.7) },
      chexpert: { acc: published(71.9), auroc: published(78.1), f1: published(75.9) },
    },
  },
  { method: "DDAD", variant: null, rerun: false, results: { vindr: { auroc: published(78.2), ap: published(74.6) } } },
  {
    method: "CheXzero zero-shot",
    variant: "zeroshot",
    rerun: true,
    results: {
      zhanglab: { acc: published(83.0), auroc: published(92.7), f1: published(87.5) },
      chexpert: { acc: published(77.4), auroc: published(87.7), f1: published(79.7) },
      vindr: { auroc: published(77.6), ap: published(78.4) },
    },
  },
  {
    method: "CoOp",
    variant: "coop",
    rerun: true,
    results: {
      zhanglab: { acc: published(84.6), auroc: published(94.6), f1: published(88.6) },
      chexpert: { acc: published(80.4), auroc: published(87.0), f1: published(79.2) },
      vindr: { auroc: published(79.9), ap: published(80.9) },
    },
  },
  {
    method: "MaPLe",
    variant: null,
    rerun: true,
    results: {
      zhanglab: { acc: published(86.1), auroc: published(95.1), f1: published(89.5) },
      chexpert: { acc: published(79.5), auroc: published(86.3), f1: published(79.6) },
      vindr: { auroc: published(74.2), ap: published(75.7) },
    },
  },
  {
    method: "PPAD",
    variant: "ppad",
    rerun: false,
    results: {
      zhanglab: { acc: published(89.4, 0.6), auroc: published(96.7, 0.4), f1: published(91.8, 0.5) },
      chexpert: { acc: published(82.7, 0.6), auroc: published(88.5, 0.9), f1: published(82.0, 0.8) },
      vindr: { auroc: published(81.9, 0.9), ap: published(82.1, 1.1) },
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

/** Display names of the paper's data sets, in the table's order. */
export const PAPER_DATASET_LABELS: Readonly<Record<PaperDataset, string>> = {
  zhanglab: "ZhangLab",
  chexpert: "CheXpert",
  vindr: "VinDr-CXR",
};

/** The paper's data sets, in the table's order. */
export const PAPER_DATASETS = Object.keys(PAPER_DATASET_LABELS) as PaperDataset[];

/** A published value as `mean ± std` (or the mean alone), `–` when the paper has none. */
export function paperText(value: PaperValue | undefined): string {
  return value ? formatMeanStd(value.mean, value.std, 1) : "–";
}

/** The paper's Table 1 as wide rows: `method` (`*` = re-run by the authors), then `<data set> <metric>` columns. */
export function paperTableRows(): Record<string, string>[] {
  return PAPER_RESULTS.map((p) => {
    const row: Record<string, string> = { method: p.method + (p.rerun ? "*" : "") };
    for (const d of PAPER_DATASETS) {
      for (const m of PAPER_METRICS[d]) {
        row[`${PAPER_DATASET_LABELS[d]} ${METRIC_LABELS[m]}`] = paperText(p.results[d]?.[m]);
      }
    }
    return row;
  });
}
