/**
 * `deno task reproduce`: the paper's protocol (experiments/paper.ts: zero-shot, CoOp and PPAD; 64-shot normal-only,
 * SAS, 100 steps, ppad5 regions, the paper's scoring, 5 seeds) on a real data set and checkpoint, with the paper's
 * published numbers next to the measured mean ± std.
 *
 * Usage: deno task reproduce --dataset zhanglab|chexpert|vindr|rsna|rsna-bmad --data DIR --model CHEXZERO.pt
 *        [--seeds 5] [--json] [--tokenizer BPE] [--layout L] [--shard i/n] [--out results/reproduce/<dataset>]
 *        [--shots K] [--steps S] [--variants a,b] [--test-limit N] [--backend B] [--on-bad-image fail|skip]
 *        [--no-charts] [--quiet]
 *        deno task reproduce --dataset D --out DIR --report-only   (rebuild the tables from finished runs, e.g. merged shards)
 *
 * Writes, in `--out`: the runner's `runs/`, `scores/`, `prompts/`, `runs.csv` (tidy) and `summary.csv`, plus
 * `paper-vs-measured.csv`, `paper-vs-measured.md` and `reproduce.json` (counts + summary). `--json` prints one object on
 * stdout: `{"counts": {"train": {"normal"}, "test": {"normal", "abnormal"}}, "summary": [{"variant", "metric", "mean",
 * "std", "n"}], …}` with metrics in % (std null for a single run); every diagnostic goes to stderr.
 * @module
 */
import { PAPER_SWEEP } from "../../experiments/paper.ts";
import {
  compareWithPaper,
  comparisonCsv,
  comparisonMarkdown,
  type ComparisonRow,
  executeSweep,
  type MeasuredSummary,
  measuredSummary,
  noPaperNumbersNote,
  paperDatasetOf,
  paperProtocolRecords,
  parseReproduceDataset,
  type ProtocolNote,
  readJsonOrNull,
  readRunRecords,
  REPRODUCE_DATASETS,
  requireOneConfiguration,
  type RunRecord,
  runsLine,
  SWEEP_FLAGS,
  sweepSettings,
  testSetNote,
} from "../experiments/mod.ts";
import {
  defineCommand,
  formatDuration,
  InputError,
  join,
  parseCommand,
  PROJECT_ROOT,
  resolve,
  runMain,
  writeFileAtomic,
} from "../util/mod.ts";

/** Image counts used by the runs: the normal training pool and the scored test images (after skips and limits). */
interface ReproduceCounts {
  train: { normal: number | null };
  test: { normal: number; abnormal: number };
}

