/**
 * The platform's standard charts, as pure functions from tidy rows to Observable Plot options (render them with
 * `renderPlot`, save them with `saveChart`, show them with `showPlot`). None needs a canvas.
 * @module
 */
import * as Plot from "@observablehq/plot";
import { textWidth } from "./plot.ts";
import { formatMeanStd } from "./tables.ts";

/** Colours for the two classes in score charts. */
export const CLASS_COLORS = { normal: "#4c78a8", abnormal: "#e45756" } as const;
/** The style every standard chart shares: 11 px text on white, marks may overflow the frame. */
export const BASE_STYLE = { fontSize: "11px", background: "white", overflow: "visible" };

// ------------------------------------------------------------------------------------------------ ablation bars

/** One bar of an ablation chart: `mean ± std` of a metric for one variant of one ablation question (`group`). */
export interface AblationRow {
  group: string;
  variant: string;
  mean: number;
  std: number;
  /** An interval to draw instead of ± std (e.g. the 95 % bootstrap interval of a single run). */
  lo?: number;
  hi?: number;
}

/** Options for {@link ablationBars}. */
export interface AblationBarsOptions {
  /** Metric name for the axis, e.g. `"AUROC (%)"`. */
  metric: string;
  title?: string;
  subtitle?: string;
  /** Value axis domain. @default [0, 1] when every mean + std ≤ 1, else [0, max(mean + std)] */
  domain?: [number, number];
  /** Variants drawn in the accent colour (e.g. the full method). @default none */
  highlight?: readonly string[];
  /** Decimals in the value labels. @default 1 when the domain exceeds 1, else 3 */
  digits?: number;
  /** @default 720 */
  width?: number;
}

/**
 * Horizontal bars with ± std error bars (or each row's `lo`–`hi` interval when given) and value labels, grouped under a bold heading per ablation question
 * (`group`), variants in row order. Rows `[n]` of {@link AblationRow}.
 */
export function ablationBars(rows: readonly AblationRow[], options: AblationBarsOptions): Plot.PlotOptions {
  const data = rows.map((r) => ({ ...r, key: `${r.group}\u0000${r.variant}` }));
  const max = Math.max(
    0,
    ...data.map((r) => Number.isFinite(r.hi) ? r.hi! : r.mean + (Number.isFinite(r.std) ? r.std : 0)),
  );
  // Room on the right for the value labels (longer when they carry an interval).
  const room = data.some((r) => Number.isFinite(r.lo) && Number.isFinite(r.hi)) ? 1.25 : 1.12;
  const domain = options.domain ?? (max <= 1 ? [0, 1] : [0, max * room]);
  const digits = options.digits ?? (domain[1] > 1 ? 1 : 3);
  const highlight = new Set(options.highlight ?? []);
  const groups = [...new Set(data.map((r) => r.group))];
  const header = (g: string) => `${g}\u0000`;
  const keys = groups.flatMap((g) => [header(g), ...data.filter((r) => r.group === g).map((r) => r.key)]);
  const variantOf = new Map(data.map((r) => [r.key, r.variant]));
  const marginLeft = Math.min(280, Math.max(40, ...data.map((r) => textWidth(r.variant, 11))) + 16);
  const hasInterval = (r: AblationRow) => Number.isFinite(r.lo) && Number.isFinite(r.hi);
  const withStd = data.filter((r) => hasInterval(r) || (Number.isFinite(r.std) && r.std > 0));
  const start = (r: AblationRow) => (hasInterval(r) ? r.lo! : r.mean - r.std);
  const end = (r: AblationRow) => (hasInterval(r) ? r.hi! : r.mean + (Number.isFinite(r.std) ? r.std : 0));
  const label = (r: AblationRow) =>
    hasInterval(r)
      ? `${r.mean.toFixed(digits)} (${r.lo!.toFixed(digits)}–${r.hi!.toFixed(digits)})`
      : formatMeanStd(r.mean, r.std > 0 ? r.std : null, digits);
  return {
    title: options.title,
    subtitle: options.subtitle,
    width: options.width ?? 720,
    height: keys.length * 24 + 50,
    marginLeft,
    marginRight: 20,
    style: BASE_STYLE,
    x: { domain, grid: true, label: options.metric, labelAnchor: "center", labelArrow: "none" },
    y: { domain: keys, label: null, tickFormat: (k: string) => variantOf.get(k) ?? "", tickSize: 0, padding: 0.2 },
    marks: [
      Plot.barX(data, {
        x1: () => domain[0],
        x2: "mean",
        y: "key",
        fill: (r: AblationRow) => (highlight.has(r.variant) ? "#e45756" : "#4c78a8"),
        fillOpacity: 0.85,
      }),
      Plot.ruleY(withStd, { y: "key", x1: start, x2: end, stroke: "#222" }),
      Plot.tickX(withStd, {
        y: "key",
        x: start,
        stroke: "#222",
        insetTop: 6,
        insetBottom: 6,
      }),
      Plot.tickX(withStd, { y: "key", x: end, stroke: "#222", insetTop: 6, insetBottom: 6 }),
      Plot.text(data, { y: "key", x: end, text: label, dx: 5, textAnchor: "start", fill: "#222" }),
      Plot.text(groups, {
        y: header,
        text: (g: string) => g,
        frameAnchor: "left",
        textAnchor: "start",
        dx: -marginLeft + 4,
        fontWeight: "bold",
        fontSize: 12,
        fill: "#111",
      }),
      // The value axis' base line, drawn beside the bars only, so that it never crosses a group heading.
      Plot.tickX(data, { y: "key", x: () => domain[0], stroke: "currentColor" }),
    ],
  };
}

