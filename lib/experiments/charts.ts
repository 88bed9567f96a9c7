/**
 * The charts of a sweep, from its run records and per-image scores: ablation bars with error bars per question, ROC
 * and PR curves of the main variants, score distributions per class, and region heat maps over example test images.
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
import { ablationBarRows, ablationLevels, baseLevel, baseLevels, levelOf } from "./ablation_report.ts";
import type { MethodSpec, Question } from "./config.ts";
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
  for (const metric of ["auroc", "ap", "f1"] as const) {
    const levels = ablationLevels(records, questions, metric, { base });
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
        subtitle: `${spreadNote(seeds, rows.some((r) => "lo" in r))}; ${records[0].nTest} test images; model ${
          records[0].spec.modelHash
        }`,
        highlight: baseLevels(levels),
      }),
    );
    pngs.push(saved.pngPath);
  }
  // Per-region AUROC of every configuration with more than one region (mean over seeds).
  const regionRows = regionAurocRows(records);
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
  const scored: { rec: RunRecord; trained: TrainedRecord; scores: Float64Array }[] = [];
  for (const rec of main) {
    const trained = await readJsonOrNull<TrainedRecord>(paths.trained(out, rec.trainingId));
    if (!trained) continue;
    scored.push({ rec, trained, scores: aggregateScores(trained.probs, rec.spec.scoring) });
  }
  if (scored.length) {
    const roc = scored.map(({ rec, trained, scores }) => {
      const c = rocCurve(trained.labels, scores);
      return { variant: rec.spec.variant, fpr: c.fpr, tpr: c.tpr, auc: rec.metrics.auroc };
    });
    pngs.push((await saveChart(dir, "roc", rocCurves(roc, { title: "ROC curves of the main variants" }))).pngPath);
    const pr = scored.map(({ rec, trained, scores }) => {
      const c = prCurve(trained.labels, scores);
      return { variant: rec.spec.variant, recall: c.recall, precision: c.precision, ap: rec.metrics.ap };
    });
    const prevalence = scored[0].trained.labels.filter((l) => l === 1).length / scored[0].trained.labels.length;
    pngs.push((await saveChart(dir, "pr", prCurves(pr, { title: "Precision–recall curves", prevalence }))).pngPath);
    const rows: ScoreRow[] = scored.flatMap(({ rec, trained, scores }) =>
      Array.from(scores, (score, i) => ({ variant: rec.spec.variant, label: trained.labels[i], score }))
    );
    pngs.push(
      (await saveChart(dir, "scores", scoreDistributions(rows, { title: "Anomaly scores per class", threshold: 0.5 })))
        .pngPath,
    );
  }
  // Region heat maps of the base run over example test images (2 normal, 2 abnormal), in the regions it recorded.
  const baseRun = scored.find((s) => questions.every((q) => levelOf(q, s.rec) === baseLevel(q, base)));
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
 * `paper`), the mean over seeds of each `region_auroc:<region>` and of the image AUROC, in %.
 */
export function regionAurocRows(records: readonly RunRecord[]): RegionAurocRow[] {
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
    const key = [s.variant, s.synthesis, ...(s.sides && s.sides !== "image" ? [`${s.sides} sides`] : [])].join(" · ");
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
