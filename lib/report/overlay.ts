/**
 * The `deno task score` overlay: a figure a reader can use without the CSV. The X-ray (lightly tinted by the largest
 * region probability per pixel), every region outlined in the colour of its probability and labelled with its name
 * and probability, the image score with the scoring rule and the decision, a list of regions, and a colour legend.
 * As SVG (`overlayFigureSvg`) or PNG (`overlayPng`), with unique file names for a batch of images (`overlayNames`).
 * @module
 */
import { PROBABILITY_RAMP, rampColor, rgbHex } from "./image.ts";
import { encodePng, type GrayImage } from "../data/mod.ts";
import { basename, extname } from "../util/mod.ts";
import { svgToPng, toBase64 } from "./png.ts";
import { type HeatmapRegion, regionHeatmap } from "./heatmap.ts";
import { CHART_FONT, escapeXml, textWidth } from "./plot.ts";

/** What the overlay figure states besides the regions. */
export interface OverlayFigureOptions {
  /** Side of the square image and masks. */
  size: number;
  /** The image score (after the scoring rule). */
  score: number;
  /** The scoring rule, e.g. `paper (max if > 0.8, else mean)`. */
  scoring: string;
  /** Scores above this are called abnormal. @default 0.5 */
  threshold?: number;
  /** Title (the image's name). */
  title: string;
  /** A second line under the title (which prompts: variant, regions, seed). */
  subtitle?: string;
  /** Displayed image side in pixels. @default 448 */
  displaySize?: number;
}

/** The region's pixel bounding box, and whether the mask fills it (a rectangle). */
function box(mask: ArrayLike<number>, size: number): { x0: number; y0: number; x1: number; y1: number; rect: boolean } {
  let x0 = size, y0 = size, x1 = -1, y1 = -1, n = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (mask[y * size + x] > 0.5) {
        n++;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        y1 = y;
      }
    }
  }
  return { x0, y0, x1, y1, rect: x1 >= 0 && n === (x1 - x0 + 1) * (y1 - y0 + 1) };
}

/** An SVG path along a mask's boundary (unit pixel edges), in image pixel coordinates. */
function boundaryPath(mask: ArrayLike<number>, size: number): string {
  const inside = (x: number, y: number) => x >= 0 && y >= 0 && x < size && y < size && mask[y * size + x] > 0.5;
  const parts: string[] = [];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (!inside(x, y)) continue;
      if (!inside(x, y - 1)) parts.push(`M${x} ${y}h1`);
      if (!inside(x, y + 1)) parts.push(`M${x} ${y + 1}h1`);
      if (!inside(x - 1, y)) parts.push(`M${x} ${y}v1`);
      if (!inside(x + 1, y)) parts.push(`M${x + 1} ${y}v1`);
    }
  }
  return parts.join("");
}

const fmt = (p: number) => Number(p).toFixed(3);

/**
 * The overlay figure as a standalone SVG document (render with `svgToPng`).
 * @param image gray X-ray `[size*size]` in [0, 1]
 * @param probs P(abnormal) per region, same order as `regions`
 */
