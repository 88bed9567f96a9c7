/**
 * `deno task zeroshot --pixel-probe`: what the evaluation sets reward before any network looks at them. A logistic
 * regression on the grey values of a small thumbnail of each film (no backbone, no learned feature) is fitted on the
 * real corpus's training split, as the image probes are, and scored on the same sets: once on the whole thumbnail,
 * once on its outer frame only (the film's border: collimation, markers, the detector's edge, where no lung is) and
 * once on everything inside that frame. A backbone that scores no higher than the whole-film regression has learned
 * nothing a linear model of 1,024 grey values lacks; a border that separates the classes says the set can be solved
 * by where and how a film was taken.
 * A diagnostic: it chooses nothing.
 * @module
 */
import { type LinearProbe, logisticProbe, probeScores } from "../eval/mod.ts";
import { frameIndices } from "../train/mod.ts";
import { InputError } from "../util/mod.ts";
import { type ImageProbeOptions, type ImageProbeRow, NO_WEIGHTS, probeSets } from "./image_probe.ts";
import { aurocWithInterval, type ZeroShotOnData, zeroShotRows } from "./zeroshot.ts";

/** The three pixel regions of {@link pixelProbe}, in table order. */
export const PIXEL_REGIONS = ["whole film", "border", "inside the border"] as const;
/** One region of the thumbnail. */
export type PixelRegion = typeof PIXEL_REGIONS[number];

/** Options for {@link pixelProbe}: the probe data's, plus the thumbnail's geometry. */
export interface PixelProbeOptions extends Pick<ImageProbeOptions, "real" | "benchmark" | "datasets" | "limit" | "c"> {
  /** Thumbnail side in pixels; must divide the images' side (224). @default 32 */
  thumbnail?: number;
  /** Width of the border, in thumbnail pixels. @default 2 (14 px of a 224 px film) */
  border?: number;
  /** Called with each result as it comes. */
  onResult?: (model: string, result: ZeroShotOnData) => void;
}

/**
 * Block-mean thumbnail of a square grey image `[size*size]` → `[thumb*thumb]` (each output pixel the mean of a
 * `size/thumb` square block; `thumb` must divide `size`).
 */
export function thumbnail(image: Float32Array, size: number, thumb: number): Float32Array {
  if (!Number.isInteger(size / thumb) || thumb < 1) {
    throw new InputError(`thumbnail: ${thumb} px does not divide the image side of ${size} px`);
  }
  if (image.length !== size * size) {
    throw new InputError(`thumbnail: an image of ${image.length} values is not ${size} × ${size}`);
  }
  const block = size / thumb;
  const out = new Float32Array(thumb * thumb);
  for (let y = 0; y < size; y++) {
    const row = Math.floor(y / block) * thumb;
    for (let x = 0; x < size; x++) out[row + Math.floor(x / block)] += image[y * size + x];
  }
  const area = block * block;
  for (let i = 0; i < out.length; i++) out[i] /= area;
  return out;
}

/**
 * Indices into a `[thumb*thumb]` thumbnail of one region: the outer frame `border` pixels wide, everything inside it,
 * or the whole film.
 */
export function regionIndices(thumb: number, border: number, region: PixelRegion): number[] {
  if (!Number.isInteger(border) || border < 1 || 2 * border >= thumb) {
    throw new InputError(`pixel probe: a border of ${border} px does not fit a ${thumb} px thumbnail`);
  }
  const all = [...Array(thumb * thumb).keys()];
  if (region === "whole film") return all;
  const frame = frameIndices(thumb, border);
  if (region === "border") return frame;
  const inFrame = new Set(frame);
  return all.filter((i) => !inFrame.has(i));
}

/** The table's name of one region's baseline: `pixels 32×32: border (14 px)`. */
export function pixelBaselineName(thumb: number, border: number, region: PixelRegion, size = 224): string {
  const detail = region === "border" ? ` (${(border * size) / thumb} px)` : "";
  return `pixels ${thumb}×${thumb}: ${region}${detail}`;
}

/**
 * Fits the pixel baselines (one L2-regularised logistic regression per region, on the thumbnails' grey values of the
 * corpus's training split) and scores each on the held-out slice, the synthetic benchmark (if asked) and each data
 * set, with 95 % bootstrap intervals. Tidy rows as {@link ImageProbeRow}s whose model is the baseline's name and whose
 * probe is `logistic`, so that they sit beside the backbones in the probe table and chart.
 */
export async function pixelProbe(options: PixelProbeOptions): Promise<ImageProbeRow[]> {
  const thumb = options.thumbnail ?? 32, border = options.border ?? 2;
  const { trainImages, trainLabels, evalSets } = await probeSets(options, "zeroshot --pixel-probe");
  const size = Math.round(Math.sqrt(trainImages[0]?.length ?? 0));
  const small = (images: readonly Float32Array[]) => images.map((img) => thumbnail(img, size, thumb));
  const train = small(trainImages);
  const sets = evalSets.map((set) => ({ ...set, thumbs: small(set.images) }));
  const rows: ImageProbeRow[] = [];
  for (const region of PIXEL_REGIONS) {
    const keep = regionIndices(thumb, border, region);
    const pick = (thumbs: readonly Float32Array[]) => thumbs.map((t) => Float32Array.from(keep, (k) => t[k]));
    const probe: LinearProbe = logisticProbe(pick(train), trainLabels, { c: options.c });
    const name = pixelBaselineName(thumb, border, region, size);
    for (const set of sets) {
      const result: ZeroShotOnData = {
        data: set.data,
        role: set.role,
        n: set.labels.length,
        ...aurocWithInterval(set.labels, probeScores(probe, pick(set.thumbs))),
      };
      options.onResult?.(name, result);
      for (const { model, model_hash, ...rest } of zeroShotRows(name, NO_WEIGHTS, [result])) {
        rows.push({ model, model_hash, probe: "logistic", ...rest });
      }
    }
  }
  return rows;
}
