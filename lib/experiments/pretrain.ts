/**
 * Pretraining the embedded default's small CXR CLIP, end to end: data (real radiographs with captions, mixed with the
 * synthetic benchmark's image–report pairs), tokenizer, model, resumable training with held-out checks, then the
 * zero-shot report, the weights, the card and the loss curve. `deno task pretrain` parses flags into
 * {@link PretrainSettings} and calls {@link executePretraining} (which locks the folder and calls
 * {@link runPretraining}).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type BackendName, initBackend, requestedBackend } from "../backend.ts";
import {
  BpeTokenizer,
  type ClipConfig,
  ClipModel,
  makeModelCard,
  type ModelCard,
  saveMerges,
  trainBpe,
  writeSafetensors,
} from "../encoders/mod.ts";
import { NORMALISATION, type Normalisation } from "../data/mod.ts";
import { auroc } from "../metrics/mod.ts";
import { lossCurve, saveChart } from "../report/mod.ts";
import {
  type AdamW,
  type AugmentPreset,
  augmentPreset,
  BORDER_SWAP_WIDTH,
  type CaptionStyle,
  captionVocabulary,
  checkpointFiles,
  corpusImage,
  corpusLabels,
  type CorpusPart,
  describeAugmentPreset,
  isRunCheckpoint,
  LESION_SIZE,
  type LesionGroup,
  listCorpus,
  loadCheckpoint,
  loadRealCorpus,
  makePairPool,
  mixedSource,
  OPACITY_WEIGHTS,
  type PairPool,
  type PairSource,
  poolSource,
  pretrainClip,
  pretrainOptimizer,
  readCheckpointState,
  type RealCorpus,
  removeCheckpoint,
  saveCheckpoint,
  zeroShotReport,
  type ZeroShotResult,
} from "../train/mod.ts";
import { zeroShotScores } from "../prompts/mod.ts";
import {
  acquireLock,
  basename,
  ensureOutDir,
  gitCommit,
  InputError,
  join,
  machineDescription,
  Progress,
  PROJECT_ROOT,
  relative,
  Rng,
  staleLockNote,
  streamSeed,
  writeFileAtomic,
} from "../util/mod.ts";
import { zeroShotOnData } from "./zeroshot.ts";

/** Everything that defines a pretraining run. */
export interface PretrainSettings {
  /** Output folder (weights, card, tokenizer, curves, checkpoints). */
  out: string;
  /** Real corpus folder, or null for synthetic pairs only. */
  real: string | null;
  /** Fraction of each batch from the real corpus. */
  realFraction: number;
  /** Augmentation of real images: `light` (affine view + intensity jitter), `acquisition` (wider, + blur and noise), `none`. */
  augment: AugmentPreset;
  /** Probability that a real normal draw gets an opacity and a consolidation report (lib/train/real_lesions.ts). */
  realLesions: number;
  /** The lesion pairs' contrastive group: `place` (consolidation, side, zone) or `pneumonia`. */
  lesionGroup: LesionGroup;
  /** Probability that a real film's frame is swapped for another corpus film's (lib/train/border_swap.ts). */
  borderSwap: number;
  /** Captions of real images: `varied` radiology phrasings or exactly the zero-shot `prompts` (lib/train/captions.ts). */
  captions: CaptionStyle;
  /** Held-out fraction of the real corpus (by file, per label, fixed seed). */
  heldOut: number;
  /** Use at most this many real training files (tests), or null for all. */
  realLimit: number | null;
  steps: number;
  batch: number;
  /** Synthetic image–report pairs generated for the mix. */
  syntheticPairs: number;
  seed: number;
  lr: number;
  /** Learning-rate multiplier of the temperature (CLIP's logit scale). */
  logitScaleLr: number;
  weightDecay: number;
  merges: number;
  targets: "clip" | "grouped";
  visionWidth: number;
  visionLayers: number;
  textWidth: number;
  textLayers: number;
  embed: number;
  /** Held-out zero-shot check every N steps (0: never). */
  evalEvery: number;
  checkpointEvery: number;
  /** Ignore an existing checkpoint. */
  fresh: boolean;
  /** Replace a finished model in `out` (otherwise refused before any work). */
  force: boolean;
  /** Fresh synthetic cases of the per-finding zero-shot check (0: skip). */
  zeroShotCases: number;
  /** Evaluate zero-shot on the synthetic benchmark's test split. */
  benchmarkTest: boolean;
  /** Further data sets whose test split gets a zero-shot number in the card (reported only, never used to choose). */
  reportOn: string[];
}