export function overlayFigureSvg(
  image: ArrayLike<number>,
  probs: ArrayLike<number>,
  regions: readonly HeatmapRegion[],
  options: OverlayFigureOptions,
): string {
  const { size } = options;
  const d = options.displaySize ?? 448;
  const k = d / size;
  const threshold = options.threshold ?? 0.5;
  const raster = regionHeatmap(image, probs, regions, { size, alpha: 0.28, outlineTop: false });
  const png = toBase64(encodePng(raster));
  const left = 12, top = options.subtitle ? 58 : 40;
  const panelX = left + d + 24;
  const panelW = 300;
  const width = panelX + panelW;
  const order = Array.from(regions.keys()).sort((a, b) => probs[b] - probs[a]);

  // Outlines: rectangles inset a little per region so that shared edges stay visible; other shapes traced.
  const boxes = regions.map((r) => box(r.mask, size));
  const area = (b: { x0: number; y0: number; x1: number; y1: number }) => (b.x1 - b.x0 + 1) * (b.y1 - b.y0 + 1);
  const isWhole = boxes.map((b) => b.rect && area(b) >= 0.99 * size * size);
  // Large overlapping rectangles (halves) get growing insets so that their shared edges stay apart.
  let large = 0;
  const insets = boxes.map((b, i) => isWhole[i] ? 1.5 : area(b) > 0.3 * size * size ? 3 + 3 * large++ : 4);
  const outlines = regions.map((r, i) => {
    const colour = rgbHex(rampColor(probs[i]));
    const b = boxes[i];
    if (b.x1 < 0) return "";
    if (b.rect) {
      const inset = insets[i];
      const geometry = `x="${left + b.x0 * k + inset}" y="${top + b.y0 * k + inset}" ` +
        `width="${Math.max(1, (b.x1 - b.x0 + 1) * k - 2 * inset)}" height="${
          Math.max(1, (b.y1 - b.y0 + 1) * k - 2 * inset)
        }" fill="none"`;
      // A dark halo under the coloured line keeps pale colours visible on a bright film.
      return `<rect ${geometry} stroke="#000" stroke-opacity="0.6" stroke-width="4.5"/>` +
        `<rect ${geometry} stroke="${colour}" stroke-width="2.5"/>`;
    }
    const path = `transform="translate(${left} ${top}) scale(${k})" d="${boundaryPath(r.mask, size)}" fill="none"`;
    return `<path ${path} stroke="#000" stroke-opacity="0.6" stroke-width="${4.5 / k}"/>` +
      `<path ${path} stroke="${colour}" stroke-width="${2.5 / k}"/>`;
  }).join("");

  // Labels: at each region's centre; a region covering the whole image is labelled at the top edge instead.
  const labels = regions.map((r, i) => {
    const b = boxes[i];
    if (b.x1 < 0) return "";
    const whole = isWhole[i];
    const name = r.name === "" ? "whole" : r.name;
    const text = `${name} ${fmt(probs[i])}`;
    // Shrink the label to fit its region's width (small cells of fine grids).
    const font = Math.max(8, Math.min(13, ((b.x1 - b.x0 + 1) * k - 14) / (text.length * 0.62)));
    const w = textWidth(text, font) + 10;
    const cx = left + ((b.x0 + b.x1 + 1) / 2) * k;
    const cy = whole ? top + 22 : top + ((b.y0 + b.y1 + 1) / 2) * k;
    const colour = rgbHex(rampColor(probs[i]));
    const h = font + 9;
    return `<rect x="${cx - w / 2}" y="${cy - h / 2}" width="${w}" height="${h}" rx="4" fill="#000" ` +
      `fill-opacity="0.72" stroke="${colour}" stroke-width="2"/>` +
      `<text x="${cx}" y="${cy}" dy="0.35em" text-anchor="middle" font-size="${font.toFixed(1)}" fill="#fff">${
        escapeXml(text)
      }</text>`;
  }).join("");

  // Side panel: score, decision, regions, legend.
  const abnormal = options.score > threshold;
  const decisionColour = abnormal ? "#b2182b" : "#2166ac";
  let y = top + 4;
  const panel: string[] = [];
  panel.push(`<text x="${panelX}" y="${y + 14}" font-size="13" fill="#555">image score</text>`);
  panel.push(`<text x="${panelX}" y="${y + 44}" font-size="30" font-weight="bold">${fmt(options.score)}</text>`);
  panel.push(
    `<text x="${panelX}" y="${y + 64}" font-size="11" fill="#555">scoring: ${escapeXml(options.scoring)}</text>`,
  );
  y += 84;
  panel.push(
    `<rect x="${panelX}" y="${y}" width="${panelW - 16}" height="30" rx="5" fill="${decisionColour}"/>` +
      `<text x="${panelX + 10}" y="${y + 15}" dy="0.35em" font-size="15" font-weight="bold" fill="#fff">` +
      `${abnormal ? "ABNORMAL" : "NORMAL"} (score ${abnormal ? ">" : "≤"} ${threshold})</text>`,
  );
  y += 52;
  panel.push(`<text x="${panelX}" y="${y}" font-size="12" fill="#555">P(abnormal) per region</text>`);
  y += 8;
  order.forEach((r, j) => {
    const yy = y + 6 + j * 20;
    const name = regions[r].name === "" ? "whole" : regions[r].name;
    panel.push(
      `<rect x="${panelX}" y="${yy}" width="14" height="14" fill="${rgbHex(rampColor(probs[r]))}" stroke="#555"/>` +
        `<text x="${panelX + 22}" y="${yy + 7}" dy="0.35em" font-size="12" font-weight="${
          j === 0 ? "bold" : "normal"
        }">${escapeXml(name)}</text>` +
        `<text x="${panelX + 150}" y="${yy + 7}" dy="0.35em" font-size="12" text-anchor="end">${fmt(probs[r])}</text>`,
    );
  });
  y += 6 + order.length * 20 + 24;
  // Legend: a horizontal colour bar from 0 (normal) to 1 (abnormal), with the decision threshold marked.
  const barW = panelW - 40;
  const stops = PROBABILITY_RAMP.map((c, i) =>
    `<stop offset="${(i / (PROBABILITY_RAMP.length - 1)).toFixed(3)}" stop-color="${rgbHex(c)}"/>`
  ).join("");
  panel.push(`<text x="${panelX}" y="${y}" font-size="12" fill="#555">colour = P(abnormal)</text>`);
  y += 8;
  panel.push(
    `<defs><linearGradient id="ppad-overlay-ramp" x1="0" x2="1" y1="0" y2="0">${stops}</linearGradient></defs>` +
      `<rect x="${panelX}" y="${y}" width="${barW}" height="14" fill="url(#ppad-overlay-ramp)" stroke="#555"/>`,
  );
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    const x = panelX + t * barW;
    panel.push(
      `<line x1="${x}" x2="${x}" y1="${y + 14}" y2="${y + 19}" stroke="#333"/>` +
        `<text x="${x}" y="${y + 30}" font-size="10" text-anchor="middle">${t}</text>`,
    );
  }
  const tx = panelX + threshold * barW;
  panel.push(`<line x1="${tx}" x2="${tx}" y1="${y - 3}" y2="${y + 17}" stroke="#000" stroke-width="2"/>`);
  panel.push(
    `<text x="${panelX}" y="${y + 46}" font-size="10" fill="#555">0 normal · ${threshold} decision threshold · ` +
      `1 abnormal</text>`,
  );
  y += 60;

  const height = Math.max(top + d + 16, y);
  return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" ` +
    `height="${height}" viewBox="0 0 ${width} ${height}" font-family="${CHART_FONT}" fill="#222">` +
    `<rect width="100%" height="100%" fill="white"/>` +
    `<text x="${left}" y="24" font-size="16" font-weight="bold">${escapeXml(options.title)}</text>` +
    (options.subtitle
      ? `<text x="${left}" y="44" font-size="12" fill="#555">${escapeXml(options.subtitle)}</text>`
      : "") +
    `<image x="${left}" y="${top}" width="${d}" height="${d}" href="data:image/png;base64,${png}" ` +
    `xlink:href="data:image/png;base64,${png}" preserveAspectRatio="none" style="image-rendering:optimizeQuality"/>` +
    outlines + labels + panel.join("") + `</svg>`;
}