// ------------------------------------------------------------------------------------------------ ROC / PR

/** One ROC curve: false- and true-positive rates `[points]`, optionally its AUROC for the legend. */
export interface RocCurve {
  variant: string;
  fpr: ArrayLike<number>;
  tpr: ArrayLike<number>;
  auc?: number;
}

/** One precision–recall curve `[points]`, optionally its AP for the legend. */
export interface PrCurve {
  variant: string;
  recall: ArrayLike<number>;
  precision: ArrayLike<number>;
  ap?: number;
}

/** Options shared by {@link rocCurves} and {@link prCurves}. */
export interface CurveOptions {
  title?: string;
  subtitle?: string;
  /** Side of the square plot area in pixels. @default 420 */
  size?: number;
}

function curveLabel(variant: string, name: string, value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? variant : `${variant} (${name} ${value.toFixed(3)})`;
}

function points<T>(n: number, make: (i: number) => T): T[] {
  return Array.from({ length: n }, (_, i) => make(i));
}

/** ROC curves, one line per variant (legend shows the AUROC when given), with the chance diagonal. */
export function rocCurves(curves: readonly RocCurve[], options: CurveOptions = {}): Plot.PlotOptions {
  const data = curves.flatMap((c) => {
    if (c.fpr.length !== c.tpr.length) {
      throw new RangeError(
        `Cannot plot ROC curve ${c.variant}: ${c.fpr.length} FPR values but ${c.tpr.length} TPR values`,
      );
    }
    const series = curveLabel(c.variant, "AUROC", c.auc);
    return points(c.fpr.length, (i) => ({ series, fpr: c.fpr[i], tpr: c.tpr[i] }));
  });
  return squareCurves(data, "fpr", "tpr", "False-positive rate (1 − specificity)", "True-positive rate (sensitivity)", [
    Plot.line([[0, 0], [1, 1]], { stroke: "#999", strokeDasharray: "4,4" }),
  ], options);
}

/** Precision–recall curves, one line per variant (legend shows AP when given); `prevalence` draws the chance level. */
export function prCurves(
  curves: readonly PrCurve[],
  options: CurveOptions & { prevalence?: number } = {},
): Plot.PlotOptions {
  const data = curves.flatMap((c) => {
    if (c.recall.length !== c.precision.length) {
      throw new RangeError(
        `Cannot plot PR curve ${c.variant}: ${c.recall.length} recall values but ${c.precision.length} precision values`,
      );
    }
    const series = curveLabel(c.variant, "AP", c.ap);
    return points(c.recall.length, (i) => ({ series, recall: c.recall[i], precision: c.precision[i] }));
  });
  const extra = options.prevalence === undefined
    ? []
    : [Plot.ruleY([options.prevalence], { stroke: "#999", strokeDasharray: "4,4" })];
  return squareCurves(data, "recall", "precision", "Recall (sensitivity)", "Precision (PPV)", extra, options);
}

