/**
 * Does fitting the pretraining corpus better transfer to ZhangLab? Every network trained on the corpus (the contrastive
 * backbones of `deno task pretrain` and the plain classifiers of `experiments/yardstick/classifier.py`) as one point:
 * its held-out AUROC (the choosing set) against its ZhangLab test AUROC (reported only). Rank correlations across
 * recipes (each recipe's mean over its seeds) and within recipes (each seed's distance from its recipe's mean), with
 * seeded bootstrap intervals, and a scatter chart of the runs.
 * @module
 */
import * as aq from "arquero";
import * as Plot from "@observablehq/plot";
import { BASE_STYLE, type ColumnTable, toTidy, type ZeroShotPoint } from "../report/mod.ts";
import { _percentile } from "../metrics/bootstrap.ts";
import { join, type Rng } from "../util/mod.ts";
import { readModelCard } from "../encoders/mod.ts";
import { backboneName, heldOutAndZhangLab, readZeroShotTables, seedRecipe, zeroShotPoints } from "./backbone_report.ts";
import { listYardstickTables, readYardstickTables, yardstickPanel, type YardstickRow } from "./yardstick.ts";

/** One network trained on the corpus: its final held-out and ZhangLab AUROC, in percent. */
export interface TransferPoint {
  /** The run, e.g. `real-1200-seed2` or `ViT · 6 epochs / seed 3`. */
  run: string;
  /** The runs that differ only by their seed, e.g. `real-1200` or `ViT · 6 epochs`. */
  recipe: string;
  /** A coarser group for the chart's colours, e.g. `CLIP · 1200 steps` or `ResNet-18 · 6 epochs`. */
  family: string;
  /** `CLIP` for a contrastive backbone, `classifier` for a yardstick classifier. */
  kind: "CLIP" | "classifier";
  /** Whether the weights are an average along another run's training (not a run of their own). */
  averaged: boolean;
  heldOut: number;
  zhangLab: number;
}

/**
 * The contrastive backbones among zero-shot points that have both a held-out and a ZhangLab AUROC. A backbone's recipe
 * is its name without a trailing `-seedN` (`seedRecipe`); `stepsOf(recipe)` gives its pretraining length (its family is
 * `CLIP · N steps`), or `undefined` to leave the backbone out (e.g. one not trained on the corpus).
 */
export function backboneTransferPoints(
  points: readonly ZeroShotPoint[],
  stepsOf: (recipe: string) => number | undefined,
): TransferPoint[] {
  const out: TransferPoint[] = [];
  for (const model of new Set(points.map((p) => p.model))) {
    const { heldOut: held, zhangLab: zhang } = heldOutAndZhangLab(points, model);
    const recipe = seedRecipe(model);
    const steps = stepsOf(recipe);
    if (!held || !zhang || steps === undefined) continue;
    out.push({
      run: model,
      recipe,
      family: `CLIP · ${steps} steps`,
      kind: "CLIP",
      averaged: false,
      heldOut: held.auroc,
      zhangLab: zhang.auroc,
    });
  }
  return out;
}

/**
 * The pretraining length of a backbone recipe named the platform's way: the number ending its name (`real-1200`,
 * `prompts-real100-500`), else `defaults[recipe]` where that is an integer (e.g. the embedded default's name and its
 * card's steps); otherwise `undefined`.
 */
export function stepsFromName(recipe: string, defaults: Readonly<Record<string, number>> = {}): number | undefined {
  const m = /-(\d+)$/.exec(recipe);
  if (m) return Number(m[1]);
  const steps = Object.hasOwn(defaults, recipe) ? defaults[recipe] : undefined;
  return Number.isInteger(steps) ? steps : undefined;
}

/**
 * The yardstick classifiers, one point per run (network, run length and seed) scored after its last epoch on both
 * sets. The recipe is the network and length (`ViT, weights EMA 0.99 · 6 epochs`); the family puts the averages of
 * one network's weights together (`ViT, averaged weights · 6 epochs`).
 */
