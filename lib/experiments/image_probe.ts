/**
 * `deno task zeroshot --probe`: where a backbone's zero-shot AUROC is lost. Each checkpoint's unit image embeddings are
 * scored three ways, all linear in the embedding: along the text prompts' direction ("pneumonia." − "normal.", which
 * ranks images as zero-shot scoring does), along the corpus's class means (mean COVID-19 embedding − mean normal one)
 * and by a logistic regression fitted on the corpus. Both image probes are fitted on the real corpus's training split
 * only (the films the backbone was pretrained on), then scored on the held-out slice, the synthetic benchmark's test
 * split and each data set's test split. A fourth probe, a logistic regression on the image tower's pooled output before
 * the projection, asks whether the projection into the joint space drops what the tower has. A probe far above the
 * text direction on a data set means the image tower separates it and the prompts point elsewhere; a probe near it
 * means the image features themselves are the limit.
 * A diagnostic: it chooses nothing.
 * @module
 */
import type * as Plot from "@observablehq/plot";
import * as tf from "@tensorflow/tfjs";
import { type BpeTokenizer, type ClipModel, loadModelBundle } from "../encoders/mod.ts";
import { ensureBenchmark } from "../data/mod.ts";
import {
  classMeanProbe,
  type FeatureSpace,
  imageFeatures,
  type LinearProbe,
  logisticProbe,
  probeScores,
} from "../eval/mod.ts";
import { l2normalise, ZERO_SHOT_PROMPTS } from "../prompts/mod.ts";
import { zeroShotChart } from "../report/mod.ts";
import { CORPUS_SPLIT_SEED, corpusImage, corpusLabels, type CorpusPart, loadRealCorpus } from "../train/mod.ts";
import { InputError, pathExists, PROJECT_ROOT, relative, resolve } from "../util/mod.ts";
import { chexzeroReferences, groupSeeds, ZERO_SHOT_PANELS, zeroShotPoints } from "./backbone_report.ts";
import { ExperimentData } from "./data.ts";
import { aurocWithInterval, type ZeroShotOnData, type ZeroShotRow, zeroShotRows } from "./zeroshot.ts";

/** The `model_hash` of probe rows that no checkpoint made (the raw-pixel baselines of lib/experiments/pixel_probe.ts). */
export const NO_WEIGHTS = "no weights";

/** The four scorings of {@link imageProbeBackbones}, in chart order. */
export const IMAGE_PROBES = ["text prompts", "class means", "logistic", "logistic before projection"] as const;
/** One scoring of the image embedding. */
export type ImageProbeName = typeof IMAGE_PROBES[number];

/** One tidy row of the probe table: a zero-shot table's row with the probe after the model (model × probe × data × metric). */
export interface ImageProbeRow extends ZeroShotRow {
  probe: ImageProbeName;
}

/** Options for {@link imageProbeBackbones}. */
export interface ImageProbeOptions {
  /** The real corpus: the probes are fitted on its training split and scored on its held-out slice. */
  real: string;
  /** Also score the synthetic benchmark's test split. */
  benchmark: boolean;
  /** Data set roots whose test split is scored (reported only). */
  datasets: readonly string[];
  /** Use at most this many training and this many held-out files of the corpus (label-balanced; tests). @default all */
  limit?: number;
  /** Inverse L2 strength of the logistic probe (scikit-learn's `C`). @default 1 */
  c?: number;
  /** Called with each result as it comes. */
  onResult?: (model: string, probe: ImageProbeName, result: ZeroShotOnData) => void;
}

/** The text prompts' direction: unit "pneumonia." − unit "normal." → a probe `[embedDim]`. */
export function textDirection(model: ClipModel, tokenizer: BpeTokenizer): LinearProbe {
  const unit = tf.tidy(() => l2normalise(model.encodeText(tokenizer.tokenize([...ZERO_SHOT_PROMPTS]))));
  const [normal, pneumonia] = unit.arraySync() as number[][];
  unit.dispose();
  return { weights: Float64Array.from(pneumonia, (v, k) => v - normal[k]), bias: 0 };
}

const imagesOf = (part: CorpusPart) => part.pixels.map((_, i) => corpusImage(part, i));

/** One evaluation set of a probe: its table label and role, images `[n]` of `[224*224]` and labels `[n]` (0 / 1). */
export interface ProbeSet {
  data: string;
  role: ZeroShotOnData["role"];
  images: Float32Array[];
  labels: number[];
}

/** What {@link probeSets} loads: the corpus's training split (what probes are fitted on) and the sets they are scored on. */
export interface ProbeSets {
  trainImages: Float32Array[];
  trainLabels: number[];
  evalSets: ProbeSet[];
}

/**
 * The data of a probe, at 224 px: the real corpus's training split (`[n]` of `[224*224]`, labels 0 normal / 1
 * pneumonia), then the evaluation sets: its held-out slice, the synthetic benchmark's test split (if asked) and each
 * data set's test split (absent ones are skipped, saying so). `command` names the caller in messages.
 */
