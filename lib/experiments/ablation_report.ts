/**
 * Reading a finished sweep for a report: one summary per ablation question × level (mean ± std over seeds, the mean
 * bootstrap interval), the tables and chart rows built from it, and a short discussion whose every number is read
 * from the records (nothing hard-coded).
 * @module
 */
import { type AblationRow, formatMeanStd, meanStd } from "../report/mod.ts";
import { canonicalMethod, type MethodSpec, type Question } from "./config.ts";
import type { RunRecord } from "./store.ts";

/** One level of one ablation question, for one metric (values in % of the stored fractions). */
export interface LevelSummary {
  /** Question id, e.g. `prompts`. */
  question: string;
  /** Question title, e.g. `Text vs image prompts`. */
  title: string;
  /** What the question varies, as this run's label, e.g. `ppad`, `grid3x3`, `sas`. */
  level: string;
  metric: string;
  /** Runs (seeds) behind the level. */
  n: number;
  mean: number;
  /** Sample std over seeds; NaN with one seed. */
  std: number;
  /** Mean of the runs' 95% bootstrap bounds (`<metric>_lo`/`_hi`); NaN when not recorded. */
  lo: number;
  hi: number;
  /** True when this is the sweep's base configuration (its config's base, or the runs that answer every question). */
  base: boolean;
}

/** The label of what `q` varies, for a method (e.g. `sas`, or `ppad · grid3x3` when it varies two fields). */
function levelOfMethod(q: Question, method: Readonly<Partial<MethodSpec>>): string {
  return Object.keys(q.vary).map((k) => String((method as Record<string, unknown>)[k])).join(" · ");
}

/** The label of what `q` varies, for run `r` (e.g. `sas`, or `ppad · grid3x3` when it varies two fields). */
export function levelOf(q: Question, r: RunRecord): string {
  return levelOfMethod(q, r.spec);
}

/** The level of a sweep's `base` method in question `q`, as its runs record it (the method canonicalised). */
export function baseLevel(q: Question, base: Readonly<MethodSpec>): string {
  return levelOfMethod(q, canonicalMethod(base));
}

/** Options for {@link ablationLevels}. */
export interface AblationLevelsOptions {
  /** The sweep config's base method (with any overrides): its level in each question is the base. @default the level
   * of the runs that answer every question (when there are several questions) */
  base?: Readonly<MethodSpec>;
}

/**
 * Summaries of every question × level for `metric`, questions in the given order and levels in the order the
 * question lists them (by its first varied field; unlisted levels last). Questions without runs are left out.
 */
export function ablationLevels(
  records: readonly RunRecord[],
  questions: readonly Question[],
  metric = "auroc",
  options: AblationLevelsOptions = {},
): LevelSummary[] {
  const out: LevelSummary[] = [];
  const answeredBy = (r: RunRecord) => questions.filter((q) => r.questions.includes(q.name)).length;
  const isBase = (r: RunRecord) => questions.length > 1 && answeredBy(r) === questions.length;
  const { base } = options;
  for (const q of questions) {
    const mine = records.filter((r) => r.questions.includes(q.name));
    const listed = (Object.values(q.vary)[0] ?? []).map(String);
    const first = (level: string) => level.split(" · ")[0];
    const levels = [...new Set(mine.map((r) => levelOf(q, r)))]
      .sort((a, b) => rank(listed, first(a)) - rank(listed, first(b)));
    const baseName = base ? baseLevel(q, base) : null;
    for (const level of levels) {
      const runs = mine.filter((r) => levelOf(q, r) === level);
      const values = finite(runs.map((r) => r.metrics[metric] * 100));
      if (values.length === 0) continue;
      const { mean, std } = meanStd(values);
      const lo = meanStd(finite(runs.map((r) => r.metrics[`${metric}_lo`] * 100))).mean;
      const hi = meanStd(finite(runs.map((r) => r.metrics[`${metric}_hi`] * 100))).mean;
      out.push({
        question: q.name,
        title: q.title,
        level,
        metric,
        n: values.length,
        mean,
        std,
        lo,
        hi,
        base: baseName !== null ? level === baseName : runs.every(isBase),
      });
    }
  }
  return out;
}

function rank(listed: readonly string[], level: string): number {
  const i = listed.indexOf(level);
  return i < 0 ? listed.length : i;
}

function finite(values: readonly number[]): number[] {
  return values.filter((v) => Number.isFinite(v));
}

/**
 * Rows for `ablationBars` (`group` = question title, `variant` = level; a missing std is drawn as 0). With
 * `intervals`, a level of one run carries its 95% bootstrap interval (`lo`, `hi`) where it was recorded.
 */
