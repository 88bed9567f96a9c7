/**
 * How good a backbone is before any prompt is learned: the zero-shot AUROC of "normal." vs "pneumonia." on a real
 * corpus's held-out slice (and, as a diagnostic, on its normals against the same films with an opacity), on the
 * synthetic benchmark's test split and on the test split of any data set, with 95 % bootstrap intervals. Used by the
 * pretraining's report and by `deno task zeroshot` to compare backbones.
 * @module
 */
import { type BpeTokenizer, type ClipModel, loadModelBundle } from "../encoders/mod.ts";
import { ensureBenchmark, type Normalisation } from "../data/mod.ts";
import { auroc, bootstrapCI } from "../metrics/mod.ts";
import { zeroShotScores } from "../prompts/mod.ts";
import { CORPUS_SPLIT_SEED, corpusImage, type CorpusPart, lesionPair, loadRealCorpus } from "../train/mod.ts";
import {
  basename,
  dirname,
  extname,
  fixedStreamSeed,
  InputError,
  join,
  PROJECT_ROOT,
  relative,
  resolve,
  Rng,
} from "../util/mod.ts";
import type * as Plot from "@observablehq/plot";
import {
  listChartFiles,
  type LossRow,
  readCsvTable,
  zeroShotChart,
  type ZeroShotPoint,
  type ZeroShotReference,
} from "../report/mod.ts";
import { ExperimentData } from "./data.ts";
import { PAPER_RESULTS, type PaperDataset } from "./paper_numbers.ts";

/** A zero-shot number on one evaluation set. */
export interface ZeroShotOnData {
  data: string;
  role: "held-out real (model selection)" | "lesion probe (diagnostic)" | "synthetic benchmark test" | "reported only";
  n: number;
  auroc: number;
  /** 95 % bootstrap interval over images (1,000 resamples, seed 0). */
  aurocLo?: number;
  aurocHi?: number;
}

/** What {@link zeroShotOnData} evaluates. */
export interface ZeroShotTargets {
  /** A decoded held-out slice of a real corpus, with its label for the table. */
  heldOut?: { label: string; part: CorpusPart };
  /**
   * Also score the held-out slice's normals against the same films with an opacity in one lung field
   * ({@link lesionProbeImages}): whether the backbone sees a focal opacity on real anatomy, where nothing but the
   * opacity differs. A diagnostic, never used to choose.
   */
  lesionProbe?: boolean;
  /** The synthetic benchmark's test split (generated on first use). */
  benchmark: boolean;
  /** Data set roots whose test split is scored (reported only: never used to choose anything). */
  datasets: string[];
}

/**
 * The lesion probe's images: every normal of `part` (`[n]` of `[size*size]`), then the same films, in order, each with
 * one opacity from lib/train/real_lesions.ts (the fixed `lesionProbe` stream). Labels: n zeros, then n ones.
 */
export function lesionProbeImages(part: CorpusPart): { images: Float32Array[]; labels: number[] } {
  const normals = part.entries.flatMap((e, i) => (e.label === "normal" ? [corpusImage(part, i)] : []));
  const rng = new Rng(fixedStreamSeed("lesionProbe"));
  const lesioned = normals.map((img) => lesionPair(img, part.size, rng).image);
  return { images: [...normals, ...lesioned], labels: [...normals.map(() => 0), ...lesioned.map(() => 1)] };
}

/** AUROC with its 95 % bootstrap interval, labels `[n]` and scores `[n]`. */
function withInterval(
  labels: number[],
  scores: ArrayLike<number>,
): { auroc: number; aurocLo: number; aurocHi: number } {
  const ci = bootstrapCI(labels, scores, auroc, { rng: new Rng(fixedStreamSeed("tableBootstrapAuroc")), n: 1000 });
  return { auroc: auroc(labels, scores), aurocLo: ci.lo, aurocHi: ci.hi };
}

