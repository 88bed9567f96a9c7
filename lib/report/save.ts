/**
 * Saving charts: one call writes `<name>.svg` and `<name>.png` side by side, each atomically; and listing a charts
 * folder.
 * @module
 */
import type * as Plot from "@observablehq/plot";
import { join, writeFileAtomic } from "../util/mod.ts";
import { renderPlot } from "./plot.ts";
import { svgToPng, type SvgToPngOptions } from "./png.ts";

/** Where {@link saveChart} wrote the chart. */
export interface SavedChart {
  svgPath: string;
  pngPath: string;
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Writes an SVG document and its PNG rendering as `<dir>/<name>.svg` and `<dir>/<name>.png`. */
export async function saveSvg(
  dir: string,
  name: string,
  svg: string,
  options: SvgToPngOptions = {},
): Promise<SavedChart> {
  if (!SAFE_NAME.test(name)) {
    throw new TypeError(`Cannot save chart ${JSON.stringify(name)}: use letters, digits, '.', '_' or '-' only`);
  }
  const svgPath = join(dir, `${name}.svg`);
  const pngPath = join(dir, `${name}.png`);
  const png = await svgToPng(svg, options);
  await writeFileAtomic(svgPath, svg);
  await writeFileAtomic(pngPath, png);
  return { svgPath, pngPath };
}

/** Renders Plot options and writes `<dir>/<name>.svg` and `<dir>/<name>.png` (2× resolution by default). */
export function saveChart(
  dir: string,
  name: string,
  options: Plot.PlotOptions,
  pngOptions: SvgToPngOptions = {},
): Promise<SavedChart> {
  return saveSvg(dir, name, renderPlot(options).svg, pngOptions);
}

/** The file names in a charts folder `dir`, sorted; none when the folder does not exist. */
export async function listChartFiles(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) if (e.isFile) names.push(e.name);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return names.sort();
}
