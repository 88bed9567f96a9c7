/**
 * Measured results next to the paper's published numbers (`paper_numbers.ts`): the measured mean ± std per variant
 * and metric, the paper's protocol picked out of a whole ablation grid, and the comparison table (paper, measured,
 * difference, in %) with its CSV and Markdown forms and the notes that qualify it.
 * @module
 */
import { csvField, InputError, join } from "../util/mod.ts";
import { formatMeanStd, meanStd } from "../report/mod.ts";
import { readRunRecords, type RunRecord } from "./store.ts";
import { canonicalMethod, PAPER_METHOD } from "./config.ts";
import {
  METRIC_LABELS,
  noPaperNumbersNote,
  PAPER_METRICS,
  PAPER_RESULTS,
  PAPER_SOURCE,
  PAPER_TABLE,
  paperDatasetOf,
} from "./paper_numbers.ts";

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

/** The variants the paper's table reports and the platform runs, in the table's order. */
export const PAPER_VARIANTS: readonly string[] = ["zeroshot", "coop", "ppad"];

/**
 * The runs of a sweep folder that the paper's table can be compared with: those answering the prompt question (the
 * default sweep's `prompts`, the paper sweep's `main`), of the variants in {@link PAPER_VARIANTS}.
 */
export function paperVariantRuns(records: readonly RunRecord[]): RunRecord[] {
  return records.filter((r) =>
    (r.questions.includes("prompts") || r.questions.includes("main")) && PAPER_VARIANTS.includes(r.spec.variant)
  );
}

/** The paper-protocol runs found in one results folder of a real data set. */
export interface PaperDatasetResult {
  /** The results folder. */
  dir: string;
  /** The data set its runs name (or the folder's name when they name none). */
  dataset: string;
  /** Its runs of the paper's protocol, of the variants in {@link PAPER_VARIANTS}. */
  records: RunRecord[];
}

/**
 * The results on real data sets: each folder of `gridDirs` (a whole ablation grid, e.g. `results/zhanglab`) and each
 * subfolder of `reproduceDir` (`results/reproduce/<data set>/`, which may be missing) that holds runs of the paper's
 * protocol (`paperProtocolRecords`) of the paper's variants; sorted by data set.
 */
export async function findPaperDatasetResults(
  gridDirs: readonly string[],
  reproduceDir: string,
): Promise<PaperDatasetResult[]> {
  const paperRuns = async (dir: string) =>
    paperProtocolRecords(await readRunRecords(dir)).filter((r) => PAPER_VARIANTS.includes(r.spec.variant));
  const found: PaperDatasetResult[] = [];
  for (const dir of gridDirs) {
    const records = await paperRuns(dir);
    if (records.length) found.push({ dir, dataset: records[0].spec.dataset, records });
  }
  try {
    for await (const e of Deno.readDir(reproduceDir)) {
      if (!e.isDirectory) continue;
      const dir = join(reproduceDir, e.name);
      const records = await paperRuns(dir);
      if (records.length) found.push({ dir, dataset: records[0].spec.dataset || e.name, records });
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return found.sort((a, b) => a.dataset.localeCompare(b.dataset));
}
