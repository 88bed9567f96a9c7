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
import { executeSweep, SWEEP_FLAGS, sweepSettings } from "../experiments/cli_common.ts";
import {
  compareWithPaper,
  comparisonCsv,
  comparisonMarkdown,
  type ComparisonRow,
  type MeasuredSummary,
  measuredSummary,
  noPaperNumbersNote,
  paperDatasetOf,
  parseReproduceDataset,
  type ProtocolNote,
  requireOneConfiguration,
} from "../experiments/paper_table.ts";
import { readJsonOrNull, readRunRecords, type RunRecord } from "../experiments/store.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { numberFlag, parseCli } from "../util/cli.ts";
import { InputError, runMain } from "../util/errors.ts";
import { join, PROJECT_ROOT, resolve } from "../util/path.ts";
import { formatDuration } from "../util/progress.ts";

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

const USAGE = "usage: deno task reproduce --dataset zhanglab|chexpert|vindr|rsna|rsna-bmad --data DIR " +
  "--model CHEXZERO.pt [--seeds 5] [--json] [--tokenizer BPE] [--shard i/n] [--out DIR] [--shots K] [--steps S] " +
  "[--test-limit N] [--backend B] [--on-bad-image fail|skip] [--report-only]";

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
  records: readonly RunRecord[],
  counts: ReproduceCounts,
  skipped: { path: string; reason: string }[],
): ReproduceReport {
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

await runMain(async () => {
  const { values } = parseCli("reproduce", Deno.args, {
    ...SWEEP_FLAGS,
    "report-only": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
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
  const settings = sweepSettings(
    PAPER_SWEEP,
    values,
    defaultOut,
    (name, value, fallback) => numberFlag(name, value as string, fallback, { integer: true, min: 0 }),
  );
  const outcome = await executeSweep(settings);
  const labels = outcome.data.test.labels;
  const counts: ReproduceCounts = {
    train: { normal: outcome.data.trainNormals.length },
    test: { normal: labels.filter((l) => l === 0).length, abnormal: labels.filter((l) => l === 1).length },
  };
  const skipped = outcome.data.test.skipped.map((s) => ({ path: s.path, reason: s.reason }));
  for (const s of skipped) console.error(`skipped: ${s.reason}`);
  if (outcome.records.length === 0) throw new InputError(`Cannot report on ${settings.out}: no run finished`);
  const report = buildReport(dataset, settings.out, outcome.records, counts, skipped);
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
    `${outcome.records.length} runs in ${formatDuration(outcome.seconds)} → ${
      join(settings.out, "paper-vs-measured.md")
    }`,
  );
});