export function ablationBarRows(
  levels: readonly LevelSummary[],
  options: { intervals?: boolean } = {},
): AblationRow[] {
  return levels.map((l) => ({
    group: l.title,
    variant: l.level,
    mean: l.mean,
    std: Number.isFinite(l.std) ? l.std : 0,
    ...(options.intervals && l.n === 1 && Number.isFinite(l.lo) && Number.isFinite(l.hi) ? { lo: l.lo, hi: l.hi } : {}),
  }));
}

/** The levels marked as the base (one per question, distinct), e.g. for `ablationBars`' `highlight`. */
export function baseLevels(levels: readonly LevelSummary[]): string[] {
  return [...new Set(levels.filter((l) => l.base).map((l) => l.level))];
}

/**
 * A wide table for display: one row per question × level, one `mean ± std` column per metric (the mean alone with
 * one seed), the number of seeds and the base marker. `metrics` are the summaries of each metric, same questions.
 */
export function ablationTableRows(
  byMetric: Readonly<Record<string, readonly LevelSummary[]>>,
  options: { digits?: number; labels?: Readonly<Record<string, string>> } = {},
): Record<string, string | number>[] {
  const digits = options.digits ?? 1;
  const metrics = Object.keys(byMetric);
  if (metrics.length === 0) return [];
  const key = (l: LevelSummary) => `${l.question}\u0000${l.level}`;
  const rows = new Map<string, Record<string, string | number>>();
  for (const metric of metrics) {
    for (const l of byMetric[metric]) {
      let row = rows.get(key(l));
      if (!row) {
        rows.set(key(l), row = { question: l.title, level: l.level + (l.base ? " (base)" : ""), seeds: l.n });
      }
      row[options.labels?.[metric] ?? metric] = formatMeanStd(l.mean, l.std, digits);
    }
  }
  return [...rows.values()];
}

/** Formats a level's value with its spread: `96.7 ± 0.4 (3 seeds)` or `96.7 (95% CI 94.1–98.2)` for one seed. */
export function describeLevel(l: LevelSummary, digits = 1): string {
  if (l.n > 1) return `${formatMeanStd(l.mean, l.std, digits)} (${l.n} seeds)`;
  if (Number.isFinite(l.lo) && Number.isFinite(l.hi)) {
    return `${l.mean.toFixed(digits)} (95% CI ${l.lo.toFixed(digits)}–${l.hi.toFixed(digits)})`;
  }
  return l.mean.toFixed(digits);
}

/**
 * Sentences that read the numbers of each question: the best and worst level, the spread, and which levels differ
 * from the base beyond its uncertainty (its std over seeds, or with one seed its 95% bootstrap interval). Every
 * number comes from `levels`; `metricLabel` names the metric in the text (e.g. `AUROC`).
 */
export function ablationDiscussion(levels: readonly LevelSummary[], metricLabel: string, digits = 1): string[] {
  const f = (x: number) => x.toFixed(digits);
  const sentences: string[] = [];
  const questions = [...new Set(levels.map((l) => l.question))];
  for (const q of questions) {
    const mine = levels.filter((l) => l.question === q);
    const title = mine[0].title;
    if (mine.length === 1) {
      sentences.push(`${title}: only ${mine[0].level} was run, ${metricLabel} ${describeLevel(mine[0], digits)}.`);
      continue;
    }
    const sorted = [...mine].sort((a, b) => b.mean - a.mean);
    const best = sorted[0], worst = sorted[sorted.length - 1];
    // levels that print the same value as the best (or worst) are named together
    const same = (a: LevelSummary, b: LevelSummary) => f(a.mean) === f(b.mean);
    const names = (ref: LevelSummary) => joinNames(sorted.filter((l) => same(l, ref)).map((l) => l.level));
    let text: string;
    if (same(best, worst)) {
      text = `${title}: every level scores the same, ${metricLabel} ${f(best.mean)}.`;
    } else {
      const tiedBest = sorted.filter((l) => same(l, best)).length > 1;
      const tiedWorst = sorted.filter((l) => same(l, worst)).length > 1;
      text = `${title}: ${names(best)} ${tiedBest ? "score" : "scores"} highest, ${metricLabel} ` +
        `${describeLevel(best, digits)}; ${names(worst)} ${tiedWorst ? "score" : "scores"} lowest, ` +
        `${describeLevel(worst, digits)} (a spread of ${f(best.mean - worst.mean)} points).`;
    }
    const base = mine.find((l) => l.base);
    if (base) {
      const band = uncertainty(base);
      if (band) {
        const above = mine.filter((l) => l !== base && l.mean > band.hi).map((l) => l.level);
        const below = mine.filter((l) => l !== base && l.mean < band.lo).map((l) => l.level);
        const within = mine.filter((l) => l !== base && l.mean >= band.lo && l.mean <= band.hi).map((l) => l.level);
        const parts: string[] = [];
        if (above.length) parts.push(`above it: ${above.join(", ")}`);
        if (below.length) parts.push(`below it: ${below.join(", ")}`);
        if (within.length) parts.push(`within it: ${within.join(", ")}`);
        text += ` Against the base (${base.level}, ${band.what} ${f(band.lo)}–${f(band.hi)}), ${parts.join("; ")}.`;
      }
    }
    sentences.push(text);
  }
  const spreads = questions.map((q) => {
    const means = levels.filter((l) => l.question === q).map((l) => l.mean);
    return { title: levels.find((l) => l.question === q)!.title, spread: Math.max(...means) - Math.min(...means) };
  }).filter((s) => Number.isFinite(s.spread));
  if (spreads.length > 1) {
    const top = spreads.reduce((a, b) => (b.spread > a.spread ? b : a));
    sentences.push(`Of the questions, "${top.title}" moves ${metricLabel} the most (${f(top.spread)} points).`);
  }
  return sentences;
}

