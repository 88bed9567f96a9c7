/**
 * Small display and analysis helpers the result notebooks (`notebooks/01`–`05`) share: a grid of displays, PNG bytes
 * as an inline image, cosine similarities between embeddings with their chart, masking an image to a region (the
 * frozen CLIP's region probe) and notebook parameters from the environment.
 * @module
 */
import * as Plot from "@observablehq/plot";
import { isAbsolute, join, PROJECT_ROOT } from "../util/path.ts";
import { DISPLAY, type Displayable, displayable, escapeHtml } from "./display.ts";
import { textWidth } from "./plot.ts";
import { toBase64 } from "./png.ts";

export { benchmarkCases, type CaseInfo, readBenchmarkManifest } from "../data/synthetic/manifest.ts";

/** Options for {@link showGrid}. */
export interface ShowGridOptions {
  /** Items per row. @default 4 */
  columns?: number;
  /** A caption above the grid. */
  caption?: string;
}

/**
 * Lays displayable items (images, charts, tables) out in a grid of `columns` per row, as one `text/html` output;
 * items scale down when a row is wider than the page. Items `[n]` in reading order.
 */
export function showGrid(items: readonly Displayable[], options: ShowGridOptions = {}): Displayable {
  const columns = options.columns ?? 4;
  if (!(Number.isInteger(columns) && columns >= 1)) {
    throw new RangeError(`Cannot lay out a grid with ${columns} columns: expected a positive integer`);
  }
  const cells = items.map((item) => `<div style="min-width:0">${item[DISPLAY]()["text/html"]}</div>`).join("");
  const caption = options.caption
    ? `<div style="font-weight:bold;margin:4px 0">${escapeHtml(options.caption)}</div>`
    : "";
  // Columns take their content's width and shrink (charts and images scale down) when the row is too wide.
  const style = "<style>.ppad-grid svg,.ppad-grid img{max-width:100%;height:auto}</style>";
  const html = `<div class="ppad-grid">${style}${caption}<div style="display:grid;` +
    `grid-template-columns:repeat(${columns},minmax(0,max-content));gap:6px 12px;align-items:start">${cells}</div></div>`;
  const plain = items.map((item) => item[DISPLAY]()["text/plain"] ?? "[item]").join("\n");
  return displayable({ "text/html": html, "text/plain": `[grid of ${items.length}]\n${plain}` });
}

/** Encoded PNG bytes (e.g. `sasGallery`, `syntheticGallery`) as an inline `<img>` in `text/html`, plus `image/png`. */
export function showPng(png: Uint8Array, options: { caption?: string; width?: number } = {}): Displayable {
  const b64 = toBase64(png);
  const width = options.width ? ` width="${options.width}"` : "";
  const caption = options.caption
    ? `<figcaption style="font-size:12px;color:#444">${escapeHtml(options.caption)}</figcaption>`
    : "";
  return displayable({
    "text/html": `<figure style="margin:4px 0"><img${width} style="max-width:100%" src="data:image/png;base64,${b64}"` +
      ` alt="${escapeHtml(options.caption ?? "image")}"/>${caption}</figure>`,
    "image/png": b64,
    "text/plain": `[png${options.caption ? `: ${options.caption}` : ""}]`,
  });
}

/** One cell of a cosine-similarity matrix. */
export interface SimilarityRow {
  a: string;
  b: string;
  cosine: number;
}

/**
 * Cosine similarity of every pair of embeddings: `features` `[n][dim]` labelled by `labels` `[n]` → `[n·n]` rows
 * (row-major: `a` = labels[i], `b` = labels[j]).
 */
export function cosineRows(labels: readonly string[], features: readonly ArrayLike<number>[]): SimilarityRow[] {
  if (labels.length !== features.length) {
    throw new RangeError(`Cannot compare embeddings: ${labels.length} labels for ${features.length} feature rows`);
  }
  if (new Set(labels).size !== labels.length) throw new RangeError("Cannot compare embeddings: labels must be unique");
  const norms = features.map((f) => {
    let s = 0;
    for (let k = 0; k < f.length; k++) s += f[k] * f[k];
    return Math.sqrt(s);
  });
  const rows: SimilarityRow[] = [];
  for (let i = 0; i < features.length; i++) {
    for (let j = 0; j < features.length; j++) {
      const fi = features[i], fj = features[j];
      if (fi.length !== fj.length) {
        throw new RangeError(`Cannot compare embeddings: rows ${i} and ${j} have ${fi.length} and ${fj.length} values`);
      }
      let dot = 0;
      for (let k = 0; k < fi.length; k++) dot += fi[k] * fj[k];
      const denom = norms[i] * norms[j];
      rows.push({ a: labels[i], b: labels[j], cosine: denom > 0 ? dot / denom : NaN });
    }
  }
  return rows;
}

/** `text` cut to at most `max` characters, with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, Math.max(1, max - 1)).trimEnd() + "…";
}

/**
 * A labelled heat map of a similarity matrix (rows from {@link cosineRows}): one cell per pair, coloured by cosine
 * (no legend: every cell prints its value). Axis labels longer than `maxLabel` characters are shortened.
 */
