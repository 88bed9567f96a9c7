/**
 * `deno task metrics --scores FILE.csv [--json] [--bootstrap N --seed S]`: image-level metrics of a scores table.
 *
 * The CSV needs a header with the columns `id,label,score` (label 0 = normal, 1 = abnormal; score finite, higher = more
 * abnormal). ACC and F1 predict abnormal when `score > 0.5`; F1-max uses the best threshold on this very set.
 * Prints a table, or one JSON object with `--json`. With `--bootstrap N`, adds 95 % stratified percentile intervals.
 * @module
 */
import {
  accuracyAt,
  auroc,
  averagePrecision,
  type BinaryMetric,
  bootstrapCI,
  computeMetrics,
  f1At,
  f1Max,
  f1MaxWithThreshold,
  type Metrics,
  parseScoresCsv,
} from "../lib/metrics/mod.ts";
import { defineCommand, InputError, numberFlag, parseCommand, Rng, runMain, usageLine } from "../lib/util/mod.ts";

/** The command's flags, help and examples. */
export const COMMAND = defineCommand({
  name: "metrics",
  summary: "AUROC, AP, ACC, F1 and F1-max of an id,label,score CSV (label 0 normal, 1 abnormal; score a decimal " +
    "number, higher = more abnormal). ACC and F1 call abnormal when score > 0.5; F1-max uses the best threshold on " +
    "this very set, and the table shows that threshold.",
  flags: {
    scores: { type: "string", arg: "FILE.csv", description: "the scores table", required: true },
    json: { type: "boolean", description: "print one JSON object on stdout" },
    bootstrap: {
      type: "string",
      arg: "N",
      description: "add 95 % stratified bootstrap intervals (N resamples, at most 1,000,000)",
      default: 0,
    },
    seed: { type: "string", arg: "S", description: "bootstrap seed", default: 0 },
  },
  examples: ["deno task metrics --scores scores.csv", "deno task metrics --scores scores.csv --bootstrap 1000 --json"],
});
const USAGE = usageLine(COMMAND);

const CI_METRICS: Record<string, BinaryMetric> = {
  auroc,
  ap: averagePrecision,
  acc: (y, s) => accuracyAt(y, s, 0.5),
  f1: (y, s) => f1At(y, s, 0.5),
  f1max: f1Max,
};

/** Runs `deno task metrics` with `args`: prints the metrics of an `id,label,score` CSV (or one JSON object). */
export async function main(args: string[]): Promise<void> {
  const { values } = parseCommand(COMMAND, args);
  const file = values.scores;
  if (typeof file !== "string" || file === "") {
    throw new InputError(`Cannot compute metrics: --scores is required (${USAGE})`);
  }
  const boots = numberFlag("bootstrap", values.bootstrap, 0, { min: 0, max: 1_000_000, integer: true });
  const seed = numberFlag("seed", values.seed, 0, { integer: true });

  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (err) {
    throw new InputError(`Cannot read scores file ${file}: ${(err as Error).message}`);
  }
  const table = parseScoresCsv(text, file);
  const positives = table.labels.reduce((a, b) => a + b, 0);
  if (positives === 0 || positives === table.labels.length) {
    throw new InputError(
      `Cannot compute metrics for ${file}: all ${table.labels.length} rows have label ${
        positives ? 1 : 0
      }; both classes are needed`,
    );
  }
  const metrics = computeMetrics(table.labels, table.scores);
  let ci: Record<string, { lo: number; hi: number }> | undefined;
  if (boots > 0) {
    const rng = new Rng(seed);
    ci = {};
    for (const [name, fn] of Object.entries(CI_METRICS)) {
      const { lo, hi } = bootstrapCI(table.labels, table.scores, fn, { rng: rng.fork(), n: boots });
      ci[name] = { lo, hi };
    }
  }
  if (values.json) {
    console.log(JSON.stringify(ci ? { ...metrics, ci, bootstrap: boots, seed } : metrics));
  } else {
    console.log(formatTable(file, metrics, ci, boots, f1MaxNote(table.labels, table.scores)));
  }
}

/**
 * Where F1-max is reached: its threshold, and whether that threshold calls every image abnormal (then F1-max is
 * just the F1 of the trivial "all abnormal" rule, 2p / (p + n)).
 */
export function f1MaxNote(labels: ArrayLike<number>, scores: ArrayLike<number>): string {
  const { threshold } = f1MaxWithThreshold(labels, scores);
  const min = Math.min(...Array.from(scores));
  return threshold <= min
    ? `at score ≥ ${Number(threshold.toPrecision(4))}: every image called abnormal`
    : `at score ≥ ${Number(threshold.toPrecision(4))}`;
}

/** A readable table of the metrics (percent) with optional intervals. */
function formatTable(
  file: string,
  m: Metrics,
  ci: Record<string, { lo: number; hi: number }> | undefined,
  boots: number,
  f1maxNote: string,
): string {
  const pct = (x: number) => (100 * x).toFixed(2).padStart(6);
  const rows: [string, string, number][] = [
    ["auroc", "AUROC", m.auroc],
    ["ap", "AP", m.ap],
    ["acc", "ACC (score > 0.5)", m.acc],
    ["f1", "F1 (score > 0.5)", m.f1],
    ["f1max", "F1-max (test-set-optimal)", m.f1max],
  ];
  const lines = [`${file}: n = ${m.n} (${m.positives} abnormal, ${m.n - m.positives} normal)`];
  for (const [key, label, v] of rows) {
    const band = ci ? `   [${pct(ci[key].lo)} – ${pct(ci[key].hi)}]` : "";
    lines.push(`  ${label.padEnd(26)} ${pct(v)} %${band}${key === "f1max" ? `   (${f1maxNote})` : ""}`);
  }
  if (ci) lines.push(`  (95 % stratified percentile bootstrap, ${boots} resamples)`);
  return lines.join("\n");
}

if (import.meta.main) runMain(() => main(Deno.args));
