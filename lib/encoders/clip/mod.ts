/**
 * The CLIP engine in TensorFlow.js: OpenAI ViT CLIP architecture inferred from a checkpoint, a wasm-fast model with
 * hand-written gradients, and PPAD's prompt hooks.
 * @module
 */
export {
  type ClipConfig,
  expectedShapes,
  inferConfig,
  parameterCount,
  type ShapeMap,
  validateStateDict,
  VIT_B_32,
} from "./config.ts";
export { initClipStateDict } from "./init.ts";
export { ClipModel, type ClipModelOptions } from "./model.ts";
export { eotPositions } from "./text.ts";

/** The default model's path, relative to the project root. */
export const DEFAULT_MODEL_PATH = "models/ppad-mini-cxr/model.safetensors";