export async function probeSets(
  options: Pick<ImageProbeOptions, "real" | "benchmark" | "datasets" | "limit">,
  command: string,
): Promise<ProbeSets> {
  const realRoot = resolve(PROJECT_ROOT, options.real);
  if (!(await pathExists(realRoot))) {
    throw new InputError(
      `${command}: the real corpus ${options.real} was not found (the probes are fitted on it)`,
    );
  }
  const corpus = await loadRealCorpus(realRoot, 224, { limit: options.limit });
  const trainImages = imagesOf(corpus.train), trainLabels = corpusLabels(corpus.train);
  const evalSets: ProbeSet[] = [{
    data: `${relative(PROJECT_ROOT, corpus.root)} (held-out 10 %, seed ${CORPUS_SPLIT_SEED})`,
    role: "held-out real (model selection)",
    images: imagesOf(corpus.heldOut),
    labels: corpusLabels(corpus.heldOut),
  }];
  const roots: [string, ZeroShotOnData["role"]][] = [
    ...(options.benchmark
      ? [[await ensureBenchmark(), "synthetic benchmark test"] as [string, "synthetic benchmark test"]]
      : []),
    ...options.datasets.map((d): [string, "reported only"] => [d, "reported only"]),
  ];
  for (const [root, role] of roots) {
    if (!(await pathExists(root))) {
      console.error(`${command}: skipping ${root} (not found)`);
      continue;
    }
    const data = await ExperimentData.load(root, { resolution: 224, quiet: true });
    evalSets.push({
      data: relative(PROJECT_ROOT, root) || root,
      role,
      images: data.test.images,
      labels: data.test.labels,
    });
  }
  return { trainImages, trainLabels, evalSets };
}

/**
 * Loads the real corpus (training split and held-out slice, 224 px) once, then for each checkpoint of `models`: embeds
 * the corpus, fits the class-mean and logistic probes on its training split, and scores every probe on the held-out
 * slice, the synthetic benchmark (if asked) and each data set, with 95 % bootstrap intervals. Returns tidy rows.
 */
export async function imageProbeBackbones(
  models: readonly string[],
  options: ImageProbeOptions,
): Promise<ImageProbeRow[]> {
  const { trainImages, trainLabels, evalSets } = await probeSets(options, "zeroshot --probe");
  const rows: ImageProbeRow[] = [];
  for (const path of models) {
    const bundle = await loadModelBundle(path);
    const shown = relative(PROJECT_ROOT, path);
    try {
      const embed = (images: readonly Float32Array[]) => imageFeatures(bundle.clip, bundle.normalisation, images);
      const train = embed(trainImages);
      const probes: Record<ImageProbeName, LinearProbe> = {
        "text prompts": textDirection(bundle.clip, bundle.tokenizer),
        "class means": classMeanProbe(train.joint, trainLabels),
        "logistic": logisticProbe(train.joint, trainLabels, { c: options.c }),
        "logistic before projection": logisticProbe(train.pooled, trainLabels, { c: options.c }),
      };
      const spaceOf = (probe: ImageProbeName): FeatureSpace =>
        probe === "logistic before projection" ? "pooled" : "joint";
      for (const set of evalSets) {
        const features = embed(set.images);
        for (const probe of IMAGE_PROBES) {
          const result: ZeroShotOnData = {
            data: set.data,
            role: set.role,
            n: set.labels.length,
            ...aurocWithInterval(set.labels, probeScores(probes[probe], features[spaceOf(probe)])),
          };
          options.onResult?.(shown, probe, result);
          // The probe's column right after the model's (the zero-shot table's columns otherwise).
          for (const { model, model_hash, ...rest } of zeroShotRows(shown, bundle.hash, [result])) {
            rows.push({ model, model_hash, probe, ...rest });
          }
        }
      }
    } finally {
      bundle.clip.dispose();
    }
  }
  return rows;
}

/**
 * The probe chart: panels as the backbone chart's, one row per backbone (each recipe's seeds together), one coloured
 * dot per probe (the text prompts red). Rows `[n]` of {@link ImageProbeRow} (or a CSV of them read back).
 */
export function imageProbeChart(rows: readonly Record<string, unknown>[]): Plot.PlotOptions {
  if (rows.some((r) => r.probe === undefined)) throw new InputError("Not image-probe rows: no probe column");
  const points = groupSeeds(zeroShotPoints(rows));
  const baselines = rows.some((r) => r.model_hash === NO_WEIGHTS)
    ? ' Rows "pixels": a logistic regression on a 32 × 32 thumbnail\'s grey values, no network.'
    : "";
  return zeroShotChart(points, {
    title: "Where the zero-shot AUROC is lost: the text prompts' direction against probes of the image features",
    subtitle: "Image probes fitted on the real corpus's training split only (never on a panel's images); 95 % " +
      `intervals. Red: the text prompts, as zero-shot scoring ranks.${baselines}`,
    roles: ZERO_SHOT_PANELS,
    references: chexzeroReferences(points),
    series: IMAGE_PROBES,
    xLabel: "AUROC (%)",
  });
}
