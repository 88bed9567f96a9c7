/**
 * Structure-preserving anomaly synthesis (SAS, from the PPAD paper): a random smooth lesion whose core is gamma-corrected, so the
 * anatomy's texture is kept and the change fades to identity at the lesion border.
 *
 * Steps (random draws in this order): centre uniform in the region's bounding box (x, then y); width, then height,
 * uniform in [0.2, 0.8]·size; the box is centred there and shifted back inside the image; the shape from
 * {@link lesionShape} (10 points, hull, Bézier bulges N(0, 8²), XOR, 5×5 dilation); weight w uniform from
 * {−0.999, −0.99, 2, 3}. Then d = exact EDT inside the lesion, γ = 1 + w·d/max(d), out = I^γ (I in [0, 1]).
 *
 * Distance origin (`distance` option): `"inner-boundary"` (default) measures d from the lesion's inner boundary,
 * d = EDT − 1, so γ = 1 exactly on the boundary pixels, as method.md states; `"outside"` uses the raw EDT (distance to the
 * nearest outside pixel, ≥ 1 inside), as `γ = 1 + w·edt/max(edt)` on scipy's `distance_transform_edt` would.
 * @module
 */
import { type Region, regionBoundingBox } from "../prompts/regions.ts";
import type { Rng } from "../util/rng.ts";
import { EdtScratch, edtSquaredInto } from "./distance.ts";
import { lesionShape, type LesionShapeOptions, type PixelBox } from "./shape.ts";
import { _checkImage, type SynthesisResult } from "./types.ts";

/** The paper's gamma weights: negative brightens the core (γ < 1), positive darkens it (γ > 1). */
export const SAS_WEIGHTS: readonly number[] = Object.freeze([-0.999, -0.99, 2, 3]);

/** Where the SAS distance is measured from (see the module doc). */
export type SasDistance = "inner-boundary" | "outside";

/** Options of {@link sas}; defaults are the paper's. */
export interface SasOptions extends LesionShapeOptions {
  /** Lesion width and height range as fractions of the image side. @default [0.2, 0.8] */
  sizeRange?: readonly [number, number];
  /** Gamma weights drawn uniformly. @default SAS_WEIGHTS */
  weights?: readonly number[];
  /** Distance origin. @default "inner-boundary" */
  distance?: SasDistance;
}

/** SAS output: image, mask, and the drawn parameters. */
export interface SasResult extends SynthesisResult {
  /** The drawn gamma weight w. */
  weight: number;
  /** Inclusive pixel bounding box of the lesion mask. */
  box: PixelBox;
}

/** Per-lesion γ values on the lesion's bounding box. */
export interface LesionGamma {
  /** The box the values cover (the lesion's bounding box). */
  box: PixelBox;
  /** `[(x1−x0+1)*(y1−y0+1)]` row-major γ; 1 outside the lesion and on its inner boundary ("inner-boundary" mode). */
  gamma: Float32Array;
}

/**
 * γ = 1 + w·d/max(d) over a lesion's bounding box, d the exact EDT inside the lesion (see `distance`).
 * Pixels beyond the image count as inside (scipy semantics), so a lesion cut by the image edge keeps its core there.
 * @param mask `[size*size]` lesion mask
 * @param box the lesion's inclusive bounding box
 */
