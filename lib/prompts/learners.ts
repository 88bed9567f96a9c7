/**
 * The learnable parts of PPAD: shared text context vectors and per-patch image prompt tokens.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../util/mod.ts";
import type { PromptableClip } from "./clip_api.ts";
import { contextPlacement, type TokenizedPrompts } from "./text.ts";

/**
 * Text prompts with `nCtx` context vectors shared by every region and class (init N(0, 0.02²)).
 * Holds the frozen token embeddings of its prompts; `embeddings()` splices the context in.
 */
export class TextPromptLearner {
  readonly prompts: TokenizedPrompts;
  /** `[nCtx, textWidth]`, or null when the text is fixed. */
  readonly context: tf.Variable | null;
  readonly #frozen: tf.Tensor3D;
  readonly #keep: tf.Tensor3D | null;
  readonly #placement: tf.Tensor2D | null;

  constructor(model: PromptableClip, prompts: TokenizedPrompts, rng: Rng, options: { learn: boolean; std?: number }) {
    this.prompts = prompts;
    const width = model.config.textWidth;
    this.#frozen = model.tokenEmbeddings(prompts.ids);
    if (options.learn && prompts.nCtx > 0) {
      const init = rng.normalArray(prompts.nCtx * width, 0, options.std ?? 0.02);
      this.context = tf.tidy(() =>
        tf.variable(tf.tensor2d(init, [prompts.nCtx, width]), true, `text_ctx_${crypto.randomUUID()}`)
      );
      const { placement, keep } = contextPlacement(prompts);
      const n = prompts.ids.length;
      this.#placement = tf.tensor2d(placement, [n * prompts.length, prompts.nCtx]);
      this.#keep = tf.tensor3d(keep, [n, prompts.length, 1]);
    } else {
      this.context = null;
      this.#placement = null;
      this.#keep = null;
    }
  }

  /** Prompt embeddings `[prompts, length, textWidth]`: frozen words with the context vectors spliced in. */
  embeddings(): tf.Tensor3D {
    if (!this.context || !this.#placement || !this.#keep) return this.#frozen.clone();
    return tf.tidy(() => {
      const [n, length, width] = this.#frozen.shape;
      const ctx = tf.matMul(this.#placement!, this.context!).reshape([n, length, width]);
      return tf.add(tf.mul(this.#frozen, this.#keep!), ctx) as tf.Tensor3D;
    });
  }

  /** Text features `[prompts, embedDim]` (projected, not normalised). */
  features(model: PromptableClip): tf.Tensor2D {
    return tf.tidy(() => model.encodeTextEmbeddings(this.embeddings(), this.prompts.eot));
  }

  /** Frees the frozen embeddings and the context. */
  dispose(): void {
    this.#frozen.dispose();
    this.#keep?.dispose();
    this.#placement?.dispose();
    this.context?.dispose();
  }
}

/**
 * Image prompts: one learnable token per patch position, `[grid², visionWidth]` (init N(0, 0.2²)), that replaces the
 * patches outside a region at input level. Holds the region keep masks `[regions, grid²]`.
 */
export class ImagePromptLearner {
  readonly tokens: tf.Variable;
  readonly keepMasks: tf.Tensor2D;
  readonly numRegions: number;

  constructor(model: PromptableClip, keepMasks: Float32Array, numRegions: number, rng: Rng, std = 0.2) {
    const { grid, visionWidth } = model.config;
    const init = rng.normalArray(grid * grid * visionWidth, 0, std);
    this.tokens = tf.tidy(() =>
      tf.variable(tf.tensor2d(init, [grid * grid, visionWidth]), true, `image_prompts_${crypto.randomUUID()}`)
    );
    this.keepMasks = tf.tensor2d(keepMasks, [numRegions, grid * grid]);
    this.numRegions = numRegions;
  }

  /** Keep masks `[batch, grid²]` for the given region of each image. */
  keepFor(regionIndex: readonly number[]): tf.Tensor2D {
    return tf.tidy(() => tf.gather(this.keepMasks, tf.tensor1d(regionIndex as number[], "int32")) as tf.Tensor2D);
  }

  /** Frees the tokens and masks. */
  dispose(): void {
    this.tokens.dispose();
    this.keepMasks.dispose();
  }
}
