/**
 * The frozen CLIP's zero-shot region probe: keep the pixels of one region, set the rest to black, and score the masked
 * image zero-shot. (PPAD itself masks inside the model, replacing the patch tokens outside a region with learned image
 * prompts.) Images that are half black are unlike anything the model saw in training: compare regions of one image,
 * and normal images with abnormal ones, rather than reading the values as calibrated.
 * @module
 */
import type { Normalisation } from "../data/mod.ts";
import type { BpeTokenizer, ClipModel } from "../encoders/mod.ts";
import { type Region, zeroShotScores } from "../prompts/mod.ts";

/**
 * The image with every pixel outside `mask` set to `fill`: `image` `[size*size]`, `mask` `[size*size]` (> 0.5 inside)
 * → a new `[size*size]` array.
 */
export function maskOutside(image: ArrayLike<number>, mask: ArrayLike<number>, fill = 0): Float32Array {
  if (image.length !== mask.length) {
    throw new RangeError(`Cannot mask an image of ${image.length} pixels with a mask of ${mask.length}`);
  }
  const out = new Float32Array(image.length);
  for (let i = 0; i < image.length; i++) out[i] = mask[i] > 0.5 ? image[i] : fill;
  return out;
}

/** What {@link regionProbe} returns, per image. */
export interface RegionProbe {
  /** `[images][regions]` the masked images the model scored (`[size*size]` each). */
  masked: Float32Array[][];
  /** `[images]` → `[regions]` zero-shot P("pneumonia.") of each masked image. */
  probs: Float32Array[];
}

/** The model that scores the probe: a frozen CLIP, its tokenizer and its pixel normalisation. */
export interface ProbeModel {
  clip: ClipModel;
  tokenizer: BpeTokenizer;
  normalisation: Normalisation;
}

/**
 * Scores each of `images` `[n][size*size]` (size = the model's resolution) masked to each of `regions` (masks
 * `[size*size]`), zero-shot, in one pass.
 */
export function regionProbe(
  model: ProbeModel,
  images: readonly Float32Array[],
  regions: readonly Region[],
): RegionProbe {
  const masked = images.map((image) => regions.map((r) => maskOutside(image, r.mask, 0)));
  const scores = zeroShotScores(model.clip, model.tokenizer, model.normalisation, masked.flat());
  const R = regions.length;
  return { masked, probs: images.map((_, k) => scores.slice(k * R, (k + 1) * R)) };
}