export function similarityChart(
  rows: readonly SimilarityRow[],
  options: { title?: string; subtitle?: string; maxLabel?: number } = {},
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
    style: { fontSize: "11px", background: "white", overflow: "visible" },
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

/**
 * The image with every pixel outside `mask` set to `fill`: `image` `[size*size]`, `mask` `[size*size]` (> 0.5 inside)
 * → a new `[size*size]` array. The frozen CLIP's region probe scores such masked images.
 */
export function maskOutside(image: ArrayLike<number>, mask: ArrayLike<number>, fill = 0): Float32Array {
  if (image.length !== mask.length) {
    throw new RangeError(`Cannot mask an image of ${image.length} pixels with a mask of ${mask.length}`);
  }
  const out = new Float32Array(image.length);
  for (let i = 0; i < image.length; i++) out[i] = mask[i] > 0.5 ? image[i] : fill;
  return out;
}

/**
 * A notebook parameter that names a path, from the environment variable `name`: undefined when unset or empty;
 * relative paths are taken from the project root (the kernel itself runs in `notebooks/`).
 */
export function envPath(name: string): string | undefined {
  const value = Deno.env.get(name)?.trim();
  if (!value) return undefined;
  return isAbsolute(value) ? value : join(PROJECT_ROOT, value);
}

/** A numeric notebook parameter from the environment variable `name`, else `fallback`; a non-number is a TypeError. */
export function envNumber(name: string, fallback: number): number {
  const value = Deno.env.get(name)?.trim();
  if (!value) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new TypeError(`Cannot use ${name}=${JSON.stringify(value)}: expected a number`);
  return n;
}

/** Joins tokens with spaces, writing a run of 3 or more equal tokens once with its count: `a x×16 b`. */
export function compressRuns(tokens: readonly string[]): string {
  const out: string[] = [];
  for (let i = 0; i < tokens.length;) {
    let j = i;
    while (j < tokens.length && tokens[j] === tokens[i]) j++;
    const n = j - i;
    if (n >= 3) out.push(`${tokens[i]}×${n}`);
    else for (let k = 0; k < n; k++) out.push(tokens[i]);
    i = j;
  }
  return out.join(" ");
}

/** Options for {@link pickExamples}. */
export interface PickExamplesOptions {
  /** Indices for which this is true come first (e.g. abnormal images with a one-sided finding). */
  prefer?: (index: number) => boolean;
  /** Among equally preferred indices, one per distinct key first (e.g. one image per finding), then the rest. */
  key?: (index: number) => string;
}

/**
 * Up to `n` indices of `labels` `[images]` equal to `label`, in a stable order: preferred indices first, one per
 * distinct key before repeats, otherwise in index order.
 */
export function pickExamples(
  labels: ArrayLike<number>,
  label: number,
  n: number,
  options: PickExamplesOptions = {},
): number[] {
  const all = Array.from({ length: labels.length }, (_, i) => i).filter((i) => labels[i] === label);
  const tiers = options.prefer ? [all.filter(options.prefer), all.filter((i) => !options.prefer!(i))] : [all];
  const out: number[] = [];
  for (const tier of tiers) {
    const firsts: number[] = [];
    if (options.key) {
      const seen = new Set<string>();
      for (const i of tier) {
        const k = options.key(i);
        if (!seen.has(k)) {
          seen.add(k);
          firsts.push(i);
        }
      }
    }
    out.push(...firsts, ...tier.filter((i) => !firsts.includes(i)));
  }
  return out.slice(0, Math.max(0, n));
}

/** Sentences as a bulleted HTML list (`text/html`), optionally under a bold caption. */
export function showBullets(sentences: readonly string[], options: { caption?: string } = {}): Displayable {
  const caption = options.caption
    ? `<div style="font-weight:bold;margin:4px 0">${escapeHtml(options.caption)}</div>`
    : "";
  const items = sentences.map((s) => `<li style="margin:3px 0">${escapeHtml(s)}</li>`).join("");
  return displayable({
    "text/html": `<div class="ppad-bullets">${caption}<ul style="max-width:900px">${items}</ul></div>`,
    "text/plain": sentences.map((s) => `- ${s}`).join("\n"),
  });
}

/**
 * How a synthesis changed an image inside its mask: `before`, `after` and `mask` are `[size*size]` (mask > 0.5 inside).
 * Returns the mask's area as a percentage of the image and the mean change of the grey values inside it, in 8-bit
 * grey levels (positive = brighter); 0 for an empty mask.
 */
export function changeInside(
  before: ArrayLike<number>,
  after: ArrayLike<number>,
  mask: ArrayLike<number>,
): { areaPercent: number; meanChange: number } {
  if (before.length !== after.length || before.length !== mask.length) {
    throw new RangeError(
      `Cannot compare images of ${before.length} and ${after.length} pixels with a mask of ${mask.length}`,
    );
  }
  let n = 0, sum = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] > 0.5) {
      n++;
      sum += after[i] - before[i];
    }
  }
  return { areaPercent: mask.length ? (100 * n) / mask.length : 0, meanChange: n ? (255 * sum) / n : 0 };
}
