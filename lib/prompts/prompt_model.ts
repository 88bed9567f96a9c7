/**
 * A frozen CLIP plus the learnable prompts of one variant over one region set: per-region logits for training and
 * per-region abnormal probabilities for inference.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Normalisation } from "../data/mod.ts";
import type { BpeTokenizer, HostTensor } from "../encoders/mod.ts";
import { InputError, type Rng } from "../util/mod.ts";
import type { PromptableClip } from "./clip_api.ts";
import { ImagePromptLearner, TextPromptLearner } from "./learners.ts";
import { pixelsFromGray } from "./pixels.ts";
import { patchKeepMasks, type RegionSet, type Sides, sideWords } from "./regions.ts";
import { DEFAULT_CLASS_WORDS, tokenizePrompts } from "./text.ts";
import { effectiveRegions, type VariantSpec } from "./variants.ts";

/** Options for {@link PromptModel}. */
export interface PromptModelOptions {
  variant: VariantSpec;
  /** The configured region set at the model's resolution (a variant may replace it). */
  regions: RegionSet;
  /** Class words, normal first. @default ["normal", "pneumonia"] */
  classWords?: readonly string[];
  /** Learnable context length. @default 16 */
  nCtx?: number;
  /** Which side "left"/"right" name in the position words. @default "image" (the paper's) */
  sides?: Sides;
  rng: Rng;
  /**
   * Where prompt-free image features come from (e.g. a sweep's `FeatureCache`, lib/eval/feature_cache.ts): used by the
   * `…FromGray` methods for every image seen through a region whose feature does not depend on the image prompts.
   * Must wrap the same CLIP. @default none: every feature is computed as it is needed
   */
  frozenFeatures?: FrozenImageFeatures | null;
  /**
   * Where the patch tokens of the images seen through the image prompts come from (e.g. a sweep's
   * `PatchEmbeddingCache`, lib/eval/patch_cache.ts): used by the `…FromGray` methods in place of pixels. Must wrap the
   * same CLIP. @default none: the patch embedding is computed from pixels in every forward pass
   */
  patchEmbeddings?: PatchEmbeddingSource | null;
}

/** A source of prompt-free image features (a frozen CLIP's, without image prompts), e.g. a feature cache. */
export interface FrozenImageFeatures {
  /** The CLIP the features come from. */
  readonly clip: PromptableClip;
  /**
   * L2-normalised image features `[n, embedDim]` of grey images `[n][size*size]` in [0, 1], encoded without image
   * prompts: bitwise what `l2normalise(clip.encodeImage(pixelsFromGray(images, size, normalisation)))` gives.
   */
  features(images: readonly Float32Array[], normalisation: Normalisation): tf.Tensor2D;
}

/**
 * A source of patch tokens (the frozen CLIP's patch embedding, which no prompt changes), e.g. a patch-embedding cache.
 */
export interface PatchEmbeddingSource {
  /** The CLIP the patch tokens come from. */
  readonly clip: PromptableClip;
  /**
   * Patch tokens `[n, grid², visionWidth]` of grey images `[n][size*size]` in [0, 1]: bitwise what
   * `clip.embedPatches(pixelsFromGray(images, size, normalisation))` gives.
   */
  patchEmbeddings(images: readonly Float32Array[], normalisation: Normalisation): tf.Tensor3D;
}

/**
 * Images of one batch ready for {@link PromptModel.featuresOf}: the rows that go through image prompts as model input
 * (pixels, or patch tokens from the model's patch source), the others as prompt-free features computed outside any
 * gradient tape. `dispose()` frees both.
 */
export interface PreparedImages {
  /** `[batch]` region index of each row. */
  readonly regionIndex: readonly number[];
  /** Rows (indices into the batch, ascending) whose features are `frozen`. */
  readonly frozenRows: readonly number[];
  /** L2-normalised features `[frozenRows, embedDim]`, or null when no row is frozen. */
  readonly frozen: tf.Tensor2D | null;
  /** Rows (ascending) encoded with the image prompts from `input`. */
  readonly promptedRows: readonly number[];
  /**
   * Model input of the prompted rows, or null when every row is frozen: normalised pixels `[promptedRows, size, size,
   * 3]`, or their patch tokens `[promptedRows, grid², visionWidth]` when the model has a patch source.
   */
  readonly input: tf.Tensor4D | tf.Tensor3D | null;
  dispose(): void;
}