/** What an overlay figure states about the image and the prompts. */
export interface OverlayInfo {
  /** The image score after the scoring rule. */
  score: number;
  /** The scoring rule in words, e.g. `paper (max if > 0.8, else mean)` (`SCORING_DESCRIPTIONS` in lib/eval). */
  scoring: string;
  /** Title, e.g. the image's file name. */
  title: string;
  /** Which prompts, e.g. `ppad on ppad5, sas, seed 0 (prompts P.safetensors)`. */
  subtitle?: string;
}

/**
 * The overlay figure of one scored image as PNG: the X-ray with each region outlined and labelled with its
 * probability, the image score and decision (score > 0.5), a region list and a colour legend.
 * @param image the square image at the model's resolution
 * @param probs P(abnormal) per region, same order as `regions`
 */
export function overlayPng(
  image: GrayImage,
  probs: ArrayLike<number>,
  regions: readonly HeatmapRegion[],
  info: OverlayInfo,
): Promise<Uint8Array> {
  if (image.width !== image.height) {
    throw new RangeError(`Cannot draw an overlay of ${image.source}: ${image.width}×${image.height} is not square`);
  }
  const svg = overlayFigureSvg(image.data, probs, regions, {
    size: image.width,
    score: info.score,
    scoring: info.scoring,
    title: info.title,
    subtitle: info.subtitle,
  });
  return svgToPng(svg, { scale: 1.5 });
}

/** Unique overlay file names for `paths`: `<stem>.png`, then `<stem>-2.png`, … when stems repeat. */
export function overlayNames(paths: readonly string[]): string[] {
  const used = new Set<string>();
  return paths.map((p) => {
    const stem = basename(p, extname(p)).replace(/[^\w.-]+/g, "_") || "image";
    let name = `${stem}.png`;
    for (let k = 2; used.has(name); k++) name = `${stem}-${k}.png`;
    used.add(name);
    return name;
  });
}
