/**
 * Scoring new images with saved prompts: the prompts' JSON card (what they were trained on, with which model, and how
 * well they did), rebuilding the prompt model from it, refusing another model, and per-image scores with per-region
 * probabilities, CSV and PNG overlays.
 *
 * A sweep writes `prompts/<variant>_<regions>_<synthesis>_seed<N>_<trainingId>.safetensors` and, beside it, the same
 * name with `.json` (the card); results from before the readable names use `<trainingId>` alone, and load the same.
 * @module
 */
import type { ModelBundle } from "../encoders/bundle.ts";
import { readSafetensors } from "../encoders/checkpoint/mod.ts";
import { type GrayImage, readImage } from "../data/image.ts";
import { type Normalisation, prepareImage } from "../data/preprocess.ts";
import { type BadImagePolicy, IMAGE_EXTENSIONS, type SkippedImage } from "../data/datasets/mod.ts";
import { PromptModel } from "../prompts/prompt_model.ts";
import { regionSet } from "../prompts/regions.ts";
import { getVariant } from "../prompts/variants.ts";
import { overlayFigureSvg } from "../report/overlay.ts";
import { svgToPng } from "../report/png.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { InputError } from "../util/errors.ts";
import { basename, extname, join, resolve } from "../util/path.ts";
import { Rng } from "../util/rng.ts";
import type { RunSpec } from "../experiments/config.ts";
import { aggregateScore, type ScoringName } from "./scoring.ts";
import { regionProbabilities } from "./evaluate.ts";

/** The JSON card saved beside learned prompts. */
export interface PromptCard {
  kind: "ppad-prompts";
  /** The full run spec the prompts were trained with (variant, regions, nCtx, classWords, shots, seed, …). */
  spec: RunSpec;
  /** Region names in logit order. */
  regions: string[];
  /** SHA-256 prefix of the checkpoint the prompts were trained on; another model is refused. */
  modelHash: string;
  dataset: string;
  shots: number;
  seed: number;
  /** Image normalisation used in training (absent in older cards: the model's is used). */
  normalisation?: Normalisation;
  /** Test metrics (fractions) per scoring rule, filled in as runs finish. */
  metrics?: Record<string, Record<string, number>>;
  /** Test images behind `metrics`. */
  test?: { n: number; abnormal: number };
}

/** The card path of a prompts file: `X.safetensors` → `X.json`. */
export function promptCardPath(promptsPath: string): string {
  return promptsPath.replace(/\.safetensors$/i, "") + ".json";
}

/** Reads and validates the card of `promptsPath`; a missing or malformed card is a one-line `InputError`. */
export async function readPromptCard(promptsPath: string): Promise<PromptCard> {
  const path = promptCardPath(promptsPath);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound ? "no such file" : (err as Error).message.split("\n")[0];
    throw new InputError(`Cannot read the prompts card ${path}: ${why} (it is written beside the .safetensors)`);
  }
  let card: PromptCard;
  try {
    card = JSON.parse(text);
  } catch (err) {
    throw new InputError(`Cannot read the prompts card ${path}: invalid JSON (${(err as Error).message})`);
  }
  const s = card?.spec;
  const problem = card?.kind !== "ppad-prompts"
    ? 'kind is not "ppad-prompts"'
    : typeof card.modelHash !== "string"
    ? "modelHash is missing"
    : !s || typeof s !== "object"
    ? "spec is missing"
    : typeof s.variant !== "string" || typeof s.regions !== "string"
    ? "spec.variant or spec.regions is missing"
    : !Number.isInteger(s.nCtx) || s.nCtx < 0
    ? "spec.nCtx is not an integer ≥ 0"
    : !Array.isArray(s.classWords) || s.classWords.length !== 2 || !s.classWords.every((w) => typeof w === "string")
    ? "spec.classWords is not two words"
    : !Array.isArray(card.regions)
    ? "regions is missing"
    : null;
  if (problem) throw new InputError(`Cannot read the prompts card ${path}: ${problem}`);
  return card;
}