/** What `reproduce.json` and `--json` hold. */
interface ReproduceReport {
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

/** The command's flags, help and examples. */
export const COMMAND = defineCommand({
  name: "reproduce",
  summary: "runs the paper's protocol (zero-shot, CoOp and PPAD; 64 normal shots, SAS, 100 steps, ppad5 regions, " +
    "5 seeds) on a real data set and checkpoint, and writes the measured numbers next to the published ones.",
  flags: {
    ...SWEEP_FLAGS,
    dataset: {
      type: "string",
      arg: REPRODUCE_DATASETS.join("|"),
      description: "which data set (selects the paper's numbers)",
      required: true,
    },
    model: { ...SWEEP_FLAGS.model, description: "the CheXzero checkpoint (.pt state dict)", required: true },
    data: { ...SWEEP_FLAGS.data, description: "data set root", required: true },
    out: { ...SWEEP_FLAGS.out, default: "results/reproduce/<dataset>" },
    seeds: { ...SWEEP_FLAGS.seeds, default: PAPER_SWEEP.seeds },
    "report-only": {
      type: "boolean",
      description: "rebuild the comparison from the finished runs in --out (e.g. merged shards); no --data/--model",
    },
  },
  usage: ["deno task reproduce --dataset D --out DIR --report-only"],
  examples: [
    "deno task reproduce --dataset zhanglab --data ~/data/zhanglab --model ~/models/chexzero.pt",
    "deno task reproduce --dataset zhanglab --out results/merged --report-only",
  ],
});

function protocolOf(records: readonly RunRecord[], dataset: string, counts?: ReproduceCounts): ProtocolNote {
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

async function writeReports(out: string, report: ReproduceReport): Promise<void> {
  await writeFileAtomic(join(out, "paper-vs-measured.csv"), comparisonCsv(report.comparison));
  await writeFileAtomic(join(out, "paper-vs-measured.md"), comparisonMarkdown(report.comparison, report.protocol));
  await writeFileAtomic(join(out, "reproduce.json"), JSON.stringify(report, null, 1) + "\n");
}

function buildReport(
  dataset: string,
  out: string,
  all: readonly RunRecord[],
  counts: ReproduceCounts,
  skipped: { path: string; reason: string }[],
): ReproduceReport {
  // A folder may hold a whole grid (deno task ablate --dataset …): the comparison reads the paper's configuration.
  const variants: readonly string[] = PAPER_SWEEP.questions[0].vary.variant ?? [];
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
    protocol: protocolOf(records, dataset, counts),
    ...(paperDatasetOf(dataset) ? {} : { note: noPaperNumbersNote(dataset) }),
  };
}

function printReport(report: ReproduceReport, json: boolean, extra: string): void {
  if (json) {
    console.log(JSON.stringify(report));
    return;
  }
  console.log(comparisonMarkdown(report.comparison, report.protocol).trimEnd());
  console.log(`\n${extra}`);
}

async function main(): Promise<void> {
  const { values } = parseCommand(COMMAND, Deno.args);
  const dataset = parseReproduceDataset(values.dataset);
  const defaultOut = join("results", "reproduce", dataset);
  const json = Boolean(values.json);

  if (values["report-only"]) {
    const out = resolve(typeof values.out === "string" ? values.out : join(PROJECT_ROOT, defaultOut));
    const records = (await readRunRecords(out)).filter((r) => r.spec.dataset === dataset);
    if (records.length === 0) {
      throw new InputError(`Cannot report on ${out}: it holds no finished ${dataset} runs (runs/*.json)`);
    }
    const saved = await readJsonOrNull<ReproduceReport>(join(out, "reproduce.json"));
    const last = records[records.length - 1];
    const counts: ReproduceCounts = saved?.dataset === dataset ? saved.counts : {
      train: { normal: null },
      test: { normal: last.nTest - last.positives, abnormal: last.positives },
    };
    const report = buildReport(dataset, out, records, counts, saved?.skipped ?? []);
    await writeReports(out, report);
    printReport(report, json, `${records.length} finished runs → ${join(out, "paper-vs-measured.md")}`);
    return;
  }

  if (typeof values.data !== "string") throw new InputError("Cannot reproduce: --data DIR is required");
  if (typeof values.model !== "string") {
    throw new InputError("Cannot reproduce: --model is required (the CheXzero checkpoint, a .pt state dict)");
  }
  const settings = sweepSettings(PAPER_SWEEP, values, defaultOut);
  const outcome = await executeSweep(settings, `reproduce --dataset ${dataset}`);
  const labels = outcome.data.test.labels;
  const counts: ReproduceCounts = {
    train: { normal: outcome.data.trainNormals.length },
    test: { normal: labels.filter((l) => l === 0).length, abnormal: labels.filter((l) => l === 1).length },
  };
  const skipped = outcome.data.test.skipped.map((s) => ({ path: s.path, reason: s.reason }));
  for (const s of skipped) console.error(`skipped: ${s.reason}`);
  const shortfall = testSetNote(outcome.data);
  if (outcome.records.length === 0) throw new InputError(`Cannot report on ${settings.out}: no run finished`);
  const report = buildReport(dataset, settings.out, outcome.records, counts, skipped);
  if (outcome.data.test.shortfall > 0) report.note = [report.note, shortfall].filter(Boolean).join("; ");
  await writeReports(settings.out, report);
  if (settings.shard) {
    console.error(
      `shard ${settings.shard}: the comparison covers this shard's runs only; after \`deno task merge --out M …\` run ` +
        `\`deno task reproduce --dataset ${dataset} --out M --report-only\``,
    );
  }
  printReport(
    report,
    json,
    `${runsLine(outcome, settings.out)} in ${formatDuration(outcome.seconds)} → ${
      join(settings.out, "paper-vs-measured.md")
    }`,
  );
}

if (import.meta.main) await runMain(main);
