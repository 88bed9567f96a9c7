/**
 * `ClipModel`: an OpenAI-layout ViT CLIP held as tf.Variables, frozen (PPAD: only prompts learn) or trainable
 * (pretraining the small default CLIP), with PPAD's two hooks: image prompts after the patch embedding and text
 * encoding from embeddings.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { InputError, type Rng } from "../../util/mod.ts";
import { numel, type StateDict } from "../state_dict.ts";
import type { PrepareContext } from "./block.ts";
import { type ClipConfig, expectedShapes, inferConfig, validateStateDict } from "./config.ts";
import { initClipStateDict } from "./init.ts";
import {
  encodeTextEmbeddings as textFromEmbeddings,
  eotPositions,
  type TextWeights,
  textWeights,
  tokenEmbeddings as embedTokens,
} from "./text.ts";
import {
  embedPatches as patchForward,
  encodeImage as visionForward,
  projectPooled,
  type VisionWeights,
  visionWeights,
} from "./vision.ts";

/** Options for {@link ClipModel.fromStateDict}. */
export interface ClipModelOptions {
  /** Variables trainable (and weights receive gradients). @default false (frozen, PPAD) */
  trainable?: boolean;
  /** Names the weights' origin in error messages. @default "state dict" */
  source?: string;
}

let modelCounter = 0;

/** A CLIP model on the current tfjs backend. Dispose it when done. */
export class ClipModel {
  readonly config: ClipConfig;
  readonly trainable: boolean;
  readonly #vars = new Map<string, tf.Variable>();
  #owned: tf.Tensor[] = [];
  #vision: VisionWeights | null = null;
  #text: TextWeights | null = null;
  #disposed = false;

  private constructor(config: ClipConfig, trainable: boolean) {
    this.config = config;
    this.trainable = trainable;
  }

  /**
   * Builds a model from an OpenAI-keyed state dict (PyTorch layout), inferring the architecture from its shapes and
   * validating every key and shape first (`InputError`s name `options.source` and the key).
   */
  static fromStateDict(sd: StateDict, options: ClipModelOptions = {}): ClipModel {
    const source = options.source ?? "state dict";
    const config = inferConfig(sd, source);
    validateStateDict(sd, config, source);
    const model = new ClipModel(config, options.trainable ?? false);
    const id = ++modelCounter;
    for (const key of expectedShapes(config).keys()) {
      const t = sd.get(key)!;
      if (t.data.length !== numel(t.shape)) {
        throw new InputError(
          `Cannot load CLIP weights from ${source}: ${key} has ${t.data.length} values for shape [${
            t.shape.join(", ")
          }]`,
        );
      }
      const shape = key === "logit_scale" ? [] : t.shape;
      const init = tf.tensor(t.data, shape, "float32");
      model.#vars.set(key, tf.variable(init, model.trainable, `clip${id}/${key}`));
      init.dispose();
    }
    return model;
  }

  /** A model with OpenAI's random initialisation ({@link initClipStateDict}). */
  static random(config: ClipConfig, rng: Rng, options: ClipModelOptions = {}): ClipModel {
    return ClipModel.fromStateDict(initClipStateDict(config, rng), { source: "random init", ...options });
  }

  /** The variable holding `key` (OpenAI name, PyTorch layout). */
  variable(key: string): tf.Variable {
    const v = this.#vars.get(key);
    if (!v) throw new RangeError(`Cannot find CLIP parameter ${key}`);
    return v;
  }

