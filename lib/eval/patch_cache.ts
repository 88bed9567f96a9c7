/**
 * A sweep-wide memo of **patch tokens**: the frozen CLIP's patch embedding of a grey image (patchify + the
 * `[B·grid², 3p²]·[3p², width]` matMul, about a quarter of the small default CLIP's forward FLOPs). Image prompts
 * replace patch tokens after this embedding, so it depends on the image alone, not on prompts, regions, variant or
 * seed: every image-prompt run of a sweep embeds the same test images once per region, and the shots (and the
 * synthetic anomalies of a shared training stream) at every step, of every variant. With this cache each distinct
 * image is embedded once per sweep, and the normalised pixels it needs are built once too.
 *
 * Key: the image's content (the 128-bit digest of its float32 pixels, lib/eval/image_digest.ts), under one model and one
 * preprocessing fixed when the cache is made (model hash, normalisation, resolution).
 *
 * Exactness: the patch embedding computes each image's rows independently of the other images of its batch (patchify
 * moves data; the matMul reduces within a row, in a fixed order), so patch tokens computed in one batch equal, bitwise,
 * the same image's tokens in any other batch, and the image tower run from them (`clip.encodePatches` /
 * `encodePatchesWithPrompts`) gives bitwise the features it gives from pixels: the same kernels on the same inputs.
 * Tokens travel host ↔ tensor as float32, exactly. `tests/feature_cache_test.ts` checks it, alone, in training and in
 * a small sweep with the cache on and off.
 *
 * Bounds: tokens live on the host (no tensors are held between calls), `4·grid²·visionWidth + 120` bytes per entry
 * (≈ 37 KB at the default model's 49 × 192; ≈ 150 KB at ViT-B/32's 49 × 768); least recently used entries are dropped
 * beyond `maxBytes` (default 512 MiB ≈ 14,200 entries at the default model, 3,570 at ViT-B/32). The default sweep (one
 * seed) sees about 10,000 distinct images through image prompts (≈ 380 MB): the 624 test images and 64 shots, reused
 * by every image-prompt run, and 2,100–2,900 synthetic anomalies per training stream (the rows of prompted regions,
 * and the probe's draws), reused by the runs sharing the stream. Measured with a 256 MiB bound: 12,347 embedded,
 * 28,812 reused, 5,237 dropped (so the last run on the shared stream, PPAD with patient sides, embedded its anomalies
 * again). Test images and shots, looked up by every run, stay among the most recently used; a miss costs only what the
 * run costs without the cache.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Normalisation } from "../data/mod.ts";
import { pixelsFromGray, type PromptableClip, sameNormalisation } from "../prompts/mod.ts";
import { type ImageMemoStats, ImageRowMemo } from "./image_memo.ts";

/** Default bound of a {@link PatchEmbeddingCache}: 512 MiB. */
export const DEFAULT_PATCH_CACHE_BYTES = 512 * 2 ** 20;

/** What a {@link PatchEmbeddingCache} is bound to. */
export interface PatchCacheOptions {
  /** The checkpoint's hash (recorded; a cache serves one model). */
  modelHash: string;
  /** The image normalisation every entry is computed with. */
  normalisation: Normalisation;
  /** Bound on the host memory of the entries. @default {@link DEFAULT_PATCH_CACHE_BYTES} */
  maxBytes?: number;
  /** Images per patch-embedding pass when computing misses. @default 64 */
  batch?: number;
}

/** Counters of a {@link PatchEmbeddingCache}: images served from memory (`hits`), computed, evicted; entries, bytes. */
export type PatchCacheStats = ImageMemoStats;

/**
 * Patch tokens of one frozen CLIP under one preprocessing, memoised by image content and bounded (see the module
 * doc). A `PatchEmbeddingSource` for `PromptModel` (lib/prompts/prompt_model.ts). Holds no tensors between calls;
 * `clear()` frees everything.
 */
export class PatchEmbeddingCache {
  readonly clip: PromptableClip;
  readonly modelHash: string;
  readonly normalisation: Normalisation;
  readonly resolution: number;
  readonly #memo: ImageRowMemo;

  constructor(clip: PromptableClip, options: PatchCacheOptions) {
    this.clip = clip;
    this.modelHash = options.modelHash;
    this.normalisation = options.normalisation;
    this.resolution = clip.config.imageResolution;
    const { grid, visionWidth } = clip.config;
    this.#memo = new ImageRowMemo(
      grid * grid * visionWidth,
      options.maxBytes ?? DEFAULT_PATCH_CACHE_BYTES,
      options.batch ?? 64,
    );
  }

  /** Bound on the host bytes held. */
  get maxBytes(): number {
    return this.#memo.maxBytes;
  }

  /** Bytes one entry costs (approximately): the float32 tokens plus bookkeeping. */
  get entryBytes(): number {
    return this.#memo.entryBytes;
  }

  /**
   * Patch tokens `[n, grid², visionWidth]` of grey images `[n][size*size]` in [0, 1] (size = the model's
   * resolution): equal, bitwise, to `clip.embedPatches(pixelsFromGray(images, size, normalisation))`. Misses (each
   * distinct image once) are computed in batches of `batch` and stored.
   */
  patchEmbeddings(images: readonly Float32Array[], normalisation: Normalisation = this.normalisation): tf.Tensor3D {
    if (!sameNormalisation(normalisation, this.normalisation)) {
      throw new Error("Cannot use the patch-embedding cache: it was made for another image normalisation");
    }
    const per = this.resolution * this.resolution;
    for (const img of images) {
      if (img.length !== per) {
        throw new RangeError(`Cannot embed an image of ${img.length} pixels: the model takes ${this.resolution}²`);
      }
    }
    const rows = this.#memo.rows(
      images,
      (batch) => tf.tidy(() => this.clip.embedPatches(pixelsFromGray(batch, this.resolution, this.normalisation))),
    );
    const { grid, visionWidth } = this.clip.config;
    return tf.tensor3d(rows, [images.length, grid * grid, visionWidth]);
  }

  /** Counters and size. */
  stats(): PatchCacheStats {
    return this.#memo.stats();
  }

  /** Drops every entry (counters are kept). */
  clear(): void {
    this.#memo.clear();
  }
}
