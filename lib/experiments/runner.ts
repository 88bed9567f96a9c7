/**
 * Runs planned runs against one model and data set: trains each distinct prompt configuration once, scores the test
 * set, computes metrics with bootstrap intervals, and writes every result atomically when its run completes. Finished
 * runs are skipped, so a killed sweep resumes where it stopped.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type HostTensor, type ModelBundle, writeSafetensors } from "../encoders/mod.ts";
import {
  aggregateScores,
  diagnosticValues,
  promptShifts,
  regionProbabilities,
  syntheticProbe,
  type TrainingDiagnostics,
} from "../eval/mod.ts";
import {
  getVariant,
  makePromptCard,
  promptCardPath,
  PromptModel,
  recordCardMetrics,
  regionSet,
} from "../prompts/mod.ts";
import { auroc, averagePrecision, bootstrapCI, computeMetrics } from "../metrics/mod.ts";
import { arrayPool, getSynthesis } from "../synthesis/mod.ts";
import { drawBatch, trainPrompts } from "../train/mod.ts";
import { Progress, Rng, streamSeed } from "../util/mod.ts";
import { runGenerators, SweepCache, type SweepCacheOptions } from "./sweep_cache.ts";
import type { PlannedRun, RunSpec } from "./config.ts";
import type { ExperimentData } from "./data.ts";
import {
  paths,
  readJsonOrNull,
  readRunRecord,
  readRunRecords,
  type RunRecord,
  type TrainedRecord,
  writeJson,
  writeScores,
  writeTables,
} from "./store.ts";

/** Options for {@link runSweep}. */
export interface RunSweepOptions {
  out: string;
  bundle: ModelBundle;
  data: ExperimentData;
  /** Bootstrap resamples for the AUROC/AP intervals. @default 1000 */
  bootstrap?: number;
  quiet?: boolean;
  /** Called after each finished run. */
  onRun?: (record: RunRecord, skipped: boolean) => void;
  /**
   * Share work that does not depend on what a run learns between the sweep's runs (prompt-free image features, patch
   * tokens, recorded training batches; lib/experiments/sweep_cache.ts): exact, so results are the same either way;
   * false recomputes everything in every run (`--no-feature-cache`). Options set the cache's bounds. @default true
   */
  cache?: boolean | SweepCacheOptions;
}

/**
 * Builds, trains (when the variant trains) and evaluates one prompt configuration. With `cache` (a sweep's
 * {@link SweepCache}), prompt-free image features, patch tokens and shared training batches come from it, with the
 * same numbers; the returned model then draws on the cache, so use it before the cache is disposed.
 */
