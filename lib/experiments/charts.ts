/**
 * The charts of a sweep, from its run records and per-image scores: ablation bars with error bars per question, ROC
 * and PR curves of the main variants, score distributions per class, and region heat maps over example test images.
 * They are drawn from every run of the results folder; runs off the sweep's base in a field it does not vary (e.g. a
 * partial sweep with another `--steps`) are shown apart, labelled with the difference, never pooled with the base's.
 * @module
 */
import {
  ablationBars,
  prCurves,
  regionAurocDots,
  type RegionAurocRow,
  regionHeatmapSvg,
  rocCurves,
  saveChart,
  saveSvg,
  scoreDistributions,
  type ScoreRow,
} from "../report/mod.ts";
import { prCurve, rocCurve } from "../metrics/mod.ts";
import { regionSet } from "../prompts/mod.ts";
import { join } from "../util/mod.ts";
import { aggregateScores } from "../eval/mod.ts";
import {
  ablationBarRows,
  ablationLevels,
  baseLevel,
  baseLevels,
  levelOf,
  type LevelSummary,
} from "./ablation_report.ts";
import {
  canonicalJson,
  canonicalMethod,
  type MethodSpec,
  PAPER_METHOD,
  type Question,
  type RunContext,
} from "./config.ts";
import { paths, readJsonOrNull, type RunRecord, type TrainedRecord } from "./store.ts";

/** What the bars' whiskers show: the bootstrap interval of a single seed, or mean ± std over several seeds. */
export function spreadNote(seeds: number, bootstrap: boolean): string {
  if (seeds > 1) return `mean ± std over ${seeds} seeds`;
  return bootstrap
    ? "one seed: whiskers show the 95 % bootstrap interval over test images"
    : "one seed: no spread to show (this metric has no bootstrap interval)";
}

/** The sweep a folder of records comes from: its questions and its base method (with any command-line overrides). */
export interface SweepShape {
  base: Readonly<MethodSpec>;
  questions: readonly Question[];
  /** The sweep's model and backend: runs of the folder with another are labelled with theirs. @default not compared */
  context?: Readonly<Partial<Pick<RunContext, "model" | "modelHash" | "backend">>>;
}

/** The method fields a run can differ in from the base, and how a label names them. */
const METHOD_FIELDS: Readonly<Record<keyof MethodSpec, string>> = {
  variant: "variant",
  regions: "regions",
  synthesis: "synthesis",
  scoring: "scoring",
  shots: "shots",
  steps: "steps",
  lr: "lr",
  momentum: "momentum",
  nCtx: "n-ctx",
  classWords: "class words",
  sides: "sides",
};

/** The context fields compared with {@link SweepShape.context} (the test set is the same for every run of a folder). */
const CONTEXT_FIELDS = { model: "model", modelHash: "model hash", backend: "backend" } as const;

/**
 * How run `r` differs from the sweep's base outside the fields `shown` (those the chart already tells runs apart
 * by), e.g. `steps 50, lr 0.01`; "" for a run of the base. A folder that also holds runs of another base (a partial
 * sweep with `--steps 50` beside the default's) so keeps them apart, labelled, instead of pooling them as seeds.
 */
export function offBase(r: RunRecord, sweep: SweepShape, shown: readonly (keyof MethodSpec)[]): string {
  const own: Partial<Record<keyof MethodSpec, unknown>> = {};
  for (const f of shown) own[f] = r.spec[f];
  // The base at this run's shown levels, with the fields its variant ignores fixed as its own were.
  const ref = canonicalMethod({ ...sweep.base, ...(own as Partial<MethodSpec>) });
  const parts: string[] = [];
  for (const [f, name] of Object.entries(METHOD_FIELDS) as [keyof MethodSpec, string][]) {
    // Records written before a field existed have the paper's value.
    const value = r.spec[f] ?? PAPER_METHOD[f];
    if (shown.includes(f) || canonicalJson(value) === canonicalJson(ref[f])) continue;
    parts.push(`${name} ${Array.isArray(value) ? value.join("/") : value}`);
  }
  for (const [f, name] of Object.entries(CONTEXT_FIELDS) as [keyof typeof CONTEXT_FIELDS, string][]) {
    const want = sweep.context?.[f];
    if (want !== undefined && r.spec[f] !== want) parts.push(`${name} ${r.spec[f]}`);
  }
  return parts.join(", ");
}

/** `label`, with how its runs differ from the base in parentheses when they do: `ppad (steps 100)`. */
function withOffBase(label: string, off: string): string {
  return off ? `${label} (${off})` : label;
}

