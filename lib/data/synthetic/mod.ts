/**
 * The procedural chest-radiograph benchmark: in-memory cases (`generateCase`), the on-disk benchmark in the
 * ZhangLab/SQUID layout (`writeBenchmark`, `ensureBenchmark`), 8-bit quantisation, and reading a written benchmark's
 * manifest back (finding, side and zone per image; finding sizes). See docs/benchmark.md.
 * @module
 */
export {
  type BBox,
  type CaseOptions,
  generateCase,
  maskBBox,
  MIN_FINDING_SIZE,
  type SyntheticCase,
} from "./generate.ts";
export { type FindingDetails, type FindingKind, FINDINGS, type Zone, ZONES } from "./findings.ts";
export { type ImageSide, patientSide, writeReport } from "./reports.ts";
export { toUint8 } from "./raster.ts";
export { benchmarkCases, type CaseInfo, readBenchmarkManifest } from "./manifest.ts";
export { type FindingArea, findingAreas } from "./finding_areas.ts";
export {
  type BenchmarkEntry,
  type BenchmarkOptions,
  type BenchmarkStamp,
  caseSeed,
  cleanStaleScratch,
  DEFAULT_BENCHMARK_DIR,
  DEFAULT_SEED,
  ensureBenchmark,
  generateEntry,
  GENERATOR_VERSION,
  type Group,
  GROUPS,
  isComplete,
  MANIFEST_COLUMNS,
  MAX_BENCHMARK_SIZE,
  MIN_BENCHMARK_SIZE,
  planBenchmark,
  readStamp,
  stampDifferences,
  writeBenchmark,
} from "./benchmark.ts";
