/**
 * Small multiples of training curves: one panel per run, each with the same grey band (e.g. a baseline recipe's seeds)
 * behind it, so that a dozen candidates are read one at a time against one yardstick instead of as a tangle of lines.
 * @module
 */
import * as Plot from "@observablehq/plot";
import { bandRange, BASE_STYLE, type LossRow } from "./charts.ts";

/** Options for {@link curveGrid}. */
export interface CurveGridOptions {
  title?: string;
  subtitle?: string;
  /** Axis label of the value. */
  label: string;
  /** The runs drawn as the grey min–max band in every panel (one of them alone: a grey line). */
  band: { runs: readonly string[]; label: string };
  /** Panels per row. @default 4 */
  columns?: number;
  /** Panel title of a run. @default the run's name */
  panelTitle?: (run: string) => string;
  /** A short note under a run's panel title (e.g. how often the run is inside the band). */
  panelNote?: (run: string) => string;
  /** @default 760 */
  width?: number;
  /** Height of one row of panels in pixels. @default 150 */
  rowHeight?: number;
}

/** The line colour of the runs (the band is grey). */
const RUN_COLOR = "#e45756";

/**
 * Curves against step as a grid of panels, one per run outside `band`, in the order the runs first appear; the band's
 * runs are drawn in every panel as one grey range from their lowest to their highest value at each step (one band run
 * alone: a grey line). Rows without a finite value are left out.
 */
export function curveGrid(rows: readonly LossRow[], options: CurveGridOptions): Plot.PlotOptions {
  const all = rows.filter((r) => Number.isFinite(r.loss)).map((r) => ({ ...r, run: r.run ?? "run" }));
  const inBand = new Set(options.band.runs);
  const banded = all.filter((r) => inBand.has(r.run));
  const band = bandRange(banded);
  const bandIsLine = new Set(banded.map((r) => r.run)).size === 1;
  const runs = [...new Set(all.filter((r) => !inBand.has(r.run)).map((r) => r.run))];
  const columns = Math.max(1, Math.min(options.columns ?? 4, runs.length));
  const cell = new Map(runs.map((run, i) => [run, { fx: i % columns, fy: Math.floor(i / columns) }]));
  const lines = all.filter((r) => cell.has(r.run)).map((r) => ({ ...r, ...cell.get(r.run)! }));
  // The band is repeated per panel with the panel's facet channels, so that it is drawn in panels only.
  const bands = runs.flatMap((run) => band.map((b) => ({ ...b, ...cell.get(run)! })));
  const titles = runs.map((run) => ({
    run,
    title: options.panelTitle?.(run) ?? run,
    note: options.panelNote?.(run) ?? "",
    ...cell.get(run)!,
  }));
  const rowsOfPanels = Math.max(1, Math.ceil(runs.length / columns));
  const notes = options.panelNote !== undefined;
  return {
    title: options.title,
    subtitle: options.subtitle ??
      (band.length === 0
        ? undefined
        : bandIsLine
        ? `One panel per run (red); grey line in each: ${options.band.label}.`
        : `One panel per run (red); grey band in each: ${options.band.label}, from the lowest to the highest at each step.`),
    width: options.width ?? 760,
    height: rowsOfPanels * (options.rowHeight ?? (notes ? 165 : 150)) + 50,
    marginLeft: 55,
    marginTop: notes ? 32 : 20,
    style: BASE_STYLE,
    fx: { axis: null, padding: 0.08 },
    fy: { axis: null, padding: notes ? 0.26 : 0.18 },
    x: {
      label: "Step",
      grid: true,
      labelAnchor: "center",
      labelArrow: "none",
      ticks: 3,
      tickFormat: (step: number) => step.toLocaleString("en-US"),
    },
    y: { label: options.label, grid: true, labelAnchor: "center", labelArrow: "none", ticks: 4 },
    marks: [
      Plot.frame({ stroke: "#ccc" }),
      bandIsLine
        ? Plot.line(bands, { x: "step", y: "lo", fx: "fx", fy: "fy", stroke: "#888", strokeWidth: 1.8 })
        : Plot.areaY(bands, { x: "step", y1: "lo", y2: "hi", fx: "fx", fy: "fy", fill: "#888", fillOpacity: 0.3 }),
      Plot.line(lines, { x: "step", y: "loss", fx: "fx", fy: "fy", stroke: RUN_COLOR, strokeWidth: 1.8 }),
      Plot.text(titles, {
        fx: "fx",
        fy: "fy",
        text: "title",
        frameAnchor: "top-left",
        dx: 4,
        dy: notes ? -17 : -14,
        fontWeight: "bold",
        lineAnchor: "bottom",
      }),
      Plot.text(titles, {
        fx: "fx",
        fy: "fy",
        text: "note",
        frameAnchor: "top-left",
        dx: 4,
        dy: -3,
        lineAnchor: "bottom",
        fontSize: 10,
        fill: "#555",
      }),
    ],
  };
}