/** A variant's prompts on a frozen CLIP. */
export class PromptModel {
  readonly clip: PromptableClip;
  readonly variant: VariantSpec;
  readonly regions: RegionSet;
  readonly classWords: readonly string[];
  readonly text: TextPromptLearner;
  readonly image: ImagePromptLearner | null;
  /** exp(logit_scale) of the frozen CLIP. */
  readonly scale: number;
  /** Where prompt-free features come from (see {@link PromptModelOptions.frozenFeatures}), or null. */
  readonly frozenFeatures: FrozenImageFeatures | null;
  /** Where patch tokens come from (see {@link PromptModelOptions.patchEmbeddings}), or null. */
  readonly patchEmbeddings: PatchEmbeddingSource | null;
  /** `[R]` whether region r keeps every patch (so image prompts replace nothing there). */
  readonly #keepsAll: boolean[];

  constructor(clip: PromptableClip, tokenizer: BpeTokenizer, options: PromptModelOptions) {
    const { variant, rng } = options;
    const { grid, patchSize, imageResolution } = clip.config;
    if (options.regions.size !== imageResolution) {
      throw new InputError(
        `Cannot build prompts: region set ${options.regions.name} is ${options.regions.size} px, the model takes ${imageResolution} px`,
      );
    }
    if (options.frozenFeatures && options.frozenFeatures.clip !== clip) {
      throw new Error("Cannot build prompts: the frozen-feature source wraps another CLIP");
    }
    if (options.patchEmbeddings && options.patchEmbeddings.clip !== clip) {
      throw new Error("Cannot build prompts: the patch-embedding source wraps another CLIP");
    }
    this.clip = clip;
    this.frozenFeatures = options.frozenFeatures ?? null;
    this.patchEmbeddings = options.patchEmbeddings ?? null;
    this.scale = Math.exp(clip.logitScale.dataSync()[0]);
    this.variant = variant;
    this.regions = effectiveRegions(variant, options.regions);
    this.classWords = options.classWords ?? DEFAULT_CLASS_WORDS;
    const nCtx = variant.learnTextContext ? options.nCtx ?? 16 : 0;
    const sides = options.sides ?? "image";
    const words = this.regions.regions.map((r) => variant.positionWords ? sideWords(r.words, sides) : "");
    const prompts = tokenizePrompts(tokenizer, words, this.classWords, nCtx, clip.config.contextLength);
    this.text = new TextPromptLearner(clip, prompts, rng, { learn: variant.learnTextContext });
    // Image prompts replace the patches outside a region; when every region keeps every patch (the whole image)
    // they would replace nothing and receive no gradient, so none are made.
    const keep = patchKeepMasks(this.regions, grid, patchSize);
    const g2 = grid * grid;
    this.#keepsAll = this.regions.regions.map((_, r) => keep.subarray(r * g2, (r + 1) * g2).every((k) => k === 1));
    this.image = variant.imagePrompts && keep.some((k) => k === 0)
      ? new ImagePromptLearner(clip, keep, this.regions.regions.length, rng)
      : null;
  }

  /** Number of regions R. */
  get numRegions(): number {
    return this.regions.regions.length;
  }

  /** The variables training updates, by name. */
  trainableVariables(): Record<string, tf.Variable> {
    const out: Record<string, tf.Variable> = {};
    if (this.text.context) out[this.text.context.name] = this.text.context;
    if (this.image) out[this.image.tokens.name] = this.image.tokens;
    return out;
  }

  /** L2-normalised text features `[R · classes, embedDim]`. */
  textFeatures(): tf.Tensor2D {
    return tf.tidy(() => l2normalise(this.text.features(this.clip)));
  }

