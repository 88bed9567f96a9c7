/**
 * The backbone comparison chart of `deno task zeroshot`: one panel per evaluation role (the sets that choose, the
 * diagnostic, the sets only reported), one row per backbone, a dot at the AUROC with its 95 % interval, the chance
 * line at 50 and, optionally, labelled reference lines and shaded bands (e.g. the range of one recipe over seeds).
 * @module
 */
import * as Plot from "@observablehq/plot";
import { BASE_STYLE } from "./charts.ts";
import { textWidth } from "./plot.ts";

/** One backbone's zero-shot AUROC on one evaluation set, in percent. */
export interface ZeroShotPoint {
  /** The backbone's short name (a row of the chart). */
  model: string;
  /** The evaluation role (a panel of the chart), e.g. `held-out real (model selection)`. */
  role: string;
  auroc: number;
  lo?: number;
  hi?: number;
  /** The series of a chart with several dots per row (e.g. the scoring), one colour each (see `series` option). */
  series?: string;
}

/** A labelled vertical line on one panel. */
export interface ZeroShotReference {
  role: string;
  x: number;
  label: string;
}

/** A shaded range of AUROC (percent) across every row of one panel. */
export interface ZeroShotBand {
  role: string;
  lo: number;
  hi: number;
  /** `accent`: shaded in the highlighted backbone's colour instead of grey. @default grey */
  tone?: "accent";
}

/** Options for {@link zeroShotChart}. */
export interface ZeroShotChartOptions {
  title?: string;
  subtitle?: string;
  /** Panel order; roles not listed follow in order of appearance. @default order of appearance */
  roles?: readonly string[];
  /** Labelled reference lines (percent) on a role's panel, e.g. a published backbone's number. */
  references?: readonly ZeroShotReference[];
  /** Shaded ranges drawn behind the dots, e.g. the spread of one recipe over seeds. */
  bands?: readonly ZeroShotBand[];
  /** The backbone drawn in the accent colour (e.g. the default). */
  highlight?: string;
  /**
   * Several dots per row: the series in order, each in its own colour, staggered vertically, with a legend; only the
   * first series' values are written beside the dots. @default one dot per row
   */
  series?: readonly string[];
  /** The x axis' label. @default "Zero-shot AUROC (%)" */
  xLabel?: string;
  /** @default 980, or 200 px a panel when wider */
  width?: number;
}

/**
 * Dots with 95 % interval bars: rows are backbones (in order of appearance), panels (fx) are roles, x is AUROC in
 * percent on a shared axis, with the chance line at 50 and any reference lines. Points `[n]` of {@link ZeroShotPoint}.
 */
