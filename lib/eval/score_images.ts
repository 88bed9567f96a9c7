/**
 * Scoring new images with saved prompts (`deno task score`): per-image scores with per-region probabilities, decoded
 * and scored in batches, and the scores as CSV. The prompts' card and rebuilding their model are in
 * `lib/prompts/card.ts`, finding the images in `lib/data/datasets/find_images.ts`, the overlays in
 * `lib/report/overlay.ts`.
 * @module
 */
import { type BadImagePolicy, type GrayImage, loadImages, type Normalisation, type SkippedImage } from "../data/mod.ts";
import type { PromptModel } from "../prompts/mod.ts";
import { csvField } from "../util/mod.ts";
import { aggregateScore, type ScoringName } from "./scoring.ts";
import { regionProbabilities } from "./evaluate.ts";

/** One scored image: its aggregated score and per-region abnormal probabilities `[regions]`. */
export interface ImageScore {
  path: string;
  score: number;
  probs: Float32Array;
}

/** Options for {@link scoreImages}. */
export interface ScoreImagesOptions {
  normalisation: Normalisation;
  scoring: ScoringName;
  /** @default "fail" */
  onBadImage?: BadImagePolicy;
  /** Images decoded and scored at a time. @default 16 */
  batch?: number;
  /** Called for each scored image with its pixels at the model's resolution (e.g. to write an overlay). */
  onImage?: (image: GrayImage, result: ImageScore) => Promise<void> | void;
  /** Called after each batch with the number of files handled. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Decodes (PNG/JPEG/DICOM), resizes (Pillow bicubic) and scores `paths` in batches, so memory stays bounded.
 * Returns `[scored images]` in input order and the files skipped under `onBadImage: "skip"` (with `"fail"` the
 * first undecodable file's one-line error is thrown).
 */
export async function scoreImages(
  model: PromptModel,
  paths: readonly string[],
  options: ScoreImagesOptions,
): Promise<{ scored: ImageScore[]; skipped: SkippedImage[] }> {
  const size = model.regions.size;
  const batch = Math.max(1, options.batch ?? 16);
  const scored: ImageScore[] = [];
  const skipped: SkippedImage[] = [];
  for (let s = 0; s < paths.length; s += batch) {
    const loaded = await loadImages(paths.slice(s, s + batch).map((path) => ({ path })), {
      resolution: size,
      onBadImage: options.onBadImage ?? "fail",
    });
    const { images } = loaded;
    skipped.push(...loaded.skipped);
    if (images.length > 0) {
      const probs = regionProbabilities(model, images.map((g) => g.data), { normalisation: options.normalisation });
      for (let i = 0; i < images.length; i++) {
        const path = loaded.samples[i].path;
        const result: ImageScore = { path, score: aggregateScore(probs[i], options.scoring), probs: probs[i] };
        scored.push(result);
        await options.onImage?.(images[i], result);
      }
    }
    options.onProgress?.(Math.min(paths.length, s + batch), paths.length);
  }
  return { scored, skipped };
}

/**
 * The scores as CSV: `image,score,p_<region>…,error`, one row per scored image (6 decimals) and one per skipped file
 * (empty values, the reason in `error`).
 */
export function scoresCsv(
  scored: readonly ImageScore[],
  skipped: readonly SkippedImage[],
  regionNames: readonly string[],
): string {
  const header = ["image", "score", ...regionNames.map((n) => `p_${n}`), "error"];
  const lines = [header.join(",")];
  for (const r of scored) {
    lines.push([csvField(r.path), r.score.toFixed(6), ...Array.from(r.probs, (p) => p.toFixed(6)), ""].join(","));
  }
  for (const s of skipped) {
    lines.push([csvField(s.path), "", ...regionNames.map(() => ""), csvField(s.reason)].join(","));
  }
  return lines.join("\n") + "\n";
}

/** How each scoring rule is described on an overlay. */
export const SCORING_DESCRIPTIONS: Readonly<Record<ScoringName, string>> = {
  paper: "paper (max if > 0.8, else mean)",
  mean: "mean of the regions",
  max: "max of the regions",
};
