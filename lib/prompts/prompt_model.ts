/**
 * A frozen CLIP plus the learnable prompts of one variant over one region set: per-region logits for training and
 * per-region abnormal probabilities for inference.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BpeTokenizer } from "../encoders/tokenizer.ts";
import type { HostTensor } from "../encoders/state_dict.ts";
import type { Rng } from "../util/rng.ts";
import { InputError } from "../util/errors.ts";
import type { PromptableClip } from "./clip_api.ts";
import { ImagePromptLearner, TextPromptLearner } from "./learners.ts";
import { patchKeepMasks, type RegionSet, type Sides, sideWords, wholeOnly } from "./regions.ts";
import { DEFAULT_CLASS_WORDS, tokenizePrompts } from "./text.ts";
import type { VariantSpec } from "./variants.ts";

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
}

/** The region set a variant actually uses: `whole` for whole-image variants; R copies of the whole image when collapsed. */
export function effectiveRegions(variant: VariantSpec, regions: RegionSet): RegionSet {
  if (variant.wholeImageOnly) return wholeOnly(regions.size);
  if (variant.collapseRegions) {
    const whole = wholeOnly(regions.size).regions[0];
    return {
      name: `${regions.name}-collapsed`,
      size: regions.size,
      regions: regions.regions.map((r) => ({ ...whole, name: `whole-as-${r.name}` })),
    };
  }
  return regions;
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

  constructor(clip: PromptableClip, tokenizer: BpeTokenizer, options: PromptModelOptions) {
    const { variant, rng } = options;
    const { grid, patchSize, imageResolution } = clip.config;
    if (options.regions.size !== imageResolution) {
      throw new InputError(
        `Cannot build prompts: region set ${options.regions.name} is ${options.regions.size} px, the model takes ${imageResolution} px`,
      );
    }
    this.clip = clip;
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
   * (`regionIndex` `[batch]`); without image prompts the whole, unmasked image.
   */
  imageFeatures(pixels: tf.Tensor4D, regionIndex: readonly number[]): tf.Tensor2D {
    return tf.tidy(() => {
      if (!this.image) return l2normalise(this.clip.encodeImage(pixels));
      const keep = this.image.keepFor(regionIndex);
      return l2normalise(this.clip.encodeImageWithPrompts(pixels, keep, this.image.tokens as tf.Tensor2D));
    });
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
    const r = this.numRegions;
    const probs = tf.tidy(() => {
      const txt = textFeatures ?? this.textFeatures();
      const perRegion: tf.Tensor2D[] = [];
      let shared: tf.Tensor2D | null = null;
      for (let k = 0; k < r; k++) {
        const img = this.image
          ? this.imageFeatures(pixels, Array(b).fill(k))
          : (shared ??= this.imageFeatures(pixels, []));
        const logits = this.regionLogits(img, txt, Array(b).fill(k));
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
