/**
 * Evaluating prompts and frozen models: the image score from per-region probabilities (the paper's rule, mean, max),
 * the probabilities of every test image per region, scoring new images with saved prompts, the diagnostics measured
 * for every trained run, the prompt-free feature cache and the patch-embedding cache, the frozen model's zero-shot
 * region probe, linear probes of the image features, and localisation checks (mean probability per region and class,
 * the side check).
 * @module
 */
export { diagnosticValues, promptShifts, syntheticProbe, type TrainingDiagnostics } from "./diagnostics.ts";
export { regionProbabilities } from "./region_probabilities.ts";
export { FeatureCache } from "./feature_cache.ts";
export {
  classMeanProbe,
  type FeatureSpace,
  imageFeatures,
  type LinearProbe,
  logisticProbe,
  type LogisticProbeOptions,
  probeScores,
} from "./image_probe.ts";
export { digestBytes } from "./image_digest.ts";
export { PatchEmbeddingCache } from "./patch_cache.ts";
export { describeSideCheck, regionMeansByClass, type SideCheck, sideCheck } from "./localisation.ts";
export { maskOutside, type ProbeModel, type RegionProbe, regionProbe } from "./region_probe.ts";
export {
  checkSavedPrompts,
  type ImageScore,
  type SavedPromptScores,
  scoreImages,
  scoreSavedPrompts,
  type ScoreSavedPromptsOptions,
  scoresCsv,
} from "./score_saved_prompts.ts";
export { aggregateScores, parseScoring, SCORING_DESCRIPTIONS, type ScoringName, SCORINGS } from "./score_rule.ts";
