/**
 * A sweep-wide memo of **prompt-free image features**: the frozen CLIP's L2-normalised image feature of a grey image,
 * encoded without image prompts. Without image prompts, a variant's image feature does not depend on anything it
 * learns (zero-shot, CoOp, text-only, no-position, and the whole-image branch of PPAD, whose image prompts replace no
 * patch), so one sweep computes it once per distinct image and reuses it across runs, seeds and steps: test images, the
 * k-shot normals and the synthetic anomalies of a training stream alike.
 *
 * Key: the image's content (a 128-bit digest of its float32 pixels), under one model and one preprocessing, fixed when
 * the cache is made (model hash, normalisation, resolution; a cache refuses another CLIP). The region is not part of
 * the key: without image prompts every region sees the same, unmasked image, so one entry serves all of them.
 *
 * Exactness: rows of the frozen CLIP are computed independently of the other rows of their batch (every kernel of
 * the image tower reduces within a row, in a fixed order), so a feature computed in one batch equals, bitwise, the same
 * image's feature in any other batch; features travel host ↔ tensor as float32, exactly. `tests/feature_cache_test.ts`
 * checks a whole small sweep with the cache on and off for identical per-image probabilities.
 *
 * Bounds: features live on the host (no tensors are held between calls), about `4·embedDim + 120` bytes per entry
 * (≈ 630 B at the default model's 128 dimensions, ≈ 2.2 KB at CheXzero's 512); least recently used entries are dropped
 * beyond `maxBytes` (default 256 MiB ≈ 400,000 entries at 128-d, 120,000 at 512-d). The default sweep (one seed) ends
 * with 6,365 entries, 3.8 MB (624 test images, 64 shots, ≈ 3,200 synthetic anomalies per training stream seen without
 * image prompts); each further seed adds about 5,700, so five seeds on CheXzero (512-d) hold ≈ 29,000, ≈ 64 MB.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Normalisation } from "../data/mod.ts";
import { l2normalise, pixelsFromGray, type PromptableClip, sameNormalisation } from "../prompts/mod.ts";
import { type ImageMemoStats, ImageRowMemo } from "./image_memo.ts";

/** Default bound of a {@link FeatureCache}: 256 MiB. */
export const DEFAULT_FEATURE_CACHE_BYTES = 256 * 2 ** 20;

/** What a {@link FeatureCache} is bound to. */
export interface FeatureCacheOptions {
  /** The checkpoint's hash (recorded; a cache serves one model). */
  modelHash: string;
  /** The image normalisation every feature is computed with. */
  normalisation: Normalisation;
  /** Bound on the host memory of the entries. @default {@link DEFAULT_FEATURE_CACHE_BYTES} */
  maxBytes?: number;
  /** Images per forward pass when computing misses. @default 64 */
  batch?: number;
}

/** Counters of a {@link FeatureCache}: features served from memory (`hits`), computed, evicted; entries and bytes. */
export type FeatureCacheStats = ImageMemoStats;

/**
 * Prompt-free image features of one frozen CLIP under one preprocessing, memoised by image content and bounded (see
 * the module doc). Holds no tensors between calls; `clear()` frees everything.
 */
export class FeatureCache {
  readonly clip: PromptableClip;
  readonly modelHash: string;
  readonly normalisation: Normalisation;
  readonly resolution: number;
  readonly #memo: ImageRowMemo;

  constructor(clip: PromptableClip, options: FeatureCacheOptions) {
    this.clip = clip;
    this.modelHash = options.modelHash;
    this.normalisation = options.normalisation;
    this.resolution = clip.config.imageResolution;
    this.#memo = new ImageRowMemo(
      clip.config.embedDim,
      options.maxBytes ?? DEFAULT_FEATURE_CACHE_BYTES,
      options.batch ?? 64,
    );
  }

  /** Bound on the host bytes held. */
  get maxBytes(): number {
    return this.#memo.maxBytes;
  }

  /** Bytes one entry costs (approximately): the float32 feature plus bookkeeping. */
  get entryBytes(): number {
    return this.#memo.entryBytes;
  }

  /**
   * L2-normalised image features `[n, embedDim]` of grey images `[n][size*size]` in [0, 1] (size = the model's
   * resolution), encoded without image prompts: equal, bitwise, to `l2normalise(clip.encodeImage(pixelsFromGray(…)))`
   * on the same images. Misses are computed in batches of `batch` and stored.
   */
  features(images: readonly Float32Array[], normalisation: Normalisation = this.normalisation): tf.Tensor2D {
    if (!sameNormalisation(normalisation, this.normalisation)) {
      throw new Error("Cannot use the feature cache: it was made for another image normalisation");
    }
    const per = this.resolution * this.resolution;
    for (const img of images) {
      if (img.length !== per) {
        throw new RangeError(`Cannot encode an image of ${img.length} pixels: the model takes ${this.resolution}²`);
      }
    }
    const rows = this.#memo.rows(
      images,
      (batch) =>
        tf.tidy(() => l2normalise(this.clip.encodeImage(pixelsFromGray(batch, this.resolution, this.normalisation)))),
    );
    return tf.tensor2d(rows, [images.length, this.clip.config.embedDim]);
  }

  /** Counters and size. */
  stats(): FeatureCacheStats {
    return this.#memo.stats();
  }

  /** Drops every entry (counters are kept). */
  clear(): void {
    this.#memo.clear();
  }
}
