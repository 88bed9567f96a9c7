/**
 * Every random stream of the platform derives from a user seed and a named purpose, here and only here, so that a
 * reader can see which seed drives what. {@link SEED_STREAMS} is the table: each purpose says what it drives and the
 * exact derivation it computes. The derivations are frozen (committed results and the committed pretrained model were
 * made with them, and run ids do not record them): a new purpose gets a new entry, an old one never changes.
 *
 * | purpose                | drives                                                          | derivation (`>>> 0`: to uint32)            |
 * | ---------------------- | --------------------------------------------------------------- | ------------------------------------------ |
 * | `run`                  | a run's generator: prompt initialisation, then the training (batch) stream's seed | `(seed * 0x9e3779b1 + 17) >>> 0` |
 * | `shots`                | the k-shot draw of normal training images                       | `(seed * 2654435761) >>> 0`                |
 * | `probe`                | the fresh synthetic draws of a run's diagnostics                | splitmix32 of (seed, 1, index)             |
 * | `bootstrapAuroc`       | a run's AUROC bootstrap interval                                | `seed + 101`                               |
 * | `bootstrapAp`          | a run's AP bootstrap interval                                   | `seed + 202`                               |
 * | `tableBootstrapAuroc`  | AUROC intervals of metric tables and zero-shot reports          | `0` (fixed)                                |
 * | `tableBootstrapAp`     | AP intervals of metric tables                                   | `1` (fixed)                                |
 * | `subsample`            | the stratified `--test-limit` subsample                         | `20240611` (fixed)                         |
 * | `testReplacement`      | the order in which skipped test images are replaced             | `20240612` (fixed)                         |
 * | `sasGallery`           | the SAS gallery of a sweep                                      | `7` (fixed)                                |
 * | `benchmarkGallery`     | the synthetic benchmark's gallery                               | `seed` (its default seed is 7)             |
 * | `pretrainBatch`        | pretraining's batch of step `index`                             | `(seed * 1_000_003 + index * 7919) >>> 0`  |
 * | `pretrainStep`         | pretraining's per-step augmentation stream of step `index`      | `stepSeed(seed, index, 1)`                 |
 * | `pretrainLesion`       | pretraining's lesions on real normals at step `index`           | `stepSeed(seed, index, 2)`                 |
 * | `pretrainBorderSwap`   | pretraining's border swaps of real films at step `index`        | `stepSeed(seed, index, 3)`                 |
 * | `pretrainPairs`        | pretraining's synthetic image–report pairs                      | `seed`                                     |
 * | `pretrainInit`         | pretraining's model initialisation                              | `seed + 1`                                 |
 * | `pretrainRandomBaseline` | the random-weights baseline of the pretraining report         | `seed + 99`                                |
 * | `pretrainZeroShot`     | the zero-shot report's case draws                               | `seed + 1000`                              |
 * | `lesionProbe`          | the opacities of the zero-shot lesion probe                     | `11` (fixed)                               |
 * | `frameSwapProbe`       | the donors of the zero-shot frame-swap probe                    | `13` (fixed)                               |
 * | `corpusSplit`          | a real corpus's (train, held-out) split                         | `seed` (default `CORPUS_SPLIT_SEED`)       |
 * | `corpusLimit`          | a real corpus's `--limit` subsample (after the split)           | `seed` (the split's seed)                  |
 *
 * `seed * c` is a float product (exact below 2^53 / c, then rounded) before `>>> 0`, as the code always computed it;
 * `stepSeed` uses `Math.imul`. Both are kept as they are.
 * @module
 */

/** One named stream: what it drives and its derivation from (seed, index). */
export interface SeedStream {
  /** What the stream drives. */
  drives: string;
  /** The derivation, as written in the table above. */
  derivation: string;
  /** The 32-bit (or small integer) seed of the stream. */
  derive(seed: number, index: number): number;
}