/** Defaults of {@link PretrainSettings}: the committed real-data model, `models/ppad-mini-cxr-real/`. */
export const PRETRAIN_DEFAULTS: Omit<PretrainSettings, "out"> = {
  real: "../shared/data/covid-radiography-224",
  realFraction: 0.75,
  augment: "light",
  realLesions: 0,
  lesionGroup: "place",
  borderSwap: 0,
  captions: "varied",
  heldOut: 0.1,
  realLimit: null,
  steps: 3000,
  batch: 64,
  syntheticPairs: 3000,
  seed: 1,
  lr: 5e-4,
  logitScaleLr: 10,
  weightDecay: 0.05,
  merges: 2000,
  targets: "grouped",
  visionWidth: 192,
  visionLayers: 4,
  textWidth: 128,
  textLayers: 4,
  embed: 128,
  evalEvery: 100,
  checkpointEvery: 25,
  fresh: false,
  force: false,
  zeroShotCases: 600,
  benchmarkTest: true,
  reportOn: ["../shared/data/zhanglab-224"],
};

/** One held-out check during training. */
export interface HeldOutEval {
  step: number;
  /** Zero-shot AUROC ("normal." vs "pneumonia.") on the real held-out files. */
  auroc: number;
  logitScale: number;
}

/** What a finished run returns (also written in the card). */
export interface PretrainResult {
  modelPath: string;
  card: ModelCard;
}

/** The run's identity: the settings that change the weights. */
function runKey(s: PretrainSettings, config: ClipConfig) {
  return {
    real: s.real === null ? null : relative(PROJECT_ROOT, s.real),
    realFraction: s.realFraction,
    // `light` and `none` keep the keys they had when augmentation was on/off, so older checkpoints still resume.
    augment: s.augment === "light" ? true : s.augment === "none" ? false : s.augment,
    // Present only when on, so the checkpoints of runs without lesions keep their key.
    ...(s.realLesions > 0 ? { realLesions: s.realLesions } : {}),
    ...(s.realLesions > 0 && s.lesionGroup !== "place" ? { lesionGroup: s.lesionGroup } : {}),
    ...(s.borderSwap > 0 ? { borderSwap: s.borderSwap } : {}),
    ...(s.captions !== "varied" ? { captions: s.captions } : {}),
    heldOut: s.heldOut,
    realLimit: s.realLimit,
    steps: s.steps,
    batch: s.batch,
    syntheticPairs: s.syntheticPairs,
    seed: s.seed,
    lr: s.lr,
    logitScaleLr: s.logitScaleLr,
    weightDecay: s.weightDecay,
    targets: s.targets,
    config,
  };
}

/** Where training starts: a model, its losses and checks so far, the steps done and the seconds spent. */
interface TrainingStart {
  model: ClipModel;
  losses: number[];
  evals: HeldOutEval[];
  startStep: number;
  seconds: number;
}

/**
 * Resumes from the checkpoint in `s.out` when it belongs to this run (same {@link runKey}; `optimizer`'s moments
 * restored in place), unless `s.fresh`; otherwise starts from a seeded random trainable model.
 */
