/**
 * The backbone comparison of `deno task zeroshot --chart` and notebook 02: tidy zero-shot tables read back, pivoted into
 * one point per backbone × evaluation set, CheXzero's published numbers as reference lines, and the held-out curves
 * of the pretraining runs kept in `results/backbones/`.
 * @module
 */
import type * as Plot from "@observablehq/plot";
import {
  listChartFiles,
  type LossRow,
  type ZeroShotBand,
  zeroShotChart,
  type ZeroShotPoint,
  type ZeroShotReference,
} from "../report/mod.ts";
import {
  basename,
  csvNumber,
  type CsvNumberOptions,
  dirname,
  extname,
  InputError,
  join,
  parseDecimal,
  pathExists,
  readCsvRecords,
} from "../util/mod.ts";
import { PAPER_RESULTS, type PaperDataset } from "./paper_numbers.ts";

/** A backbone's short name: the folder of a `model.*` or `checkpoint.*` file, else the file name without extension. */
export function backboneName(path: string): string {
  const file = basename(path, extname(path));
  return file === "model" || file === "checkpoint" ? basename(dirname(path)) || file : file;
}

/** The chart panel of a result: the choosing sets and the diagnostic by role, each reported data set by its folder. */
export function zeroShotPanel(role: string, data: string): string {
  if (role === "held-out real (model selection)") return "held-out real (chooses)";
  if (role === "synthetic benchmark test") return "synthetic benchmark (chooses)";
  if (role === "reported only") return `${basename(data)} (reported only)`;
  return role;
}

/** Whether a chart panel (of {@link zeroShotPanel}) is ZhangLab's test split, reported only. */
export function isZhangLabPanel(panel: string): boolean {
  return /zhanglab/i.test(panel) && panel.endsWith("(reported only)");
}

/**
 * A backbone's point on the held-out slice (the first choosing panel) and on ZhangLab test, where the zero-shot points
 * have them: its text prompts' points, not a probe's (points with a series).
 */
export function heldOutAndZhangLab(
  points: readonly ZeroShotPoint[],
  model: string,
): { heldOut?: ZeroShotPoint; zhangLab?: ZeroShotPoint } {
  const prompts = points.filter((p) => p.model === model && p.series === undefined);
  return {
    heldOut: prompts.find((p) => p.role === CHOOSING_PANELS[0]),
    zhangLab: prompts.find((p) => isZhangLabPanel(p.role)),
  };
}

/**
 * The points of {@link zeroShotChart} from tidy zero-shot rows (`model, model_hash, data, role, metric, value`, metric
 * one of `auroc`, `auroc_lo`, `auroc_hi`; from {@link zeroShotBackbones} or CSVs it wrote), in percent, one per
 * backbone × panel (× probe, for the rows of `deno task zeroshot --probe`, as the point's series) in order of
 * appearance. A backbone is named by {@link backboneName}, or by its path (and hash)
 * where two different checkpoints would share that name; the same checkpoint in two tables keeps its first value.
 * A row whose value is neither a finite number nor a decimal string (null, empty, `n/a`) is an `InputError`.
 */
export function zeroShotPoints(rows: readonly Record<string, unknown>[]): ZeroShotPoint[] {
  const sourcesOf = new Map<string, Set<string>>();
  const pathsOf = new Map<string, Set<string>>();
  for (const r of rows) {
    const short = backboneName(String(r.model));
    sourcesOf.set(short, (sourcesOf.get(short) ?? new Set()).add(`${r.model}\u0000${r.model_hash}`));
    pathsOf.set(String(r.model), (pathsOf.get(String(r.model)) ?? new Set()).add(String(r.model_hash)));
  }
  const nameOf = (r: Record<string, unknown>) => {
    const short = backboneName(String(r.model));
    if (sourcesOf.get(short)!.size === 1) return short;
    return pathsOf.get(String(r.model))!.size === 1
      ? String(r.model)
      : `${r.model} (${String(r.model_hash).slice(0, 8)})`;
  };
  const points = new Map<string, ZeroShotPoint>();
  for (const r of rows) {
    const model = nameOf(r), role = zeroShotPanel(String(r.role), String(r.data));
    const value = 100 * rowNumber(r.value);
    if (!Number.isFinite(value)) {
      throw new InputError(
        `Zero-shot row of ${r.model} (${r.role}, ${r.metric}) has no numeric value: ${
          JSON.stringify(r.value) ?? "none"
        }`,
      );
    }
    const series = r.probe === undefined ? undefined : String(r.probe);
    const key = `${model}\u0000${role}\u0000${series ?? ""}`;
    const p = points.get(key) ?? { model, role, auroc: NaN, ...(series === undefined ? {} : { series }) };
    if (r.metric === "auroc" && Number.isNaN(p.auroc)) p.auroc = value;
    else if (r.metric === "auroc_lo" && p.lo === undefined) p.lo = value;
    else if (r.metric === "auroc_hi" && p.hi === undefined) p.hi = value;
    points.set(key, p);
  }
  return [...points.values()].filter((p) => Number.isFinite(p.auroc));
}