/** Zero-shot AUROC of a frozen CLIP on each target, in order (held-out slice, benchmark, data sets). */
export async function zeroShotOnData(
  model: ClipModel,
  tokenizer: BpeTokenizer,
  norm: Normalisation,
  targets: ZeroShotTargets,
): Promise<ZeroShotOnData[]> {
  const out: ZeroShotOnData[] = [];
  if (targets.heldOut && targets.heldOut.part.pixels.length > 0) {
    const part = targets.heldOut.part;
    const scores = zeroShotScores(model, tokenizer, norm, part.pixels.map((_, i) => corpusImage(part, i)));
    const labels = part.entries.map((e) => (e.label === "normal" ? 0 : 1));
    out.push({
      data: targets.heldOut.label,
      role: "held-out real (model selection)",
      n: labels.length,
      ...withInterval(labels, scores),
    });
    if (targets.lesionProbe) {
      const probe = lesionProbeImages(part);
      out.push({
        data: `${targets.heldOut.label}: normals vs the same with an opacity`,
        role: "lesion probe (diagnostic)",
        n: probe.labels.length,
        ...withInterval(probe.labels, zeroShotScores(model, tokenizer, norm, probe.images)),
      });
    }
  }
  const onTest = async (root: string, role: ZeroShotOnData["role"]) => {
    const data = await ExperimentData.load(root, { resolution: model.config.imageResolution, quiet: true });
    const scores = zeroShotScores(model, tokenizer, norm, data.test.images);
    out.push({
      data: relative(PROJECT_ROOT, root) || root,
      role,
      n: data.test.labels.length,
      ...withInterval(data.test.labels, scores),
    });
  };
  if (targets.benchmark) await onTest(await ensureBenchmark(), "synthetic benchmark test");
  for (const root of targets.datasets) {
    if (!(await Deno.stat(root).then(() => true, () => false))) {
      console.error(`zero-shot: skipping ${root} (not found)`);
      continue;
    }
    await onTest(root, "reported only");
  }
  return out;
}

/** One tidy row of `deno task zeroshot`: model × data × metric (`auroc`, `auroc_lo`, `auroc_hi`). */
export interface ZeroShotRow extends Record<string, string | number> {
  /** The checkpoint, relative to the project. */
  model: string;
  model_hash: string;
  data: string;
  role: ZeroShotOnData["role"];
  n: number;
  metric: "auroc" | "auroc_lo" | "auroc_hi";
  /** Rounded to 5 decimals. */
  value: number;
}

/** The tidy rows of one model's results (`model` as shown, relative to the project): 3 per result with an interval. */
export function zeroShotRows(model: string, modelHash: string, results: readonly ZeroShotOnData[]): ZeroShotRow[] {
  const rows: ZeroShotRow[] = [];
  for (const r of results) {
    for (const [metric, value] of [["auroc", r.auroc], ["auroc_lo", r.aurocLo], ["auroc_hi", r.aurocHi]] as const) {
      if (value === undefined) continue;
      rows.push({
        model,
        model_hash: modelHash,
        data: r.data,
        role: r.role,
        n: r.n,
        metric,
        value: Number(value.toFixed(5)),
      });
    }
  }
  return rows;
}

/** One printed line of a result: model, data, n and AUROC (95 % interval) in percent. */
export function zeroShotLine(model: string, r: ZeroShotOnData): string {
  return `${model.padEnd(44)} ${r.data.padEnd(64)} n=${String(r.n).padEnd(4)} AUROC ${(100 * r.auroc).toFixed(1)} (${
    (100 * (r.aurocLo ?? NaN)).toFixed(1)
  }–${(100 * (r.aurocHi ?? NaN)).toFixed(1)})`;
}

/** Options for {@link zeroShotBackbones}. */
export interface ZeroShotBackbonesOptions {
  /** A real corpus whose held-out slice is scored; `"none"` or a missing folder: none. */
  real: string;
  /** Score the synthetic benchmark's test split. */
  benchmark: boolean;
  /** Score the lesion probe on the held-out normals ({@link lesionProbeImages}). @default true */
  lesionProbe?: boolean;
  /** Data set roots whose test split is scored. */
  datasets: readonly string[];
  /** Called with each model's results as they come (model relative to the project). */
  onResult?: (model: string, result: ZeroShotOnData) => void;
}

