/**
 * The frozen (or pretrained) CLIP and everything that loads it: the OpenAI ViT CLIP engine (`clip/`), checkpoint I/O
 * without Python (`checkpoint/`), the BPE tokenizer and its merges trainer, the model bundle (checkpoint + card +
 * tokenizer + normalisation) and its summary, and cosine similarity between embeddings.
 * @module
 */
export { saveMerges, trainBpe } from "./bpe_train.ts";
export {
  loadModelBundle,
  type ModelBundle,
  type ModelCard,
  normalisationFromFlags,
  resolveModelPath,
  shortHash,
} from "./bundle.ts";
export { openaiToHf, parseStateDict, readSafetensors, writeSafetensors } from "./checkpoint/mod.ts";
export { CLIP_ARCHS, type ClipArchName, type ClipConfig, ClipModel, parameterCount } from "./clip/mod.ts";
export { type ModelSummaryRow, modelSummaryRows } from "./model_summary.ts";
export { cosineRows, nearerOf, type NearerRow, type SimilarityRow } from "./similarity.ts";
export type { HostTensor } from "./state_dict.ts";
export { BpeTokenizer } from "./tokenizer.ts";
