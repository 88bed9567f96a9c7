/**
 * FPI-style patch blending (Foreign Patch Interpolation, Tan et al. 2020), the synthesis baseline of the ablation:
 * a square patch of another normal image, blended in at the SAME location with opacity α.
 *
 * Draws, in order: centre uniform in the region's bounding box (x, then y); half-width uniform in [0.05, 0.2]·size,
 * rounded to whole pixels (≥ 1); opacity α uniform in [0.5, 1). The 2r×2r square is centred there and shifted back
 * inside the image. out = (1 − α)·I + α·other inside the square.
 * @module
 */
import { type Region, regionBoundingBox } from "../prompts/regions.ts";
import type { Rng } from "../util/rng.ts";
import type { PixelBox } from "./shape.ts";
import { _checkImage, type SynthesisResult } from "./types.ts";

/** Options of {@link fpi}; defaults as in the PPAD ablation. */
export interface FpiOptions {
  /** Half-width range as fractions of the image side. @default [0.05, 0.2] */
  halfWidthRange?: readonly [number, number];
  /** Opacity range [lo, hi). @default [0.5, 1] */
  alphaRange?: readonly [number, number];
}

/** FPI output: image, mask, and the drawn parameters. */
export interface FpiResult extends SynthesisResult {
  alpha: number;
  /** Inclusive pixel box of the patch. */
  box: PixelBox;
}

/**
 * Blends a square patch of `other` into `image` at the same place (pure: inputs are not modified).
 * @param image `[size*size]` grey image in [0, 1]
 * @param other `[size*size]` another normal image (the patch source)
 * @param size image side
 * @param region the patch centre is drawn in its bounding box
 * @returns new image `[size*size]`, square mask `[size*size]`, α and the patch box
 */
export function fpi(
  image: Float32Array,
  other: Float32Array,
  size: number,
  region: Region,
  rng: Rng,
  { halfWidthRange = [0.05, 0.2], alphaRange = [0.5, 1] }: FpiOptions = {},
): FpiResult {
  _checkImage(image, size, "image", "fpi");
  _checkImage(other, size, "other image", "fpi");
  _checkImage(region.mask, size, `region "${region.name}" mask`, "fpi");
  const rb = regionBoundingBox(region);
  const cx = rng.uniform(rb.x0, rb.x1 + 1), cy = rng.uniform(rb.y0, rb.y1 + 1);
  const r = Math.max(
    1,
    Math.min(Math.floor(size / 2), Math.round(rng.uniform(halfWidthRange[0], halfWidthRange[1]) * size)),
  );
  const alpha = rng.uniform(alphaRange[0], alphaRange[1]);
  const side = 2 * r;
  const x0 = Math.min(Math.max(Math.round(cx - r), 0), size - side);
  const y0 = Math.min(Math.max(Math.round(cy - r), 0), size - side);
  const out = image.slice();
  const mask = new Uint8Array(size * size);
  for (let y = y0; y < y0 + side; y++) {
    for (let i = y * size + x0, end = i + side; i < end; i++) {
      out[i] = (1 - alpha) * image[i] + alpha * other[i];
      mask[i] = 1;
    }
  }
  return { image: out, mask, alpha, box: { x0, y0, x1: x0 + side - 1, y1: y0 + side - 1 } };
}
