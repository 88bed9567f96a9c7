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
import { PAPER_SWEEP } from "../experiments/paper.ts";
import {
  comparisonMarkdown,
  executeSweep,
  parseReproduceDataset,
  REPRODUCE_DATASETS,
  type ReproduceReport,
  runsLine,
  storedReproduceReport,
  sweepReproduceReport,
  writeReproduceReports,
} from "../lib/experiments/mod.ts";
import { type DatasetName, loadDatasetSync } from "../lib/data/mod.ts";
import {
  defineCommand,
  formatDuration,
  InputError,
  join,
  listFlag,
  parseCommand,
  PROJECT_ROOT,
  resolve,
  runMain,
} from "../lib/util/mod.ts";
import { SWEEP_FLAGS, sweepSettings } from "./sweep_flags.ts";

/** The paper's variants (zero-shot, CoOp, PPAD): the comparison reads only these runs of a folder. */
const PAPER_VARIANTS: readonly string[] = PAPER_SWEEP.questions[0].vary.variant ?? [];

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
    model: {
      ...SWEEP_FLAGS.model,
      description: "the CheXzero checkpoint: a .pt state dict, a .safetensors file or a model folder",
      required: true,
    },
    variants: {
      ...SWEEP_FLAGS.variants,
      description: `run only these of the paper's variants (${PAPER_VARIANTS.join(", ")})`,
    },
    questions: {
      ...SWEEP_FLAGS.questions,
      description: `run only these questions of the paper grid (${
        PAPER_SWEEP.questions.map((q) => q.name).join(", ")
      })`,
    },
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

/** The flags `--report-only` reads; any other is refused rather than silently ignored. */
const REPORT_ONLY_FLAGS = new Set(["dataset", "out", "json", "quiet", "report-only"]);

/**
 * Refuses a `--data` folder whose layout names another data set than `--dataset` (e.g. ZhangLab's folders with
 * `--dataset chexpert`), so that one data set's results are never set beside another's published numbers. A `csv`
 * manifest names no data set and is taken as `--dataset` says.
 */
export function checkDataMatches(dataset: string, data: string, layout?: string): void {
  const ds = loadDatasetSync(data, { layout, dataset: dataset as DatasetName, warn: false });
  if (ds.name !== "custom" && ds.name !== dataset) {
    throw new InputError(
      `Cannot reproduce --dataset ${dataset} with --data ${data}: its ${ds.layout} layout is the ${ds.name} data set ` +
        `(use --dataset ${ds.name}, or point --data at a ${dataset} folder)`,
    );
  }
}

function printReport(report: ReproduceReport, json: boolean, extra: string): void {
  if (json) {
    console.log(JSON.stringify(report));
    return;
  }
  console.log(comparisonMarkdown(report.comparison, report.protocol).trimEnd());
  console.log(`\n${extra}`);
}

/** Runs `deno task reproduce` with `args`: the sweep (or `--report-only`), then the comparison table or JSON. */
export async function main(args: string[]): Promise<void> {
  const { values } = parseCommand(COMMAND, args);
  const dataset = parseReproduceDataset(values.dataset);
  const defaultOut = join("results", "reproduce", dataset);
  const json = Boolean(values.json);

  if (values["report-only"]) {
    const unused = Object.entries(values).filter(([k, v]) =>
      v !== undefined && v !== false && !REPORT_ONLY_FLAGS.has(k)
    )
      .map(([k]) => `--${k}`);
    if (unused.length) {
      throw new InputError(
        `Cannot use ${unused.join(", ")} with --report-only: it only reads the finished runs in --out ` +
          `(accepted: ${[...REPORT_ONLY_FLAGS].map((k) => `--${k}`).join(", ")})`,
      );
    }
    const out = resolve(typeof values.out === "string" ? values.out : join(PROJECT_ROOT, defaultOut));
    const { report, runs } = await storedReproduceReport(dataset, out, PAPER_VARIANTS);
    await writeReproduceReports(out, report);
    printReport(report, json, `${runs} finished runs → ${join(out, "paper-vs-measured.md")}`);
    return;
  }

  if (typeof values.data !== "string") throw new InputError("Cannot reproduce: --data DIR is required");
  if (typeof values.model !== "string") {
    throw new InputError(
      "Cannot reproduce: --model is required (the CheXzero checkpoint: .pt, .safetensors or a model folder)",
    );
  }
  listFlag("variants", values.variants, PAPER_VARIANTS);
  const settings = sweepSettings(PAPER_SWEEP, values, defaultOut);
  checkDataMatches(dataset, values.data, values.layout);
  const outcome = await executeSweep(settings, `reproduce --dataset ${dataset}`);
  for (const s of outcome.data.test.skipped) console.error(`skipped: ${s.reason}`);
  const report = sweepReproduceReport(dataset, outcome, settings.out, PAPER_VARIANTS);
  await writeReproduceReports(settings.out, report);
  if (settings.shard) {
    console.error(
      `shard ${settings.shard.index}/${settings.shard.count}: the comparison covers this shard's runs only; after ` +
        `\`deno task merge --out M …\` run \`deno task reproduce --dataset ${dataset} --out M --report-only\``,
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

if (import.meta.main) runMain(() => main(Deno.args));
