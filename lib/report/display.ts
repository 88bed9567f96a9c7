/**
 * Jupyter display for the Deno kernel. Every helper returns a displayable object (`[Symbol.for("Jupyter.display")]`)
 * whose bundle always carries `text/html` (charts as inline SVG, images as base64 `<img>`), so that outputs render in
 * the live notebook, in the executed `.ipynb` and in nbconvert's HTML export (which strips `image/svg+xml`).
 * This is the only module in `lib/` that touches `Deno.jupyter`.
 * @module
 */
import type * as Plot from "@observablehq/plot";
import type * as tf from "@tensorflow/tfjs";
import type { ColumnTable } from "arquero";
import { drawOverlays, type GrayOptions, grayToRgb, type Overlay, upscale } from "./image.ts";
import { type RenderedPlot, renderPlot } from "./plot.ts";
import { encodePng, type RasterImage } from "../data/mod.ts";
import { toBase64 } from "./png.ts";
import { formatCell, isNumericColumn, markdownTable, toTidy } from "./tables.ts";

/** The symbol the Deno kernel looks for on a cell's result. */
export const DISPLAY = Symbol.for("Jupyter.display");

/** A Jupyter MIME bundle (`text/html` always present). */
export type MimeBundle = { "text/html": string; "text/plain"?: string; "image/png"?: string };

/** An object the Deno kernel displays as its bundle. */
export interface Displayable {
  [DISPLAY](): MimeBundle;
}

/** Wraps a bundle as a displayable object (also printable: `String(x)` gives its text/plain). */
export function displayable(bundle: MimeBundle): Displayable {
  return {
    [DISPLAY]: () => bundle,
    toString: () => bundle["text/plain"] ?? "[display]",
  } as Displayable;
}

/**
 * Displays now (mid-cell) when running in the Deno Jupyter kernel; outside a notebook, prints text/plain to stdout.
 * Returning a displayable as a cell's last expression displays it too.
 */
export async function display(item: Displayable): Promise<void> {
  const jupyter = jupyterApi();
  if (jupyter) await jupyter.display(item[DISPLAY](), { raw: true });
  else console.log(item[DISPLAY]()["text/plain"] ?? "");
}

function jupyterApi(): { display(obj: unknown, options?: { raw?: boolean }): Promise<void> } | null {
  try {
    const api = (Deno as unknown as { jupyter?: { display(obj: unknown, options?: { raw?: boolean }): Promise<void> } })
      .jupyter;
    return api && typeof api.display === "function" ? api : null;
  } catch {
    return null; // Deno.jupyter throws outside the kernel
  }
}

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

/** A chart (Plot options, or an already rendered chart) as inline SVG in `text/html`. */
export function showPlot(chart: Plot.PlotOptions | RenderedPlot): Displayable {
  const rendered = "svg" in chart && typeof chart.svg === "string"
    ? chart as RenderedPlot
    : renderPlot(chart as Plot.PlotOptions);
  return displayable({ "text/html": rendered.html, "text/plain": `[chart ${rendered.width}×${rendered.height}]` });
}

/** A standalone SVG document (e.g. `regionHeatmapSvg`) as inline `text/html`. */
export function showSvg(svg: string): Displayable {
  return displayable({
    "text/html": `<div style="max-width:100%;overflow-x:auto">${svg}</div>`,
    "text/plain": "[svg]",
  });
}

/** Options for {@link showTable}. */
export interface ShowTableOptions {
  /** At most this many rows. @default 20 */
  limit?: number;
  /** Decimals for non-integer numbers. @default 3 */
  digits?: number;
  /** A caption above the table. */
  caption?: string;
}

/** An arquero table (or records) as a compact HTML table (numbers right-aligned), with its size. */
export function showTable(
  table: ColumnTable | readonly Record<string, unknown>[],
  options: ShowTableOptions = {},
): Displayable {
  const t = Array.isArray(table) ? toTidy(table) : table as ColumnTable;
  const limit = options.limit ?? 20;
  const digits = options.digits ?? 3;
  const names = t.columnNames();
  const numeric = names.map((n) => isNumericColumn(t, n));
  const rows = Math.min(t.numRows(), limit);
  const cols = names.map((n) => t.array(n) as ArrayLike<unknown>);
  const cell = "padding:2px 8px;border-bottom:1px solid #ddd;";
  const align = (
    j: number,
  ) => (numeric[j] ? "text-align:right;font-variant-numeric:tabular-nums;" : "text-align:left;");
  const head = names.map((n, j) => `<th style="${cell}${align(j)}border-bottom:2px solid #888">${escapeHtml(n)}</th>`)
    .join("");
  const body: string[] = [];
  for (let i = 0; i < rows; i++) {
    body.push(
      `<tr>${
        cols.map((c, j) => `<td style="${cell}${align(j)}">${escapeHtml(formatCell(c[i], digits))}</td>`).join("")
      }</tr>`,
    );
  }
  const more = t.numRows() > rows ? ` (showing ${rows})` : "";
  const size = `${t.numRows()} rows × ${names.length} columns${more}`;
  const caption = options.caption
    ? `<div style="font-weight:bold;margin:4px 0">${escapeHtml(options.caption)}</div>`
    : "";
  const html = `<div class="ppad-table">${caption}<table style="border-collapse:collapse;font-size:12px">` +
    `<thead><tr>${head}</tr></thead><tbody>${body.join("")}</tbody></table>` +
    `<div style="color:#666;font-size:11px;margin-top:2px">${size}</div></div>`;
  return displayable({ "text/html": html, "text/plain": markdownTable(t, { digits, limit }) + size });
}

