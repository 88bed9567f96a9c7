/**
 * What `ablate` and `reproduce` share: model + data resolution from flags, planning with shards, running, tables and
 * charts, and a short summary on stderr.
 * @module
 */
import { initBackend, requestedBackend } from "../backend.ts";
import { loadModelBundle, type ModelBundle, normalisationFromFlags } from "../encoders/bundle.ts";
import { ensureBenchmark } from "../data/synthetic/mod.ts";
import { parseBadImagePolicy } from "../data/datasets/mod.ts";
import { InputError } from "../util/errors.ts";
import { join, PROJECT_ROOT, relative, resolve } from "../util/path.ts";
import { type MethodSpec, parseShard, type PlannedRun, planSweep, shardRuns, type SweepConfig } from "./config.ts";
import { ExperimentData } from "./data.ts";
import { runSweep } from "./runner.ts";
import { writeSweepCharts } from "./charts.ts";
import type { RunRecord } from "./store.ts";
import { sasGallery } from "../synthesis/gallery.ts";
import { perFindingAuroc, writePerFinding } from "./per_finding.ts";
import { benchmarkCases } from "../data/synthetic/manifest.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { Rng } from "../util/rng.ts";

/** Flags shared by the sweep commands (node:util parseArgs options). */
export const SWEEP_FLAGS = {
  model: { type: "string" },
  tokenizer: { type: "string" },
  preset: { type: "string" },
  data: { type: "string" },
  layout: { type: "string" },
  dataset: { type: "string" },
  out: { type: "string" },
  seeds: { type: "string" },
  shots: { type: "string" },
  steps: { type: "string" },
  "n-ctx": { type: "string" },
  variants: { type: "string" },
  "test-limit": { type: "string" },
  shard: { type: "string" },
  backend: { type: "string" },
  "on-bad-image": { type: "string" },
  "no-charts": { type: "boolean" },
  json: { type: "boolean" },
  quiet: { type: "boolean" },
} as const;

/** Parsed sweep settings. */
export interface SweepSettings {
  sweep: SweepConfig;
  out: string;
  seeds?: number;
  overrides: Partial<MethodSpec>;
  variants?: string[];
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
}

/** Loads the model and data, plans (and shards) the sweep, runs it, writes tables and charts. */
export async function executeSweep(s: SweepSettings): Promise<SweepOutcome> {
  const start = performance.now();
  const backend = await initBackend(requestedBackend(s.backend), { quiet: s.quiet });
  const bundle = await loadModelBundle(s.model, {
    tokenizer: s.tokenizer,
    normalisation: normalisationFromFlags(s.preset),
  });
  const dataRoot = s.data ? resolve(s.data) : await ensureBenchmark();
  const datasetName = s.dataset ?? (s.data ? "custom" : "synthetic-cxr");
  const data = await ExperimentData.load(dataRoot, {
    resolution: bundle.clip.config.imageResolution,
    layout: s.layout,
    dataset: s.dataset,
    testLimit: s.testLimit,
    onBadImage: s.onBadImage ? parseBadImagePolicy(s.onBadImage) : "fail",
    quiet: s.quiet,
  });
  const modelLabel = s.model ?? relative(PROJECT_ROOT, bundle.path);
  let planned = await planSweep(s.sweep, {
    model: modelLabel,
    modelHash: bundle.hash,
    data: s.data ? dataRoot : relative(PROJECT_ROOT, dataRoot),
    dataset: datasetName,
    backend: backend.name,
    testLimit: s.testLimit,
  }, { seeds: s.seeds, variants: s.variants, overrides: s.overrides });
  if (planned.length === 0) throw new InputError("Cannot run the sweep: no run matches the given --variants");
  if (s.shard) planned = shardRuns(planned, parseShard(s.shard));
  if (!s.quiet) {
    const c = data.dataset.counts();
    console.error(
      `data: ${dataRoot} (${data.dataset.layout}); train normal ${c.train.normal}; test ${data.test.labels.length} ` +
        `(${data.test.labels.filter((l) => l === 1).length} abnormal)${
          data.test.skipped.length ? `; skipped ${data.test.skipped.length} bad images` : ""
        }`,
    );
    console.error(`plan: ${planned.length} runs → ${s.out}`);
  }
  const records = await runSweep(planned, { out: s.out, bundle, data, quiet: s.quiet });
  const mine = records.filter((r) => planned.some((p) => p.id === r.id));
  const charts = s.charts
    ? await writeSweepCharts(s.out, mine, s.sweep.questions, {
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
  const cases = await benchmarkCases(dataRoot);
  if (cases.size) await writePerFinding(s.out, await perFindingAuroc(s.out, mine, cases));
  return { records: mine, planned, bundle, data, charts, seconds: (performance.now() - start) / 1000 };
}

/** Parses the shared flags into settings. */
export function sweepSettings(
  sweep: SweepConfig,
  v: Record<string, string | boolean | string[] | boolean[] | undefined>,
  defaultOut: string,
  parseNumber: (name: string, value: unknown, fallback: number) => number,
): SweepSettings {
  const overrides: Partial<MethodSpec> = {};
  if (v.shots !== undefined) overrides.shots = parseNumber("shots", v.shots, sweep.base.shots);
  if (v.steps !== undefined) overrides.steps = parseNumber("steps", v.steps, sweep.base.steps);
  if (v["n-ctx"] !== undefined) overrides.nCtx = parseNumber("n-ctx", v["n-ctx"], sweep.base.nCtx);
  const str = (k: string) => (typeof v[k] === "string" ? v[k] as string : undefined);
  return {
    sweep,
    out: resolve(str("out") ?? join(PROJECT_ROOT, defaultOut)),
    seeds: v.seeds !== undefined ? parseNumber("seeds", v.seeds, sweep.seeds) : undefined,
    overrides,
    variants: str("variants")?.split(",").map((x) => x.trim()).filter(Boolean),
    testLimit: v["test-limit"] !== undefined ? parseNumber("test-limit", v["test-limit"], 0) || null : null,
    shard: str("shard"),
    model: str("model"),
    tokenizer: str("tokenizer"),
    preset: str("preset"),
    data: str("data"),
    layout: str("layout"),
    dataset: str("dataset"),
    backend: str("backend"),
    onBadImage: str("on-bad-image"),
    charts: !v["no-charts"],
    quiet: Boolean(v.quiet),
  };
}