export function yardstickTransferPoints(rows: readonly YardstickRow[]): TransferPoint[] {
  const last = rows.filter((r) => r.epoch === r.epochs);
  const out = new Map<string, TransferPoint>();
  for (const r of last) {
    const recipe = yardstickPanel(r);
    const run = `${recipe} / seed ${r.seed}`;
    const averaged = /, weights /.test(r.network);
    const network = averaged ? `${r.network.split(",")[0]}, averaged weights` : r.network;
    const family = yardstickPanel({ network, epochs: r.epochs });
    const p: TransferPoint = out.get(run) ??
      { run, recipe, family, kind: "classifier", averaged, heldOut: NaN, zhangLab: NaN };
    if (r.set === "held-out real") p.heldOut = r.auroc;
    else p.zhangLab = r.auroc;
    out.set(run, p);
  }
  return [...out.values()].filter((p) => Number.isFinite(p.heldOut) && Number.isFinite(p.zhangLab));
}

/**
 * Every network trained on the corpus that a results folder holds: the backbones of its `zero-shot.csv` and
 * `candidates-zero-shot.csv` (either may be absent), then the classifiers of its `yardstick-classifier*.csv`. A
 * backbone's length comes from its name ({@link stepsFromName}), or, for `defaultModel` (a checkpoint path, e.g. the
 * embedded default, named by its folder), from its card's `training.steps`; a backbone of neither is left out.
 */
export async function readTransferPoints(dir: string, defaultModel?: string): Promise<TransferPoint[]> {
  const defaults: Record<string, number> = {};
  if (defaultModel) defaults[backboneName(defaultModel)] = Number((await readModelCard(defaultModel))?.training?.steps);
  const tables = [join(dir, "zero-shot.csv"), join(dir, "candidates-zero-shot.csv")];
  const backbones = zeroShotPoints(await readZeroShotTables(tables, { skipMissing: true }));
  return [
    ...backboneTransferPoints(backbones, (recipe) => stepsFromName(recipe, defaults)),
    ...yardstickTransferPoints(await readYardstickTables(await listYardstickTables(dir))),
  ];
}

/**
 * Spearman's rank correlation of paired values (ties get their average rank; Pearson's correlation of the ranks, via
 * arquero's `avg_rank` and `corr`). `NaN` for fewer than 3 pairs or when either side is constant.
 * @param xs `[n]`
 * @param ys `[n]`
 */
export function spearman(xs: readonly number[], ys: readonly number[]): number {
  if (xs.length !== ys.length) throw new RangeError(`Cannot rank-correlate ${xs.length} values with ${ys.length}`);
  if (xs.length < 3) return NaN;
  const rho = aq.table({ x: [...xs], y: [...ys] })
    .orderby("x").derive({ rx: () => aq.op.avg_rank() })
    .orderby("y").derive({ ry: () => aq.op.avg_rank() })
    .rollup({ rho: aq.op.corr("rx", "ry") })
    .get("rho", 0) as number;
  return Number.isFinite(rho) ? rho : NaN;
}

/** A rank correlation between held-out and ZhangLab AUROC over some transfer points. */
export interface TransferCorrelation {
  /** `CLIP`, `classifier` or `every network`. */
  networks: string;
  /** `across recipes` (one point per recipe: its seeds' mean) or `within recipes` (each seed minus its recipe's mean). */
  comparison: "across recipes" | "within recipes";
  /** Points correlated: recipes across, runs (of recipes with ≥ 2 seeds) within. */
  n: number;
  spearman: number;
  /**
   * 95 % percentile-bootstrap interval: recipes resampled with replacement, each drawn recipe bringing all its points
   * (a seed's deviation depends on its recipe's other seeds, so seeds are not resampled one by one); resamples with
   * fewer than 3 points or a constant side skipped.
   */
  lo: number;
  hi: number;
}