export function zeroShotChart(points: readonly ZeroShotPoint[], options: ZeroShotChartOptions = {}): Plot.PlotOptions {
  const models = [...new Set(points.map((p) => p.model))];
  const seen = [...new Set(points.map((p) => p.role))];
  const roles = [
    ...(options.roles ?? []).filter((r) => seen.includes(r)),
    ...seen.filter((r) => !options.roles?.includes(r)),
  ];
  const refs = (options.references ?? []).filter((g) => roles.includes(g.role));
  const bands = (options.bands ?? []).filter((b) => roles.includes(b.role));
  const values = points.flatMap((p) => [p.auroc, p.lo ?? p.auroc, p.hi ?? p.auroc])
    .concat(refs.map((g) => g.x), bands.flatMap((b) => [b.lo, b.hi]));
  const lo = Math.floor(Math.min(45, ...values) / 10) * 10;
  const hi = Math.ceil(Math.max(60, ...values) / 10) * 10;
  // Ticks strictly inside the domain, so that neighbouring panels' edge labels do not collide.
  const inner = Array.from({ length: (hi - lo) / 10 - 1 }, (_, i) => lo + 10 * (i + 1));
  const accent = (p: ZeroShotPoint) => (p.model === options.highlight ? "accent" : "other");
  const withInterval = points.filter((p) => p.lo !== undefined && p.hi !== undefined);
  const series = options.series ?? [];
  const rowHeight = series.length > 1 ? 12 * series.length + 8 : 28;
  const marginLeft = Math.min(260, Math.max(60, ...models.map((m) => textWidth(m, 11))) + 16);
  return {
    title: options.title,
    subtitle: options.subtitle,
    // At least 200 px a panel, so that neighbouring panel titles do not run into each other.
    width: options.width ?? Math.max(980, marginLeft + 16 + 200 * roles.length),
    height: models.length * rowHeight + 110,
    marginLeft,
    marginRight: 16,
    marginTop: 36,
    // Room below the tick labels for the reference lines' labels, so that they never sit on a backbone's row.
    marginBottom: refs.length > 0 ? 50 : 34,
    style: BASE_STYLE,
    fx: { domain: roles, label: null, padding: 0.08 },
    x: {
      domain: [lo, hi],
      grid: true,
      ticks: inner,
      label: options.xLabel ?? "Zero-shot AUROC (%)",
      labelAnchor: "center",
      labelArrow: "none",
    },
    y: { domain: models, label: null, tickSize: 0 },
    color: series.length > 0
      ? { domain: series, range: SERIES_COLORS, legend: true }
      : { domain: ["accent", "other"], range: [ACCENT, "#4c78a8"] },
    marks: [
      Plot.rectX(bands.filter((b) => b.tone !== "accent"), {
        fx: "role",
        x1: "lo",
        x2: "hi",
        fill: "#888",
        fillOpacity: 0.14,
      }),
      Plot.rectX(bands.filter((b) => b.tone === "accent"), {
        fx: "role",
        x1: "lo",
        x2: "hi",
        fill: ACCENT,
        fillOpacity: 0.16,
      }),
      Plot.ruleX(roles.map((role) => ({ role, x: 50 })), {
        fx: "role",
        x: "x",
        stroke: "#999",
        strokeDasharray: "4,3",
      }),
      Plot.ruleX(refs, { fx: "role", x: "x", stroke: "#2a9d5c", strokeWidth: 1.5, strokeDasharray: "6,3" }),
      Plot.text(refs, {
        fx: "role",
        x: "x",
        frameAnchor: "bottom",
        dy: 32,
        dx: 4,
        textAnchor: "end",
        text: (g) => `${g.label} ${g.x}`,
        fill: "#2a9d5c",
      }),
      ...(series.length > 0 ? seriesMarks(points, withInterval, series) : [
        Plot.ruleY(withInterval, {
          fx: "role",
          y: "model",
          x1: "lo",
          x2: "hi",
          stroke: accent,
          strokeWidth: 2,
          strokeOpacity: 0.55,
        }),
        Plot.dot(points, { fx: "role", y: "model", x: "auroc", fill: accent, r: 4.5, stroke: "white", tip: true }),
        Plot.text(points, {
          fx: "role",
          y: "model",
          x: "auroc",
          text: (p) => p.auroc.toFixed(1),
          dy: -9,
          fontSize: 9,
          fill: "#333",
        }),
      ]),
    ],
  };
}

/** The highlighted backbone's colour, and its recipe's band's. */
const ACCENT = "#e45756";

/** Colours of the series of {@link zeroShotChart}, in order (the first the accent red). */
const SERIES_COLORS = [ACCENT, "#4c78a8", "#72b7b2", "#b279a2", "#f58518", "#54a24b"];

/**
 * One row's dots and interval bars per series, staggered by 12 px; the first series' values written left of its bars
 * (on a row without the first series, e.g. a baseline with one probe, the values of the first series it has).
 */
function seriesMarks(
  points: readonly ZeroShotPoint[],
  withInterval: readonly ZeroShotPoint[],
  series: readonly string[],
): Plot.Markish[] {
  // Each (row, panel) is labelled once: at the first of the series, in order, that it has.
  const key = (p: ZeroShotPoint) => `${p.model}\u0000${p.role}`;
  const labelSeries = new Map<string, number>();
  for (const p of points) {
    const rank = series.indexOf(p.series ?? "");
    if (rank >= 0 && rank < (labelSeries.get(key(p)) ?? Infinity)) labelSeries.set(key(p), rank);
  }
  return series.flatMap((name, i) => {
    const dy = 12 * (i - (series.length - 1) / 2);
    const mine = (p: ZeroShotPoint) => p.series === name;
    const bars = withInterval.filter(mine), dots = points.filter(mine);
    const labelled = dots.filter((p) => labelSeries.get(key(p)) === i);
    const common = { fx: "role", y: "model", dy } as const;
    return [
      Plot.ruleY(bars, { ...common, x1: "lo", x2: "hi", stroke: () => name, strokeWidth: 2, strokeOpacity: 0.5 }),
      Plot.dot(dots, { ...common, x: "auroc", fill: () => name, r: 4, stroke: "white", tip: true }),
      ...(labelled.length > 0
        ? [
          Plot.text(labelled, {
            ...common,
            x: (p: ZeroShotPoint) => p.lo ?? p.auroc,
            text: (p) => p.auroc.toFixed(1),
            dx: -4,
            textAnchor: "end",
            fontSize: 9,
            fill: "#333",
          }),
        ]
        : []),
    ];
  });
}