/**
 * {@link ablationLevels} of every run in `records`: runs off the sweep's base (outside what each question varies)
 * are summarised apart, after the base's levels, their level labelled with the difference and never the base.
 */
export function sweepLevels(records: readonly RunRecord[], sweep: SweepShape, metric: string): LevelSummary[] {
  const out: LevelSummary[] = [];
  for (const q of sweep.questions) {
    const shown = Object.keys(q.vary) as (keyof MethodSpec)[];
    const groups = new Map<string, RunRecord[]>();
    for (const r of records) {
      if (!r.questions.includes(q.name)) continue;
      const off = offBase(r, sweep, shown);
      groups.set(off, [...(groups.get(off) ?? []), r]);
    }
    for (const off of [...groups.keys()].sort()) {
      for (const level of ablationLevels(groups.get(off)!, [q], metric, { base: sweep.base })) {
        out.push(off ? { ...level, level: withOffBase(level.level, off), base: false } : level);
      }
    }
  }
  return out;
}

/** Writes every chart into `out/charts/`; returns the written PNG paths. */
export async function writeSweepCharts(
  out: string,
  records: readonly RunRecord[],
  sweep: SweepShape,
  options: { testImages?: readonly Float32Array[]; resolution?: number } = {},
): Promise<string[]> {
  const { base, questions } = sweep;
  const dir = join(out, "charts");
  const pngs: string[] = [];
  const models = [...new Set(records.map((r) => r.spec.modelHash))].join(", ");
  for (const metric of ["auroc", "ap", "f1"] as const) {
    const levels = sweepLevels(records, sweep, metric);
    // One run: its 95 % bootstrap interval (when the metric has one) instead of a std that cannot exist.
    const rows = ablationBarRows(levels, { intervals: true });
    if (!rows.length) continue;
    const seeds = new Set(records.map((r) => r.spec.seed)).size;
    const saved = await saveChart(
      dir,
      `ablation-${metric}`,
      ablationBars(rows, {
        metric: `${metric === "auroc" ? "AUROC" : metric.toUpperCase()} (%)`,
        title: `Ablations on ${records[0].spec.dataset}: ${metric.toUpperCase()}`,
        subtitle: `${spreadNote(seeds, rows.some((r) => "lo" in r))}; ${records[0].nTest} test images; model ${models}`,
        highlight: baseLevels(levels),
      }),
    );
    pngs.push(saved.pngPath);
  }
  // Per-region AUROC of every configuration with more than one region (mean over seeds).
  const regionRows = regionAurocRows(records, sweep);
  if (regionRows.length) {
    const seeds = new Set(records.map((r) => r.spec.seed)).size;
    const saved = await saveChart(
      dir,
      "region-auroc",
      regionAurocDots(regionRows, {
        title: "Each region branch alone vs the aggregated image score (ppad5 regions)",
        subtitle: `test AUROC of each region's probability (dots) and of the image score (tick); ${
          seeds > 1 ? `mean over ${seeds} seeds` : "one seed"
        }; dashed: chance`,
      }),
    );
    pngs.push(saved.pngPath);
  }
  // Curves and distributions of the main variants: the runs (seed 0) of the question that varies the variant, which
  // holds every other field at the base.
  const variants = questions.find((q) => "variant" in q.vary);
  const compared = records.filter((r) => r.spec.seed === 0 && variants && r.questions.includes(variants.name));
  const main = compared.length ? compared : records.filter((r) => r.spec.seed === 0);
  // Curves are named by variant, and by how a run differs from the base outside what the sweep varies.
  const varied = (variants ? [variants] : questions).flatMap((q) => Object.keys(q.vary) as (keyof MethodSpec)[]);
  const scored: { rec: RunRecord; trained: TrainedRecord; scores: Float64Array; variant: string }[] = [];
  for (const rec of main) {
    const trained = await readJsonOrNull<TrainedRecord>(paths.trained(out, rec.trainingId));
    if (!trained) continue;
    const variant = withOffBase(rec.spec.variant, offBase(rec, sweep, ["variant", ...varied]));
    scored.push({ rec, trained, scores: aggregateScores(trained.probs, rec.spec.scoring), variant });
  }
  if (scored.length) {
    const roc = scored.map(({ rec, trained, scores, variant }) => {
      const c = rocCurve(trained.labels, scores);
      return { variant, fpr: c.fpr, tpr: c.tpr, auc: rec.metrics.auroc };
    });
    pngs.push((await saveChart(dir, "roc", rocCurves(roc, { title: "ROC curves of the main variants" }))).pngPath);
    const pr = scored.map(({ rec, trained, scores, variant }) => {
      const c = prCurve(trained.labels, scores);
      return { variant, recall: c.recall, precision: c.precision, ap: rec.metrics.ap };
    });
    const prevalence = scored[0].trained.labels.filter((l) => l === 1).length / scored[0].trained.labels.length;
    pngs.push((await saveChart(dir, "pr", prCurves(pr, { title: "Precision–recall curves", prevalence }))).pngPath);
    const rows: ScoreRow[] = scored.flatMap(({ trained, scores, variant }) =>
      Array.from(scores, (score, i) => ({ variant, label: trained.labels[i], score }))
    );
    pngs.push(
      (await saveChart(dir, "scores", scoreDistributions(rows, { title: "Anomaly scores per class", threshold: 0.5 })))
        .pngPath,
    );
  }
  // Region heat maps of the base run over example test images (2 normal, 2 abnormal), in the regions it recorded: the
  // run of the sweep's base itself when the folder holds it, else one at the base level of every question.
  const baseRun = scored.find((s) => offBase(s.rec, sweep, []) === "") ??
    scored.find((s) => questions.every((q) => levelOf(q, s.rec) === baseLevel(q, base)));
  const set = baseRun && options.resolution ? regionSet(baseRun.rec.spec.regions, options.resolution) : null;
  const named = set && baseRun
    ? baseRun.trained.regionNames.map((name) => set.regions.find((r) => r.name === name))
    : [];
  const regions = named.filter((r) => r !== undefined);
  // A run whose regions are not its set's own (copies of the whole image) has nothing to map.
  if (baseRun && options.testImages && options.resolution && regions.length > 0 && regions.length === named.length) {
    const picks = [
      ...baseRun.trained.labels.map((l, i) => [l, i]).filter(([l]) => l === 0).slice(0, 2),
      ...baseRun.trained.labels.map((l, i) => [l, i]).filter(([l]) => l === 1).slice(0, 2),
    ];
    for (const [label, i] of picks) {
      const svg = regionHeatmapSvg(options.testImages[i], baseRun.trained.probs[i], regions, {
        size: options.resolution,
        title: `${baseRun.trained.ids[i]} (${label ? "abnormal" : "normal"}), score ${baseRun.scores[i].toFixed(3)}`,
      });
      pngs.push((await saveSvg(dir, `heatmap-${label ? "abnormal" : "normal"}-${i}`, svg)).pngPath);
    }
  }
  return pngs;
}

