/**
 * The sweep driver `ablate` and `reproduce` share: load the model and data, plan (and shard) the sweep, run it, then
 * write its tables and charts (ablation charts, the SAS gallery, `test-set.json`, the per-finding table). The commands
 * parse their flags into {@link SweepSettings} (cli/sweep_flags.ts) and call {@link executeSweep}.
 *
 * A results folder is shared by every sweep run into it (a partial `--variants`/`--questions` sweep adds to it), so
 * its shared outputs (tables, charts, `test-set.json`, the per-finding table) are written from every run it holds,
 * not only the ones this sweep planned; and a sweep whose test set differs from the one the folder's runs were scored
 * on (another `--test-limit`, data set, or other test images) is refused before any work, so that no table or chart
 * mixes runs scored on different images.
 * @module
 */
import { type BackendName, initBackend, requestedBackend } from "../backend.ts";
import { loadModelBundle, type ModelBundle } from "../encoders/mod.ts";
import {
  type BadImagePolicy,
  benchmarkCases,
  DEFAULT_BENCHMARK_DIR,
  ensureBenchmark,
  type Normalisation,
} from "../data/mod.ts";
import {
  acquireLock,
  ensureOutDir,
  fixedStreamSeed,
  InputError,
  join,
  PROJECT_ROOT,
  relative,
  resolve,
  Rng,
  staleLockNote,
  writeFileAtomic,
} from "../util/mod.ts";
import { type MethodSpec, type PlannedRun, planSweep, runContext, shardRuns, type SweepConfig } from "./config.ts";
import { ExperimentData } from "./data.ts";
import { shardManifest, writeShardManifest } from "./shards.ts";
import { runSweep } from "./runner.ts";
import { writeSweepCharts } from "./charts.ts";
import type { RunRecord } from "./store.ts";
import {
  readFolderTestSet,
  refuseOtherTestImages,
  refuseOtherTestSet,
  sweepTestSet,
  type TestSetReport,
} from "./test_set_guard.ts";
import { sasGallery } from "../synthesis/mod.ts";
import { perFindingAuroc, writePerFinding } from "./per_finding.ts";

/** Shard `index` of `count` (0 ≤ index < count): every count-th run of the plan sorted by id. */
export interface SweepShard {
  index: number;
  count: number;
}

/** Everything a sweep runs with, parsed and validated (the commands build it from their flags). */
export interface SweepSettings {
  /** The grid: base method and questions. */
  sweep: SweepConfig;
  /** Results folder, absolute; locked while the sweep runs. */
  out: string;
  /** Seeds per trained configuration; default: the sweep's own. */
  seeds?: number;
  /** Method fields that replace the sweep's base (shots, steps, context length, sides). */
  overrides: Partial<MethodSpec>;
  /** Run only these variants; default: all of the sweep's. */
  variants?: string[];
  /** Run only these questions of the sweep; default: all. */
  questions?: string[];
  /** Score a stratified subsample of this many test images, or null for all. */
  testLimit: number | null;
  /** Run only this shard of the plan (then merge the shards' folders). */
  shard?: SweepShard;
  /** The checkpoint as the user named it (it is part of each run's identity); default: the embedded model. */
  model?: string;
  /** BPE merges file; default: the model's own, else CLIP's. */
  tokenizer?: string;
  /** Image normalisation; default: the model's. */
  normalisation?: Normalisation;
  /** Data set root as the user named it; default: the synthetic benchmark in data/. */
  data?: string;
  /** Data set layout; default: detected. */
  layout?: string;
  /** Data set name recorded in the results. */
  dataset?: string;
  /** Backend; default: `PPAD_BACKEND`, else wasm. */
  backend?: BackendName;
  /** What to do with an unreadable image. */
  onBadImage: BadImagePolicy;
  /** Draw the charts and the SAS gallery. */
  charts: boolean;
  /** Share prompt-free image features, patch tokens and training batches between runs (exact results either way). */
  featureCache: boolean;
  /** No progress on stderr. */
  quiet: boolean;
}

/** Everything a sweep ran with. */
export interface SweepOutcome {
  /** The finished runs this sweep planned (the folder's tables and charts describe all of its runs). */
  records: RunRecord[];
  planned: PlannedRun[];
  bundle: ModelBundle;
  data: ExperimentData;
  charts: string[];
  seconds: number;
  /** Runs read back from finished work in `out` (not computed by this process). */
  reused: number;
  /** Runs computed by this process. */
  computed: number;
}

