/**
 * The plain-classifier yardstick (`experiments/yardstick/classifier.py`): a ViT of the backbones' vision size (or a
 * small ResNet, or the ViT with a convolutional stem; or the ViT scored through averages of its weights, or trained on
 * histogram-equalised films) trained from scratch as a normal-vs-COVID-19 classifier on the pretraining corpus, scored
 * after every epoch on the held-out slice and on ZhangLab test. Its tables read back, summarised per network (and
 * variant) and run length and drawn per seed and epoch.
 * @module
 */
import * as Plot from "@observablehq/plot";
import { BASE_STYLE, listChartFiles, type ZeroShotPoint } from "../report/mod.ts";
import { csvNumber, type CsvRecord, csvText, InputError, join, readCsvRecords } from "../util/mod.ts";
import { heldOutAndZhangLab } from "./backbone_report.ts";

/** The two sets the yardstick is scored on, as its tables name them. */
export const YARDSTICK_SETS = {
  "held-out real (model selection)": "held-out real",
  "ZhangLab test (reported only)": "ZhangLab test (reported only)",
} as const;

/** One AUROC of one yardstick run after one epoch, in percent. */
export interface YardstickRow {
  /** The run's recipe, e.g. `ViT w192 L4 p32, BCE, light augmentation, 6 epochs x 64, AdamW 0.0003`. */
  recipe: string;
  /**
   * The network, the recipe's first word: `ViT`, `ResNet-18` (a quarter of its width) or `ConvStemViT`; followed by
   * what the recipe names after its optimiser, where it names something (`ViT, weights EMA 0.99`,
   * `ViT, input histogram-equalised`), since those runs differ from the plain ones.
   */
  network: string;
  /** Length of the run's schedule in epochs. */
  epochs: number;
  seed: number;
  /** The epoch after which it was scored (1 … epochs). */
  epoch: number;
  set: (typeof YARDSTICK_SETS)[keyof typeof YARDSTICK_SETS];
  auroc: number;
}

/**
 * Reads yardstick tables (`recipe, machine, seed, epoch, role, metric, value`) into AUROC rows in percent; the
 * `wall_s` rows are left out (their blank role stays accepted). Throws an `InputError` naming the file when a column,
 * role or value is wrong; a record with too few or too many cells, or an AUROC row whose seed, epoch or value is empty
 * or not a number, is refused naming the file, line and column.
 */
export async function readYardstickTables(files: readonly string[]): Promise<YardstickRow[]> {
  const rows: YardstickRow[] = [];
  for (const file of files) {
    const table = await readCsvRecords(file);
    const need = ["recipe", "seed", "epoch", "role", "metric", "value"];
    const missing = need.filter((c) => !table.columns.includes(c));
    if (missing.length > 0) throw new InputError(`Cannot read ${file}: not a yardstick table (missing ${missing})`);
    const cell = (r: CsvRecord, column: string) => csvText(table, r, column) ?? "";
    for (const r of table.records) {
      if (cell(r, "metric") !== "auroc") continue;
      const role = cell(r, "role");
      const set = Object.hasOwn(YARDSTICK_SETS, role) ? YARDSTICK_SETS[role as keyof typeof YARDSTICK_SETS] : undefined;
      const recipe = cell(r, "recipe");
      const variant = /, AdamW [^,]+, (.+)$/.exec(recipe)?.[1];
      const network = recipe.split(" ")[0] + (variant ? `, ${variant}` : "");
      const epochs = Number(/(\d+) epochs/.exec(recipe)?.[1]);
      const seed = csvNumber(table, r, "seed", { integer: true });
      const epoch = csvNumber(table, r, "epoch", { integer: true });
      const value = csvNumber(table, r, "value", { min: 0, max: 1 });
      if (set === undefined || !Number.isInteger(epochs) || epoch < 1 || epoch > epochs) {
        throw new InputError(
          `Cannot read ${file} line ${r.line}: row of seed ${seed}, epoch ${epoch} is not a yardstick row`,
        );
      }
      rows.push({ recipe, network, epochs, seed, epoch, set, auroc: 100 * value });
    }
  }
  return rows;
}

/** The yardstick tables in a folder: `yardstick-classifier*.csv`, absolute, in name order; none when it has none. */
export async function listYardstickTables(dir: string): Promise<string[]> {
  return (await listChartFiles(dir)).filter((f) => /^yardstick-classifier.*\.csv$/.test(f)).map((f) => join(dir, f));
}

/** The spread over seeds of one network and run length's AUROC on one set after its last epoch. */
export interface YardstickSummary {
  network: string;
  epochs: number;
  set: YardstickRow["set"];
  seeds: number;
  mean: number;
  min: number;
  max: number;
}

