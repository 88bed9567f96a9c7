/**
 * The rule that chooses a pretraining recipe, as code: a candidate replaces the baseline recipe when it scores above
 * the baseline's range over seeds on one choosing set (the held-out real slice, the synthetic benchmark) and not below
 * that range on the other. A run inside the range on both is not better: one run cannot tell it from the seed. No other
 * evaluation set (ZhangLab, the lesion probe) enters the verdict.
 * @module
 */
import { InputError } from "../util/mod.ts";
import { CHOOSING_PANELS, seedRange, seedRecipe } from "./backbone_report.ts";
import { bandRange, type LossRow, type ZeroShotPoint } from "../report/mod.ts";

/** Where a candidate's AUROC lies against the baseline recipe's range over seeds. */
export type RangePosition = "above" | "inside" | "below";

/** One candidate against the baseline recipe on the choosing sets (AUROC in percent). */
export interface RecipeVerdict {
  candidate: string;
  /** The baseline recipe (see `seedRecipe`) and how many seeds of it span the range. */
  baseline: string;
  baselineRuns: number;
  /** Per choosing panel, in {@link CHOOSING_PANELS}' order. */
  sets: { panel: string; auroc: number; lo: number; hi: number; position: RangePosition }[];
  /** Above the range on one choosing set and not below it on the other. */
  better: boolean;
}

/**
 * Judges each candidate (a backbone name of `points`; by default every backbone not of the baseline recipe, in order of
 * appearance) against the range of `baseline` (a recipe: the backbones named `baseline` and `baseline-seed<N>`, see
 * `seedRange`) on the choosing sets. Throws an `InputError` when the baseline or a candidate lacks a choosing set, or a
 * candidate is one of the baseline's own seeds.
 */
export function judgeCandidates(
  points: readonly ZeroShotPoint[],
  baseline: string,
  candidates?: readonly string[],
): RecipeVerdict[] {
  const seeds = new Set(points.filter((p) => seedRecipe(p.model) === baseline).map((p) => p.model));
  if (seeds.size === 0) throw new InputError(`choosing rule: no backbone of the baseline recipe ${baseline}`);
  const spread = seedRange(points, baseline);
  const ranges = CHOOSING_PANELS.map((panel) => {
    const range = spread.find((r) => r.role === panel);
    if (!range || range.runs < seeds.size) {
      throw new InputError(`choosing rule: a seed of ${baseline} has no ${panel} AUROC`);
    }
    return { panel, lo: range.lo, hi: range.hi };
  });
  const judged = candidates ??
    [...new Set(points.map((p) => p.model))].filter((model) => seedRecipe(model) !== baseline);
  return judged.map((candidate) => {
    if (seeds.has(candidate)) throw new InputError(`choosing rule: ${candidate} is a seed of the baseline ${baseline}`);
    const sets = ranges.map(({ panel, lo, hi }) => {
      const point = points.find((p) => p.model === candidate && p.role === panel);
      if (!point) throw new InputError(`choosing rule: ${candidate} has no ${panel} AUROC`);
      const position: RangePosition = point.auroc > hi ? "above" : point.auroc < lo ? "below" : "inside";
      return { panel, auroc: point.auroc, lo, hi, position };
    });
    const better = sets.some((s) => s.position === "above") && sets.every((s) => s.position !== "below");
    return { candidate, baseline, baselineRuns: seeds.size, sets, better };
  });
}

/**
 * Verdicts as a table a person reads: one row per candidate, each choosing set as `AUROC (position of lo–hi)`, then
 * the verdict.
 */
export function verdictTable(verdicts: readonly RecipeVerdict[]): Record<string, string>[] {
  return verdicts.map((v) => ({
    candidate: v.candidate,
    "baseline (seeds)": `${v.baseline} (${v.baselineRuns})`,
    ...Object.fromEntries(
      v.sets.map((s) => [
        s.panel.replace(" (chooses)", ""),
        `${s.auroc.toFixed(1)} (${s.position} ${s.lo.toFixed(1)}–${s.hi.toFixed(1)})`,
      ]),
    ),
    verdict: v.better ? "better" : "not better",
  }));
}

/**
 * Verdicts as tidy rows: one per candidate × choosing set (`candidate, baseline, baseline_runs, set, auroc, range_lo,
 * range_hi, position, better`), AUROC in percent.
 */
export function verdictRows(verdicts: readonly RecipeVerdict[]): Record<string, string | number | boolean>[] {
  return verdicts.flatMap((v) =>
    v.sets.map((s) => ({
      candidate: v.candidate,
      baseline: v.baseline,
      baseline_runs: v.baselineRuns,
      set: s.panel.replace(" (chooses)", ""),
      auroc: Math.round(s.auroc * 100) / 100,
      range_lo: Math.round(s.lo * 100) / 100,
      range_hi: Math.round(s.hi * 100) / 100,
      position: s.position,
      better: v.better,
    }))
  );
}

/** How one run's curve lies against a band of other runs: at how many steps below, inside and above their range. */
export interface CurveAgainstBand {
  run: string;
  /** Steps compared: those at which the run and every band run have a value. */
  checks: number;
  below: number;
  inside: number;
  above: number;
}

/**
 * Compares each run of `rows` outside `bandRuns` (in order of appearance) with the band runs' range (lowest to highest)
 * step by step, e.g. a candidate's held-out checks (`{ step, loss: auroc, run }`) against a recipe's seeds. Only the
 * steps at which every band run and the run have a finite value count. Throws an `InputError` with fewer than two band runs in the rows.
 */
export function curvesAgainstBand(rows: readonly LossRow[], bandRuns: readonly string[]): CurveAgainstBand[] {
  const inBand = new Set(bandRuns);
  const banded = rows.filter((r) => inBand.has(r.run ?? "") && Number.isFinite(r.loss));
  const present = new Set(banded.map((r) => r.run)).size;
  if (present < 2) throw new InputError(`curves against a band: ${present} of the band's runs in the rows, need 2`);
  const range = new Map(bandRange(banded).filter((b) => b.runs === present).map((b) => [b.step, [b.lo, b.hi]]));
  const runs = [...new Set(rows.map((r) => r.run ?? "").filter((run) => !inBand.has(run)))];
  return runs.map((run) => {
    const counts = { run, checks: 0, below: 0, inside: 0, above: 0 };
    for (const r of rows) {
      const lohi = (r.run ?? "") === run ? range.get(r.step) : undefined;
      if (!lohi || !Number.isFinite(r.loss)) continue;
      counts.checks++;
      counts[r.loss < lohi[0] ? "below" : r.loss > lohi[1] ? "above" : "inside"]++;
    }
    return counts;
  });
}