async function resumeOrStart(s: PretrainSettings, config: ClipConfig, optimizer: AdamW): Promise<TrainingStart> {
  const key = runKey(s, config);
  const resumed = s.fresh ? null : await loadCheckpoint<typeof key, HeldOutEval>(s.out, key, optimizer);
  if (!resumed) {
    const model = ClipModel.random(config, new Rng(streamSeed(s.seed, "pretrainInit")), { trainable: true });
    return { model, losses: [], evals: [], startStep: 0, seconds: 0 };
  }
  const { state } = resumed;
  console.error(`resuming from step ${state.stepsDone}/${s.steps} (${join(s.out, "checkpoint.json")})`);
  return {
    model: resumed.model,
    losses: state.losses,
    evals: state.evals,
    startStep: state.stepsDone,
    seconds: state.seconds,
  };
}

/** What a finished pretraining knows besides its settings, for {@link pretrainCard}. */
interface PretrainOutcome {
  name: string;
  config: ClipConfig;
  normalisation: Normalisation;
  real: RealCorpus | null;
  losses: readonly number[];
  evals: readonly HeldOutEval[];
  /** The learned temperature, exp(logit_scale). */
  logitScale: number;
  trainSeconds: number;
  backend: string;
  commit: string;
  zeroShot: Record<string, unknown>;
}

/** The model card of a pretrained model: data, objective, optimiser, training record and zero-shot results. */
function pretrainCard(s: PretrainSettings, o: PretrainOutcome): ModelCard {
  const { real, losses } = o;
  return makeModelCard(o.name, o.config, {
    description: real
      ? "A small OpenAI-architecture CLIP pretrained from scratch on real adult chest X-rays (captions written from " +
        (s.realFraction < 1
          ? "their labels) mixed with the platform's synthetic image–report pairs"
          : "their labels) only; the synthetic reports taught the tokenizer's merges, no synthetic image was drawn")
      : "A small OpenAI-architecture CLIP pretrained from scratch on the platform's synthetic chest X-ray benchmark",
    normalisation: o.normalisation,
    tokenizer: "bpe.txt",
    training: {
      objective: s.targets === "grouped"
        ? "CLIP symmetric contrastive loss; pairs of the same group (real: label; synthetic: finding, side and zone) " +
          "count as positives (UniCL-style)"
        : "CLIP symmetric contrastive loss (diagonal targets)",
      data: {
        real: real
          ? {
            corpus: relative(PROJECT_ROOT, real.root),
            trainFiles: real.train.pixels.length,
            heldOutFiles: real.heldOut.pixels.length,
            heldOutFraction: s.heldOut,
            captions: s.captions === "varied"
              ? "re-phrased at every draw from lib/train/captions.ts"
              : 'the zero-shot prompt of the label ("normal." or "pneumonia.")',
            augment: describeAugmentPreset(s.augment),
            lesions: s.realLesions > 0
              ? `with probability ${s.realLesions}, a real normal gets a SAS opacity (weights ` +
                `${OPACITY_WEIGHTS.join(", ")}, ${LESION_SIZE.join("–")} of the side) in one lung field and a ` +
                "consolidation report naming its side and zone, in the group " +
                (s.lesionGroup === "place" ? "of that finding, side and zone" : "of the pneumonia films") +
                " (lib/train/real_lesions.ts)"
              : "none",
            borderSwap: s.borderSwap > 0
              ? `with probability ${s.borderSwap}, a real film's outer frame (${BORDER_SWAP_WIDTH.join("–")} px of ` +
                "224) is replaced by the same frame of a corpus film drawn regardless of label (lib/train/border_swap.ts)"
              : "none",
            fractionOfBatch: s.realFraction,
          }
          : null,
        synthetic: {
          generator: "lib/data/synthetic",
          seed: s.seed,
          pairs: s.syntheticPairs,
          resolution: o.config.imageResolution,
          ...(real && s.realFraction >= 1 ? { use: "BPE merges only (every pair of a batch is real)" } : {}),
        },
        zhanglab: "never used in pretraining (neither images nor labels)",
      },
      optimizer: {
        name: "AdamW",
        lr: s.lr,
        logitScaleLrMultiplier: s.logitScaleLr,
        weightDecay: s.weightDecay,
        warmup: Math.max(1, Math.round(s.steps * 0.05)),
        schedule: "cosine",
      },
      steps: s.steps,
      batch: s.batch,
      finalLoss: losses.slice(-20).reduce((a, b) => a + b, 0) / Math.max(1, Math.min(20, losses.length)),
      logitScale: o.logitScale,
      wallSeconds: Math.round(o.trainSeconds),
      machine: machineDescription(),
      backend: o.backend,
      gitCommit: o.commit,
      heldOutChecks: o.evals,
    },
    extra: { zeroShot: o.zeroShot },
  });
}

