/**
 * A labelled heat map of a cosine-similarity matrix (rows from `cosineRows` in `lib/encoders`).
 * @module
 */
import * as Plot from "@observablehq/plot";
import type { SimilarityRow } from "../encoders/mod.ts";
import { truncate } from "../util/mod.ts";
import { BASE_STYLE } from "./charts.ts";
import { textWidth } from "./plot.ts";

/** Options for {@link similarityChart}. */
export interface SimilarityChartOptions {
  title?: string;
  subtitle?: string;
  /** Axis labels longer than this many characters are shortened. @default 32 */
  maxLabel?: number;
}

/**
 * One cell per pair, coloured by cosine (no legend: every cell prints its value). Axis labels longer than `maxLabel`
 * characters are shortened.
 */
export function similarityChart(
  rows: readonly SimilarityRow[],
  options: SimilarityChartOptions = {},
): Plot.PlotOptions {
  const labels = [...new Set(rows.map((r) => r.a))];
  const finite = rows.map((r) => r.cosine).filter(Number.isFinite);
  const lo = Math.min(...finite), hi = Math.max(...finite);
  const cell = 46;
  const short = (l: string) => truncate(l, options.maxLabel ?? 32);
  const widest = Math.max(...labels.map((l) => textWidth(short(l), 11)));
  const marginLeft = widest + 12;
  const marginBottom = widest * 0.66 + 16;
  const mid = (lo + hi) / 2;
  return {
    title: options.title,
    subtitle: options.subtitle,
    width: marginLeft + labels.length * cell + 20,
    height: 30 + labels.length * cell + marginBottom,
    marginLeft,
    marginBottom,
    marginTop: 10,
    style: BASE_STYLE,
    x: { domain: labels, label: null, tickRotate: -40, tickFormat: short },
    y: { domain: labels, label: null, tickFormat: short },
    color: { type: "linear", scheme: "blues", domain: [lo, hi > lo ? hi : lo + 1e-6], legend: false },
    marks: [
      Plot.cell(rows, { x: "b", y: "a", fill: "cosine", inset: 0.5 }),
      Plot.text(rows, {
        x: "b",
        y: "a",
        text: (r: SimilarityRow) => (Number.isFinite(r.cosine) ? r.cosine.toFixed(2) : "–"),
        fill: (r: SimilarityRow) => (r.cosine > mid ? "white" : "#111"),
        fontSize: 10,
      }),
    ],
  };
}