/** Builds a prompts card for a finished training (the runner writes it beside the prompts). */
export function makePromptCard(spec: RunSpec, regions: string[], modelHash: string, normalisation: Normalisation) {
  const card: PromptCard = {
    kind: "ppad-prompts",
    spec,
    regions,
    modelHash,
    dataset: spec.dataset,
    shots: spec.shots,
    seed: spec.seed,
    normalisation,
  };
  return card;
}

/**
 * Adds one scoring rule's test metrics to the card of `promptsPath` (atomically); does nothing when there is no card
 * (variants that learn nothing save no prompts).
 */
export async function recordCardMetrics(
  promptsPath: string,
  scoring: string,
  metrics: Record<string, number>,
  test: { n: number; abnormal: number },
): Promise<void> {
  const path = promptCardPath(promptsPath);
  let card: PromptCard;
  try {
    card = JSON.parse(await Deno.readTextFile(path));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    throw new InputError(`Cannot update the prompts card ${path}: ${(err as Error).message.split("\n")[0]}`);
  }
  card.metrics = { ...card.metrics, [scoring]: metrics };
  card.test = test;
  await writeFileAtomic(path, JSON.stringify(card, null, 1) + "\n");
}

/** Throws a one-line `InputError` when the prompts were trained on another checkpoint than `modelHash`. */
export function requireSameModel(card: PromptCard, modelHash: string, modelPath: string, promptsPath: string): void {
  if (card.modelHash === modelHash) return;
  throw new InputError(
    `Cannot use prompts ${promptsPath} with model ${modelPath}: they were trained on model ${card.modelHash} ` +
      `(${card.spec.model}), this model is ${modelHash}; pass the --model they were trained with`,
  );
}

/**
 * Rebuilds the prompt model a card describes on `bundle`'s CLIP and loads the learned tensors. Refuses another model
 * (hash mismatch, also against the safetensors metadata) and prompts whose region names differ from the card's.
 * The caller disposes the returned model (not the CLIP).
 */
export async function loadPromptModel(
  bundle: ModelBundle,
  promptsPath: string,
  card?: PromptCard,
): Promise<{ model: PromptModel; card: PromptCard }> {
  const c = card ?? await readPromptCard(promptsPath);
  requireSameModel(c, bundle.hash, bundle.path, promptsPath);
  const file = await readSafetensors(promptsPath);
  const metaHash = file.metadata.model_hash;
  if (metaHash !== undefined && metaHash !== bundle.hash) {
    throw new InputError(
      `Cannot use prompts ${promptsPath}: its metadata names model ${metaHash}, its card ${c.modelHash}, this model is ${bundle.hash}`,
    );
  }
  const regions = regionSet(c.spec.regions, bundle.clip.config.imageResolution);
  const model = new PromptModel(bundle.clip, bundle.tokenizer, {
    variant: getVariant(c.spec.variant),
    regions,
    classWords: c.spec.classWords,
    nCtx: c.spec.nCtx,
    rng: new Rng(0), // every learned value is overwritten below
  });
  try {
    model.loadLearned(file.tensors, promptsPath);
    const names = model.regions.regions.map((r) => r.name);
    if (names.join(",") !== c.regions.join(",")) {
      throw new InputError(
        `Cannot use prompts ${promptsPath}: the card lists regions ${c.regions.join(", ")}, ` +
          `region set ${c.spec.regions} gives ${names.join(", ")}`,
      );
    }
  } catch (err) {
    model.dispose();
    throw err;
  }
  return { model, card: c };
}

function isImageFile(name: string): boolean {
  return !name.startsWith(".") && IMAGE_EXTENSIONS.includes(extname(name).toLowerCase());
}

async function walk(dir: string, out: string[]): Promise<void> {
  const entries: Deno.DirEntry[] = [];
  for await (const e of Deno.readDir(dir)) entries.push(e);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory && !e.name.startsWith(".")) await walk(p, out);
    else if ((e.isFile || e.isSymlink) && isImageFile(e.name)) out.push(p);
  }
}

/**
 * The image files named by `inputs` (absolute paths): a file is taken as given (its format is read from its bytes), a
 * folder is searched recursively for image extensions (`.png`, `.jpg`, `.jpeg`, `.dcm`, `.dicom`), sorted by path.
 * Duplicates are dropped. Throws an `InputError` for a missing path or when nothing is found.
 */
