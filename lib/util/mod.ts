/**
 * Small shared utilities every other folder uses: paths and the project root, atomic writes, the `InputError` contract
 * and `runMain`, command-line parsing, output-folder locks, CSV fields, seeded randomness, progress lines, the
 * machine's description, the git commit, parameters from environment variables and short text helpers.
 * @module
 */
export { writeFileAtomic } from "./atomic.ts";
export {
  choiceFlag,
  defineCommand,
  type FlagSpec,
  type FlagValues,
  listFlag,
  numberFlag,
  parseCommand,
  requireFlag,
  usageLine,
} from "./cli.ts";
export {
  csvField,
  csvNumber,
  type CsvNumberOptions,
  type CsvRecord,
  type CsvRecords,
  csvText,
  parseCsvRecords,
  parseDecimal,
  readCsvRecords,
  splitCsvLine,
} from "./csv.ts";
export { envNumber, envPath, envString } from "./env.ts";
export { InputError, runMain } from "./errors.ts";
export { gitCommit } from "./git.ts";
export { acquireLock, ensureOutDir, ensureOutFile, type NamedInput, staleLockNote } from "./lock.ts";
export { machineDescription } from "./machine.ts";
export {
  basename,
  dirname,
  extname,
  fromFileUrl,
  isAbsolute,
  join,
  pathExists,
  PROJECT_ROOT,
  relative,
  resolve,
  SHARED_DIR,
  shownPath,
} from "./path.ts";
export { readFileHead, startsWithBytes } from "./file_head.ts";
export { formatDuration, Progress } from "./progress.ts";
export { Rng } from "./rng.ts";
export { fixedStreamSeed, SEED_STREAMS, type SeedPurpose, type SeedStream, stepSeed, streamSeed } from "./seeds.ts";
export { compressRuns, signed, truncate } from "./text.ts";
