/**
 * The model card (`model.json`) beside a platform-trained checkpoint: what {@link loadModelBundle} needs to use the
 * weights (architecture, image normalisation, tokenizer file) and free-form provenance. {@link makeModelCard} builds
 * one, {@link readModelCard} reads one back.
 * @module
 */
import type { ClipConfig } from "./clip/config.ts";
import { NORMALISATION, type Normalisation, normalisationProblem } from "../data/mod.ts";
import { basename, dirname, InputError, join } from "../util/mod.ts";

/** The JSON card written beside a platform-trained checkpoint. */
export interface ModelCard {
  name: string;
  architecture: ClipConfig;
  /** Per-channel mean/std applied after scaling pixels to [0, 1]. */
  normalisation: Normalisation;
  /** Tokenizer merges file, relative to the card's folder. */
  tokenizer: string;
  /** Free-form provenance: data seed and sizes, steps, final loss, git commit, zero-shot results. */
  training?: Record<string, unknown>;
  [key: string]: unknown;
}

/** What a card states besides its name and architecture ({@link makeModelCard}). */
export interface ModelCardOptions {
  /** One sentence: what the model is and what it was trained on. */
  description?: string;
  /** Image normalisation the model was trained with. @default NORMALISATION.chexzero */
  normalisation?: Normalisation;
  /** Tokenizer merges file, relative to the card's folder. @default "bpe.txt" */
  tokenizer?: string;
  /** Provenance: data, optimiser, steps, final loss, machine, git commit. */
  training?: Record<string, unknown>;
  /** Further top-level sections (e.g. `zeroShot`), written after `training`. */
  extra?: Record<string, unknown>;
}

/**
 * A model card for `architecture`, its fields in the order `model.json` shows them (name, description, architecture,
 * normalisation, tokenizer, training, then `extra`). Refuses an empty name or tokenizer (`TypeError`) and a
 * normalisation whose stds are not all positive (`RangeError`).
 */
export function makeModelCard(name: string, architecture: ClipConfig, options: ModelCardOptions = {}): ModelCard {
  if (name === "") throw new TypeError("Cannot make a model card: its name is empty");
  const normalisation = options.normalisation ?? NORMALISATION.chexzero;
  const tokenizer = options.tokenizer ?? "bpe.txt";
  if (tokenizer === "") throw new TypeError(`Cannot make the model card of ${name}: its tokenizer file is empty`);
  if (!normalisation.std.every((s) => s > 0)) {
    throw new RangeError(
      `Cannot make the model card of ${name}: normalisation std must be > 0, got ${normalisation.std.join(", ")}`,
    );
  }
  return {
    name,
    ...(options.description !== undefined ? { description: options.description } : {}),
    architecture,
    normalisation,
    tokenizer,
    ...(options.training !== undefined ? { training: options.training } : {}),
    ...options.extra,
  };
}

/** The card beside a checkpoint: `model.safetensors` → `model.json`. */
export function modelCardPath(modelPath: string): string {
  return join(dirname(modelPath), basename(modelPath).replace(/\.[^.]+$/, "") + ".json");
}

/** Reads `model.json` beside a checkpoint, or null when absent. Malformed cards are an `InputError`. */
export async function readModelCard(modelPath: string): Promise<ModelCard | null> {
  const cardPath = modelCardPath(modelPath);
  let text: string;
  try {
    text = await Deno.readTextFile(cardPath);
  } catch {
    return null;
  }
  try {
    const card = JSON.parse(text) as ModelCard;
    if (typeof card.tokenizer !== "string") throw new Error("needs tokenizer and normalisation.mean/std");
    const problem = normalisationProblem(card.normalisation);
    if (problem) throw new Error(problem);
    return card;
  } catch (err) {
    throw new InputError(`Cannot read model card ${cardPath}: ${(err as Error).message}`);
  }
}
