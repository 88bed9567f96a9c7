/**
 * The CLIP engine in TensorFlow.js: an OpenAI ViT CLIP whose architecture is inferred from a checkpoint's shapes
 * (`inferConfig`, exactly as OpenAI's `build_model`), held as tf.Variables (frozen for PPAD, trainable for pretraining),
 * with hand-written gradients that keep every large matMul on tfjs-wasm's fast 2-D path, and PPAD's two hooks:
 * image prompts after the patch embedding (`encodeImageWithPrompts`) and text from embeddings (`tokenEmbeddings` +
 * `encodeTextEmbeddings`).
 *
 * ```ts
 * import { loadStateDict } from "../checkpoint/mod.ts";
 * import { ClipModel } from "./mod.ts";
 * const clip = ClipModel.fromStateDict(await loadStateDict("model.pt"), { source: "model.pt" });
 * const image = clip.encodeImage(pixels); // [B, 224, 224, 3] normalised → [B, 512]
 * const text = clip.encodeText(ids); // tokenizer.tokenize(texts) → [n, 512]
 * const logits = clip.logits(image, text); // [B, n] = exp(logit_scale)·cos
 * ```
 * Memory: a frozen model keeps transposed copies of its matrices (and tfjs-wasm packs each matrix it multiplies by
 * once more), and a backward pass holds about 90 MB of activations per ViT-B block at batch 64: keep batches at or
 * below 64 images per pass on wasm (4 GiB heap).
 * @module
 */
export {
  CLIP_ARCHS,
  type ClipArchName,
  type ClipConfig,
  expectedShapes,
  FIXTURE_MINI,
  IGNORED_KEYS,
  inferConfig,
  parameterCount,
  PPAD_MINI,
  type ShapeMap,
  validateStateDict,
  VIT_B_32,
} from "./config.ts";
export { initClipStateDict } from "./init.ts";
export { ClipModel, type ClipModelOptions } from "./model.ts";
export { eotPositions } from "./text.ts";
export {
  fusedAvailable,
  fusedUsesFma,
  nativeBlas,
  openNativeBlas,
  setFusedEnabled,
  setNativeBlasEnabled,
} from "./wasm/runtime.ts";

/** The default model's path, relative to the project root. */
export const DEFAULT_MODEL_PATH = "models/ppad-mini-cxr-real/model.safetensors";