function squareCurves(
  data: Record<string, number | string>[],
  x: string,
  y: string,
  xLabel: string,
  yLabel: string,
  extra: Plot.Markish[],
  options: CurveOptions,
): Plot.PlotOptions {
  const size = options.size ?? 420;
  return {
    title: options.title,
    subtitle: options.subtitle,
    width: size + 60,
    height: size + 50,
    marginLeft: 50,
    marginRight: 10,
    marginBottom: 40,
    style: BASE_STYLE,
    x: { domain: [0, 1], grid: true, label: xLabel, labelAnchor: "center", labelArrow: "none" },
    y: { domain: [0, 1], grid: true, label: yLabel, labelAnchor: "center", labelArrow: "none" },
    color: { legend: true, scheme: "tableau10" },
    marks: [
      Plot.frame({ stroke: "#ccc" }),
      ...extra,
      Plot.line(data, { x, y, stroke: "series", strokeWidth: 2, curve: "linear" }),
    ],
  };
}

// ------------------------------------------------------------------------------------------------ scores

/** One scored image: its variant (method), ground-truth label (`0`/`"normal"`, `1`/`"abnormal"` or any class name) and score. */
export interface ScoreRow {
  variant: string;
  label: string | number;
  score: number;
}

/** Options for {@link scoreDistributions}. */
export interface ScoreDistributionsOptions {
  title?: string;
  subtitle?: string;
  /** Number of equal-width bins over the domain. @default 25 */
  bins?: number;
  /** Score domain. @default [0, 1] when every score lies there, else the data extent */
  domain?: [number, number];
  /** Draws a vertical decision threshold. @default none */
  threshold?: number;
  /** @default 640 */
  width?: number;
}

/** Class name of a label: 0 → `normal`, 1 → `abnormal`, strings unchanged. */
export function className(label: string | number): string {
  if (label === 0) return "normal";
  if (label === 1) return "abnormal";
  return String(label);
}

/**
 * Histograms of the anomaly score per class (each class normalised to fractions, so unequal class sizes compare),
 * one panel per variant; the two classes overlap semi-transparently. Rows `[images × variants]`.
 */
export function scoreDistributions(
  rows: readonly ScoreRow[],
  options: ScoreDistributionsOptions = {},
): Plot.PlotOptions {
  const bins = options.bins ?? 25;
  if (!(Number.isInteger(bins) && bins >= 1)) throw new RangeError(`Cannot bin scores into ${bins} bins`);
  const finite = rows.filter((r) => Number.isFinite(r.score));
  const lo = Math.min(...finite.map((r) => r.score));
  const hi = Math.max(...finite.map((r) => r.score));
  const domain = options.domain ?? (lo >= 0 && hi <= 1 ? [0, 1] : [lo, hi > lo ? hi : lo + 1]);
  const step = (domain[1] - domain[0]) / bins;
  const counts = new Map<string, { variant: string; cls: string; counts: number[]; n: number }>();
  for (const r of finite) {
    const cls = className(r.label);
    const key = JSON.stringify([r.variant, cls]);
    let c = counts.get(key);
    if (!c) counts.set(key, c = { variant: r.variant, cls, counts: new Array(bins).fill(0), n: 0 });
    const b = Math.min(bins - 1, Math.max(0, Math.floor((r.score - domain[0]) / step)));
    c.counts[b]++;
    c.n++;
  }
  const hist = [...counts.values()].flatMap((c) =>
    c.counts.map((k, b) => ({
      variant: c.variant,
      cls: c.cls,
      x1: domain[0] + b * step,
      x2: domain[0] + (b + 1) * step,
      fraction: k / c.n,
    }))
  );
  // the histogram's outline: each bin's left edge, then the last bin's right edge (a "step-after" line)
  const outline = [...counts.values()].flatMap((c) => [
    ...c.counts.map((k, b) => ({ variant: c.variant, cls: c.cls, x: domain[0] + b * step, fraction: k / c.n })),
    { variant: c.variant, cls: c.cls, x: domain[1], fraction: c.counts[bins - 1] / c.n },
  ]);
  const classes = [...new Set(hist.map((h) => h.cls))];
  const known = classes.every((c) => c in CLASS_COLORS);
  const variants = [...new Set(hist.map((h) => h.variant))];
  return {
    title: options.title,
    subtitle: options.subtitle,
    width: options.width ?? 640,
    height: variants.length * 150 + 60,
    marginLeft: 50,
    marginRight: Math.min(220, Math.max(...variants.map((v) => textWidth(v, 11)), 0) + 16),
    style: BASE_STYLE,
    x: { domain, label: "Anomaly score", labelAnchor: "center", labelArrow: "none" },
    y: { grid: true, label: "Fraction of class", labelArrow: "none", tickFormat: "%" },
    fy: { label: null, domain: variants },
    color: known
      ? { legend: true, domain: classes, range: classes.map((c) => CLASS_COLORS[c as keyof typeof CLASS_COLORS]) }
      : { legend: true, scheme: "tableau10" },
    marks: [
      Plot.frame({ stroke: "#ccc" }),
      Plot.rect(hist, { x1: "x1", x2: "x2", y1: 0, y2: "fraction", fill: "cls", fy: "variant", fillOpacity: 0.45 }),
      Plot.line(outline, {
        x: "x",
        y: "fraction",
        stroke: "cls",
        z: "cls",
        fy: "variant",
        curve: "step-after",
        strokeWidth: 1.5,
      }),
      ...(options.threshold === undefined
        ? []
        : [Plot.ruleX([options.threshold], { stroke: "#333", strokeDasharray: "3,3" })]),
      Plot.ruleY([0]),
    ],
  };
}

