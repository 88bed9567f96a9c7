/**
 * What `ablate` and `reproduce` share: model + data resolution from flags, planning with shards, running, tables and
 * charts, and a short summary on stderr.
 * @module
 */
import { initBackend, requestedBackend } from "../backend.ts";
import { loadModelBundle, type ModelBundle, normalisationFromFlags } from "../encoders/mod.ts";
import { benchmarkCases, ensureBenchmark, parseBadImagePolicy } from "../data/mod.ts";
import {
  acquireLock,
  choiceFlag,
  ensureOutDir,
  type FlagSpec,
  type FlagValues,
  InputError,
  join,
  listFlag,
  numberFlag,
  PROJECT_ROOT,
  relative,
  resolve,
  Rng,
  staleLockNote,
  writeFileAtomic,
} from "../util/mod.ts";
import { SIDES, VARIANT_NAMES } from "../prompts/mod.ts";
import {
  type MethodSpec,
  parseShard,
  type PlannedRun,
  planSweep,
  runContext,
  shardRuns,
  type SweepConfig,
} from "./config.ts";
import { ExperimentData } from "./data.ts";
import { shardManifest, writeShardManifest } from "./shards.ts";
import { runSweep } from "./runner.ts";
import { writeSweepCharts } from "./charts.ts";
import type { RunRecord } from "./store.ts";
import { sasGallery } from "../synthesis/mod.ts";
import { perFindingAuroc, writePerFinding } from "./per_finding.ts";

/** Flags shared by the sweep commands (`ablate`, `reproduce`), with descriptions and defaults for `--help`. */
export const SWEEP_FLAGS = {
  model: {
    type: "string",
    arg: "FILE",
    description: "CLIP checkpoint (.pt, .safetensors or a model folder)",
    default: "models/ppad-mini-cxr-real",
  },
  tokenizer: { type: "string", arg: "FILE", description: "BPE merges file", default: "the model's own, else CLIP's" },
  preset: { type: "string", arg: "chexzero|openai", description: "image normalisation preset", default: "the model's" },
  data: { type: "string", arg: "DIR", description: "data set root", default: "the synthetic benchmark in data/" },
  layout: { type: "string", arg: "L", description: "data set layout", default: "auto-detected" },
  dataset: { type: "string", arg: "NAME", description: "data set name recorded in the results", default: "custom" },
  out: { type: "string", arg: "DIR", description: "results folder (locked while the sweep runs)" },
  seeds: { type: "string", arg: "N", description: "seeds per trained configuration (≥ 1)" },
  shots: { type: "string", arg: "K", description: "normal training images per seed (≥ 1)", default: 64 },
  steps: { type: "string", arg: "S", description: "optimisation steps (≥ 1)", default: 100 },
  "n-ctx": { type: "string", arg: "N", description: "learnable text context tokens (≥ 1)", default: 16 },
  variants: {
    type: "string",
    arg: "a,b",
    description: `run only these variants (${VARIANT_NAMES.join(", ")})`,
    default: "all",
  },
  questions: {
    type: "string",
    arg: "a,b",
    description: "run only these questions of the grid (e.g. prompts,synthesis)",
    default: "all",
  },
  sides: {
    type: "string",
    arg: "image|patient",
    description: 'which side "left"/"right" name in the position words (image: the paper\'s; patient: anatomical)',
    default: "image",
  },
  "test-limit": {
    type: "string",
    arg: "N",
    description: "score a stratified subsample of N test images (≥ 1)",
    default: "all",
  },
  shard: {
    type: "string",
    arg: "i/n",
    description: "run only shard i of n (then `deno task merge`)",
    default: "all runs",
  },
  backend: { type: "string", arg: "B", description: "wasm, webgpu, cpu or tensorflow", default: "wasm" },
  "on-bad-image": {
    type: "string",
    arg: "fail|skip",
    description: "what to do with an unreadable image",
    default: "fail",
  },
  "no-charts": { type: "boolean", description: "do not draw the charts" },
  "no-feature-cache": {
    type: "boolean",
    description: "recompute in every run the image features and training batches runs share (identical results)",
  },
  json: { type: "boolean", description: "print one JSON object on stdout" },
  quiet: { type: "boolean", description: "no progress on stderr" },
} as const satisfies Record<string, FlagSpec>;

/** Parsed sweep settings. */
export interface SweepSettings {
  sweep: SweepConfig;
  out: string;
  seeds?: number;
  overrides: Partial<MethodSpec>;
  variants?: string[];
  /** Only these questions of the sweep. */
  questions?: string[];
  testLimit: number | null;
  shard?: string;
  model?: string;
  tokenizer?: string;
  preset?: string;
  data?: string;
  layout?: string;
  dataset?: string;
  backend?: string;
  onBadImage?: string;
  charts: boolean;
  /** Share prompt-free image features and training batches between runs (exact; `--no-feature-cache` turns it off). */
  featureCache: boolean;
  quiet: boolean;
}

