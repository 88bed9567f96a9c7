/**
 * Charts of the training and test data: how large the benchmark's findings are, and how large and strong the
 * synthesised anomalies are.
 * @module
 */
import * as Plot from "@observablehq/plot";
import { type FindingArea, FINDINGS } from "../data/mod.ts";
import type { SynthesisDraw } from "../synthesis/mod.ts";

/**
 * A dot per abnormal image (x: bounding-box area in % of the `imageSize`² image, log scale; y: its finding; colour:
 * its side), with the median of each finding as a black tick.
 */
export function findingAreaChart(rows: readonly FindingArea[], options: { imageSize: number }): Plot.PlotOptions {
  return {
    title: "How large the findings are",
    subtitle: `bounding-box area of each abnormal test image's mask, % of the ${options.imageSize}² image ` +
      `(${rows.length} images; black tick = median)`,
    width: 760,
    height: 260,
    marginLeft: 100,
    style: { fontSize: "11px", background: "white" },
    x: {
      type: "log",
      grid: true,
      ticks: [0.1, 0.3, 1, 3, 10, 30],
      tickFormat: (d: number) => String(d),
      label: "Bounding-box area (% of the image, log scale)",
      labelAnchor: "center",
      labelArrow: "none",
    },
    y: { label: null, domain: [...FINDINGS] },
    color: { legend: true, domain: ["left", "right", "both"], range: ["#4c78a8", "#f58518", "#54a24b"] },
    marks: [
      Plot.dot(rows, { x: "area", y: "finding", fill: "side", r: 2.5, fillOpacity: 0.6 }),
      Plot.tickX(rows, Plot.groupY({ x: "median" }, { x: "area", y: "finding", stroke: "#111", strokeWidth: 2 })),
    ],
  };
}

/**
 * A dot per synthesised anomaly (x: lesion area in % of the image; y: mean grey-level change inside the mask; colour:
 * the SAS weight or FPI; symbol: the method). `draws` from `synthesisDraws`.
 */
export function synthesisDrawChart(draws: readonly SynthesisDraw[]): Plot.PlotOptions {
  const count = (method: string) => draws.filter((d) => d.method === method).length;
  return {
    title: "Size and strength of synthesised anomalies",
    subtitle: `${count("SAS")} SAS (+) and ${count("FPI")} FPI (●) draws on one training image; ` +
      "y = mean grey-level change inside the mask",
    width: 680,
    height: 340,
    style: { fontSize: "11px", background: "white" },
    x: { grid: true, label: "Lesion area (% of the image)", labelAnchor: "center", labelArrow: "none" },
    y: { grid: true, label: "Mean change inside the mask (grey levels, 0–255)", labelArrow: "none" },
    color: { legend: true, scheme: "tableau10" },
    marks: [
      Plot.ruleY([0], { stroke: "#999" }),
      Plot.dot(draws, { x: "area", y: "change", fill: "w", symbol: "method", r: 3.5, fillOpacity: 0.75 }),
    ],
  };
}
