/**
 * Training: PPAD's prompt training (k normal shots, half synthesised abnormal in a drawn region, SGD with a cosine
 * schedule) and its batch streams, and pretraining the small CXR CLIP (image–report pairs, the real-data corpus and
 * its mix with synthetic pairs, captions, AdamW, resumable checkpoints, the zero-shot check).
 * @module
 */
export {
  AUGMENT_PRESETS,
  augmentGray,
  type AugmentOptions,
  type AugmentPreset,
  augmentPreset,
  describeAugmentPreset,
} from "./augment.ts";
export { BatchStreams } from "./batch_streams.ts";
export { CAPTION_STYLES, type CaptionStyle, captionVocabulary, promptCaption } from "./captions.ts";
export { AdamW } from "./optimizer.ts";
export { drawBatch, trainPrompts } from "./ppad.ts";
export {
  clipLoss,
  noDecay,
  type PairPool,
  type PairSource,
  poolSource,
  pretrainClip,
  pretrainOptimizer,
  type PretrainOptimizerOptions,
} from "./pretrain.ts";
export {
  checkpointFiles,
  type CheckpointState,
  isRunCheckpoint,
  loadCheckpoint,
  readCheckpointState,
  removeCheckpoint,
  saveCheckpoint,
} from "./pretrain_checkpoint.ts";
export { makePairPool, zeroShotReport, type ZeroShotResult } from "./pretrain_data.ts";
export { mixedSource } from "./pretrain_mix.ts";
export { BORDER_SWAP_WIDTH, drawBorderSwap, frameIndices, swapBorder } from "./border_swap.ts";
export {
  LESION_GROUPS,
  LESION_SIZE,
  type LesionGroup,
  type LesionPair,
  lesionPair,
  LUNG_FIELDS,
  OPACITY_WEIGHTS,
} from "./real_lesions.ts";
export {
  CORPUS_SPLIT_SEED,
  corpusImage,
  corpusLabels,
  type CorpusPart,
  listCorpus,
  loadRealCorpus,
  type RealCorpus,
} from "./real_corpus.ts";
