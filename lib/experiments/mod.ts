/**
 * Experiments: sweep configs and run specs, the data an experiment uses, training and evaluating runs as the sweep
 * does, the results store (run records, tables), sharding and merging, pretraining and zero-shot runs and the backbone
 * comparison chart, the reports read from a finished sweep (ablations, diagnostics, provenance) and the comparison with
 * the paper's published numbers; and the sweep driver the sweep commands share.
 * @module
 */
export {
  ablationBarRows,
  ablationDiscussion,
  ablationLead,
  ablationLevelsByMetric,
  ablationTableRows,
  answeredQuestions,
  baseLevels,
  questionLossRows,
} from "./ablation_report.ts";
export { makeRunSpec, type MethodSpec, PAPER_METHOD, parseShard, type SweepConfig, trainingId } from "./config.ts";
export { ExperimentData } from "./data.ts";
export { diagnosticsByConfig, diagnosticsDiscussion, diagnosticsTableRows } from "./diagnostics_report.ts";
export { checkSourceFolders, mergeSweepResults } from "./merge.ts";
export {
  compareWithPaper,
  comparisonCsv,
  comparisonMarkdown,
  type ComparisonRow,
  findPaperDatasetResults,
  type MeasuredSummary,
  measuredSummary,
  type PaperDatasetResult,
  paperProtocolRecords,
  paperVariantRuns,
  type ProtocolNote,
  requireOneConfiguration,
} from "./paper_comparison.ts";
export {
  comparisonDisplayRows,
  comparisonProvenanceRows,
  describeDatasetResult,
  measuredRows,
  paperChart,
  paperPoints,
  paperSummarySentences,
  sideBySideRows,
} from "./paper_comparison_report.ts";
export {
  noPaperNumbersNote,
  PAPER_SOURCE,
  paperDatasetOf,
  paperTableRows,
  parseReproduceDataset,
  REPRODUCE_DATASETS,
} from "./paper_numbers.ts";
export {
  executePretraining,
  type HeldOutEval,
  PRETRAIN_DEFAULTS,
  type PretrainResult,
  type PretrainSettings,
  runPretraining,
} from "./pretrain.ts";
export { type Provenance, provenanceRows, runProvenance } from "./provenance.ts";
export {
  buildReproduceReport,
  type ReproduceCounts,
  reproduceProtocol,
  type ReproduceReport,
  storedReproduceReport,
  sweepReproduceReport,
  writeReproduceReports,
} from "./reproduce.ts";
export { trainAndEvaluate } from "./runner.ts";
export { describeExperiment, type ExperimentSetup, loadExperiment } from "./setup.ts";
export { incompleteShards, shardStatus } from "./shards.ts";
export { readJsonOrNull, readRunRecords, type RunRecord } from "./store.ts";
export { compareWithStoredRun, describeStoredRun, type StoredRunComparison } from "./stored_run.ts";
export {
  executeSweep,
  runsLine,
  type SweepOutcome,
  type SweepSettings,
  type SweepShard,
  testSetNote,
} from "./sweep.ts";
export {
  backboneChart,
  backboneName,
  chexzeroReferences,
  CHOOSING_PANELS,
  groupSeeds,
  readHeldOutCurve,
  readHeldOutCurves,
  readZeroShotTables,
  seedRange,
  seedRecipe,
  seedSpread,
  ZERO_SHOT_PANELS,
  zeroShotPanel,
  zeroShotPoints,
} from "./backbone_report.ts";
export {
  type CurveAgainstBand,
  curvesAgainstBand,
  judgeCandidates,
  type RangePosition,
  type RecipeVerdict,
  verdictRows,
  verdictTable,
} from "./choosing_rule.ts";
export {
  IMAGE_PROBES,
  imageProbeBackbones,
  imageProbeChart,
  type ImageProbeName,
  type ImageProbeOptions,
  type ImageProbeRow,
  NO_WEIGHTS,
  type ProbeSet,
  type ProbeSets,
  probeSets,
  textDirection,
} from "./image_probe.ts";
export {
  PIXEL_REGIONS,
  pixelBaselineName,
  pixelProbe,
  type PixelProbeOptions,
  type PixelRegion,
  regionIndices,
  thumbnail,
} from "./pixel_probe.ts";
export {
  aurocWithInterval,
  lesionProbeImages,
  zeroShotBackbones,
  type ZeroShotBackbonesOptions,
  zeroShotLine,
  zeroShotOnData,
  type ZeroShotRow,
  zeroShotRows,
} from "./zeroshot.ts";
export {
  listYardstickTables,
  readYardstickTables,
  YARDSTICK_SETS,
  yardstickChart,
  yardstickPanel,
  type YardstickReference,
  yardstickReferences,
  type YardstickRow,
  type YardstickSummary,
  yardstickSummary,
} from "./yardstick.ts";
export {
  backboneTransferPoints,
  readTransferPoints,
  spearman,
  stepsFromName,
  transferChart,
  type TransferCorrelation,
  transferCorrelations,
  transferCorrelationTable,
  type TransferPoint,
  transferTable,
  yardstickTransferPoints,
} from "./transfer.ts";
