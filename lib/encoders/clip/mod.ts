/**
 * The CLIP engine in TensorFlow.js: an OpenAI ViT CLIP whose architecture is inferred from a checkpoint's shapes
 * (`inferConfig`, exactly as OpenAI's `build_model`), held as tf.Variables (frozen for PPAD, trainable for pretraining),
 * with hand-written gradients, and PPAD's two hooks: image prompts after the patch embedding (`encodeImageWithPrompts`)
 * and text from embeddings (`tokenEmbeddings` + `encodeTextEmbeddings`). On the wasm backend a frozen model runs on the
 * engine's own SIMD kernels (`wasm/`: packed-weight linear layers, fused attention, layer norm and QuickGELU, on two
 * threads; `PPAD_FUSED=0` turns them off, `PPAD_BLAS=auto` hands the linear layers to a system CBLAS); elsewhere, and
 * for a trainable model, on tfjs ops whose large matMuls are plain 2-D.
 *
 * ```ts
 * import { loadStateDict } from "../checkpoint/mod.ts";
 * import { ClipModel } from "./mod.ts";
 * const clip = ClipModel.fromStateDict(await loadStateDict("model.pt"), { source: "model.pt" });
 * const image = clip.encodeImage(pixels); // [B, 224, 224, 3] normalised → [B, 512]
 * const text = clip.encodeText(ids); // tokenizer.tokenize(texts) → [n, 512]
 * const logits = clip.logits(image, text); // [B, n] = exp(logit_scale)·cos
 * ```
 * Memory: a frozen model on wasm keeps two packed copies of each matrix (for x·Wᵀ and dy·W; elsewhere one transposed
 * copy), and a backward pass holds about 100 MB of activations per ViT-B block at batch 64: keep batches at or below
 * 64 images per pass on wasm (4 GiB heap).
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
export { imageForwardFlops } from "./flops.ts";
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
export { measureSimdCeiling, type SimdCeiling } from "./wasm/simd_ceiling.ts";

/** The default model's path, relative to the project root. */
export const DEFAULT_MODEL_PATH = "models/ppad-mini-cxr-real/model.safetensors";