/**
 * `deno task pretrain`'s driver: refuses settings with no data, then locks `s.out` (one pretraining per model folder:
 * a second would overwrite the first's checkpoints), initialises the backend and runs {@link runPretraining}.
 */
export async function executePretraining(
  s: PretrainSettings,
  options: { backend?: BackendName } = {},
): Promise<PretrainResult> {
  if (s.real === null && s.syntheticPairs === 0) {
    throw new InputError("Cannot pretrain with --no-real and --pool 0: there is no data");
  }
  if (s.real !== null) listCorpus(s.real); // a missing or unreadable corpus fails here, before any work
  await ensureOutDir(s.out);
  const lock = acquireLock(s.out, "pretrain");
  try {
    const note = staleLockNote(lock);
    if (note) console.error(note);
    await refuseToReplace(s);
    const backend = await initBackend(requestedBackend(options.backend));
    return await runPretraining(s, backend.description);
  } finally {
    lock.release();
  }
}

/**
 * Refuses, before any work, a pretraining that would destroy what `s.out` holds: the checkpoint of a run with other
 * settings (unless `s.fresh`), or a finished model (unless `s.force`, or a checkpoint of this very run is resumed).
 */
async function refuseToReplace(s: PretrainSettings): Promise<void> {
  const files = checkpointFiles(s.out);
  const state = s.fresh ? null : await readCheckpointState<ReturnType<typeof runKey>, HeldOutEval>(s.out);
  if (state !== null) {
    const vocabSize = state === "unreadable" ? undefined : state.key?.config?.vocabSize;
    if (typeof vocabSize === "number" && isRunCheckpoint(state, runKey(s, clipConfig(s, vocabSize)))) {
      return; // this run's own checkpoint: resumed
    }
    const what = state !== "unreadable" && typeof state.stepsDone === "number"
      ? `the checkpoint of a pretraining with other settings (${state.stepsDone} steps done)`
      : "a checkpoint it cannot read";
    throw new InputError(
      `Cannot pretrain into ${s.out}: it holds ${what}, ${files.state}; pass --fresh to discard it, or --out DIR`,
    );
  }
  const model = join(s.out, "model.safetensors");
  if (!s.force && await Deno.stat(model).then((st) => st.isFile, () => false)) {
    throw new InputError(
      `Cannot pretrain into ${s.out}: it holds a finished model (${model}); pass --force to replace it, or --out DIR`,
    );
  }
}

/** The CLIP geometry of a pretraining: ViT-B/32's 7×7 patch grid (224 px, patch 32), the settings' widths. */
function clipConfig(s: PretrainSettings, vocabSize: number): ClipConfig {
  return {
    embedDim: s.embed,
    imageResolution: 224,
    visionWidth: s.visionWidth,
    visionLayers: s.visionLayers,
    visionHeads: Math.max(1, Math.round(s.visionWidth / 64)),
    patchSize: 32,
    grid: 7,
    contextLength: 77,
    vocabSize,
    textWidth: s.textWidth,
    textHeads: Math.max(1, Math.round(s.textWidth / 64)),
    textLayers: s.textLayers,
  };
}