export async function collectImagePaths(inputs: readonly string[]): Promise<string[]> {
  if (inputs.length === 0) throw new InputError("Cannot score images: --images names no file or folder");
  const out: string[] = [];
  for (const input of inputs) {
    const abs = resolve(input);
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(abs);
    } catch {
      throw new InputError(`Cannot score images in ${input}: no such file or folder`);
    }
    if (info.isDirectory) {
      const found: string[] = [];
      await walk(abs, found);
      if (found.length === 0) {
        throw new InputError(
          `Cannot score images in ${input}: the folder holds no images (${IMAGE_EXTENSIONS.join(", ")})`,
        );
      }
      out.push(...found);
    } else out.push(abs);
  }
  return [...new Set(out)];
}

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
    const images: GrayImage[] = [];
    const kept: string[] = [];
    for (const path of paths.slice(s, s + batch)) {
      try {
        images.push(prepareImage(await readImage(path), size));
        kept.push(path);
      } catch (err) {
        if ((options.onBadImage ?? "fail") === "fail" || !(err instanceof InputError)) throw err;
        skipped.push({ path, reason: err.message });
      }
    }
    if (images.length > 0) {
      const probs = regionProbabilities(model, images.map((g) => g.data), { normalisation: options.normalisation });
      for (let i = 0; i < images.length; i++) {
        const result: ImageScore = { path: kept[i], score: aggregateScore(probs[i], options.scoring), probs: probs[i] };
        scored.push(result);
        await options.onImage?.(images[i], result);
      }
    }
    options.onProgress?.(Math.min(paths.length, s + batch), paths.length);
  }
  return { scored, skipped };
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
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
    lines.push([csvCell(r.path), r.score.toFixed(6), ...Array.from(r.probs, (p) => p.toFixed(6)), ""].join(","));
  }
  for (const s of skipped) {
    lines.push([csvCell(s.path), "", ...regionNames.map(() => ""), csvCell(s.reason)].join(","));
  }
  return lines.join("\n") + "\n";
}

/** What an overlay figure states about the image and the prompts (see `lib/report/overlay.ts`). */
export interface OverlayInfo {
  /** The image score after the scoring rule. */
  score: number;
  scoring: ScoringName;
  /** Title, e.g. the image's file name. */
  title: string;
  /** Which prompts, e.g. `ppad on ppad5, sas, seed 0 (prompts P.safetensors)`. */
  subtitle?: string;
}

/** How each scoring rule is described on an overlay. */
export const SCORING_DESCRIPTIONS: Readonly<Record<ScoringName, string>> = {
  paper: "paper (max if > 0.8, else mean)",
  mean: "mean of the regions",
  max: "max of the regions",
};

/**
 * The overlay figure of one scored image as PNG: the X-ray with each region outlined and labelled with its
 * probability, the image score and decision (score > 0.5), a region list and a colour legend.
 */
export function overlayPng(
  image: GrayImage,
  probs: ArrayLike<number>,
  regions: readonly { name: string; mask: ArrayLike<number> }[],
  info: OverlayInfo,
): Promise<Uint8Array> {
  if (image.width !== image.height) {
    throw new RangeError(`Cannot draw an overlay of ${image.source}: ${image.width}×${image.height} is not square`);
  }
  const svg = overlayFigureSvg(image.data, probs, regions, {
    size: image.width,
    score: info.score,
    scoring: SCORING_DESCRIPTIONS[info.scoring],
    title: info.title,
    subtitle: info.subtitle,
  });
  return svgToPng(svg, { scale: 1.5 });
}

/** Unique overlay file names for `paths`: `<stem>.png`, then `<stem>-2.png`, … when stems repeat. */
export function overlayNames(paths: readonly string[]): string[] {
  const used = new Set<string>();
  return paths.map((p) => {
    const stem = basename(p, extname(p)).replace(/[^\w.-]+/g, "_") || "image";
    let name = `${stem}.png`;
    for (let k = 2; used.has(name); k++) name = `${stem}-${k}.png`;
    used.add(name);
    return name;
  });
}
