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
import {
  CORPUS_SPLIT_SEED,
  corpusImage,
  corpusLabels,
  type CorpusPart,
  lesionPair,
  loadRealCorpus,
  swapBorder,
} from "../train/mod.ts";
import { fixedStreamSeed, InputError, pathExists, PROJECT_ROOT, relative, resolve, Rng } from "../util/mod.ts";
import { ExperimentData } from "./data.ts";

/** A zero-shot number on one evaluation set. */
export interface ZeroShotOnData {
  data: string;
  role:
    | "held-out real (model selection)"
    | "lesion probe (diagnostic)"
    | "frame-swap probe (diagnostic)"
    | "synthetic benchmark test"
    | "reported only";
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
  /**
   * Also score the held-out slice with each film's outer frame taken from a film of the other label
   * ({@link frameSwapProbeImages}): how much of the backbone's held-out AUROC comes from the film's border, where there
   * is no lung. A diagnostic, never used to choose.
   */
  frameSwapProbe?: boolean;
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

/** Width of the frame-swap probe's frame: 14 px of a 224 px film, the border of the raw-pixel baseline. */
export const FRAME_SWAP_PROBE_WIDTH = 14;

/**
 * The frame-swap probe's images: every film of `part` (`[n]` of `[size*size]`), in order, with its outer frame
 * ({@link FRAME_SWAP_PROBE_WIDTH} px at 224, scaled to `size`) replaced by the frame of a film of the other label,
 * moment-matched (lib/train/border_swap.ts), donors drawn from the fixed `frameSwapProbe` stream. Labels `[n]` as the
 * films'. A backbone that reads the label off the frame is pushed towards the wrong answer; one that looks at the lungs
 * is not. Also returns each film's donor index.
 */
export function frameSwapProbeImages(part: CorpusPart): { images: Float32Array[]; labels: number[]; donors: number[] } {
  const labels = corpusLabels(part);
  const byLabel = [0, 1].map((l) => labels.flatMap((x, i) => (x === l ? [i] : [])));
  if (byLabel.some((ids) => ids.length === 0)) {
    throw new InputError("frame-swap probe: the held-out slice needs films of both labels");
  }
  const rng = new Rng(fixedStreamSeed("frameSwapProbe"));
  const width = Math.max(1, Math.round((FRAME_SWAP_PROBE_WIDTH * part.size) / 224));
  const donors = labels.map((l) => rng.pick(byLabel[1 - l]));
  const images = labels.map((_, i) => swapBorder(corpusImage(part, i), corpusImage(part, donors[i]), part.size, width));
  return { images, labels, donors };
}

/** AUROC with its 95 % bootstrap interval (1,000 resamples, fixed seed), labels `[n]` and scores `[n]`. */
export function aurocWithInterval(
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
    const labels = corpusLabels(part);
    out.push({
      data: targets.heldOut.label,
      role: "held-out real (model selection)",
      n: labels.length,
      ...aurocWithInterval(labels, scores),
    });
    if (targets.lesionProbe) {
      const probe = lesionProbeImages(part);
      out.push({
        data: `${targets.heldOut.label}: normals vs the same with an opacity`,
        role: "lesion probe (diagnostic)",
        n: probe.labels.length,
        ...aurocWithInterval(probe.labels, zeroShotScores(model, tokenizer, norm, probe.images)),
      });
    }
    if (targets.frameSwapProbe) {
      const probe = frameSwapProbeImages(part);
      out.push({
        data:
          `${targets.heldOut.label}: each film with the ${FRAME_SWAP_PROBE_WIDTH} px frame of one of the other label`,
        role: "frame-swap probe (diagnostic)",
        n: probe.labels.length,
        ...aurocWithInterval(probe.labels, zeroShotScores(model, tokenizer, norm, probe.images)),
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
      ...aurocWithInterval(data.test.labels, scores),
    });
  };
  if (targets.benchmark) await onTest(await ensureBenchmark(), "synthetic benchmark test");
  for (const root of targets.datasets) {
    if (!(await pathExists(root))) {
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
  /** Score the held-out slice with swapped frames ({@link frameSwapProbeImages}). @default true */
  frameSwapProbe?: boolean;
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
  const real = options.real === "none" || !(await pathExists(realRoot))
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
        frameSwapProbe: options.frameSwapProbe ?? true,
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
