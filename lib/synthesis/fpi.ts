/**
 * FPI-style patch blending (Foreign Patch Interpolation, Tan et al. 2020), the synthesis baseline of the ablation, as
 * the release does it (`ppad_clip/datasets/generate_anomaly.py`, `fpi_mask_generate_anomaly`): a square patch of
 * another normal image (drawn from the whole normal training pool by the caller), blended in at the SAME location
 * with opacity α, clipped at the image edge.
 *
 * Draws, in order: centre row, then centre column, integers uniform in [top, bottom) and [left, right) of the region's
 * mask; half-width r, an integer uniform in [round(0.05·size), round(0.2·size)) (round half to even); opacity α
 * uniform in [0.5, 1) (float32). The patch is rows [cy − r, cy + r) × columns [cx − r, cx + r), each clipped to
 * [0, size) (so it shrinks at the edge). Inside it out = ⌊(1 − α)·255·I + α·255·S⌋ / 255, computed in float32 and
 * truncated to uint8 as the release does.
 * @module
 */
import { type Region, regionBoundingBox } from "../prompts/mod.ts";
import type { Rng } from "../util/mod.ts";
import { roundHalfEven } from "./sas.ts";
import type { PixelBox } from "./shape.ts";
import { _checkImage, type SynthesisResult } from "./types.ts";

/** Options of {@link fpi}; defaults are the release's. */
export interface FpiOptions {
  /** Half-width range as fractions of the image side (rounded half to even; upper end excluded). @default [0.05, 0.2] */
  halfWidthRange?: readonly [number, number];
  /** Opacity range [lo, hi). @default [0.5, 1] */
  alphaRange?: readonly [number, number];
}

/** FPI output: image, mask, and the drawn parameters. */
export interface FpiResult extends SynthesisResult {
  alpha: number;
  /** Inclusive pixel box of the (clipped) patch. */
  box: PixelBox;
}

/** `np.random.randint(lo, hi)`: an integer uniform in [lo, hi); `lo` when the range is empty. */
function _randint(rng: Rng, lo: number, hi: number): number {
  return hi > lo ? rng.int(lo, hi - 1) : lo;
}

/**
 * Blends a square patch of `source` into `image` at the same place (pure: inputs are not modified).
 * @param image `[size*size]` grey image in [0, 1]
 * @param source `[size*size]` another normal image (the patch source)
 * @param size image side
 * @param region the patch centre is drawn in its bounding box
 * @returns new image `[size*size]`, patch mask `[size*size]`, α and the patch box
 */
export function fpi(
  image: Float32Array,
  source: Float32Array,
  size: number,
  region: Region,
  rng: Rng,
  { halfWidthRange = [0.05, 0.2], alphaRange = [0.5, 1] }: FpiOptions = {},
): FpiResult {
  _checkImage(image, size, "image", "fpi");
  _checkImage(source, size, "source image", "fpi");
  _checkImage(region.mask, size, `region "${region.name}" mask`, "fpi");
  const rb = regionBoundingBox(region);
  const cy = _randint(rng, rb.y0, rb.y1), cx = _randint(rng, rb.x0, rb.x1);
  const lo = Math.max(1, roundHalfEven(halfWidthRange[0] * size));
  const r = _randint(rng, lo, Math.max(lo, roundHalfEven(halfWidthRange[1] * size)));
  const alpha = Math.fround(rng.uniform(alphaRange[0], alphaRange[1]));
  const y0 = Math.max(0, cy - r), y1 = Math.min(size, cy + r), x0 = Math.max(0, cx - r), x1 = Math.min(size, cx + r);
  const keep = Math.fround(1 - alpha);
  const out = image.slice();
  const mask = new Uint8Array(size * size);
  for (let y = y0; y < y1; y++) {
    for (let i = y * size + x0, end = y * size + x1; i < end; i++) {
      // float32 as the release: (1 − α)·I + α·S on 0…255 values, then truncated to uint8.
      const v = Math.fround(
        Math.fround(keep * Math.fround(image[i] * 255)) + Math.fround(alpha * Math.fround(source[i] * 255)),
      );
      out[i] = Math.floor(Math.min(255, Math.max(0, v))) / 255;
      mask[i] = 1;
    }
  }
  return { image: out, mask, alpha, box: { x0, y0, x1: x1 - 1, y1: y1 - 1 } };
}
