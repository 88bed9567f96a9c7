/**
 * The frozen (or pretrained) CLIP and everything that loads it: the OpenAI ViT CLIP engine (`clip/`), checkpoint I/O
 * without Python (`checkpoint/`), the BPE tokenizer and its merges trainer, the model bundle (checkpoint + card +
 * tokenizer + normalisation), its model card and summary, and cosine similarity between embeddings.
 * @module
 */
export { saveMerges, trainBpe } from "./bpe_train.ts";
export {
  loadModelBundle,
  type ModelBundle,
  modelFiles,
  normalisationFromFlags,
  resolveModelPath,
  shortHash,
} from "./bundle.ts";
export { embed, EMBED_IMAGE_CHUNK, type EmbedResult } from "./embed.ts";
export {
  looksLikeSafetensors,
  openaiToHf,
  parseStateDict,
  readSafetensors,
  requireFinite,
  writeSafetensors,
} from "./checkpoint/mod.ts";
export {
  CLIP_ARCHS,
  type ClipArchName,
  type ClipConfig,
  ClipModel,
  fusedAvailable,
  parameterCount,
  setFusedEnabled,
} from "./clip/mod.ts";
export { makeModelCard, type ModelCard, type ModelCardOptions, readModelCard } from "./model_card.ts";
export { type ModelSummaryRow, modelSummaryRows } from "./model_summary.ts";
export { cosineRows, nearerOf, type NearerRow, type SimilarityRow } from "./similarity.ts";
export type { HostTensor } from "./state_dict.ts";
export { BpeTokenizer } from "./tokenizer.ts";
