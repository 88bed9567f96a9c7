/**
 * Scoring new images with saved prompts (`deno task score`): the prompts' card checked against the checkpoint before
 * any weights load, per-image scores with per-region probabilities, decoded and scored in batches, and the scores as
 * CSV. The prompts' card and rebuilding their model are in
 * `lib/prompts/card.ts`, finding the images in `lib/data/datasets/find_images.ts`, the overlays in
 * `lib/report/overlay.ts`.
 * @module
 */
import { type BadImagePolicy, type GrayImage, loadImages, type Normalisation, type SkippedImage } from "../data/mod.ts";
import { type ModelBundle, resolveModelPath, shortHash } from "../encoders/mod.ts";
import {
  loadPromptModel,
  type PromptCard,
  type PromptModel,
  readPromptCard,
  type Region,
  requireSameModel,
} from "../prompts/mod.ts";
import { csvField, InputError } from "../util/mod.ts";
import { aggregateScore, parseScoring, type ScoringName } from "./score_rule.ts";
import { regionProbabilities } from "./region_probabilities.ts";

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

/**
 * Reads the card of saved prompts (`P.json` beside `promptsPath`) and checks that `model` (a path or a model name) is
 * the checkpoint they were trained on, by its hash, before any weights load. Throws `InputError` naming the file.
 */
export async function checkSavedPrompts(
  promptsPath: string,
  model: string,
): Promise<{ card: PromptCard; modelPath: string }> {
  const card = await readPromptCard(promptsPath);
  const modelPath = resolveModelPath(model);
  let modelBytes: Uint8Array;
  try {
    modelBytes = await Deno.readFile(modelPath);
  } catch (err) {
    throw new InputError(`Cannot read model ${modelPath}: ${(err as Error).message.split("\n")[0]}`);
  }
  requireSameModel(card, await shortHash(modelBytes), modelPath, promptsPath);
  return { card, modelPath };
}

/** Options for {@link scoreSavedPrompts}. */
export interface ScoreSavedPromptsOptions {
  /** Scoring rule. @default the card's, else `paper` */
  scoring?: string;
  /** Use the bundle's normalisation (e.g. `--preset` given). @default false: the card's, else the bundle's */
  bundleNormalisation?: boolean;
  /** @default "fail" */
  onBadImage?: BadImagePolicy;
  /** Images decoded and scored at a time. @default 16 */
  batch?: number;
  /** Called once the prompts are loaded, before any image is scored (e.g. to describe them). */
  onLoaded?: (loaded: { regions: readonly Region[]; scoring: ScoringName }) => void;
  /** Called for each scored image with its pixels at the model's resolution and the prompts' regions. */
  onImage?: (image: GrayImage, result: ImageScore, regions: readonly Region[]) => Promise<void> | void;
  /** Called after each batch with the number of files handled. */
  onProgress?: (done: number, total: number) => void;
}

/** What {@link scoreSavedPrompts} returns: the scores, the skipped files, the region names and the CSV. */
export interface SavedPromptScores {
  scored: ImageScore[];
  skipped: SkippedImage[];
  scoring: ScoringName;
  regionNames: string[];
  /** {@link scoresCsv} of the above. */
  csv: string;
}

/**
 * Scores image files `paths` with the saved prompts `promptsPath` (their `card`, from {@link checkSavedPrompts}) on
 * `bundle`'s CLIP: rebuilds the prompt model, scores in batches ({@link scoreImages}), frees the prompt model.
 * The bundle stays the caller's to dispose.
 */
export async function scoreSavedPrompts(
  bundle: ModelBundle,
  promptsPath: string,
  card: PromptCard,
  paths: readonly string[],
  options: ScoreSavedPromptsOptions = {},
): Promise<SavedPromptScores> {
  const scoring = parseScoring(options.scoring ?? card.spec.scoring ?? "paper");
  const normalisation = options.bundleNormalisation ? bundle.normalisation : card.normalisation ?? bundle.normalisation;
  const { model } = await loadPromptModel(bundle, promptsPath, card);
  try {
    const regions = model.regions.regions;
    options.onLoaded?.({ regions, scoring });
    const onImage = options.onImage;
    const { scored, skipped } = await scoreImages(model, paths, {
      normalisation,
      scoring,
      onBadImage: options.onBadImage,
      batch: options.batch,
      onImage: onImage ? (image, r) => onImage(image, r, regions) : undefined,
      onProgress: options.onProgress,
    });
    const regionNames = regions.map((r) => r.name);
    return { scored, skipped, scoring, regionNames, csv: scoresCsv(scored, skipped, regionNames) };
  } finally {
    model.dispose();
  }
}