export async function trainAndEvaluate(
  spec: RunSpec,
  trainingId: string,
  bundle: ModelBundle,
  data: ExperimentData,
  options: { quiet?: boolean; label?: string; cache?: SweepCache | null } = {},
): Promise<{ trained: TrainedRecord; model: PromptModel }> {
  const start = performance.now();
  const variant = getVariant(spec.variant);
  const cache = options.cache ?? null;
  // The model's generator, then the training stream's seed: what two fork()s of the run's generator give.
  const generators = runGenerators(spec.seed);
  const regions = regionSet(spec.regions, bundle.clip.config.imageResolution);
  const model = new PromptModel(bundle.clip, bundle.tokenizer, {
    variant,
    regions,
    classWords: spec.classWords,
    nCtx: spec.nCtx,
    sides: spec.sides,
    rng: generators.model,
    ...cache?.promptModelSources(),
  });
  let losses: number[] = [];
  let diagnostics: TrainingDiagnostics | undefined;
  if (variant.trains && spec.steps > 0) {
    const initial = copyTensors(model.learnedTensors());
    const shots = await data.shots(spec.seed, spec.shots);
    const bar = new Progress(spec.steps, { label: `  train ${options.label ?? spec.variant}`, quiet: options.quiet });
    const synthesis = getSynthesis(spec.synthesis);
    // FPI takes its patches from every normal of the train split, as the release does.
    const pool = synthesis.needsPool ? await data.normalPool() : undefined;
    const trainRng = new Rng(generators.trainSeed);
    const streamKey = cache?.streamKey(spec) ?? null;
    try {
      losses = trainPrompts(model, {
        images: shots.images,
        synthesis,
        pool,
        normalisation: bundle.normalisation,
        rng: trainRng,
        steps: spec.steps,
        lr: spec.lr,
        momentum: spec.momentum,
        onStep: (_s, loss) => bar.tick(1, `loss ${loss.toFixed(4)}`),
        // Runs that draw the same batches (same seed, shots, synthesis, region masks) replay the first one's.
        batches: cache && streamKey
          ? cache.batches.open(
            streamKey,
            spec.steps,
            shots.images,
            () => drawBatch(model, shots.images, synthesis, trainRng, 0.5, pool ?? arrayPool(shots.images)),
          )
          : undefined,
      });
    } finally {
      if (cache && streamKey) cache.batches.close(streamKey);
    }
    bar.finish();
    // Diagnostics: prompt movement, and fresh synthetic draws of the shots from a stream training never used (runs
    // without synthesis are probed with SAS, the paper's).
    const probeSynthesis = spec.synthesis === "none" ? getSynthesis("sas") : synthesis;
    const probe = syntheticProbe(model, shots.images, probeSynthesis, new Rng(streamSeed(spec.seed, "probe")), {
      normalisation: bundle.normalisation,
      pool: probeSynthesis.needsPool ? await data.normalPool() : undefined,
    });
    diagnostics = {
      ...promptShifts(initial, model.learnedTensors()),
      syntheticAuroc: probe.auroc,
      syntheticBce: probe.bce,
      logitScale: model.scale,
    };
  }
  const evalBar = new Progress(data.test.images.length, { label: "  score test", quiet: options.quiet });
  const probs = regionProbabilities(model, data.test.images, {
    normalisation: bundle.normalisation,
    onBatch: (done) => evalBar.tick(done - evalBar.done),
  });
  evalBar.finish();
  const trained: TrainedRecord = {
    trainingId,
    regionNames: model.regions.regions.map((r) => r.name),
    ids: data.test.samples.map((s) => s.id),
    labels: data.test.labels,
    probs: probs.map((p) => Array.from(p, (x) => Number(x.toFixed(7)))),
    losses,
    seconds: (performance.now() - start) / 1000,
    diagnostics: diagnostics ?? {
      contextShift: null,
      imagePromptShift: null,
      syntheticAuroc: null,
      syntheticBce: null,
      logitScale: model.scale,
    },
  };
  return { trained, model };
}

/** Host copies of tensors (so later training cannot alias them). */
function copyTensors(t: Record<string, HostTensor>): Record<string, HostTensor> {
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, { shape: [...v.shape], data: v.data.slice() }]));
}

/** Metrics of one scored run, with 95% bootstrap intervals for AUROC and AP. */
export function runMetrics(
  labels: number[],
  scores: ArrayLike<number>,
  seed: number,
  n = 1000,
): Record<string, number> {
  const m = computeMetrics(labels, scores);
  const rngA = new Rng(streamSeed(seed, "bootstrapAuroc")), rngB = new Rng(streamSeed(seed, "bootstrapAp"));
  const a = bootstrapCI(labels, scores, auroc, { rng: rngA, n });
  const p = bootstrapCI(labels, scores, averagePrecision, { rng: rngB, n });
  return {
    auroc: m.auroc,
    ap: m.ap,
    acc: m.acc,
    f1: m.f1,
    f1max: m.f1max,
    auroc_lo: a.lo,
    auroc_hi: a.hi,
    ap_lo: p.lo,
    ap_hi: p.hi,
  };
}

/** Runs each tower once so the frozen CLIP prepares (and keeps) its weight copies before tensors are counted. */
function warmUp(bundle: ModelBundle): void {
  const r = bundle.clip.config.imageResolution;
  tf.tidy(() => {
    bundle.clip.encodeImage(tf.zeros([1, r, r, 3]));
    bundle.clip.encodeText([[bundle.tokenizer.sot, bundle.tokenizer.eot]]);
  });
}

/** Runs every planned run not already finished in `out`; returns all records in `out` afterwards. */
export async function runSweep(runs: readonly PlannedRun[], options: RunSweepOptions): Promise<RunRecord[]> {
  const { out, bundle } = options;
  await readRunRecords(out); // a malformed record already in the folder fails here, naming its file, before any work
  warmUp(bundle);
  const cache = options.cache === false
    ? null
    : new SweepCache(bundle, typeof options.cache === "object" ? options.cache : {});
  try {
    if (cache) cache.expectTrainings(await pendingTrainings(runs, out));
    return await runAll(runs, options, cache);
  } finally {
    if (cache && !options.quiet) console.error(cache.summary());
    cache?.dispose();
  }
}