/**
 * Locks `s.out`, loads the model and data, plans (and shards) the sweep, runs it, and writes the folder's tables and
 * charts from every run it then holds. Refuses (`InputError`, before any run) a test set other than the one the
 * folder's runs were scored on. `command` names the lock's holder (e.g. `ablate`).
 */
export async function executeSweep(s: SweepSettings, command = "sweep"): Promise<SweepOutcome> {
  const start = performance.now();
  // Outputs are checked, and the folder locked, before any work starts.
  await ensureOutDir(s.out);
  const lock = acquireLock(s.out, command);
  try {
    const note = staleLockNote(lock);
    if (note) console.error(note);
    return await sweepLocked(s, start);
  } finally {
    lock.release();
  }
}

async function sweepLocked(s: SweepSettings, start: number): Promise<SweepOutcome> {
  // The folder may already hold runs of earlier sweeps: this one must score the same test set, checked first with
  // what the flags say (test limit, data folder, a named data set), then with the loaded data, before any run.
  const folder = await readFolderTestSet(s.out);
  refuseOtherTestSet(s.out, folder, sweepTestSet(s, s.data ? resolve(s.data) : DEFAULT_BENCHMARK_DIR));
  const backend = await initBackend(requestedBackend(s.backend), { quiet: s.quiet });
  const bundle = await loadModelBundle(s.model, { tokenizer: s.tokenizer, normalisation: s.normalisation });
  const dataRoot = s.data ? resolve(s.data) : await ensureBenchmark();
  const data = await ExperimentData.load(dataRoot, {
    resolution: bundle.clip.config.imageResolution,
    layout: s.layout,
    dataset: s.dataset,
    testLimit: s.testLimit,
    onBadImage: s.onBadImage,
    quiet: s.quiet,
  });
  refuseOtherTestSet(s.out, folder, sweepTestSet(s, dataRoot, data));
  await refuseOtherTestImages(s.out, folder, data);
  const planned = await planRuns(s, bundle, dataRoot, data.dataset.name, backend.name);
  // Every run's shots must be drawable before the first run is written.
  const shots = Math.max(0, ...planned.map((p) => p.spec.shots));
  if (shots > data.trainNormals.length) {
    throw new InputError(
      `Cannot run the sweep: a run draws ${shots} shots and the train split of ${dataRoot} has only ` +
        `${data.trainNormals.length} normal images (pass --shots ${data.trainNormals.length} or fewer)`,
    );
  }
  if (!s.quiet) {
    const c = data.dataset.counts();
    const note = testSetNote(data);
    console.error(
      `data: ${dataRoot} (${data.dataset.layout}); train normal ${c.train.normal}; test ${data.test.labels.length} ` +
        `(${data.test.labels.filter((l) => l === 1).length} abnormal)${note ? `; ${note}` : ""}`,
    );
    console.error(`plan: ${planned.length} runs → ${s.out}`);
  }
  let reused = 0, computed = 0;
  // Every run in the folder afterwards (earlier sweeps' too): what runs.csv and summary.csv describe, and so what
  // the charts, the per-finding table and test-set.json describe.
  const records = await runSweep(planned, {
    out: s.out,
    bundle,
    data,
    quiet: s.quiet,
    cache: s.featureCache,
    onRun: (_record, skipped) => skipped ? reused++ : computed++,
  });
  const mine = records.filter((r) => planned.some((p) => p.id === r.id));
  const charts: string[] = [];
  if (s.charts) {
    const { model, modelHash, backend: backendName } = planned[0].spec;
    charts.push(
      ...await writeSweepCharts(s.out, records, {
        base: { ...s.sweep.base, ...s.overrides },
        questions: s.sweep.questions,
        context: { model, modelHash, backend: backendName },
      }, {
        testImages: data.test.images,
        resolution: bundle.clip.config.imageResolution,
      }),
    );
    if (records.some((r) => r.spec.shots > 0)) charts.push(await writeSasGallery(s.out, data));
  }
  await writeTestSetReport(s.out, data);
  if (data.test.shortfall > 0) console.error(`warning: ${testSetNote(data)}`);
  await writePerFindingTable(s.out, dataRoot, records);
  return {
    records: mine,
    planned,
    bundle,
    data,
    charts,
    seconds: (performance.now() - start) / 1000,
    reused,
    computed,
  };
}