/** splitmix32-style hash of (seed, purpose id, index): neighbouring seeds give unrelated streams. */
function _mix(seed: number, purposeId: number, index: number): number {
  let z = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(purposeId, 0x85ebca6b) ^
    Math.imul(index >>> 0, 0xc2b2ae35)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** The seed of one pretraining step of one purpose (lib/train/pretrain_mix.ts): `Math.imul` products, to uint32. */
export function stepSeed(seed: number, step: number, purpose: number): number {
  return (Math.imul(seed, 1_000_003) + Math.imul(step, 7919) + Math.imul(purpose, 104_729)) >>> 0;
}

/** The table of named streams (see the module doc). */
export const SEED_STREAMS = Object.freeze(
  {
    run: {
      drives: "a run's generator: prompt initialisation (first fork), then the training stream's seed",
      derivation: "(seed * 0x9e3779b1 + 17) >>> 0",
      derive: (seed: number) => (seed * 0x9e3779b1 + 17) >>> 0,
    },
    shots: {
      drives: "the k-shot draw of normal training images",
      derivation: "(seed * 2654435761) >>> 0",
      derive: (seed: number) => (seed * 2654435761) >>> 0,
    },
    probe: {
      drives: "the fresh synthetic draws of a run's diagnostics (never used in training)",
      derivation: "splitmix32(seed, 1, index)",
      derive: (seed: number, index: number) => _mix(seed, 1, index),
    },
    bootstrapAuroc: {
      drives: "a run's AUROC bootstrap interval",
      derivation: "seed + 101",
      derive: (seed: number) => seed + 101,
    },
    bootstrapAp: {
      drives: "a run's AP bootstrap interval",
      derivation: "seed + 202",
      derive: (seed: number) => seed + 202,
    },
    tableBootstrapAuroc: {
      drives: "AUROC intervals of metric tables and zero-shot reports",
      derivation: "0 (fixed)",
      derive: () => 0,
    },
    tableBootstrapAp: {
      drives: "AP intervals of metric tables",
      derivation: "1 (fixed)",
      derive: () => 1,
    },
    subsample: {
      drives: "the stratified --test-limit subsample",
      derivation: "20240611 (fixed)",
      derive: () => 20240611,
    },
    testReplacement: {
      drives: "the order in which skipped test images are replaced",
      derivation: "20240612 (fixed)",
      derive: () => 20240612,
    },
    sasGallery: {
      drives: "the SAS gallery of a sweep (charts/sas-gallery.png)",
      derivation: "7 (fixed)",
      derive: () => 7,
    },
    benchmarkGallery: {
      drives: "the synthetic benchmark's gallery",
      derivation: "seed",
      derive: (seed: number) => seed,
    },
    pretrainBatch: {
      drives: "pretraining's batch of step `index`",
      derivation: "(seed * 1_000_003 + index * 7919) >>> 0",
      derive: (seed: number, index: number) => (seed * 1_000_003 + index * 7919) >>> 0,
    },
    pretrainStep: {
      drives: "pretraining's per-step augmentation stream of step `index`",
      derivation: "stepSeed(seed, index, 1)",
      derive: (seed: number, index: number) => stepSeed(seed, index, 1),
    },
    pretrainLesion: {
      drives: "pretraining's lesions on real normals at step `index` (lib/train/real_lesions.ts)",
      derivation: "stepSeed(seed, index, 2)",
      derive: (seed: number, index: number) => stepSeed(seed, index, 2),
    },
    pretrainBorderSwap: {
      drives: "pretraining's border swaps of real films at step `index` (lib/train/border_swap.ts)",
      derivation: "stepSeed(seed, index, 3)",
      derive: (seed: number, index: number) => stepSeed(seed, index, 3),
    },
    lesionProbe: {
      drives: "the opacities of the zero-shot lesion probe (lib/experiments/zeroshot.ts)",
      derivation: "11 (fixed)",
      derive: () => 11,
    },
    frameSwapProbe: {
      drives: "the donor films of the zero-shot frame-swap probe (lib/experiments/zeroshot.ts)",
      derivation: "13 (fixed)",
      derive: () => 13,
    },
    pretrainPairs: {
      drives: "pretraining's synthetic image–report pairs",
      derivation: "seed",
      derive: (seed: number) => seed,
    },
    pretrainInit: {
      drives: "pretraining's model initialisation",
      derivation: "seed + 1",
      derive: (seed: number) => seed + 1,
    },
    pretrainRandomBaseline: {
      drives: "the random-weights baseline of the pretraining report",
      derivation: "seed + 99",
      derive: (seed: number) => seed + 99,
    },
    pretrainZeroShot: {
      drives: "the zero-shot report's case draws",
      derivation: "seed + 1000",
      derive: (seed: number) => seed + 1000,
    },
    corpusSplit: {
      drives: "a real corpus's (train, held-out) split",
      derivation: "seed (default CORPUS_SPLIT_SEED, lib/train/real_corpus.ts)",
      derive: (seed: number) => seed,
    },
    corpusLimit: {
      drives: "a real corpus's --limit subsample, drawn after the split",
      derivation: "seed (the split's seed)",
      derive: (seed: number) => seed,
    },
  } satisfies Record<string, SeedStream>,
);

/** One of the keys of {@link SEED_STREAMS}. */
export type SeedPurpose = keyof typeof SEED_STREAMS;

/**
 * The seed of the stream of `purpose` for the user seed `seed` (and an optional index, e.g. a training step), by the
 * purpose's derivation in {@link SEED_STREAMS}.
 */
export function streamSeed(seed: number, purpose: SeedPurpose, index = 0): number {
  const stream: SeedStream = SEED_STREAMS[purpose];
  return stream.derive(seed, index);
}

/** The seed of a fixed stream (one whose derivation ignores the user seed, e.g. `subsample`). */
export function fixedStreamSeed(purpose: SeedPurpose): number {
  return streamSeed(0, purpose);
}