/** Options for {@link showImage}. */
export interface ShowImageOptions extends GrayOptions {
  /** Coloured masks drawn over the image. */
  overlays?: readonly Overlay[];
  /** Text under the image. */
  caption?: string;
  /** Displayed width in CSS pixels (small images are upscaled without smoothing). @default max(width, 224) */
  displayWidth?: number;
}

/** An 8-bit raster (e.g. `regionHeatmap`'s) as a base64 PNG `<img>` in `text/html`, plus `image/png`. */
export function showRaster(image: RasterImage, options: { caption?: string; displayWidth?: number } = {}): Displayable {
  const factor = image.width < 112 ? Math.ceil(224 / image.width) : 1;
  const png = toBase64(encodePng(upscale(image, Math.min(64, factor))));
  const w = options.displayWidth ?? Math.max(image.width, 224);
  const caption = options.caption
    ? `<figcaption style="font-size:12px;color:#444">${escapeHtml(options.caption)}</figcaption>`
    : "";
  const html = `<figure style="margin:4px 0"><img width="${w}" style="image-rendering:pixelated" ` +
    `src="data:image/png;base64,${png}" alt="${escapeHtml(options.caption ?? "image")}"/>${caption}</figure>`;
  return displayable({
    "text/html": html,
    "image/png": png,
    "text/plain": `[image ${image.width}×${image.height}${options.caption ? `: ${options.caption}` : ""}]`,
  });
}

/**
 * A gray image `[height*width]` (range [0, 1], else min–max scaled, or `range`) with optional mask overlays, as a PNG.
 */
export function showImage(
  gray: ArrayLike<number>,
  width: number,
  height: number,
  options: ShowImageOptions = {},
): Displayable {
  const rgb = grayToRgb(gray, width, height, options.range ? { range: options.range } : {});
  if (options.overlays?.length) drawOverlays(rgb, options.overlays);
  return showRaster(rgb, options);
}

/**
 * A 2-D tensor `[height, width]` or 3-D `[height, width, 1|3]` as an image (min–max scaled), captioned with its shape
 * and value range. Reads the data synchronously; the tensor is not disposed.
 */
export function showTensor(t: tf.Tensor2D | tf.Tensor3D, options: { caption?: string } = {}): Displayable {
  const shape = t.shape;
  const [h, w] = shape;
  const c = shape.length === 3 ? shape[2] : 1;
  if (shape.length === 3 && c !== 1 && c !== 3) {
    throw new RangeError(`Cannot show tensor of shape [${shape.join(", ")}]: expected [h, w], [h, w, 1] or [h, w, 3]`);
  }
  const values = t.dataSync() as Float32Array | Int32Array | Uint8Array;
  let lo = Infinity;
  let hi = -Infinity;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    sum += v;
  }
  const k = hi > lo ? 255 / (hi - lo) : 0;
  const data = new Uint8Array(h * w * 3);
  for (let p = 0; p < h * w; p++) {
    for (let ch = 0; ch < 3; ch++) data[3 * p + ch] = Math.round((values[p * c + (c === 3 ? ch : 0)] - lo) * k);
  }
  const stats = `${t.dtype} [${shape.join(", ")}], min ${lo.toPrecision(4)}, max ${hi.toPrecision(4)}, ` +
    `mean ${(sum / Math.max(1, values.length)).toPrecision(4)}`;
  return showRaster({ width: w, height: h, channels: 3, data }, {
    caption: options.caption ? `${options.caption} — ${stats}` : stats,
  });
}

/** Markdown-ish text as a `<pre>` block (logs, configs). */
export function showText(text: string): Displayable {
  return displayable({ "text/html": `<pre style="font-size:12px">${escapeHtml(text)}</pre>`, "text/plain": text });
}
