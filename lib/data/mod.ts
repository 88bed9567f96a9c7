/**
 * Chest X-ray data: the data set layouts and their loaders (`datasets/`), the procedural synthetic benchmark
 * (`synthetic/`), image decoding (PNG, JPEG, DICOM) into grey images, PNG encoding, resizing and normalisation into
 * model input, the prepared-image cache, and choosing example images to show.
 * @module
 */
export {
  type BadImagePolicy,
  collectImagePaths,
  type Counts,
  countsRow,
  type Dataset,
  type DatasetName,
  detectLayout,
  isDir,
  isFile,
  LAYOUT_HINTS,
  LAYOUTS,
  listImages,
  loadDataset,
  loadDatasetSync,
  loadImages,
  parseBadImagePolicy,
  sameCounts,
  type Sample,
  select,
  type SkippedImage,
} from "./datasets/mod.ts";
export {
  benchmarkCases,
  type CaseInfo,
  cleanStaleScratch,
  DEFAULT_BENCHMARK_DIR,
  DEFAULT_SEED,
  ensureBenchmark,
  type FindingArea,
  findingAreas,
  FINDINGS,
  generateCase,
  GENERATOR_VERSION,
  isComplete,
  MAX_BENCHMARK_SIZE,
  MIN_BENCHMARK_SIZE,
  patientSide,
  readBenchmarkManifest,
  readStamp,
  stampDifferences,
  toUint8,
  writeBenchmark,
} from "./synthetic/mod.ts";
export { buildCache, cacheStaleReason, defaultCachePath, loadPrepared, readCache } from "./cache.ts";
export { caseCaption, isOneSided, pickExamples, type PickExamplesOptions, showcaseExamples } from "./examples.ts";
export type { GrayImage } from "./gray_image.ts";
export { readImage } from "./image.ts";
export { encodePng, type PngPixels, type RasterImage } from "./png.ts";
export {
  NORMALISATION,
  type Normalisation,
  normalisationPreset,
  normalisationProblem,
  type NormaliseArithmetic,
  normaliseGrayInto,
  prepareImage,
  toModelInput,
} from "./preprocess.ts";
export { resize } from "./resize.ts";