/** The sweep's runs for this model, data and backend; only the shard's when sharded (its manifest written to `out`). */
async function planRuns(
  s: SweepSettings,
  bundle: ModelBundle,
  dataRoot: string,
  detectedDataset: string,
  backend: BackendName,
): Promise<PlannedRun[]> {
  const all = await planSweep(
    s.sweep,
    runContext({
      modelFlag: s.model,
      modelRelative: relative(PROJECT_ROOT, bundle.path),
      modelHash: bundle.hash,
      dataFlag: s.data,
      dataRoot,
      dataRelative: relative(PROJECT_ROOT, dataRoot),
      dataset: s.dataset,
      detectedDataset,
      backend,
      testLimit: s.testLimit,
    }),
    { seeds: s.seeds, variants: s.variants, questions: s.questions, overrides: s.overrides },
  );
  if (all.length === 0) {
    throw new InputError("Cannot run the sweep: no run matches the given --variants and --questions");
  }
  if (!s.shard) return all;
  // The manifest (which shard of how many, its runs) lets `deno task merge` name missing or unfinished shards.
  const mine = shardRuns(all, s.shard);
  await writeShardManifest(s.out, await shardManifest(s.sweep.name, s.shard, all, mine));
  return mine;
}

/** `charts/sas-gallery.png`: SAS applied to the first (at most 4) training shots of seed 0; returns its path. */
async function writeSasGallery(out: string, data: ExperimentData): Promise<string> {
  const shots = await data.shots(0, Math.min(4, data.trainNormals.length));
  const path = join(out, "charts", "sas-gallery.png");
  await writeFileAtomic(path, sasGallery(shots.images, data.resolution, new Rng(fixedStreamSeed("sasGallery"))));
  return path;
}

/**
 * `test-set.json`: what was scored against what was asked for, so a shortfall is part of the results, not the log.
 * It describes every run of the folder: a sweep on another test set is refused before it runs.
 */
async function writeTestSetReport(out: string, data: ExperimentData): Promise<void> {
  const t = data.test;
  const report: TestSetReport = {
    requested: t.requested,
    scored: t.labels.length,
    skipped: t.skipped,
    replaced: t.replaced,
    shortfall: t.shortfall,
  };
  await writeFileAtomic(join(out, "test-set.json"), JSON.stringify(report, null, 1) + "\n");
}

/**
 * `per_finding.csv` of `records` (every run of the folder), when the data set is the synthetic benchmark (its manifest
 * names each image's finding).
 */
async function writePerFindingTable(out: string, dataRoot: string, records: readonly RunRecord[]): Promise<void> {
  const cases = await benchmarkCases(dataRoot);
  if (cases.size) await writePerFinding(out, await perFindingAuroc(out, records, cases));
}

/**
 * Skipped, replaced and missing test images in one phrase ("" when nothing was skipped): e.g. `skipped 1 bad image,
 * replaced from the test pool` or `skipped 2 bad images; 11 of --test-limit 12 scored (short by 1: the pool ran out)`.
 */
export function testSetNote(data: Pick<ExperimentData, "test">): string {
  const t = data.test;
  if (t.skipped.length === 0) return "";
  const skipped = `skipped ${t.skipped.length} bad image${t.skipped.length > 1 ? "s" : ""}`;
  if (t.requested === null) return skipped;
  if (t.shortfall === 0) return `${skipped}, replaced from the test pool`;
  return `${skipped}; ${t.labels.length} of --test-limit ${t.requested} scored (short by ${t.shortfall}: ` +
    `no more readable test images of that class)`;
}

/** The runs line of a finished sweep: `13 runs (13 reused from results/ablate, 0 computed)`. */
export function runsLine(outcome: Pick<SweepOutcome, "records" | "reused" | "computed">, out: string): string {
  const where = relative(Deno.cwd(), out) || ".";
  return `${outcome.records.length} runs (${outcome.reused} reused from ${where}, ${outcome.computed} computed)`;
}