// ------------------------------------------------------------------------------------------------ loss

/** One logged training step: `loss` at `step`, optionally for one of several runs. */
export interface LossRow {
  step: number;
  loss: number;
  run?: string;
}

/** Options for {@link lossCurve}. */
export interface LossCurveOptions {
  title?: string;
  subtitle?: string;
  /** Moving-average window (steps) drawn over the raw curve; 1 draws the raw curve only. @default 1 */
  smooth?: number;
  /** Axis label for the loss. @default "Training loss (BCE)" */
  label?: string;
  /** Logarithmic loss axis. @default false */
  log?: boolean;
  /** @default 640 */
  width?: number;
  /**
   * Runs drawn as one shaded range instead of one line each (e.g. the seeds of one recipe): at each step from their
   * lowest to their highest value, named `label` in the subtitle. Needs at least two of them in the rows.
   */
  band?: { runs: readonly string[]; label: string };
}

/**
 * Training loss against step, one line per run (a legend when there are several), optionally smoothed; optionally a
 * group of runs as one grey min–max band (`band`), the yardstick the lines are read against.
 */
export function lossCurve(rows: readonly LossRow[], options: LossCurveOptions = {}): Plot.PlotOptions {
  const all = rows.filter((r) => Number.isFinite(r.loss)).map((r) => ({ ...r, run: r.run ?? "run" }));
  const inBand = new Set(options.band?.runs ?? []);
  const banded = all.filter((r) => inBand.has(r.run));
  const band = new Set(banded.map((r) => r.run)).size > 1 ? bandRange(banded) : [];
  const data = band.length > 0 ? all.filter((r) => !inBand.has(r.run)) : all;
  const runs = new Set(data.map((r) => r.run));
  const smooth = options.smooth ?? 1;
  // Beside a band, even one line is named in a legend.
  const several = runs.size > 1 || band.length > 0;
  const marks: Plot.Markish[] = [Plot.frame({ stroke: "#ccc" })];
  if (band.length > 0) {
    marks.push(
      Plot.areaY(band, { x: "step", y1: "lo", y2: "hi", fill: "#888", fillOpacity: 0.22 }),
    );
  }
  if (smooth > 1) {
    marks.push(
      Plot.line(data, { x: "step", y: "loss", z: "run", stroke: several ? "run" : "#4c78a8", strokeOpacity: 0.25 }),
    );
    marks.push(Plot.line(
      data,
      Plot.windowY({ k: smooth, anchor: "end", reduce: "mean" }, {
        x: "step",
        y: "loss",
        z: "run",
        stroke: several ? "run" : "#4c78a8",
        strokeWidth: 2,
      }),
    ));
  } else {
    marks.push(
      Plot.line(data, { x: "step", y: "loss", z: "run", stroke: several ? "run" : "#4c78a8", strokeWidth: 1.8 }),
    );
  }
  return {
    title: options.title,
    subtitle: options.subtitle ?? ([
      smooth > 1 ? `Moving average over ${smooth} steps (raw values faded).` : "",
      band.length > 0 ? `Grey band: ${options.band!.label}, from the lowest to the highest at each step.` : "",
    ].filter((s) => s !== "").join(" ") || undefined),
    width: options.width ?? 640,
    height: 320,
    marginLeft: 55,
    style: BASE_STYLE,
    x: { label: "Step", grid: true, labelAnchor: "center", labelArrow: "none" },
    y: {
      label: options.label ?? "Training loss (BCE)",
      grid: true,
      type: options.log ? "log" : "linear",
      labelArrow: "none",
    },
    // tableau10 repeats a colour past ten runs; paired has twelve distinct ones.
    color: several ? { legend: true, scheme: runs.size > 10 ? "paired" : "tableau10" } : undefined,
    marks,
  };
}