/** Everything a sweep ran with. */
export interface SweepOutcome {
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

/** Loads the model and data, plans (and shards) the sweep, runs it, writes tables and charts. */
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
  const backend = await initBackend(requestedBackend(s.backend), { quiet: s.quiet });
  const bundle = await loadModelBundle(s.model, {
    tokenizer: s.tokenizer,
    normalisation: normalisationFromFlags(s.preset),
  });
  const dataRoot = s.data ? resolve(s.data) : await ensureBenchmark();
  const data = await ExperimentData.load(dataRoot, {
    resolution: bundle.clip.config.imageResolution,
    layout: s.layout,
    dataset: s.dataset,
    testLimit: s.testLimit,
    onBadImage: s.onBadImage ? parseBadImagePolicy(s.onBadImage) : "fail",
    quiet: s.quiet,
  });
  let planned = await planSweep(
    s.sweep,
    runContext({
      modelFlag: s.model,
      modelRelative: relative(PROJECT_ROOT, bundle.path),
      modelHash: bundle.hash,
      dataFlag: s.data,
      dataRoot,
      dataRelative: relative(PROJECT_ROOT, dataRoot),
      dataset: s.dataset,
      backend: backend.name,
      testLimit: s.testLimit,
    }),
    { seeds: s.seeds, variants: s.variants, questions: s.questions, overrides: s.overrides },
  );
  if (planned.length === 0) {
    throw new InputError("Cannot run the sweep: no run matches the given --variants and --questions");
  }
  if (s.shard) {
    // The manifest (which shard of how many, its runs) lets `deno task merge` name missing or unfinished shards.
    const shard = parseShard(s.shard), all = planned;
    planned = shardRuns(all, shard);
    await writeShardManifest(s.out, await shardManifest(s.sweep.name, shard, all, planned));
  }
  if (!s.quiet) {
    const c = data.dataset.counts();
    console.error(
      `data: ${dataRoot} (${data.dataset.layout}); train normal ${c.train.normal}; test ${data.test.labels.length} ` +
        `(${data.test.labels.filter((l) => l === 1).length} abnormal)${
          testSetNote(data) ? `; ${testSetNote(data)}` : ""
        }`,
    );
    console.error(`plan: ${planned.length} runs → ${s.out}`);
  }
  let reused = 0, computed = 0;
  const records = await runSweep(planned, {
    out: s.out,
    bundle,
    data,
    quiet: s.quiet,
    cache: s.featureCache,
    onRun: (_record, skipped) => skipped ? reused++ : computed++,
  });
  const mine = records.filter((r) => planned.some((p) => p.id === r.id));
  const charts = s.charts
    ? await writeSweepCharts(s.out, mine, { base: { ...s.sweep.base, ...s.overrides }, questions: s.sweep.questions }, {
      testImages: data.test.images,
      resolution: bundle.clip.config.imageResolution,
    })
    : [];
  if (s.charts && planned.some((p) => p.spec.shots > 0)) {
    const shots = await data.shots(0, Math.min(4, data.trainNormals.length));
    const png = sasGallery(shots.images, data.resolution, new Rng(7));
    const path = join(s.out, "charts", "sas-gallery.png");
    await writeFileAtomic(path, png);
    charts.push(path);
  }
  // What was scored against what was asked for, so that a shortfall is part of the results, not only of the log.
  await writeFileAtomic(
    join(s.out, "test-set.json"),
    JSON.stringify(
      {
        requested: data.test.requested,
        scored: data.test.labels.length,
        skipped: data.test.skipped,
        replaced: data.test.replaced,
        shortfall: data.test.shortfall,
      },
      null,
      1,
    ) + "\n",
  );
  if (data.test.shortfall > 0) console.error(`warning: ${testSetNote(data)}`);
  const cases = await benchmarkCases(dataRoot);
  if (cases.size) await writePerFinding(s.out, await perFindingAuroc(s.out, mine, cases));
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

/**
 * Parses the shared flags into settings, refusing bad values before any work: counts must be ≥ 1, variants must be
 * known (an unknown one is named, with the valid ones), `--shard` must be i/n, `--on-bad-image` fail or skip.
 */
export function sweepSettings(
  sweep: SweepConfig,
  v: Partial<FlagValues<typeof SWEEP_FLAGS>>,
  defaultOut: string,
): SweepSettings {
  const count = (name: keyof typeof SWEEP_FLAGS, fallback: number) =>
    numberFlag(name, v[name] as string | undefined, fallback, { integer: true, min: 1 });
  const overrides: Partial<MethodSpec> = {};
  if (v.shots !== undefined) overrides.shots = count("shots", sweep.base.shots);
  if (v.steps !== undefined) overrides.steps = count("steps", sweep.base.steps);
  if (v["n-ctx"] !== undefined) overrides.nCtx = count("n-ctx", sweep.base.nCtx);
  if (v.shard !== undefined) parseShard(v.shard);
  if (v["on-bad-image"] !== undefined) parseBadImagePolicy(v["on-bad-image"]);
  if (v.sides !== undefined) overrides.sides = choiceFlag("sides", v.sides, SIDES);
  return {
    sweep,
    out: resolve(v.out ?? join(PROJECT_ROOT, defaultOut)),
    seeds: v.seeds !== undefined ? count("seeds", sweep.seeds) : undefined,
    overrides,
    variants: listFlag("variants", v.variants, VARIANT_NAMES),
    questions: listFlag("questions", v.questions, sweep.questions.map((q) => q.name)),
    testLimit: v["test-limit"] !== undefined ? count("test-limit", 0) : null,
    shard: v.shard,
    model: v.model,
    tokenizer: v.tokenizer,
    preset: v.preset,
    data: v.data,
    layout: v.layout,
    dataset: v.dataset,
    backend: v.backend,
    onBadImage: v["on-bad-image"],
    charts: !v["no-charts"],
    featureCache: !v["no-feature-cache"],
    quiet: Boolean(v.quiet),
  };
}