/** A row's value as a number: a number as is, a decimal string parsed; anything else (null, "", "n/a") NaN. */
function rowNumber(value: unknown): number {
  if (typeof value === "number") return value;
  return typeof value === "string" ? parseDecimal(value) : NaN;
}

/** The columns of a zero-shot table whose cells are numbers, each row's: the AUROC (or its bound) and the count. */
const ZERO_SHOT_NUMBERS: Readonly<Record<string, CsvNumberOptions>> = { value: {}, n: { integer: true, min: 0 } };

/**
 * Reads tidy zero-shot tables that `deno task zeroshot --out` wrote, in order, for {@link backboneChart}: one row per
 * record, every cell text except `value` and `n` (where the table has it), which are numbers. A file that is not such
 * a table is refused naming it ({@link InputError}), and so is a record with too few or too many cells or a `value`
 * or `n` that is empty or not a finite number, naming the line and column; with `skipMissing`, absent files are
 * left out.
 */
export async function readZeroShotTables(
  files: readonly string[],
  options: { skipMissing?: boolean } = {},
): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (const file of files) {
    if (options.skipMissing && !(await pathExists(file))) continue;
    const table = await readCsvRecords(file);
    const missing = ["model", "data", "role", "metric", "value"].filter((c) => !table.columns.includes(c));
    if (missing.length > 0) {
      throw new InputError(`Cannot draw ${file}: not a zero-shot table (no column ${missing.join(", ")})`);
    }
    for (const record of table.records) {
      rows.push(Object.fromEntries(table.columns.map((column, k) => [
        column,
        Object.hasOwn(ZERO_SHOT_NUMBERS, column)
          ? csvNumber(table, record, column, ZERO_SHOT_NUMBERS[column])
          : record.cells[k],
      ])));
    }
  }
  return rows;
}

/** The published CheXzero zero-shot AUROC (%) on each reported panel whose data folder names a paper data set. */
export function chexzeroReferences(points: readonly ZeroShotPoint[]): ZeroShotReference[] {
  const chexzero = PAPER_RESULTS.find((m) => m.variant === "zeroshot");
  const refs: ZeroShotReference[] = [];
  for (const role of new Set(points.map((p) => p.role))) {
    if (!role.endsWith("(reported only)")) continue;
    const dataset = (Object.keys(chexzero?.results ?? {}) as PaperDataset[]).find((d) =>
      role.toLowerCase().includes(d)
    );
    const value = dataset ? chexzero?.results[dataset]?.auroc?.mean : undefined;
    if (value !== undefined) refs.push({ role, x: value, label: "CheXzero (paper)" });
  }
  return refs;
}

/** The recipe a backbone named `<name>-seed<N>` replicates: `<name>`; any other name is its own recipe. */
export function seedRecipe(model: string): string {
  return model.replace(/-seed\d+$/, "");
}

/**
 * The range of one recipe over its seeds (backbones `recipe` and `recipe-seed<N>`, see {@link seedRecipe}): per panel
 * in order of appearance, the lowest and highest AUROC and how many of its backbones have that panel.
 */
export function seedRange(
  points: readonly ZeroShotPoint[],
  recipe: string,
): { role: string; lo: number; hi: number; runs: number }[] {
  const byRole = new Map<string, number[]>();
  for (const p of points) {
    if (seedRecipe(p.model) === recipe) byRole.set(p.role, [...(byRole.get(p.role) ?? []), p.auroc]);
  }
  return [...byRole].map(([role, values]) => ({
    role,
    lo: Math.min(...values),
    hi: Math.max(...values),
    runs: values.length,
  }));
}

/**
 * The spread over seeds of each recipe run more than once (backbones `<name>` and `<name>-seed<N>`, see
 * {@link seedRecipe}): one band per (recipe, panel) from the lowest to the highest AUROC, on the panels every run of the
 * recipe has, and each such recipe with its number of runs, most runs first (ties in order of appearance).
 */
export function seedSpread(
  points: readonly ZeroShotPoint[],
): { bands: (ZeroShotBand & { recipe: string })[]; recipes: { recipe: string; runs: number }[] } {
  const runs = new Map<string, Set<string>>();
  for (const p of points) {
    const recipe = seedRecipe(p.model);
    runs.set(recipe, (runs.get(recipe) ?? new Set()).add(p.model));
  }
  const recipes = [...runs].filter(([, models]) => models.size > 1).map(([recipe, models]) => ({
    recipe,
    runs: models.size,
  })).sort((a, b) => b.runs - a.runs);
  // A panel only some of the seeds have (a diagnostic added later) gets no band: it would not be the seeds' range.
  const bands = recipes.flatMap(({ recipe, runs: n }) =>
    seedRange(points, recipe).filter((r) => r.runs === n).map(({ role, lo, hi }) => ({ recipe, role, lo, hi }))
  );
  return { bands, recipes };
}

