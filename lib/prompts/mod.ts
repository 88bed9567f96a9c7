/**
 * PPAD's prompts around a frozen CLIP: the region sets and their position words, the tokenised position-guided text
 * prompts, the text and image prompt learners and the prompt model that scores images per region, the variants
 * (zero-shot, CoOp, …, PPAD), prompt cards (saving and loading learned prompts), model-input pixels, and zero-shot
 * scoring with the hand-written class prompts.
 * @module
 */
export {
  loadPromptModel,
  makePromptCard,
  type PromptCard,
  promptCardPath,
  readPromptCard,
  recordCardMetrics,
  requireSameModel,
} from "./card.ts";
export type { PromptableClip } from "./clip_api.ts";
export { pixelsFromGray, sameNormalisation } from "./pixels.ts";
export {
  type FrozenImageFeatures,
  l2normalise,
  type PatchEmbeddingSource,
  PromptModel,
  type PromptModelOptions,
} from "./prompt_model.ts";
export {
  namesSides,
  parseSides,
  ppad5,
  rectRegion,
  type Region,
  regionBoundingBox,
  type RegionSet,
  regionSet,
  regionSetNames,
  SIDES,
  type Sides,
} from "./regions.ts";
export { type PromptTemplateRow, promptTemplates } from "./template_rows.ts";
export { DEFAULT_CLASS_WORDS, tokenizePrompts } from "./text.ts";
export {
  canonicalVariantFields,
  effectiveRegions,
  getVariant,
  IGNORED_FIELD_VALUES,
  ignoredFields,
  VARIANT_NAMES,
  type VariantFields,
  type VariantName,
  type VariantSpec,
} from "./variants.ts";
export { ZERO_SHOT_PROMPTS, zeroShotScores } from "./zero_shot.ts";