  /** All variables, in state-dict order. */
  get variables(): tf.Variable[] {
    return [...this.#vars.values()];
  }

  /** The raw `logit_scale` (a scalar variable; logits use its exp). */
  get logitScale(): tf.Variable {
    return this.variable("logit_scale");
  }

  #context(frozen: boolean): PrepareContext {
    if (this.#disposed) throw new Error("Cannot use a disposed ClipModel");
    return {
      get: (key) => this.variable(key),
      frozen,
      own: <T extends tf.Tensor>(t: T): T => {
        if (!frozen) return t;
        this.#owned.push(tf.keep(t));
        return t;
      },
    };
  }

  #visionWeights(): VisionWeights {
    if (this.trainable) return visionWeights(this.#context(false), this.config);
    if (!this.#vision) tf.tidy(() => void (this.#vision = visionWeights(this.#context(true), this.config)));
    return this.#vision!;
  }

  #textWeights(): TextWeights {
    if (this.trainable) return textWeights(this.#context(false), this.config);
    if (!this.#text) tf.tidy(() => void (this.#text = textWeights(this.#context(true), this.config)));
    return this.#text!;
  }

  /** Image features: pixels `[B, R, R, 3]` (normalised) → `[B, embedDim]` (projected, not normalised). */
  encodeImage(pixels: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => visionForward(pixels, this.#visionWeights(), this.config, null));
  }

  /**
   * The image tower's pooled output before the projection: pixels `[B, R, R, 3]` (normalised) → the CLS token after
   * ln_post, `[B, visionWidth]` (what {@link encodeImage} projects; for probes of the features).
   */
  encodeImagePooled(pixels: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => visionForward(pixels, this.#visionWeights(), this.config, null, false));
  }

  /**
   * The projection {@link encodeImage} ends with: pooled `[B, visionWidth]` ({@link encodeImagePooled}) →
   * `[B, embedDim]`, the same numbers as {@link encodeImage} of the same pixels (so one pass gives both features).
   */
  projectImage(pooled: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => projectPooled(pooled, this.#visionWeights()));
  }

  /**
   * PPAD's image-prompt hook: pixels `[B, R, R, 3]`, keep `[B, grid²]` or `[grid²]` (1 = keep the patch),
   * prompts `[grid², visionWidth]` → `[B, embedDim]`. After the patch embedding and before CLS / positional
   * embedding, x = x·m + P·(1 − m). Gradients flow to `prompts`.
   */
  encodeImageWithPrompts(pixels: tf.Tensor4D, keep: tf.Tensor, prompts: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => visionForward(pixels, this.#visionWeights(), this.config, { keep, prompts }));
  }

  /**
   * The patch embedding alone: pixels `[B, R, R, 3]` (normalised) → patch tokens `[B, grid², visionWidth]`, which
   * {@link encodePatches} and {@link encodePatchesWithPrompts} take in place of the pixels, with the same results. It
   * depends on nothing prompts learn, so a frozen model's may be computed once per image (lib/eval/patch_cache.ts).
   */
  embedPatches(pixels: tf.Tensor4D): tf.Tensor3D {
    return tf.tidy(() => patchForward(pixels, this.#visionWeights(), this.config));
  }

  /** {@link encodeImage} from patch tokens `[B, grid², visionWidth]` ({@link embedPatches}) → `[B, embedDim]`. */
  encodePatches(patches: tf.Tensor3D): tf.Tensor2D {
    return tf.tidy(() => visionForward(patches, this.#visionWeights(), this.config, null));
  }

  /**
   * {@link encodeImageWithPrompts} from patch tokens `[B, grid², visionWidth]` ({@link embedPatches}), keep and
   * prompts as there → `[B, embedDim]`. Gradients flow to `prompts`.
   */
  encodePatchesWithPrompts(patches: tf.Tensor3D, keep: tf.Tensor, prompts: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => visionForward(patches, this.#visionWeights(), this.config, { keep, prompts }));
  }

  /** Token embeddings: ids `[n][ctx]` (ctx ≤ contextLength) → `[n, ctx, textWidth]`. */
  tokenEmbeddings(ids: readonly (readonly number[])[]): tf.Tensor3D {
    return tf.tidy(() => embedTokens(ids, this.#textWeights(), this.config));
  }

  /**
   * PPAD's text hook: embeddings `[n, ctx, textWidth]`, eotIndex `[n]` → text features `[n, embedDim]`.
   * Gradients flow to `embeddings` (e.g. learnable context vectors spliced between frozen word embeddings).
   */
  encodeTextEmbeddings(embeddings: tf.Tensor3D, eotIndex: readonly number[]): tf.Tensor2D {
    return tf.tidy(() => textFromEmbeddings(embeddings, eotIndex, this.#textWeights(), this.config));
  }

  /** Text features: ids `[n][ctx]` (SOT … EOT, zero-padded) → `[n, embedDim]`; EOT = position of the largest id. */
  encodeText(ids: readonly (readonly number[])[]): tf.Tensor2D {
    return tf.tidy(() => {
      const w = this.#textWeights();
      return textFromEmbeddings(embedTokens(ids, w, this.config), eotPositions(ids), w, this.config);
    });
  }

  /**
   * CLIP logits: imageFeatures `[nI, E]`, textFeatures `[nT, E]` → `[nI, nT]` = exp(logit_scale) · cos(image, text).
   */
  logits(imageFeatures: tf.Tensor2D, textFeatures: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const unit = (x: tf.Tensor2D) => tf.div(x, tf.sqrt(tf.sum(tf.square(x), -1, true)));
      const cos = tf.matMul(unit(imageFeatures), tf.transpose(unit(textFeatures)));
      return tf.mul(cos, tf.exp(this.logitScale)) as tf.Tensor2D;
    });
  }

  /**
   * The weights as a state dict (OpenAI keys, PyTorch layout, fp32 copies; `logit_scale` 0-d). Reads synchronously:
   * on webgpu (no synchronous GPU read under Deno) use {@link toStateDictAsync}.
   */
  toStateDict(): StateDict {
    const sd: StateDict = new Map();
    for (const [key, v] of this.#vars) sd.set(key, { shape: v.shape.slice(), data: new Float32Array(v.dataSync()) });
    return sd;
  }

  /** {@link toStateDict} with asynchronous reads (every backend, webgpu included). */
  async toStateDictAsync(): Promise<StateDict> {
    const sd: StateDict = new Map();
    for (const [key, v] of this.#vars) {
      sd.set(key, { shape: v.shape.slice(), data: new Float32Array(await v.data() as Float32Array) });
    }
    return sd;
  }

  /** Frees the variables and prepared copies. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    tf.dispose(this.#owned);
    this.#owned = [];
    for (const v of this.#vars.values()) v.dispose();
    this.#vars.clear();
    this.#vision = null;
    this.#text = null;
  }
}