/**
 * Rows of the per-region chart: for each trained configuration with several regions and stored diagnostics (scoring
 * `paper`), the mean over seeds of each `region_auroc:<region>` and of the image AUROC, in %. With `sweep`, runs off
 * its base in another field (e.g. steps) are a configuration of their own, labelled with it.
 */
export function regionAurocRows(records: readonly RunRecord[], sweep?: SweepShape): RegionAurocRow[] {
  const groups = new Map<string, RunRecord[]>();
  for (const r of records) {
    if (r.spec.scoring !== "paper" || !r.diagnostics) continue;
    const regions = Object.keys(r.diagnostics).filter((k) => k.startsWith("region_auroc:"));
    // The paper's five regions only (one colour per region), as the run recorded them: regions that are not the set's
    // own (copies of the whole image) are not branches.
    if (regions.length < 2 || r.spec.regions !== "ppad5") continue;
    const own = new Set(regionSet(r.spec.regions).regions.map((x) => x.name));
    if (!regions.every((k) => own.has(k.slice("region_auroc:".length)))) continue;
    const s = r.spec;
    const parts: string[] = [s.variant, s.synthesis];
    if (s.sides && s.sides !== "image") parts.push(`${s.sides} sides`);
    const off = sweep ? offBase(r, sweep, ["variant", "regions", "synthesis", "scoring", "sides"]) : "";
    if (off) parts.push(off);
    const key = parts.join(" · ");
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const rows: RegionAurocRow[] = [];
  for (const [config, runs] of groups) {
    const image = 100 * mean(runs.map((r) => r.metrics.auroc));
    const names = Object.keys(runs[0].diagnostics!).filter((k) => k.startsWith("region_auroc:"));
    for (const k of names) {
      const vals = runs.map((r) => r.diagnostics![k]).filter((v) => Number.isFinite(v));
      if (vals.length) rows.push({ config, region: k.slice("region_auroc:".length), auroc: 100 * mean(vals), image });
    }
  }
  return rows;
}