  /**
   * L2-normalised image features `[batch, embedDim]` of each image seen through its region
   * (`regionIndex` `[batch]`); without image prompts the whole, unmasked image. `pixels` are normalised pixels
   * `[batch, size, size, 3]`, or their patch tokens `[batch, grid², visionWidth]` (`clip.embedPatches`), with the
   * same result.
   */
  imageFeatures(pixels: tf.Tensor4D | tf.Tensor3D, regionIndex: readonly number[]): tf.Tensor2D {
    return tf.tidy(() => {
      const patches = pixels.rank === 3 ? pixels as tf.Tensor3D : null;
      if (!this.image) {
        return l2normalise(patches ? this.clip.encodePatches(patches) : this.clip.encodeImage(pixels as tf.Tensor4D));
      }
      const keep = this.image.keepFor(regionIndex), tokens = this.image.tokens as tf.Tensor2D;
      return l2normalise(
        patches
          ? this.clip.encodePatchesWithPrompts(patches, keep, tokens)
          : this.clip.encodeImageWithPrompts(pixels as tf.Tensor4D, keep, tokens),
      );
    });
  }

  /**
   * Whether region `r`'s image feature depends on the image prompts: false without image prompts, and false for a
   * region that keeps every patch (the whole image), where the prompts replace nothing and the feature is the frozen
   * CLIP's plain one, bitwise.
   */
  usesImagePrompts(r: number): boolean {
    return this.image !== null && !this.#keepsAll[r];
  }