const mean = (xs: readonly number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;

/**
 * Pairs of (held-out, ZhangLab) for one comparison, one cluster per recipe: its seeds' means across recipes (a cluster of
 * one pair), its seeds' deviations from those means within recipes (recipes with ≥ 2 seeds only).
 */
function comparisonClusters(points: readonly TransferPoint[], comparison: TransferCorrelation["comparison"]) {
  const clusters: [number, number][][] = [];
  for (const runs of Map.groupBy(points, (p) => p.recipe).values()) {
    const h = mean(runs.map((p) => p.heldOut)), z = mean(runs.map((p) => p.zhangLab));
    if (comparison === "across recipes") clusters.push([[h, z]]);
    else if (runs.length >= 2) clusters.push(runs.map((p): [number, number] => [p.heldOut - h, p.zhangLab - z]));
  }
  return clusters;
}

const spearmanOfPairs = (pairs: readonly (readonly [number, number])[]) =>
  spearman(pairs.map((p) => p[0]), pairs.map((p) => p[1]));

/**
 * Spearman's correlation of held-out against ZhangLab AUROC across recipes and within recipes, for the contrastive
 * backbones, the classifiers and both together, each with a 95 % bootstrap interval of `resamples` draws of recipes
 * from `rng`. Averages of another run's weights are left out (they share that run's training, so they are not independent
 * points); so are comparisons with fewer than 3 points.
 */
export function transferCorrelations(
  all: readonly TransferPoint[],
  rng: Rng,
  resamples = 1000,
): TransferCorrelation[] {
  const points = all.filter((p) => !p.averaged);
  const groups: [string, TransferPoint[]][] = [
    ["CLIP", points.filter((p) => p.kind === "CLIP")],
    ["classifier", points.filter((p) => p.kind === "classifier")],
    ["every network", [...points]],
  ];
  const out: TransferCorrelation[] = [];
  for (const [networks, group] of groups) {
    for (const comparison of ["across recipes", "within recipes"] as const) {
      const clusters = comparisonClusters(group, comparison);
      const pairs = clusters.flat();
      const rho = spearmanOfPairs(pairs);
      if (!Number.isFinite(rho)) continue;
      const draws: number[] = [];
      for (let b = 0; b < resamples; b++) {
        const sample = clusters.flatMap(() => clusters[Math.floor(rng.next() * clusters.length)]);
        const r = spearmanOfPairs(sample);
        if (Number.isFinite(r)) draws.push(r);
      }
      const sorted = Float64Array.from(draws).sort();
      const [lo, hi] = sorted.length > 0 ? [_percentile(sorted, 0.025), _percentile(sorted, 0.975)] : [NaN, NaN];
      out.push({ networks, comparison, n: pairs.length, spearman: rho, lo, hi });
    }
  }
  return out;
}

/** `x` rounded to `digits` decimals (for tables: no floating-point noise such as 63.717999999999996). */
const round = (x: number, digits: number) => Number(x.toFixed(digits));

/**
 * The transfer points as a tidy table: one row per run × set (`run, recipe, family, kind, set, auroc`), AUROC in
 * percent to 3 decimals.
 */
export function transferTable(points: readonly TransferPoint[]): ColumnTable {
  return toTidy(points.flatMap((p) =>
    (
      [["held-out real (chooses)", p.heldOut], ["ZhangLab test (reported only)", p.zhangLab]] as const
    ).map(([set, auroc]) => ({
      run: p.run,
      recipe: p.recipe,
      family: p.family,
      kind: p.kind,
      set,
      auroc: round(auroc, 3),
    }))
  ));
}

/**
 * The correlations as a tidy table (`networks, comparison, n, spearman, lo, hi, resamples, seed`: one row per
 * correlation, ρ and its interval to 4 decimals), with its columns even when there is none.
 */
export function transferCorrelationTable(
  correlations: readonly TransferCorrelation[],
  bootstrap: { resamples: number; seed: number },
): ColumnTable {
  const column = <T>(f: (c: TransferCorrelation) => T) => correlations.map(f);
  return aq.table({
    networks: column((c) => c.networks),
    comparison: column((c) => c.comparison),
    n: column((c) => c.n),
    spearman: column((c) => round(c.spearman, 4)),
    lo: column((c) => round(c.lo, 4)),
    hi: column((c) => round(c.hi, 4)),
    resamples: column(() => bootstrap.resamples),
    seed: column(() => bootstrap.seed),
  });
}

/** Blues for the contrastive backbones' families (lighter = shorter), other hues for the classifiers'. */
const CLIP_BLUES = ["#9ecae1", "#4292c6", "#08306b", "#6baed6", "#2171b5"];
const CLASSIFIER_HUES = ["#e45756", "#f58518", "#54a24b", "#9d755d", "#b279a2", "#ff9da6", "#eeca3b", "#72b7b2"];

/**
 * Held-out AUROC (x) against ZhangLab AUROC (y), one dot per run (triangles: contrastive backbones, circles:
 * classifiers), coloured by family; a thin least-squares line through the seeds of each recipe with at least 3; a
 * dashed line at `goal` on ZhangLab and labels for the runs in `labels` (`[run, text]`).
 */
export function transferChart(
  points: readonly TransferPoint[],
  options: {
    goal?: number;
    labels?: readonly (readonly [run: string, text: string])[];
    title?: string;
    subtitle?: string;
  } = {},
): Plot.PlotOptions {
  const steps = (f: string) => Number(/(\d+) steps/.exec(f)?.[1] ?? 0);
  const clip = [...new Set(points.filter((p) => p.kind === "CLIP").map((p) => p.family))]
    .sort((a, b) => steps(a) - steps(b));
  // Classifier families: plain networks before variants (`ViT, …`), each by its runs' mean held-out AUROC.
  const byFamily = Map.groupBy(points.filter((p) => p.kind === "classifier"), (p) => p.family);
  const heldOutMean = (f: string) => mean(byFamily.get(f)!.map((p) => p.heldOut));
  const isVariant = (f: string) => f.split(" · ")[0].includes(",");
  const classifiers = [...byFamily.keys()]
    .sort((a, b) => Number(isVariant(a)) - Number(isVariant(b)) || heldOutMean(a) - heldOutMean(b));
  const domain = [...clip, ...classifiers];
  const range = [
    ...clip.map((_, i) => CLIP_BLUES[i % CLIP_BLUES.length]),
    ...classifiers.map((_, i) => CLASSIFIER_HUES[i % CLASSIFIER_HUES.length]),
  ];
  const seeded = [...Map.groupBy(points, (p) => p.recipe).values()].filter((g) => g.length >= 3).flat();
  const labelled = (options.labels ?? []).flatMap(([run, text]) =>
    points.filter((p) => p.run === run).map((p) => ({ ...p, text }))
  );
  const held = points.map((p) => p.heldOut), zhang = points.map((p) => p.zhangLab);
  const x = [Math.floor(Math.min(...held) / 5) * 5, Math.ceil(Math.max(...held) / 5) * 5];
  const y = [Math.floor(Math.min(...zhang) / 5) * 5, Math.ceil(Math.max(...zhang, options.goal ?? 0) / 5) * 5 + 2];
  return {
    title: options.title ??
      "Held-out AUROC (the choosing set) against ZhangLab AUROC, every network trained on the corpus",
    subtitle: options.subtitle ??
      `${points.length} networks trained on the adult corpus, each scored after its last step or epoch; ` +
        "lines: least squares through the seeds of one recipe (≥ 3 seeds)",
    width: 760,
    height: 520,
    marginRight: 20,
    style: BASE_STYLE,
    grid: true,
    x: { label: "held-out real AUROC (%), the choosing set →", domain: x },
    y: { label: "↑ ZhangLab test AUROC (%), reported only", domain: y },
    color: { legend: true, domain, range },
    marks: [
      ...(options.goal === undefined ? [] : [
        Plot.ruleY([options.goal], { stroke: "#333", strokeDasharray: "4,3" }),
        Plot.text([options.goal], {
          x: x[0],
          y: (d: number) => d,
          text: (d: number) => `goal ${d}`,
          textAnchor: "start",
          dx: 4,
          dy: -6,
          fill: "#333",
        }),
      ]),
      Plot.linearRegressionY(seeded, { x: "heldOut", y: "zhangLab", z: "recipe", stroke: "family", ci: 0 }),
      Plot.dot(points.filter((p) => p.kind === "CLIP"), {
        x: "heldOut",
        y: "zhangLab",
        fill: "family",
        symbol: "triangle",
        r: 5,
        stroke: "white",
        strokeWidth: 0.5,
      }),
      Plot.dot(points.filter((p) => p.kind === "classifier"), {
        x: "heldOut",
        y: "zhangLab",
        fill: "family",
        r: 4,
        stroke: "white",
        strokeWidth: 0.5,
      }),
      Plot.text(labelled, {
        x: "heldOut",
        y: "zhangLab",
        text: "text",
        textAnchor: "start",
        dx: 7,
        fill: "#333",
        stroke: "white",
        strokeWidth: 3,
        paintOrder: "stroke",
      }),
    ],
  };
}
