/**
 * Draws the plain-classifier yardstick's runs (tables written by `classifier.py`) against the embedded default backbone
 * and the best 500-step real-only candidate (their zero-shot rows in `results/backbones/`), and prints each recipe's
 * final-epoch spread over seeds.
 *
 * `deno run -A experiments/yardstick/chart.ts results/backbones/yardstick-classifier.csv [more tables…]`
 * writes `results/backbones/yardstick-classifier.svg` and `.png`.
 * @module
 */
import {
  readYardstickTables,
  readZeroShotTables,
  yardstickChart,
  yardstickReferences,
  yardstickSummary,
  zeroShotPoints,
} from "../../lib/experiments/mod.ts";
import { saveChart } from "../../lib/report/mod.ts";
import { join, PROJECT_ROOT } from "../../lib/util/mod.ts";

const tables = Deno.args.length > 0 ? Deno.args : [join(PROJECT_ROOT, "results/backbones/yardstick-classifier.csv")];
const rows = await readYardstickTables(tables);
const dir = join(PROJECT_ROOT, "results/backbones");
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
    `${s.epochs} epochs, ${s.set}: mean ${s.mean.toFixed(1)} over ${s.seeds} seeds (${s.min.toFixed(1)}–${
      s.max.toFixed(1)
    })`,
  );
}
console.log(`wrote ${saved.svgPath} and ${saved.pngPath}`);
