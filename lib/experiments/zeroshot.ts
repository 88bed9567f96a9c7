/**
 * How good a backbone is before any prompt is learned: the zero-shot AUROC of "normal." vs "pneumonia." on a real
 * corpus's held-out slice, on the synthetic benchmark's test split and on the test split of any data set, with 95 %
 * bootstrap intervals. Used by the pretraining's report and by `deno task zeroshot` to compare backbones.
 * @module
 */
import type { BpeTokenizer, ClipModel } from "../encoders/mod.ts";
import { ensureBenchmark, type Normalisation } from "../data/mod.ts";
import { auroc, bootstrapCI } from "../metrics/mod.ts";
import { zeroShotScores } from "../prompts/mod.ts";
import { corpusImage, type CorpusPart } from "../train/mod.ts";
import { PROJECT_ROOT, relative, Rng } from "../util/mod.ts";
import { ExperimentData } from "./data.ts";

/** A zero-shot number on one evaluation set. */
export interface ZeroShotOnData {
  data: string;
  role: "held-out real (model selection)" | "synthetic benchmark test" | "reported only";
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
  /** The synthetic benchmark's test split (generated on first use). */
  benchmark: boolean;
  /** Data set roots whose test split is scored (reported only: never used to choose anything). */
  datasets: string[];
}

/** AUROC with its 95 % bootstrap interval, labels `[n]` and scores `[n]`. */
function withInterval(
  labels: number[],
  scores: ArrayLike<number>,
): { auroc: number; aurocLo: number; aurocHi: number } {
  const ci = bootstrapCI(labels, scores, auroc, { rng: new Rng(0), n: 1000 });
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