  /**
   * Model input of grey images `[n][size*size]` in [0, 1]: their patch tokens `[n, grid², visionWidth]` from the patch
   * source when the model has one, else normalised pixels `[n, size, size, 3]`. Either gives the same features.
   */
  #imageInput(images: readonly Float32Array[], normalisation: Normalisation): tf.Tensor4D | tf.Tensor3D {
    if (this.patchEmbeddings) return this.patchEmbeddings.patchEmbeddings(images, normalisation);
    return pixelsFromGray(images, this.regions.size, normalisation);
  }

  /**
   * Splits a batch of grey images `[batch][size*size]` (each seen through region `regionIndex[i]`) for
   * {@link featuresOf}. With a frozen-feature source, the rows whose region does not use the image prompts get their
   * features from it and only the other rows get model input. Without one, exactly the unsplit computation: every row
   * as model input when the model has image prompts, else every row's feature encoded here (outside any tape). Model
   * input is the rows' patch tokens when the model has a patch source, else their pixels (the same numbers follow).
   */
  prepareImages(
    images: readonly Float32Array[],
    regionIndex: readonly number[],
    normalisation: Normalisation,
  ): PreparedImages {
    if (images.length !== regionIndex.length) {
      throw new RangeError(`Cannot prepare ${images.length} images with ${regionIndex.length} region indices`);
    }
    const all = images.map((_, i) => i);
    let frozenRows: number[], promptedRows: number[];
    let frozen: tf.Tensor2D | null = null, input: tf.Tensor4D | tf.Tensor3D | null = null;
    if (!this.frozenFeatures) {
      const x = this.#imageInput(images, normalisation);
      if (this.image) {
        [frozenRows, promptedRows, input] = [[], all, x];
      } else {
        [frozenRows, promptedRows] = [all, []];
        frozen = this.imageFeatures(x, regionIndex);
        x.dispose();
      }
    } else {
      frozenRows = all.filter((i) => !this.usesImagePrompts(regionIndex[i]));
      promptedRows = all.filter((i) => this.usesImagePrompts(regionIndex[i]));
      if (frozenRows.length) frozen = this.frozenFeatures.features(frozenRows.map((i) => images[i]), normalisation);
      if (promptedRows.length) input = this.#imageInput(promptedRows.map((i) => images[i]), normalisation);
    }
    return {
      regionIndex: [...regionIndex],
      frozenRows,
      frozen,
      promptedRows,
      input,
      dispose: () => {
        frozen?.dispose();
        input?.dispose();
      },
    };
  }

  /**
   * L2-normalised image features `[batch, embedDim]` of prepared images, in batch order: the prompted rows are encoded
   * now (inside a gradient tape, the image prompts receive their gradients), the frozen rows are taken as prepared.
   * Rows are assembled by slicing and concatenation, which are exact, and every row of the image tower is computed
   * independently of the others, so the result equals, bitwise, `imageFeatures` on the whole batch.
   */
  featuresOf(prepared: PreparedImages): tf.Tensor2D {
    const { frozen, input, frozenRows, promptedRows, regionIndex } = prepared;
    if (!input) return tf.clone(frozen!);
    const prompted = () => this.imageFeatures(input, promptedRows.map((i) => regionIndex[i]));
    if (!frozen) return prompted();
    return tf.tidy(() => {
      const q = prompted();
      const dim = q.shape[1];
      const parts: tf.Tensor2D[] = [];
      let qi = 0, fi = 0, row = 0;
      const n = frozenRows.length + promptedRows.length;
      while (row < n) {
        // One slice per run of consecutive rows from the same source.
        const fromFrozen = fi < frozenRows.length && frozenRows[fi] === row;
        const rows = fromFrozen ? frozenRows : promptedRows;
        let k = fromFrozen ? fi : qi;
        const start = k;
        while (k < rows.length && rows[k] === row) {
          k++;
          row++;
        }
        parts.push(tf.slice(fromFrozen ? frozen : q, [start, 0], [k - start, dim]));
        if (fromFrozen) fi = k;
        else qi = k;
      }
      return tf.concat(parts, 0);
    });
  }

  /**
   * {@link imageFeatures} of grey images `[batch][size*size]` in [0, 1]: L2-normalised features `[batch, embedDim]`,
   * prompt-free rows from the frozen-feature source when the model has one (see {@link prepareImages}).
   */
  imageFeaturesFromGray(
    images: readonly Float32Array[],
    regionIndex: readonly number[],
    normalisation: Normalisation,
  ): tf.Tensor2D {
    const prepared = this.prepareImages(images, regionIndex, normalisation);
    try {
      return this.featuresOf(prepared);
    } finally {
      prepared.dispose();
    }
  }

  /**
   * Scaled logits `[batch, classes]` of each image against its region's class prompts, from normalised image features
   * `[batch, embedDim]` and text features `[R · classes, embedDim]`.
   */
  regionLogits(imageFeatures: tf.Tensor2D, textFeatures: tf.Tensor2D, regionIndex: readonly number[]): tf.Tensor2D {
    return tf.tidy(() => {
      const c = this.classWords.length;
      const sims = tf.matMul(imageFeatures, textFeatures, false, true); // [batch, R·C]
      const select = new Float32Array(regionIndex.length * c * this.numRegions * c);
      // selector [batch·C, R·C]: row (i, k) picks column (region_i, k)
      const cols = this.numRegions * c;
      regionIndex.forEach((r, i) => {
        for (let k = 0; k < c; k++) select[(i * c + k) * cols + r * c + k] = 1;
      });
      const sel = tf.tensor3d(select, [regionIndex.length, c, cols]);
      const picked = tf.sum(tf.mul(sel, tf.expandDims(sims, 1)), 2); // [batch, C]
      return tf.mul(picked, this.scale) as tf.Tensor2D;
    });
  }

  /** BCE-with-logits (mean) of the region logits `[batch, C]` against one-hot labels (`labels[i]` = class index). */
  loss(
    imageFeatures: tf.Tensor2D,
    textFeatures: tf.Tensor2D,
    regionIndex: readonly number[],
    labels: readonly number[],
  ) {
    return tf.tidy(() => {
      const logits = this.regionLogits(imageFeatures, textFeatures, regionIndex);
      const targets = tf.oneHot(tf.tensor1d(labels as number[], "int32"), this.classWords.length).toFloat();
      return tf.losses.sigmoidCrossEntropy(targets, logits) as tf.Scalar;
    });
  }

  /**
   * Abnormal probability per region, softmax over the classes: pixels `[batch, H, W, 3]` → host `[batch][R]`.
   * Class index 1 is the abnormal class.
   */
  regionProbabilities(pixels: tf.Tensor4D, textFeatures?: tf.Tensor2D): Float32Array[] {
    const b = pixels.shape[0];
    let shared: tf.Tensor2D | null = null;
    return this.#probabilities(
      b,
      (k) => this.image ? this.imageFeatures(pixels, Array(b).fill(k)) : (shared ??= this.imageFeatures(pixels, [])),
      textFeatures,
    );
  }

  /**
   * {@link regionProbabilities} of grey images `[batch][size*size]` in [0, 1] → host `[batch][R]`. With a
   * frozen-feature source, every region whose feature does not use the image prompts takes the images' prompt-free
   * features from it (bitwise the same numbers); model input (patch tokens from the patch source when the model has
   * one, else pixels) is built once, and only when some region needs it.
   */
  regionProbabilitiesFromGray(
    images: readonly Float32Array[],
    normalisation: Normalisation,
    textFeatures?: tf.Tensor2D,
  ): Float32Array[] {
    if (!this.frozenFeatures && !this.patchEmbeddings) {
      const pixels = pixelsFromGray(images, this.regions.size, normalisation);
      try {
        return this.regionProbabilities(pixels, textFeatures);
      } finally {
        pixels.dispose();
      }
    }
    const source = this.frozenFeatures;
    const b = images.length;
    // All are made inside #probabilities' tidy, which frees them.
    let frozen: tf.Tensor2D | null = null,
      input: tf.Tensor4D | tf.Tensor3D | null = null,
      shared: tf.Tensor2D | null = null;
    return this.#probabilities(b, (k) => {
      if (source && !this.usesImagePrompts(k)) return (frozen ??= source.features(images, normalisation));
      input ??= this.#imageInput(images, normalisation);
      // Without a frozen-feature source, as regionProbabilities: every region through the prompts when there are any.
      return this.image ? this.imageFeatures(input, Array(b).fill(k)) : (shared ??= this.imageFeatures(input, []));
    }, textFeatures);
  }

  /** `[batch][R]` host probabilities from the image features of each region (`features(k)` `[batch, embedDim]`). */
  #probabilities(b: number, features: (k: number) => tf.Tensor2D, textFeatures?: tf.Tensor2D): Float32Array[] {
    const r = this.numRegions;
    const probs = tf.tidy(() => {
      const txt = textFeatures ?? this.textFeatures();
      const perRegion: tf.Tensor2D[] = [];
      for (let k = 0; k < r; k++) {
        const logits = this.regionLogits(features(k), txt, Array(b).fill(k));
        perRegion.push(tf.softmax(logits).slice([0, 1], [b, 1]) as tf.Tensor2D);
      }
      return tf.concat(perRegion, 1); // [batch, R]
    });
    const host = probs.dataSync() as Float32Array;
    probs.dispose();
    return Array.from({ length: b }, (_, i) => host.slice(i * r, (i + 1) * r));
  }

  /** The learned prompts as host tensors (`text_ctx` `[nCtx, textWidth]`, `image_prompts` `[grid², visionWidth]`). */
  learnedTensors(): Record<string, HostTensor> {
    const out: Record<string, HostTensor> = {};
    if (this.text.context) {
      out.text_ctx = { shape: [...this.text.context.shape], data: this.text.context.dataSync() as Float32Array };
    }
    if (this.image) {
      out.image_prompts = { shape: [...this.image.tokens.shape], data: this.image.tokens.dataSync() as Float32Array };
    }
    return out;
  }

  /** Loads learned prompts saved by {@link learnedTensors}; shapes must match. */
  loadLearned(tensors: Map<string, HostTensor>, source: string): void {
    const assign = (key: string, v: tf.Variable | null) => {
      const t = tensors.get(key);
      if (!v) {
        if (t) {
          throw new InputError(
            `Cannot load prompts from ${source}: ${key} present but variant ${this.variant.name} has none`,
          );
        }
        return;
      }
      if (!t) throw new InputError(`Cannot load prompts from ${source}: missing ${key}`);
      if (t.shape.join("x") !== v.shape.join("x")) {
        throw new InputError(
          `Cannot load prompts from ${source}: ${key} has shape [${t.shape}], expected [${v.shape}] (a different model?)`,
        );
      }
      tf.tidy(() => v.assign(tf.tensor(t.data, t.shape)));
    };
    assign("text_ctx", this.text.context);
    assign("image_prompts", this.image?.tokens ?? null);
  }

  /** Frees every tensor the prompt model owns (not the CLIP). */
  dispose(): void {
    this.text.dispose();
    this.image?.dispose();
  }
}

/** Row-wise L2 normalisation of `[n, d]`. */
export function l2normalise(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.div(x, tf.norm(x, "euclidean", 1, true)) as tf.Tensor2D);
}