/** Rows grouped by `key`, groups in order of first appearance. */
function groupBy<T>(rows: readonly T[], key: (row: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  return [...groups.values()];
}

const meanAuroc = (rows: readonly YardstickRow[]) => rows.reduce((a, r) => a + r.auroc, 0) / rows.length;

/** A network and run length, e.g. `ViT · 6 epochs`: one row of panels, one group of seeds. */
export function yardstickPanel(row: Pick<YardstickRow, "network" | "epochs">): string {
  return `${row.network} · ${row.epochs} epochs`;
}

/**
 * Per network, run length and set, the mean, lowest and highest final-epoch AUROC over the seeds; in order of
 * appearance.
 */
export function yardstickSummary(rows: readonly YardstickRow[]): YardstickSummary[] {
  const last = rows.filter((r) => r.epoch === r.epochs);
  return groupBy(last, (r) => `${yardstickPanel(r)}\u0000${r.set}`).map((g) => {
    const values = g.map((r) => r.auroc);
    return {
      network: g[0].network,
      epochs: g[0].epochs,
      set: g[0].set,
      seeds: values.length,
      mean: meanAuroc(g),
      min: Math.min(...values),
      max: Math.max(...values),
    };
  });
}

/** A horizontal reference line in one panel of {@link yardstickChart}. */
export interface YardstickReference {
  set: YardstickRow["set"];
  value: number;
  label: string;
}

/**
 * AUROC against epoch: one panel per set (columns) and network and run length (rows), one grey line per seed, the
 * seeds' mean in red (at epochs every seed reached), and dashed reference lines (e.g. a goal, a backbone's score)
 * labelled above their left end.
 */
export function yardstickChart(
  rows: readonly YardstickRow[],
  options: { references?: readonly YardstickReference[]; title?: string; subtitle?: string; width?: number } = {},
): Plot.PlotOptions {
  const sets = Object.values(YARDSTICK_SETS).filter((s) => rows.some((r) => r.set === s));
  // Rows of panels: networks in order of appearance, each one's variants (`ViT, …`) right after it, run lengths
  // shortest first.
  const networks = [...new Set(rows.map((r) => r.network))];
  const base = (network: string) => network.split(",")[0];
  const bases = [...new Set(networks.map(base))];
  const panels = groupBy(rows, yardstickPanel).map((g) => g[0])
    .sort((a, b) =>
      bases.indexOf(base(a.network)) - bases.indexOf(base(b.network)) ||
      networks.indexOf(a.network) - networks.indexOf(b.network) || a.epochs - b.epochs
    )
    .map(yardstickPanel);
  const runs = rows.map((r) => ({ ...r, panel: yardstickPanel(r), run: `${yardstickPanel(r)}/${r.seed}` }));
  // The mean at an epoch only where every seed of that panel reached it (a run still going draws no mean).
  const seedsOf = (panel: string) => new Set(runs.filter((r) => r.panel === panel).map((r) => r.seed)).size;
  const means = groupBy(runs, (r) => `${r.set}\u0000${r.panel}\u0000${r.epoch}`)
    .filter((same) => same.length >= seedsOf(same[0].panel))
    .map((same) => ({ ...same[0], auroc: meanAuroc(same) }))
    .sort((a, b) => a.epoch - b.epoch);
  const references = (options.references ?? []).flatMap((ref) => panels.map((panel) => ({ ...ref, panel, epoch: 1 })));
  const values = [...rows.map((r) => r.auroc), ...references.map((r) => r.value)];
  const lo = Math.floor(Math.min(50, ...values) / 5) * 5, hi = Math.ceil(Math.max(...values, 60) / 5) * 5;
  const seeds = new Set(runs.map((r) => r.run)).size;
  // Room for the longest row label at the right (about 7 px a character at Plot's 10 px font).
  const marginRight = 20 + 7 * Math.max(...panels.map((p) => p.length));
  return {
    title: options.title ?? "Plain normal-vs-COVID-19 classifiers trained on the corpus, over seeds",
    subtitle: options.subtitle ??
      `${seeds} runs; grey: one seed each, red: the seeds' mean after each epoch; dashed: references`,
    width: options.width ?? Math.max(560, 300 * sets.length) + Math.max(0, marginRight - 140),
    height: 60 + 190 * panels.length,
    marginRight,
    style: BASE_STYLE,
    fx: { domain: sets, label: null },
    fy: { domain: panels, label: null },
    x: { label: "epoch", grid: true, tickFormat: "d" },
    y: { label: "AUROC (%)", domain: [lo, hi], grid: true },
    marks: [
      Plot.line(runs, { x: "epoch", y: "auroc", z: "run", fx: "set", fy: "panel", stroke: "#bbb", strokeWidth: 1 }),
      Plot.line(means, { x: "epoch", y: "auroc", z: null, fx: "set", fy: "panel", stroke: "#e45756", strokeWidth: 2 }),
      Plot.dot(means, { x: "epoch", y: "auroc", fx: "set", fy: "panel", fill: "#e45756", r: 2.5 }),
      Plot.ruleY(references, { y: "value", fx: "set", fy: "panel", stroke: "#333", strokeDasharray: "4,3" }),
      Plot.text(references, {
        x: "epoch",
        y: "value",
        fx: "set",
        fy: "panel",
        text: (r: YardstickReference) => `${r.label} ${r.value.toFixed(1)}`,
        textAnchor: "start",
        dy: -6,
        fontSize: 10,
        fill: "#333",
      }),
    ],
  };
}

/**
 * Reference lines for {@link yardstickChart} from backbones' zero-shot points (of `zeroShotPoints`): for each
 * `[model, label]`, its held-out and ZhangLab AUROC where the points have them; then `goal` on ZhangLab, if given.
 */
export function yardstickReferences(
  points: readonly ZeroShotPoint[],
  backbones: readonly (readonly [model: string, label: string])[],
  goal?: number,
): YardstickReference[] {
  const references: YardstickReference[] = [];
  for (const [model, label] of backbones) {
    const { heldOut, zhangLab } = heldOutAndZhangLab(points, model);
    if (heldOut) references.push({ set: "held-out real", value: heldOut.auroc, label });
    if (zhangLab) references.push({ set: "ZhangLab test (reported only)", value: zhangLab.auroc, label });
  }
  if (goal !== undefined) references.push({ set: "ZhangLab test (reported only)", value: goal, label: "goal" });
  return references;
}