export function lesionGamma(
  mask: Uint8Array,
  size: number,
  box: PixelBox,
  weight: number,
  distance: SasDistance = "inner-boundary",
): LesionGamma {
  // Work on the box grown by one pixel: every non-clipped side of that ring is outside the lesion, so distances inside
  // the crop equal distances in the full image.
  const g = {
    x0: Math.max(0, box.x0 - 1),
    y0: Math.max(0, box.y0 - 1),
    x1: Math.min(size - 1, box.x1 + 1),
    y1: Math.min(size - 1, box.y1 + 1),
  };
  const gw = g.x1 - g.x0 + 1, gh = g.y1 - g.y0 + 1;
  const crop = new Uint8Array(gw * gh);
  for (let y = 0; y < gh; y++) crop.set(mask.subarray((g.y0 + y) * size + g.x0, (g.y0 + y) * size + g.x1 + 1), y * gw);
  const d2 = edtSquaredInto(crop, gw, gh, new Float64Array(gw * gh), new EdtScratch(Math.max(gw, gh)));
  const shift = distance === "inner-boundary" ? 1 : 0;
  let dmax = 0;
  for (let i = 0; i < d2.length; i++) {
    if (crop[i]) {
      const d = Math.sqrt(d2[i]) - shift;
      d2[i] = d;
      if (d > dmax) dmax = d;
    }
  }
  const bw = box.x1 - box.x0 + 1, bh = box.y1 - box.y0 + 1;
  const gamma = new Float32Array(bw * bh).fill(1);
  if (dmax > 0) {
    const k = weight / dmax;
    for (let y = 0; y < bh; y++) {
      const src = (box.y0 - g.y0 + y) * gw + (box.x0 - g.x0);
      for (let x = 0; x < bw; x++) if (crop[src + x]) gamma[y * bw + x] = 1 + k * d2[src + x];
    }
  }
  return { box, gamma };
}

/**
 * out = I^γ inside the box (γ from {@link lesionGamma}); pixels with I ≤ 0 stay 0. Writes into `out` (a copy of `image`).
 * @param image `[size*size]` in [0, 1]
 * @param out `[size*size]` destination, already holding `image`
 */
export function applyGamma(image: Float32Array, out: Float32Array, size: number, lg: LesionGamma): void {
  const { box, gamma } = lg;
  const bw = box.x1 - box.x0 + 1;
  for (let y = box.y0; y <= box.y1; y++) {
    const row = y * size, grow = (y - box.y0) * bw - box.x0;
    for (let x = box.x0; x <= box.x1; x++) {
      const g = gamma[grow + x];
      if (g === 1) continue;
      const v = image[row + x];
      out[row + x] = v > 0 ? Math.exp(g * Math.log(v)) : 0;
    }
  }
}

/**
 * Structure-preserving anomaly synthesis on one image (pure: the input is not modified).
 * @param image `[size*size]` row-major grey image in [0, 1]
 * @param size image side (e.g. 224)
 * @param region where the lesion centre is drawn (its bounding box); mask `[size*size]`
 * @param rng the seeded generator (draw order in the module doc)
 * @returns the new image `[size*size]`, the lesion mask `[size*size]`, the weight and the lesion box
 */
export function sas(image: Float32Array, size: number, region: Region, rng: Rng, options: SasOptions = {}): SasResult {
  _checkImage(image, size, "image", "sas");
  _checkImage(region.mask, size, `region "${region.name}" mask`, "sas");
  const { sizeRange = [0.2, 0.8], weights = SAS_WEIGHTS, distance = "inner-boundary" } = options;
  const rb = regionBoundingBox(region);
  const mask = new Uint8Array(size * size);
  let box: PixelBox | null = null;
  for (let attempt = 0; attempt < 10 && box === null; attempt++) {
    const cx = rng.uniform(rb.x0, rb.x1 + 1), cy = rng.uniform(rb.y0, rb.y1 + 1);
    const w = Math.min(size, rng.uniform(sizeRange[0], sizeRange[1]) * size);
    const h = Math.min(size, rng.uniform(sizeRange[0], sizeRange[1]) * size);
    const left = Math.min(Math.max(cx - w / 2, 0), size - w), top = Math.min(Math.max(cy - h / 2, 0), size - h);
    box = lesionShape(mask, size, left, top, w, h, rng, options);
  }
  if (box === null) {
    throw new Error(`Cannot synthesise a SAS lesion in region "${region.name}": 10 empty shapes in a row`);
  }
  const weight = rng.pick(weights);
  const out = image.slice();
  applyGamma(image, out, size, lesionGamma(mask, size, box, weight, distance));
  return { image: out, mask, weight, box };
}