/**
 * `deno task zeroshot`'s work: loads the real corpus's held-out slice once (224 px), then each checkpoint of `models`
 * (paths relative to the project) in turn, scores it on every target ({@link zeroShotOnData}) and frees it. Returns
 * the tidy rows of all ({@link zeroShotRows}), in order.
 */
export async function zeroShotBackbones(
  models: readonly string[],
  options: ZeroShotBackbonesOptions,
): Promise<ZeroShotRow[]> {
  const realRoot = resolve(PROJECT_ROOT, options.real);
  const real = options.real === "none" || !(await Deno.stat(realRoot).then(() => true, () => false))
    ? null
    : await loadRealCorpus(realRoot, 224, { heldOutOnly: true, progress: false });
  const rows: ZeroShotRow[] = [];
  for (const path of models) {
    const bundle = await loadModelBundle(path);
    const shown = relative(PROJECT_ROOT, path);
    try {
      const results = await zeroShotOnData(bundle.clip, bundle.tokenizer, bundle.normalisation, {
        heldOut: real
          ? {
            label: `${relative(PROJECT_ROOT, real.root)} (held-out 10 %, seed ${CORPUS_SPLIT_SEED})`,
            part: real.heldOut,
          }
          : undefined,
        lesionProbe: options.lesionProbe ?? true,
        benchmark: options.benchmark,
        datasets: [...options.datasets],
      });
      for (const r of results) options.onResult?.(shown, r);
      rows.push(...zeroShotRows(shown, bundle.hash, results));
    } finally {
      bundle.clip.dispose();
    }
  }
  return rows;
}

/** A backbone's short name: the folder of a `model.*` or `checkpoint.*` file, else the file name without extension. */
export function backboneName(path: string): string {
  const file = basename(path, extname(path));
  return file === "model" || file === "checkpoint" ? basename(dirname(path)) || file : file;
}

/** The chart panel of a result: the choosing sets and the diagnostic by role, each reported data set by its folder. */
export function zeroShotPanel(role: string, data: string): string {
  if (role === "held-out real (model selection)") return "held-out real (chooses)";
  if (role === "synthetic benchmark test") return "synthetic benchmark (chooses)";
  if (role === "reported only") return `${basename(data)} (reported only)`;
  return role;
}

/**
 * The points of {@link zeroShotChart} from tidy zero-shot rows (`model, model_hash, data, role, metric, value`, metric
 * one of `auroc`, `auroc_lo`, `auroc_hi`; from {@link zeroShotBackbones} or CSVs it wrote), in percent, one per
 * backbone × panel in order of appearance. A backbone is named by {@link backboneName}, or by its path (and hash)
 * where two different checkpoints would share that name; the same checkpoint in two tables keeps its first value.
 */
export function zeroShotPoints(rows: readonly Record<string, unknown>[]): ZeroShotPoint[] {
  const sourcesOf = new Map<string, Set<string>>();
  const pathsOf = new Map<string, Set<string>>();
  for (const r of rows) {
    const short = backboneName(String(r.model));
    sourcesOf.set(short, (sourcesOf.get(short) ?? new Set()).add(`${r.model}\u0000${r.model_hash}`));
    pathsOf.set(String(r.model), (pathsOf.get(String(r.model)) ?? new Set()).add(String(r.model_hash)));
  }
  const nameOf = (r: Record<string, unknown>) => {
    const short = backboneName(String(r.model));
    if (sourcesOf.get(short)!.size === 1) return short;
    return pathsOf.get(String(r.model))!.size === 1
      ? String(r.model)
      : `${r.model} (${String(r.model_hash).slice(0, 8)})`;
  };
  const points = new Map<string, ZeroShotPoint>();
  for (const r of rows) {
    const model = nameOf(r), role = zeroShotPanel(String(r.role), String(r.data));
    const value = 100 * Number(r.value);
    if (!Number.isFinite(value)) throw new InputError(`Zero-shot row of ${r.model} has no numeric value: ${r.value}`);
    const key = `${model}\u0000${role}`;
    const p = points.get(key) ?? { model, role, auroc: NaN };
    if (r.metric === "auroc" && Number.isNaN(p.auroc)) p.auroc = value;
    else if (r.metric === "auroc_lo" && p.lo === undefined) p.lo = value;
    else if (r.metric === "auroc_hi" && p.hi === undefined) p.hi = value;
    points.set(key, p);
  }
  return [...points.values()].filter((p) => Number.isFinite(p.auroc));
}