/** The lowest and highest value of `rows` (several runs) at each step, with how many rows it has, in step order. */
export function bandRange(
  rows: readonly { step: number; loss: number }[],
): { step: number; lo: number; hi: number; runs: number }[] {
  const byStep = new Map<number, { step: number; lo: number; hi: number; runs: number }>();
  for (const { step, loss } of rows) {
    const b = byStep.get(step);
    byStep.set(
      step,
      b
        ? { step, lo: Math.min(b.lo, loss), hi: Math.max(b.hi, loss), runs: b.runs + 1 }
        : { step, lo: loss, hi: loss, runs: 1 },
    );
  }
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}

// ------------------------------------------------------------------------------------------------ region branches

/** One region branch's test AUROC (%) for one configuration, with the configuration's image-level AUROC (%). */
export interface RegionAurocRow {
  /** The configuration, e.g. `ppad` or `ppad · patient`. */
  config: string;
  region: string;
  auroc: number;
  /** The image-level AUROC of the configuration (after aggregation). */
  image: number;
}

/**
 * Per-region AUROC by configuration: a dot per region branch, coloured by region, and a black tick at the image-level
 * AUROC, with the chance line at 50. Rows `[n]` of {@link RegionAurocRow}.
 */
export function regionAurocDots(
  rows: readonly RegionAurocRow[],
  options: { title?: string; subtitle?: string; width?: number } = {},
): Plot.PlotOptions {
  const configs = [...new Set(rows.map((r) => r.config))];
  const images = configs.map((c) => rows.find((r) => r.config === c)!);
  const lo = Math.min(40, ...rows.map((r) => r.auroc), ...rows.map((r) => r.image));
  const hi = Math.max(60, ...rows.map((r) => r.auroc), ...rows.map((r) => r.image));
  const marginLeft = Math.min(280, Math.max(40, ...configs.map((c) => textWidth(c, 11))) + 16);
  return {
    title: options.title,
    subtitle: options.subtitle,
    width: options.width ?? 720,
    height: configs.length * 30 + 90,
    marginLeft,
    marginRight: 20,
    style: BASE_STYLE,
    x: {
      domain: [Math.floor(lo / 5) * 5, Math.ceil(hi / 5) * 5],
      grid: true,
      label: "Test AUROC (%)",
      labelAnchor: "center",
      labelArrow: "none",
    },
    y: { domain: configs, label: null, tickSize: 0 },
    color: { legend: true, type: "categorical", scheme: "tableau10", domain: [...new Set(rows.map((r) => r.region))] },
    marks: [
      Plot.ruleX([50], { stroke: "#999", strokeDasharray: "4,3" }),
      Plot.tickX(images, { y: "config", x: "image", stroke: "#111", strokeWidth: 2.5, inset: 2 }),
      Plot.dot(rows, { y: "config", x: "auroc", fill: "region", r: 5, stroke: "white", tip: true }),
    ],
  };
}
