/**
 * Draws the plain-classifier yardstick's runs (tables written by `classifier.py`) against the embedded default backbone
 * and the best 500-step real-only candidate (their zero-shot rows in `results/backbones/`), and prints each network and
 * run length's final-epoch spread over seeds.
 *
 * `deno task yardstick:chart results/backbones/yardstick-classifier.csv [more tables…]`
 * writes `results/backbones/yardstick-classifier.svg` and `.png`.
 * @module
 */
import {
  listYardstickTables,
  readYardstickTables,
  readZeroShotTables,
  yardstickChart,
  yardstickPanel,
  yardstickReferences,
  yardstickSummary,
  zeroShotPoints,
} from "../lib/experiments/mod.ts";
import { saveChart } from "../lib/report/mod.ts";
import { defineCommand, InputError, join, parseCommand, PROJECT_ROOT, runMain } from "../lib/util/mod.ts";

/** The command's flags, help and examples. */
export const COMMAND = defineCommand({
  name: "yardstick:chart",
  summary: "Draws the plain-classifier yardstick's tables (from classifier.py) against the default backbone and the " +
    "best 500-step real-only run, as results/backbones/yardstick-classifier.svg and .png; prints the spread of each " +
    "network and length.",
  flags: {},
  positionals: {
    arg: "TABLE.csv…",
    description: "yardstick tables (default: every results/backbones/yardstick-classifier*.csv)",
  },
  examples: ["deno task yardstick:chart", "deno task yardstick:chart results/backbones/yardstick-classifier.csv"],
});

/** Reads the tables named in `args`, writes the chart and prints the spreads. */
export async function main(args: string[]): Promise<void> {
  const { positionals } = parseCommand(COMMAND, args);
  const dir = join(PROJECT_ROOT, "results/backbones");
  const tables = positionals.length > 0 ? positionals : await listYardstickTables(dir);
  const rows = await readYardstickTables(tables);
  if (rows.length === 0) {
    throw new InputError(`No yardstick rows in ${tables.join(", ") || `${dir} (no yardstick-classifier*.csv)`}`);
  }
  const points = zeroShotPoints(
    await readZeroShotTables([join(dir, "zero-shot.csv"), join(dir, "candidates-zero-shot.csv")]),
  );
  const references = yardstickReferences(
    points,
    [["ppad-mini-cxr-real", "default backbone"], ["prompts-real100-500", "CLIP, 500 real-only steps"]],
    85,
  );
  const saved = await saveChart(dir, "yardstick-classifier", yardstickChart(rows, { references }));
  for (const s of yardstickSummary(rows)) {
    console.log(
      `${yardstickPanel(s)}, ${s.set}: mean ${s.mean.toFixed(1)} over ${s.seeds} seeds (${s.min.toFixed(1)}–${
        s.max.toFixed(1)
      })`,
    );
  }
  console.log(`wrote ${saved.svgPath} and ${saved.pngPath}`);
}

if (import.meta.main) runMain(() => main(Deno.args));
