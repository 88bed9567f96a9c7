/**
 * `deno task reproduce`'s report: the paper's configuration read out of a sweep's runs, its measured mean ± std next
 * to the published numbers, the protocol actually run (shots, steps, seeds, test images), and the three files
 * written beside the runs (`paper-vs-measured.csv`, `paper-vs-measured.md`, `reproduce.json`).
 * @module
 */
import { InputError, join, writeFileAtomic } from "../util/mod.ts";
import {
  compareWithPaper,
  comparisonCsv,
  comparisonMarkdown,
  type ComparisonRow,
  type MeasuredSummary,
  measuredSummary,
  paperProtocolRecords,
  type ProtocolNote,
  requireOneConfiguration,
} from "./paper_comparison.ts";
import { noPaperNumbersNote, paperDatasetOf } from "./paper_numbers.ts";
import { readJsonOrNull, readRunRecords, type RunRecord } from "./store.ts";
import { type SweepOutcome, testSetNote } from "./sweep.ts";

/** Image counts used by the runs: the normal training pool and the scored test images (after skips and limits). */
export interface ReproduceCounts {
  train: { normal: number | null };
  test: { normal: number; abnormal: number };
}

/** What `reproduce.json` and `--json` hold. */
export interface ReproduceReport {
  dataset: string;
  out: string;
  counts: ReproduceCounts;
  skipped: { path: string; reason: string }[];
  /** Metrics in %. */
  summary: MeasuredSummary[];
  comparison: ComparisonRow[];
  protocol: ProtocolNote;
  note?: string;
}

/** The protocol the runs followed (shots, steps, seeds, test subsample, model), read from their specs. */
export function reproduceProtocol(
  records: readonly RunRecord[],
  dataset: string,
  counts?: ReproduceCounts,
): ProtocolNote {
  const trained = records.filter((r) => r.spec.shots > 0);
  const any = trained[0] ?? records[0];
  return {
    dataset,
    shots: any?.spec.shots ?? 0,
    steps: any?.spec.steps ?? 0,
    seeds: new Set((trained.length ? trained : records).map((r) => r.spec.seed)).size,
    testLimit: any?.spec.testLimit ?? null,
    modelHash: any?.spec.modelHash ?? "?",
    model: any?.spec.model,
    counts,
  };
}

/**
 * The report on the paper's configuration among `all` (a folder may hold a whole grid: `deno task ablate --dataset
 * …`): only runs of `variants` in the paper's method, which must be one configuration per variant.
 */
export function buildReproduceReport(
  dataset: string,
  out: string,
  all: readonly RunRecord[],
  counts: ReproduceCounts,
  skipped: { path: string; reason: string }[],
  variants: readonly string[],
): ReproduceReport {
  const records = paperProtocolRecords(all).filter((r) => variants.includes(r.spec.variant));
  requireOneConfiguration(records, out);
  const summary = measuredSummary(records);
  return {
    dataset,
    out,
    counts,
    skipped,
    summary,
    comparison: compareWithPaper(dataset, summary),
    protocol: reproduceProtocol(records, dataset, counts),
    ...(paperDatasetOf(dataset) ? {} : { note: noPaperNumbersNote(dataset) }),
  };
}

/** The report on a sweep that just ran: counts and skipped images from its data, a test-set shortfall in the note. */
export function sweepReproduceReport(
  dataset: string,
  outcome: Pick<SweepOutcome, "records" | "data">,
  out: string,
  variants: readonly string[],
): ReproduceReport {
  const { data } = outcome;
  const labels = data.test.labels;
  const counts: ReproduceCounts = {
    train: { normal: data.trainNormals.length },
    test: { normal: labels.filter((l) => l === 0).length, abnormal: labels.filter((l) => l === 1).length },
  };
  const skipped = data.test.skipped.map((s) => ({ path: s.path, reason: s.reason }));
  if (outcome.records.length === 0) throw new InputError(`Cannot report on ${out}: no run finished`);
  const report = buildReproduceReport(dataset, out, outcome.records, counts, skipped, variants);
  if (data.test.shortfall > 0) report.note = [report.note, testSetNote(data)].filter(Boolean).join("; ");
  return report;
}

/**
 * The report rebuilt from the finished `dataset` runs in `out` (e.g. merged shards), with the counts of its earlier
 * `reproduce.json` when there is one; `runs` is how many finished runs were read.
 */
export async function storedReproduceReport(
  dataset: string,
  out: string,
  variants: readonly string[],
): Promise<{ report: ReproduceReport; runs: number }> {
  const records = (await readRunRecords(out)).filter((r) => r.spec.dataset === dataset);
  if (records.length === 0) {
    throw new InputError(`Cannot report on ${out}: it holds no finished ${dataset} runs (runs/*.json)`);
  }
  const saved = await readJsonOrNull<ReproduceReport>(join(out, "reproduce.json"));
  const last = records[records.length - 1];
  const fromRuns: ReproduceCounts = {
    train: { normal: last.nTrainNormal ?? null },
    test: { normal: last.nTest - last.positives, abnormal: last.positives },
  };
  // An earlier reproduce.json keeps its counts, except a training pool it did not know and the runs record.
  const counts: ReproduceCounts = saved?.dataset === dataset
    ? { ...saved.counts, train: { normal: saved.counts.train.normal ?? fromRuns.train.normal } }
    : fromRuns;
  const report = buildReproduceReport(dataset, out, records, counts, saved?.skipped ?? [], variants);
  return { report, runs: records.length };
}

/** Writes `paper-vs-measured.csv`, `paper-vs-measured.md` and `reproduce.json` into `out`, each atomically. */
export async function writeReproduceReports(out: string, report: ReproduceReport): Promise<void> {
  await writeFileAtomic(join(out, "paper-vs-measured.csv"), comparisonCsv(report.comparison));
  await writeFileAtomic(join(out, "paper-vs-measured.md"), comparisonMarkdown(report.comparison, report.protocol));
  await writeFileAtomic(join(out, "reproduce.json"), JSON.stringify(report, null, 1) + "\n");
}