/**
 * Reads tidy zero-shot tables that `deno task zeroshot --out` wrote, in order, for {@link backboneChart}. A file that
 * is not such a table is refused naming it ({@link InputError}); with `skipMissing`, absent files are left out.
 */
export async function readZeroShotTables(
  files: readonly string[],
  options: { skipMissing?: boolean } = {},
): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (const file of files) {
    if (options.skipMissing && !(await Deno.stat(file).then(() => true, () => false))) continue;
    const table = await readCsvTable(file);
    const missing = ["model", "data", "role", "metric", "value"].filter((c) => !table.columnNames().includes(c));
    if (missing.length > 0) {
      throw new InputError(`Cannot draw ${file}: not a zero-shot table (no column ${missing.join(", ")})`);
    }
    rows.push(...(table.objects() as Record<string, unknown>[]));
  }
  return rows;
}

/** The published CheXzero zero-shot AUROC (%) on each reported panel whose data folder names a paper data set. */
export function chexzeroReferences(points: readonly ZeroShotPoint[]): ZeroShotReference[] {
  const chexzero = PAPER_RESULTS.find((m) => m.variant === "zeroshot");
  const refs: ZeroShotReference[] = [];
  for (const role of new Set(points.map((p) => p.role))) {
    if (!role.endsWith("(reported only)")) continue;
    const dataset = (Object.keys(chexzero?.results ?? {}) as PaperDataset[]).find((d) =>
      role.toLowerCase().includes(d)
    );
    const value = dataset ? chexzero?.results[dataset]?.auroc?.mean : undefined;
    if (value !== undefined) refs.push({ role, x: value, label: "CheXzero (paper)" });
  }
  return refs;
}

/** Panel order of the backbone chart: the choosing sets, the diagnostic, then the reported data sets. */
export const ZERO_SHOT_PANELS: readonly string[] = [
  "held-out real (chooses)",
  "synthetic benchmark (chooses)",
  "lesion probe (diagnostic)",
];

/**
 * The backbone comparison chart of tidy zero-shot rows (see {@link zeroShotPoints}): panels in
 * {@link ZERO_SHOT_PANELS}' order, the first backbone highlighted, CheXzero's published number on paper data sets.
 */
export function backboneChart(rows: readonly Record<string, unknown>[], title?: string): Plot.PlotOptions {
  const points = zeroShotPoints(rows);
  return zeroShotChart(points, {
    title: title ?? 'Zero-shot AUROC of each backbone ("normal." vs "pneumonia."), 95 % intervals',
    subtitle: "Backbones are chosen on the first two panels only; the rest are reported, never chosen on.",
    roles: ZERO_SHOT_PANELS,
    references: chexzeroReferences(points),
    highlight: points[0]?.model,
  });
}

/**
 * The held-out checks of the pretraining runs kept in `dir` (files `<name>.heldout.csv`: `step,auroc,logit_scale`,
 * written by `deno task pretrain`) whose names match `pattern`, as curve rows for `lossCurve`: step, AUROC in percent
 * (`loss`), run = the name without `candidate-` and `.heldout.csv`; files in name order, each in its own row order.
 */
export async function readHeldOutCurves(dir: string, pattern = /\.heldout\.csv$/): Promise<LossRow[]> {
  const rows: LossRow[] = [];
  const names = (await listChartFiles(dir)).filter((f) => f.endsWith(".heldout.csv") && pattern.test(f));
  for (const file of names) {
    const run = file.replace(/\.heldout\.csv$/, "").replace(/^candidate-/, "");
    const table = await readCsvTable(join(dir, file));
    if (!table.columnNames().includes("step") || !table.columnNames().includes("auroc")) {
      throw new InputError(`Cannot read ${join(dir, file)}: not a held-out curve (columns step, auroc)`);
    }
    for (const r of table.objects() as { step: number; auroc: number }[]) {
      rows.push({ step: Number(r.step), loss: 100 * Number(r.auroc), run });
    }
  }
  return rows;
}