/** `points` with every recipe's seeds (see {@link seedRecipe}) together, recipes in order of first appearance. */
export function groupSeeds(points: readonly ZeroShotPoint[]): ZeroShotPoint[] {
  const rank = new Map<string, number>();
  for (const p of points) if (!rank.has(seedRecipe(p.model))) rank.set(seedRecipe(p.model), rank.size);
  return points.map((p, i) => ({ p, i }))
    .sort((a, b) => rank.get(seedRecipe(a.p.model))! - rank.get(seedRecipe(b.p.model))! || a.i - b.i)
    .map(({ p }) => p);
}

/** The two panels that choose a backbone (as {@link zeroShotPanel} names them), in the order the choosing rule reads. */
export const CHOOSING_PANELS = ["held-out real (chooses)", "synthetic benchmark (chooses)"] as const;

/** Panel order of the backbone chart: the choosing sets, the diagnostics, then the reported data sets. */
export const ZERO_SHOT_PANELS: readonly string[] = [
  ...CHOOSING_PANELS,
  "lesion probe (diagnostic)",
  "frame-swap probe (diagnostic)",
];

/**
 * The backbone comparison chart of tidy zero-shot rows (see {@link zeroShotPoints}): panels in
 * {@link ZERO_SHOT_PANELS}' order, one row per backbone with each recipe's seeds together ({@link groupSeeds}), the
 * first backbone highlighted, CheXzero's published number on paper data sets, a
 * grey band over the seeds of the recipe run most often other than the highlighted backbone's, when one was run more
 * than once ({@link seedSpread}): the yardstick for the other rows; and the highlighted backbone's own recipe's range,
 * when it was run more than once, shaded in the highlight's colour (grey, as the yardstick, when no other recipe was).
 */
export function backboneChart(rows: readonly Record<string, unknown>[], title?: string): Plot.PlotOptions {
  const points = groupSeeds(zeroShotPoints(rows));
  const spread = seedSpread(points);
  const highlight = points[0]?.model;
  const own = spread.recipes.find((r) => highlight !== undefined && r.recipe === seedRecipe(highlight));
  // The yardstick is another recipe's range whenever there is one, so that the highlighted recipe's own range (red)
  // never takes the grey band's place, even when it has as many seeds.
  const yardstick = spread.recipes.find((r) => r !== own) ?? own;
  const ownBand = own && own !== yardstick ? own : undefined;
  const legend = [
    yardstick ? `Grey band: ${yardstick.recipe}'s range over ${yardstick.runs} seeds` : "",
    ownBand ? `red band: ${ownBand.recipe}'s over ${ownBand.runs}` : "",
  ].filter((s) => s !== "").join("; ");
  return zeroShotChart(points, {
    title: title ?? 'Zero-shot AUROC of each backbone ("normal." vs "pneumonia."), 95 % intervals',
    subtitle: "Backbones are chosen on the first two panels only; the rest are reported, never chosen on." +
      (legend ? ` ${legend}.` : ""),
    bands: [
      ...spread.bands.filter((b) => b.recipe === yardstick?.recipe),
      ...spread.bands.filter((b) => b.recipe === ownBand?.recipe).map((b) => ({ ...b, tone: "accent" as const })),
    ],
    roles: ZERO_SHOT_PANELS,
    references: chexzeroReferences(points),
    highlight,
  });
}

/**
 * One pretraining run's held-out checks (`heldout.csv` as `deno task pretrain` writes it: `step,auroc,logit_scale`)
 * as curve rows for `lossCurve`: step, AUROC in percent (`loss`) and `run`, in the file's row order. A step or AUROC
 * cell that is empty or not a number, or a ragged record, is an `InputError` naming the file, line and column.
 */
export async function readHeldOutCurve(file: string, run: string): Promise<LossRow[]> {
  const table = await readCsvRecords(file);
  if (!table.columns.includes("step") || !table.columns.includes("auroc")) {
    throw new InputError(`Cannot read ${file}: not a held-out curve (columns step, auroc)`);
  }
  return table.records.map((r) => ({
    step: csvNumber(table, r, "step", { integer: true, min: 0 }),
    loss: 100 * csvNumber(table, r, "auroc"),
    run,
  }));
}

/**
 * The held-out checks of the pretraining runs kept in `dir` (files `<name>.heldout.csv`, read by
 * {@link readHeldOutCurve}) whose names match `pattern`, as curve rows for `lossCurve`; run = the name without
 * `candidate-` and `.heldout.csv`; files in name order.
 */
export async function readHeldOutCurves(dir: string, pattern = /\.heldout\.csv$/): Promise<LossRow[]> {
  const rows: LossRow[] = [];
  const names = (await listChartFiles(dir)).filter((f) => f.endsWith(".heldout.csv") && pattern.test(f));
  for (const file of names) {
    const run = file.replace(/\.heldout\.csv$/, "").replace(/^candidate-/, "");
    rows.push(...await readHeldOutCurve(join(dir, file), run));
  }
  return rows;
}
