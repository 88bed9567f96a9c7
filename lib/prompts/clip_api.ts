/**
 * What the prompt learners need from a frozen CLIP: the two hooks of the method plus plain encoders. `ClipModel`
 * satisfies it; tests may pass a smaller fake.
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { ClipConfig } from "../encoders/mod.ts";

/** A CLIP with the method's hooks. All outputs are projected, not normalised. */
export interface PromptableClip {
  readonly config: ClipConfig;
  /** The raw `logit_scale` scalar; logits use its exp. */
  readonly logitScale: tf.Tensor;
  /** `[batch, H, W, 3]` normalised pixels → `[batch, embedDim]`. */
  encodeImage(pixels: tf.Tensor4D): tf.Tensor2D;
  /**
   * Hook (a): `[batch, H, W, 3]`, keep `[batch, grid²]` (1 keeps the patch), prompts `[grid², visionWidth]` →
   * `[batch, embedDim]`; patches with keep 0 are replaced by the prompt token after the patch embedding.
   */
  encodeImageWithPrompts(pixels: tf.Tensor4D, keep: tf.Tensor2D, prompts: tf.Tensor2D): tf.Tensor2D;
  /**
   * The patch embedding alone, which depends on no prompt: `[batch, H, W, 3]` normalised pixels → patch tokens
   * `[batch, grid², visionWidth]` (before image prompts, CLS and positional embedding).
   */
  embedPatches(pixels: tf.Tensor4D): tf.Tensor3D;
  /** `encodeImage` from patch tokens `[batch, grid², visionWidth]` (`embedPatches`): bitwise the same result. */
  encodePatches(patches: tf.Tensor3D): tf.Tensor2D;
  /** `encodeImageWithPrompts` from patch tokens `[batch, grid², visionWidth]`: bitwise the same result. */
  encodePatchesWithPrompts(patches: tf.Tensor3D, keep: tf.Tensor2D, prompts: tf.Tensor2D): tf.Tensor2D;
  /** Frozen token embeddings: ids `[n, length]` → `[n, length, textWidth]` (length ≤ contextLength). */
  tokenEmbeddings(ids: number[][]): tf.Tensor3D;
  /** Hook (b): embeddings `[n, length, textWidth]` and EOT positions `[n]` → `[n, embedDim]`. */
  encodeTextEmbeddings(embeddings: tf.Tensor3D, eot: readonly number[]): tf.Tensor2D;
}
