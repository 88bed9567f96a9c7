/**
 * Border swap: the outer frame of a real film replaced by the same frame of another film of the corpus, drawn without
 * regard to either label. The frame of a radiograph (collimation, burnt-in markers, the detector's edge, where there is
 * no lung) tells where and how it was taken; in a corpus whose two classes come from different hospitals it tells the
 * label too (a logistic regression on a 14 px border alone separates the default corpus's classes, see
 * `deno task zeroshot --pixel-probe`). Swapped at every draw, the frame carries no label, so the model has to find it
 * inside. The donor's frame is shifted and scaled to the mean and spread of the film's own frame, so that no step in
 * exposure marks the seam: what moves is the frame's content (markers, collimation, the detector's edge), not the
 * film's exposure. Evaluation films stay whole; only the pairs a model learns from change.
 * @module
 */
import type { Rng } from "../util/mod.ts";

/** Width of the swapped frame in pixels of a 224 px film, drawn uniformly per swap. */
export const BORDER_SWAP_WIDTH: readonly [number, number] = [14, 28];

/**
 * `image` `[size*size]` with its outer frame, `width` pixels wide on every side, taken from `donor` `[size*size]`
 * after matching the donor frame's mean and standard deviation to the image frame's (values clamped to [0, 1]; a new
 * array, neither input changes).
 */
export function swapBorder(image: Float32Array, donor: Float32Array, size: number, width: number): Float32Array {
  if (image.length !== size * size || donor.length !== size * size) {
    throw new RangeError(`swapBorder: images of ${image.length} and ${donor.length} values are not ${size} × ${size}`);
  }
  const frame = frameIndices(size, Math.max(0, Math.min(Math.floor(width), Math.floor(size / 2))));
  const own = moments(image, frame), theirs = moments(donor, frame);
  const gain = theirs.std > 1e-6 ? own.std / theirs.std : 0;
  const out = image.slice();
  for (const i of frame) out[i] = Math.min(1, Math.max(0, own.mean + (donor[i] - theirs.mean) * gain));
  return out;
}

/** Indices into a square image `[size*size]` of its outer frame, `width` pixels wide on every side, in raster order. */
export function frameIndices(size: number, width: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < size; y++) {
    const rowInFrame = y < width || y >= size - width;
    for (let x = 0; x < size; x++) if (rowInFrame || x < width || x >= size - width) out.push(y * size + x);
  }
  return out;
}

/**
 * One draw of the border swap for a film of side `size`: with probability `p`, the donor's index among `count` films
 * and the frame's width ({@link BORDER_SWAP_WIDTH}, scaled to `size`); otherwise `null`.
 */
export function drawBorderSwap(
  rng: Rng,
  p: number,
  count: number,
  size: number,
): { donor: number; width: number } | null {
  if (!rng.bernoulli(p)) return null;
  const [lo, hi] = BORDER_SWAP_WIDTH.map((w) => Math.max(1, Math.round((w * size) / 224)));
  return { donor: rng.int(0, count - 1), width: rng.int(lo, hi) };
}

/** Mean and standard deviation of `values` at `indices`. */
function moments(values: Float32Array, indices: readonly number[]): { mean: number; std: number } {
  if (indices.length === 0) return { mean: 0, std: 0 };
  let sum = 0, sq = 0;
  for (const i of indices) {
    sum += values[i];
    sq += values[i] * values[i];
  }
  const mean = sum / indices.length;
  return { mean, std: Math.sqrt(Math.max(0, sq / indices.length - mean * mean)) };
}
