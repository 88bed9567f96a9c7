/**
 * Structure-preserving anomaly synthesis (SAS, from the PPAD paper): a random smooth lesion whose core is gamma-corrected, so the
 * anatomy's texture is kept and the change fades to identity at the lesion border. Follows the release
 * (`ppad_clip/datasets/mask_generate_anomaly.py`, `generate_anomaly_mask`, `compute_sdf`, `gamma_correction`, with the
 * weight drawn first as `pseudo_zhang.py` does).
 *
 * Draws, in order: weight w uniform from {−0.999, −0.99, 2, 3}; centre row, then centre column, integers uniform in
 * [top, bottom) and [left, right) of the region's mask (`np.random.randint`, the last row/column excluded); lesion
 * width w, then height h, integers uniform in [round(0.2·size), round(0.8·size)) (round half to even, as `np.round`);
 * the shape of {@link lesionShape} on a max(w, h)² canvas, which is placed by {@link placeCanvas}. Then
 * EDT = exact Euclidean distance to the nearest non-lesion pixel (scipy's `distance_transform_edt`: pixels beyond the
 * image are not background), γ = 1 + (EDT / max EDT)·w, and γ = 1 on the inner boundary (lesion pixels with a
 * 4-neighbour outside the lesion, i.e. EDT = 1; skimage's `find_boundaries(mode="inner")`). Output:
 * out = ⌊255·I^γ⌋ / 255 where γ ≠ 1 (the release truncates to uint8), the input elsewhere.
 * @module
 */
import { type Region, regionBoundingBox } from "../prompts/mod.ts";
import type { Rng } from "../util/mod.ts";
import { EdtScratch, edtSquaredInto } from "./distance.ts";
import { lesionShape, type LesionShapeOptions, type PixelBox } from "./shape.ts";
import { _checkImage, type SynthesisResult } from "./types.ts";

/** The paper's gamma weights: negative brightens the core (γ < 1), positive darkens it (γ > 1). */
export const SAS_WEIGHTS: readonly number[] = Object.freeze([-0.999, -0.99, 2, 3]);

/** Options of {@link sas}; defaults are the release's. */
export interface SasOptions extends LesionShapeOptions {
  /** Lesion width and height range as fractions of the image side (rounded half to even to pixels). @default [0.2, 0.8] */
  sizeRange?: readonly [number, number];
  /** Gamma weights drawn uniformly. @default SAS_WEIGHTS */
  weights?: readonly number[];
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
  /** `[(x1−x0+1)*(y1−y0+1)]` row-major γ; 1 outside the lesion and on its inner boundary. */
  gamma: Float32Array;
}

/** `np.round`: to the nearest integer, halves to even. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x), d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** `np.random.randint(lo, hi)`: an integer uniform in [lo, hi); `lo` when the range is empty. */
function _randint(rng: Rng, lo: number, hi: number): number {
  return hi > lo ? rng.int(lo, hi - 1) : lo;
}

/**
 * Where the release puts a side×side lesion canvas centred at `centre` on one axis of a `size`-pixel image: start
 * c − ⌊side/2⌋, end start + side; when the start is negative the window moves to start at 0; when the end passes
 * `size` it moves to end at size − 1 (exclusive, so the last row or column is never covered: the release's rule).
 * @param side canvas side, 1 ≤ side ≤ size − 1
 * @returns the first image row (or column) of the canvas
 */
export function placeCanvas(side: number, centre: number, size: number): number {
  let a = centre - Math.floor(side / 2), b = centre + side - Math.floor(side / 2);
  if (a < 0) {
    b -= a;
    a = 0;
  }
  if (b > size) a += size - 1 - b;
  return a;
}

/**
 * γ over a lesion's bounding box: 1 + (EDT / max EDT)·w inside the lesion, 1 on its inner boundary (EDT = 1) and
 * outside. Pixels beyond the image count as lesion (scipy semantics), so a lesion cut by the image edge keeps its core
 * there.
 * @param mask `[size*size]` lesion mask
 * @param box the lesion's inclusive bounding box
 */
export function lesionGamma(mask: Uint8Array, size: number, box: PixelBox, weight: number): LesionGamma {
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
  const d = edtSquaredInto(crop, gw, gh, new Float64Array(gw * gh), new EdtScratch(Math.max(gw, gh)));
  let dmax = 0;
  for (let i = 0; i < d.length; i++) {
    if (crop[i]) {
      d[i] = Math.sqrt(d[i]);
      if (d[i] > dmax) dmax = d[i];
    }
  }
  const bw = box.x1 - box.x0 + 1, bh = box.y1 - box.y0 + 1;
  const gamma = new Float32Array(bw * bh).fill(1);
  // dmax ≤ 1: every lesion pixel is on the boundary; dmax ≥ 1e10: no background in the image at all. γ stays 1.
  if (dmax > 1 && dmax < 1e10) {
    for (let y = 0; y < bh; y++) {
      const src = (box.y0 - g.y0 + y) * gw + (box.x0 - g.x0);
      for (let x = 0; x < bw; x++) {
        if (crop[src + x] && d[src + x] > 1) gamma[y * bw + x] = 1 + (d[src + x] / dmax) * weight;
      }
    }
  }
  return { box, gamma };
}

/**
 * out = ⌊255·I^γ⌋ / 255 (clamped to [0, 255] first) where γ ≠ 1 inside the box, as the release's `gamma_correction`
 * followed by `astype(np.uint8)`; other pixels keep their input value. Writes into `out` (a copy of `image`).
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
      const v = Math.min(255, Math.max(0, Math.pow(image[row + x], g) * 255));
      out[row + x] = Math.floor(v) / 255;
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
  const { sizeRange = [0.2, 0.8], weights = SAS_WEIGHTS } = options;
  const weight = rng.pick(weights);
  const rb = regionBoundingBox(region);
  const cy = _randint(rng, rb.y0, rb.y1), cx = _randint(rng, rb.x0, rb.x1);
  // The canvas must fit the image with the release's end-at-size−1 rule: sides ≤ size − 1.
  const lo = Math.max(1, Math.min(size - 1, roundHalfEven(sizeRange[0] * size)));
  const hi = Math.max(lo + 1, Math.min(size, roundHalfEven(sizeRange[1] * size)));
  const w = _randint(rng, lo, hi), h = _randint(rng, lo, hi);
  let canvas = null;
  for (let attempt = 0; attempt < 10 && canvas === null; attempt++) canvas = lesionShape(w, h, rng, options);
  if (canvas === null) {
    throw new Error(`Cannot synthesise a SAS lesion in region "${region.name}": 10 degenerate shapes in a row`);
  }
  const { side } = canvas;
  const top = placeCanvas(side, cy, size), left = placeCanvas(side, cx, size);
  const mask = new Uint8Array(size * size);
  let box: PixelBox | null = null;
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      if (!canvas.mask[r * side + c]) continue;
      const y = top + r, x = left + c;
      mask[y * size + x] = 1;
      if (box === null) box = { x0: x, y0: y, x1: x, y1: y };
      else {
        if (x < box.x0) box.x0 = x;
        if (x > box.x1) box.x1 = x;
        box.y1 = y;
      }
    }
  }
  const out = image.slice();
  applyGamma(image, out, size, lesionGamma(mask, size, box!, weight));
  return { image: out, mask, weight, box: box! };
}