/** Runs (or resumes) a pretraining and writes the model folder. Logs go to stderr. */
export async function runPretraining(settings: PretrainSettings, backend: string): Promise<PretrainResult> {
  const s = settings;
  const out = s.out;
  await Deno.mkdir(out, { recursive: true });
  const resolution = 224;
  const normalisation = NORMALISATION.chexzero;

  // 1. Data: the real corpus (read first: a bad folder fails before any work) and synthetic image–report pairs
  // (position and finding words).
  const real: RealCorpus | null = s.real === null ? null : await loadRealCorpus(s.real, resolution, {
    heldOut: s.heldOut,
    limit: s.realLimit ?? undefined,
  });
  const synthetic: PairPool | null = s.syntheticPairs > 0
    ? makePairPool(new Rng(streamSeed(s.seed, "pretrainPairs")), s.syntheticPairs, resolution, {
      label: "synthetic pairs",
    })
    : null;
  if (!synthetic && !real) throw new RangeError("Cannot pretrain: no real corpus and no synthetic pairs");
  if (real) {
    const count = (p: CorpusPart, l: string) => p.entries.filter((e) => e.label === l).length;
    console.error(
      `real corpus ${real.root}: train ${count(real.train, "normal")} normal / ${
        count(real.train, "pneumonia")
      } pneumonia, held out ${count(real.heldOut, "normal")} / ${count(real.heldOut, "pneumonia")}`,
    );
  }
  const source: PairSource = real
    ? mixedSource(real.train, synthetic, {
      seed: s.seed,
      realFraction: s.realFraction,
      augment: augmentPreset(s.augment),
      realLesions: s.realLesions,
      lesionGroup: s.lesionGroup,
      borderSwap: s.borderSwap,
      captions: s.captions,
    })
    : poolSource(synthetic!, s.seed);

  // 2. Tokenizer: BPE merges learned from the reports and every caption phrasing.
  const corpus = [...(synthetic?.texts ?? [])];
  if (real) {
    for (const label of ["normal", "pneumonia"] as const) {
      for (const c of captionVocabulary(label)) for (let k = 0; k < 40; k++) corpus.push(c);
    }
  }
  // Beside the checkpoint while training; bpe.txt is replaced only with the finished weights.
  const mergesPath = checkpointFiles(out).merges;
  await saveMerges(mergesPath, trainBpe(corpus, s.merges));
  const tokenizer = await BpeTokenizer.fromFile(mergesPath);
  console.error(`tokenizer: vocab ${tokenizer.vocabSize}`);

  // 3. Model: ViT-B/32's 7×7 patch grid (224 px, patch 32), small widths.
  const config = clipConfig(s, tokenizer.vocabSize);
  const key = runKey(s, config);
  const optimizer = pretrainOptimizer({ lr: s.lr, weightDecay: s.weightDecay, logitScaleLr: s.logitScaleLr });
  const { model, losses, evals, startStep, seconds } = await resumeOrStart(s, config, optimizer);
  const secondsBefore = seconds;

  const heldOutCheck = (step: number) => {
    if (!real || real.heldOut.pixels.length === 0) return;
    const frozen = ClipModel.fromStateDict(model.toStateDict());
    const a = auroc(
      corpusLabels(real.heldOut),
      zeroShotScores(frozen, tokenizer, normalisation, real.heldOut.pixels.map((_, i) => corpusImage(real.heldOut, i))),
    );
    const scale = Math.exp(model.logitScale.dataSync()[0]);
    frozen.dispose();
    evals.push({ step, auroc: a, logitScale: scale });
    console.error(`\nstep ${step}: held-out zero-shot AUROC ${(100 * a).toFixed(1)}, logit scale ${scale.toFixed(1)}`);
  };

  // 4. Train.
  const started = performance.now();
  const elapsed = () => secondsBefore + (performance.now() - started) / 1000;
  const bar = new Progress(s.steps, { label: "pretrain", resumedAt: startStep });
  await pretrainClip(model, {
    source,
    tokenizer,
    normalisation,
    seed: s.seed,
    steps: s.steps,
    batch: s.batch,
    lr: s.lr,
    startStep,
    optimizer,
    targets: s.targets,
    checkpointEvery: s.checkpointEvery,
    onStep: (_step, loss) => {
      losses.push(loss);
      bar.tick(1, `loss ${loss.toFixed(3)}`);
    },
    onCheckpoint: async (done, opt) => {
      if (s.evalEvery > 0 && (done % s.evalEvery === 0 || done === s.steps) && !evals.some((e) => e.step === done)) {
        heldOutCheck(done);
      }
      await saveCheckpoint(out, model, opt, { key, stepsDone: done, losses, evals, seconds: elapsed() });
    },
  });
  bar.finish();
  const trainSeconds = elapsed();

  // 5. Zero-shot report: held-out real files, fresh synthetic cases per finding, the benchmark, other data sets.
  const frozen = ClipModel.fromStateDict(model.toStateDict(), { source: "pretrained" });
  const onData = await zeroShotOnData(frozen, tokenizer, normalisation, {
    heldOut: real
      ? { label: `${relative(PROJECT_ROOT, real.root)} (held-out ${s.heldOut * 100} %)`, part: real.heldOut }
      : undefined,
    lesionProbe: true,
    frameSwapProbe: true,
    benchmark: s.benchmarkTest,
    datasets: s.reportOn,
  });
  let perFinding: { pretrained: ZeroShotResult; random: ZeroShotResult } | null = null;
  if (s.zeroShotCases > 0) {
    const random = ClipModel.random(config, new Rng(streamSeed(s.seed, "pretrainRandomBaseline")));
    perFinding = zeroShotReport(
      frozen,
      random,
      tokenizer,
      normalisation,
      new Rng(streamSeed(s.seed, "pretrainZeroShot")),
      s.zeroShotCases,
    );
    random.dispose();
  }
  frozen.dispose();
  for (const z of onData) {
    console.error(`zero-shot AUROC on ${z.data} (${z.role}, n=${z.n}): ${(100 * z.auroc).toFixed(1)}`);
  }

  // 6. Weights, card, curves.
  const modelPath = join(out, "model.safetensors");
  const commit = await gitCommit();
  const name = basename(out);
  await writeFileAtomic(join(out, "bpe.txt"), await Deno.readTextFile(mergesPath));
  await writeSafetensors(modelPath, model.toStateDict(), { metadata: { format: "pt", name, git_commit: commit } });
  const card = pretrainCard(s, {
    name,
    config,
    normalisation,
    real,
    losses,
    evals,
    logitScale: Math.exp(model.logitScale.dataSync()[0]),
    trainSeconds,
    backend,
    commit,
    zeroShot: { onData, perFinding },
  });
  await writeFileAtomic(join(out, "model.json"), JSON.stringify(card, null, 2) + "\n");
  await writeFileAtomic(
    join(out, "loss.csv"),
    "step,loss\n" + losses.map((l, i) => `${i + 1},${l.toFixed(5)}`).join("\n") + "\n",
  );
  await writeFileAtomic(
    join(out, "heldout.csv"),
    "step,auroc,logit_scale\n" +
      evals.map((e) => `${e.step},${e.auroc.toFixed(5)},${e.logitScale.toFixed(3)}`).join("\n") +
      "\n",
  );
  await saveChart(
    out,
    "loss",
    lossCurve(losses.map((loss, i) => ({ step: i + 1, loss })), {
      title: "Pretraining loss of the small CXR CLIP",
      subtitle:
        `batch ${s.batch} (${real ? `${Math.round(s.realFraction * 100)} % real` : "synthetic"}), ${s.targets} ` +
        "targets; raw per step and a 25-step moving average",
      label: "Contrastive loss (symmetric cross-entropy)",
      smooth: 25,
    }),
  );
  await removeCheckpoint(out);
  model.dispose();
  optimizer.dispose();
  console.error(`wrote ${modelPath} (${tf.memory().numTensors} tensors live)`);
  return { modelPath, card };
}
