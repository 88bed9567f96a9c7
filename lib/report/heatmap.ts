/**
 * Region heat maps: per-region abnormality probabilities painted over the chest X-ray, as raw RGB (no canvas) and
 * as a labelled SVG figure (the image, a colour bar, and each region's probability).
 * @module
 */
import { grayToRgb, PROBABILITY_RAMP, rampColor, rgbHex } from "./image.ts";
import { encodePng, type RasterImage } from "../data/mod.ts";
import { toBase64 } from "./png.ts";
import { CHART_FONT, escapeXml } from "./plot.ts";

/** The part of a region a heat map needs (structurally compatible with `lib/prompts/regions.ts`'s `Region`). */
export interface HeatmapRegion {
  name: string;
  /** Pixel mask `[size*size]`, 1 inside. */
  mask: ArrayLike<number>;
}

/** Options for {@link regionHeatmap}. */
export interface RegionHeatmapOptions {
  /** Side of the square image and masks. @default 224 */
  size?: number;
  /** How overlapping regions combine per pixel: the largest probability (as the score's max rule) or the mean. @default "max" */
  combine?: "max" | "mean";
  /** Opacity of the colour over the X-ray. @default 0.45 */
  alpha?: number;
  /** Leave regions that cover the whole image unpainted (they would tint every pixel); they still count for
   * `outlineTop`. Ignored when every region covers the whole image. @default true */
  skipWhole?: boolean;
  /** Outline the most probable region in white. @default true */
  outlineTop?: boolean;
  /** Gray value range of `image`. @default [0, 1] when every value lies there, else [min, max] */
  range?: readonly [number, number];
}

/**
 * Paints region probabilities over a gray image.
 * @param image gray X-ray `[size*size]`
 * @param probs abnormality probability per region `[regions]`, in [0, 1]
 * @param regions the regions, same order as `probs`; each mask `[size*size]`
 * @returns RGB raster `[size, size, 3]`
 */
export function regionHeatmap(
  image: ArrayLike<number>,
  probs: ArrayLike<number>,
  regions: readonly HeatmapRegion[],
  options: RegionHeatmapOptions = {},
): RasterImage {
  const size = options.size ?? 224;
  if (probs.length !== regions.length) {
    throw new RangeError(`Cannot draw region heat map: ${probs.length} probabilities for ${regions.length} regions`);
  }
  for (const r of regions) {
    if (r.mask.length !== size * size) {
      throw new RangeError(
        `Cannot draw region heat map: region ${r.name} mask has ${r.mask.length} pixels, expected ${size}²`,
      );
    }
  }
  const rgb = grayToRgb(image, size, size, options.range ? { range: options.range } : {});
  const alpha = options.alpha ?? 0.45;
  const combine = options.combine ?? "max";
  const data = rgb.data;
  const whole = regions.map((r) => coverage(r.mask) >= 0.99);
  const painted = regions.map((_, r) => !((options.skipWhole ?? true) && whole[r] && !whole.every(Boolean)));
  for (let i = 0; i < size * size; i++) {
    let acc = combine === "max" ? -Infinity : 0;
    let count = 0;
    for (let r = 0; r < regions.length; r++) {
      if (painted[r] && regions[r].mask[i] > 0.5) {
        count++;
        acc = combine === "max" ? Math.max(acc, probs[r]) : acc + probs[r];
      }
    }
    if (count === 0) continue;
    const [cr, cg, cb] = rampColor(combine === "max" ? acc : acc / count);
    data[3 * i] = Math.round(data[3 * i] * (1 - alpha) + cr * alpha);
    data[3 * i + 1] = Math.round(data[3 * i + 1] * (1 - alpha) + cg * alpha);
    data[3 * i + 2] = Math.round(data[3 * i + 2] * (1 - alpha) + cb * alpha);
  }
  if ((options.outlineTop ?? true) && regions.length > 0) {
    let top = 0;
    for (let r = 1; r < regions.length; r++) if (probs[r] > probs[top]) top = r;
    const m = regions[top].mask;
    const inside = (x: number, y: number) => x >= 0 && y >= 0 && x < size && y < size && m[y * size + x] > 0.5;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        if (!inside(x, y)) continue;
        // a 2-pixel band along the region's edge (image borders count as edges)
        if (inside(x - 2, y) && inside(x + 2, y) && inside(x, y - 2) && inside(x, y + 2)) continue;
        data.fill(255, 3 * (y * size + x), 3 * (y * size + x) + 3);
      }
    }
  }
  return rgb;
}

