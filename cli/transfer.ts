/**
 * Does fitting the corpus better transfer to ZhangLab? Reads every network trained on the pretraining corpus from
 * `results/backbones/` (the contrastive backbones' zero-shot tables and the yardstick classifiers' tables), writes one
 * point per run (`transfer.csv`), the rank correlations of held-out against ZhangLab AUROC across and within recipes
 * (`transfer-correlation.csv`) and the scatter chart (`transfer.svg`, `.png`), and prints the correlations.
 *
 * `deno task transfer`
 * @module
 */
import {
  readTransferPoints,
  transferChart,
  type TransferCorrelation,
  transferCorrelations,
  transferCorrelationTable,
  transferTable,
} from "../lib/experiments/mod.ts";
import { saveChart, writeCsvAtomic } from "../lib/report/mod.ts";
import {
  defineCommand,
  InputError,
  join,
  numberFlag,
  parseCommand,
  PROJECT_ROOT,
  resolve,
  Rng,
  runMain,
} from "../lib/util/mod.ts";

/** The embedded default backbone, named as in the zero-shot tables; its card gives its pretraining length. */
const DEFAULT_BACKBONE = "ppad-mini-cxr-real";

/** The command's flags, help and examples. */
export const COMMAND = defineCommand({
  name: "transfer",
  summary: "Held-out AUROC (the choosing set) against ZhangLab AUROC (reported only) of every network trained on the " +
    "corpus (pretrained backbones and yardstick classifiers): tidy table, rank correlations across and within " +
    "recipes with bootstrap intervals, and a scatter chart.",
  flags: {
    dir: {
      type: "string",
      arg: "DIR",
      description: "folder with zero-shot.csv, candidates-zero-shot.csv and yardstick-classifier*.csv; also where " +
        "transfer.csv, transfer-correlation.csv and transfer.svg/.png are written",
      default: "results/backbones",
    },
    seed: { type: "string", arg: "N", description: "seed of the bootstrap resamples", default: "1" },
    resamples: {
      type: "string",
      arg: "N",
      description: "bootstrap resamples per correlation (at most 1,000,000)",
      default: "1000",
    },
  },
  examples: ["deno task transfer", "deno task transfer --resamples 200 --dir my-results"],
});

/** The chart's subtitle: what a dot and a line are, and the correlations over every network. */
function chartSubtitle(runs: number, correlations: readonly TransferCorrelation[]): string {
  const every = (comparison: TransferCorrelation["comparison"]) => {
    const c = correlations.find((c) => c.networks === "every network" && c.comparison === comparison);
    return c ? `${comparison} ${c.spearman.toFixed(2)} (${c.lo.toFixed(2)} to ${c.hi.toFixed(2)})` : "";
  };
  return `${runs} networks, each after its last step or epoch; lines: least squares through the seeds of one recipe ` +
    `(≥ 3 seeds). Spearman's ρ with 95 % bootstrap intervals, independent runs: ` +
    [every("across recipes"), every("within recipes")].filter(Boolean).join("; ");
}

/** Runs `deno task transfer` with `args`. */
export async function main(args: string[]): Promise<void> {
  const { values: v } = parseCommand(COMMAND, args);
  const dir = resolve(PROJECT_ROOT, v.dir ?? String(COMMAND.flags.dir.default));
  if (!(await Deno.stat(dir).then((st) => st.isDirectory, () => false))) {
    throw new InputError(`Cannot relate held-out to ZhangLab AUROC: --dir ${dir} is not a folder`);
  }
  const seed = numberFlag("seed", v.seed, 1, { integer: true, min: 0 });
  const resamples = numberFlag("resamples", v.resamples, 1000, { integer: true, min: 1, max: 1_000_000 });
  const points = await readTransferPoints(dir, join(PROJECT_ROOT, "models", DEFAULT_BACKBONE, "model.safetensors"));
  if (points.length < 3) {
    throw new InputError(`Cannot relate held-out to ZhangLab AUROC: ${points.length} networks with both in ${dir}`);
  }
  const correlations = transferCorrelations(points, new Rng(seed), resamples);
  await writeCsvAtomic(join(dir, "transfer.csv"), transferTable(points));
  await writeCsvAtomic(
    join(dir, "transfer-correlation.csv"),
    transferCorrelationTable(correlations, { resamples, seed }),
  );
  const saved = await saveChart(
    dir,
    "transfer",
    transferChart(points, {
      goal: 85,
      labels: [[DEFAULT_BACKBONE, "default backbone"]],
      subtitle: chartSubtitle(points.length, correlations),
    }),
  );
  for (const c of correlations) {
    console.log(
      `${c.networks}, ${c.comparison} (n = ${c.n}): Spearman ${c.spearman.toFixed(2)} ` +
        `(95 % bootstrap ${c.lo.toFixed(2)} to ${c.hi.toFixed(2)})`,
    );
  }
  console.log(`wrote ${join(dir, "transfer.csv")}, transfer-correlation.csv, ${saved.svgPath} and ${saved.pngPath}`);
}

if (import.meta.main) runMain(() => main(Deno.args));