/** `a`, `a and b`, `a, b and c`. */
function joinNames(names: readonly string[]): string {
  return names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** The band a difference from `l` must leave to count: mean ± std over seeds, else the bootstrap interval. */
function uncertainty(l: LevelSummary): { lo: number; hi: number; what: string } | null {
  if (l.n > 1 && Number.isFinite(l.std)) return { lo: l.mean - l.std, hi: l.mean + l.std, what: "mean ± std" };
  if (Number.isFinite(l.lo) && Number.isFinite(l.hi)) return { lo: l.lo, hi: l.hi, what: "95% bootstrap interval" };
  return null;
}

/**
 * The questions of the sweep configs `configs` that `records` answer, in the configs' order, and the names of
 * questions the records answer that no config defines (a folder written by another config).
 */
export function answeredQuestions(
  records: readonly RunRecord[],
  configs: readonly { questions: readonly Question[] }[],
): { questions: Question[]; unknown: string[] } {
  const known = configs.flatMap((c) => c.questions);
  const asked = new Set(records.flatMap((r) => r.questions));
  return {
    questions: known.filter((q) => asked.has(q.name)),
    unknown: [...asked].filter((name) => !known.some((q) => q.name === name)),
  };
}

/** The metrics an ablation report summarises, in display order. */
export const ABLATION_METRICS = ["auroc", "ap", "f1", "acc", "f1max"] as const;
/** One of {@link ABLATION_METRICS}. */
export type AblationMetric = typeof ABLATION_METRICS[number];

/** {@link ablationLevels} of every metric of {@link ABLATION_METRICS}. */
export function ablationLevelsByMetric(
  records: readonly RunRecord[],
  questions: readonly Question[],
): Record<AblationMetric, LevelSummary[]> {
  return Object.fromEntries(ABLATION_METRICS.map((m) => [m, ablationLevels(records, questions, m)])) as Record<
    AblationMetric,
    LevelSummary[]
  >;
}

/** The training loss of every trained run answering `question`: `{ step, loss, run }` rows, run = `<level> s<seed>`. */
export function questionLossRows(
  records: readonly RunRecord[],
  question: Question,
): { step: number; loss: number; run: string }[] {
  return records
    .filter((r) => r.questions.includes(question.name) && r.losses.length > 0)
    .flatMap((r) => {
      const run = `${levelOf(question, r)} s${r.spec.seed}`;
      return r.losses.map((loss, step) => ({ step: step + 1, loss, run }));
    });
}

/** What the lead sentences of an ablation discussion say about the runs behind them. */
export interface SweepFacts {
  seeds: number;
  testImages: string;
  dataset: string;
  modelHash: string;
}

/**
 * The lead of the discussion: the base configuration's AUROC against the frozen model's zero-shot (from the AUROC
 * `levels`, when both are there), and what the numbers are (seeds, test images, data set, model).
 */
export function ablationLead(levels: readonly LevelSummary[], facts: SweepFacts): string[] {
  const base = levels.find((l) => l.base);
  const zeroshot = levels.find((l) => l.level === "zeroshot");
  const lead: string[] = [];
  if (base && zeroshot) {
    const d = base.mean - zeroshot.mean;
    lead.push(
      `The base configuration (${base.level}) reaches AUROC ${base.mean.toFixed(1)} %, ` +
        `${Math.abs(d).toFixed(1)} points ${d >= 0 ? "above" : "below"} the frozen model's zero-shot ` +
        `${zeroshot.mean.toFixed(1)} %.`,
    );
  }
  lead.push(
    `These are ${facts.seeds} seed${facts.seeds === 1 ? "" : "s"} on ${facts.testImages} test images of ` +
      `${facts.dataset} with model ${facts.modelHash}` +
      (facts.dataset.startsWith("synthetic")
        ? " (the synthetic benchmark and the embedded model, not the paper's data)."
        : "."),
  );
  return lead;
}