/** Fraction of a mask's pixels that are inside (> 0.5). */
function coverage(mask: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] > 0.5) n++;
  return mask.length > 0 ? n / mask.length : 0;
}

/** Options for {@link regionHeatmapSvg}. */
export interface RegionHeatmapSvgOptions extends RegionHeatmapOptions {
  /** Title above the image. */
  title?: string;
  /** Displayed image side in pixels. @default 336 */
  displaySize?: number;
}

/**
 * A labelled heat map figure: the overlay image, a probability colour bar (0 normal … 1 abnormal), and a list of
 * region probabilities (largest first, the top one bold). Returns a standalone SVG document.
 */
export function regionHeatmapSvg(
  image: ArrayLike<number>,
  probs: ArrayLike<number>,
  regions: readonly HeatmapRegion[],
  options: RegionHeatmapSvgOptions = {},
): string {
  const raster = regionHeatmap(image, probs, regions, options);
  const png = toBase64(encodePng(raster));
  const d = options.displaySize ?? 336;
  const top = options.title ? 30 : 8;
  const barX = d + 22;
  const listX = barX + 58;
  const order = Array.from(regions.keys()).sort((a, b) => probs[b] - probs[a]);
  const width = listX + 170;
  const height = top + d + 10;
  // top of the bar = 1 (abnormal): stops run from the ramp's end to its start
  const stops = [...PROBABILITY_RAMP].reverse().map((c, i) =>
    `<stop offset="${(i / (PROBABILITY_RAMP.length - 1)).toFixed(3)}" stop-color="${rgbHex(c)}"/>`
  ).join("");
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((t) => {
    const y = top + d * (1 - t);
    return `<line x1="${barX + 14}" x2="${barX + 18}" y1="${y}" y2="${y}" stroke="#333"/>` +
      `<text x="${barX + 21}" y="${y}" dy="0.35em" font-size="10">${t.toFixed(2)}</text>`;
  }).join("");
  const list = order.map((r, k) => {
    const y = top + 14 + k * 18;
    const name = regions[r].name === "" ? "whole" : regions[r].name;
    const weight = k === 0 ? "bold" : "normal";
    return `<rect x="${listX}" y="${y - 9}" width="12" height="12" fill="${
      rgbHex(rampColor(probs[r]))
    }" stroke="#555"/>` +
      `<text x="${listX + 18}" y="${y}" dy="0.1em" font-size="11" font-weight="${weight}">` +
      `${escapeXml(name)}: ${Number(probs[r]).toFixed(3)}</text>`;
  }).join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" ` +
    `height="${height}" viewBox="0 0 ${width} ${height}" font-family="${CHART_FONT}" fill="#222">` +
    `<rect width="100%" height="100%" fill="white"/>` +
    (options.title ? `<text x="8" y="20" font-size="14" font-weight="bold">${escapeXml(options.title)}</text>` : "") +
    `<image x="8" y="${top}" width="${d}" height="${d}" href="data:image/png;base64,${png}" ` +
    `xlink:href="data:image/png;base64,${png}" preserveAspectRatio="none"/>` +
    `<defs><linearGradient id="ppad-prob-ramp" x1="0" x2="0" y1="0" y2="1">${stops}</linearGradient></defs>` +
    `<rect x="${barX}" y="${top}" width="14" height="${d}" fill="url(#ppad-prob-ramp)" stroke="#555"/>${ticks}` +
    `<text x="${listX}" y="${top}" dy="-0.3em" font-size="10" fill="#555">P(abnormal) per region</text>${list}</svg>`;
}