/** One spec per distinct training that `runs` still has to compute in `out` (not finished, not trained before). */
async function pendingTrainings(runs: readonly PlannedRun[], out: string): Promise<RunSpec[]> {
  const seen = new Set<string>(), specs: RunSpec[] = [];
  for (const run of runs) {
    if (seen.has(run.trainingId)) continue;
    seen.add(run.trainingId);
    if (await readJsonOrNull(paths.run(out, run.id))) continue;
    if (await readJsonOrNull(paths.trained(out, run.trainingId))) continue;
    specs.push(run.spec);
  }
  return specs;
}

async function runAll(
  runs: readonly PlannedRun[],
  options: RunSweepOptions,
  cache: SweepCache | null,
): Promise<RunRecord[]> {
  const { out, bundle, data } = options;
  const bar = new Progress(runs.length, { label: "runs", quiet: options.quiet });
  for (const run of runs) {
    const existing = await readRunRecord(paths.run(out, run.id));
    if (existing) {
      // The same run planned by another question (e.g. a later `--questions` call): record that it answers it too.
      const missing = run.questions.filter((q) => !existing.questions.includes(q));
      if (missing.length) {
        existing.questions = [...existing.questions, ...missing];
        await writeJson(paths.run(out, run.id), existing);
      }
      bar.tick(1, `skip ${run.id} (done)`);
      options.onRun?.(existing, true);
      continue;
    }
    const label = `${run.spec.variant}/${run.spec.regions}/${run.spec.synthesis}/s${run.spec.seed}`;
    if (!options.quiet) console.error(`run ${run.id}: ${label} scoring=${run.spec.scoring}`);
    let trained = await readJsonOrNull<TrainedRecord>(paths.trained(out, run.trainingId));
    let seconds = 0;
    if (!trained) {
      const before = tf.memory().numTensors;
      const result = await trainAndEvaluate(run.spec, run.trainingId, bundle, data, {
        quiet: options.quiet,
        label,
        cache,
      });
      trained = result.trained;
      seconds = trained.seconds;
      const learned = result.model.learnedTensors();
      if (Object.keys(learned).length) {
        await writeSafetensors(paths.prompts(out, run.trainingId, run.spec), new Map(Object.entries(learned)), {
          metadata: {
            variant: run.spec.variant,
            regions: run.spec.regions,
            model_hash: bundle.hash,
            spec: JSON.stringify(run.spec),
          },
        });
        await writeJson(
          promptCardPath(paths.prompts(out, run.trainingId, run.spec)),
          makePromptCard(run.spec, trained.regionNames, bundle.hash, bundle.normalisation),
        );
      }
      result.model.dispose();
      const leaked = tf.memory().numTensors - before;
      if (leaked > 0 && !options.quiet) console.error(`warning: ${leaked} tensors left after run ${run.id}`);
      await writeJson(paths.trained(out, run.trainingId), trained);
    }
    const scores = aggregateScores(trained.probs, run.spec.scoring);
    const metrics = runMetrics(trained.labels, scores, run.spec.seed, options.bootstrap ?? 1000);
    await writeScores(paths.scores(out, run.id), trained, scores);
    const record: RunRecord = {
      id: run.id,
      trainingId: run.trainingId,
      spec: run.spec,
      questions: run.questions,
      metrics,
      nTest: trained.labels.length,
      positives: trained.labels.filter((l) => l === 1).length,
      nTrainNormal: data.trainNormals.length,
      seconds,
      losses: trained.losses,
      diagnostics: diagnosticValues(trained.diagnostics, trained.labels, trained.probs, trained.regionNames),
      finishedAt: new Date().toISOString(),
    };
    await recordCardMetrics(paths.prompts(out, run.trainingId, run.spec), run.spec.scoring, metrics, {
      n: record.nTest,
      abnormal: record.positives,
    });
    await writeJson(paths.run(out, run.id), record);
    await writeTables(out, await readRunRecords(out));
    bar.tick(1, `${label} AUROC ${(metrics.auroc * 100).toFixed(1)}`);
    options.onRun?.(record, false);
  }
  bar.finish();
  const records = await readRunRecords(out);
  await writeTables(out, records);
  return records;
}
