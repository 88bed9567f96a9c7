/**
 * Learned prompts on disk: the JSON card saved beside each prompts file (what they were trained on, with which model,
 * and how well they did), reading and checking it, and rebuilding the prompt model it describes on a CLIP (refusing
 * another model).
 *
 * A sweep writes `prompts/<variant>_<regions>_<synthesis>_seed<N>_<trainingId>.safetensors` and, beside it, the same
 * name with `.json` (the card); results from before the readable names use `<trainingId>` alone, and load the same.
 * @module
 */
import { type ModelBundle, readSafetensors, requireFinite } from "../encoders/mod.ts";
import { type Normalisation, normalisationProblem } from "../data/mod.ts";
import { InputError, Rng, writeFileAtomic } from "../util/mod.ts";
import { PromptModel } from "./prompt_model.ts";
import { regionSet, type Sides } from "./regions.ts";
import { getVariant } from "./variants.ts";

/**
 * The fields of a run spec that a card is read for. A card stores the run's whole spec (`RunSpec` in
 * `lib/experiments/config.ts`: also shots, steps, lr, backend, data, …).
 */
export interface PromptCardSpec {
  variant: string;
  /** Region set name. */
  regions: string;
  synthesis: string;
  /** Which side "left"/"right" name in the position words (absent in cards from before the option: the paper's). */
  sides?: Sides;
  /** The scoring rule of the run (absent: the paper's). */
  scoring?: string;
  /** Learnable text context length. */
  nCtx: number;
  /** Class words, normal first. */
  classWords: [string, string];
  /** The checkpoint path the run named. */
  model: string;
  dataset: string;
  shots: number;
  seed: number;
}

/** The JSON card saved beside learned prompts. */
export interface PromptCard {
  kind: "ppad-prompts";
  /** The full run spec the prompts were trained with (variant, regions, nCtx, classWords, shots, seed, …). */
  spec: PromptCardSpec;
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

/** CLIP's text context holds 77 tokens: no prompt can learn more context tokens than that. */
const MAX_CONTEXT_TOKENS = 77;

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
    : !Number.isInteger(s.nCtx) || s.nCtx < 0 || s.nCtx > MAX_CONTEXT_TOKENS
    ? `spec.nCtx is not an integer in 0…${MAX_CONTEXT_TOKENS}`
    : !Array.isArray(s.classWords) || s.classWords.length !== 2 || !s.classWords.every((w) => typeof w === "string")
    ? "spec.classWords is not two words"
    : !Array.isArray(card.regions)
    ? "regions is missing"
    : card.normalisation !== undefined
    ? normalisationProblem(card.normalisation)
    : null;
  if (problem) throw new InputError(`Cannot read the prompts card ${path}: ${problem}`);
  return card;
}

/** Builds a prompts card for a finished training (the runner writes it beside the prompts). */
export function makePromptCard(
  spec: PromptCardSpec,
  regions: string[],
  modelHash: string,
  normalisation: Normalisation,
): PromptCard {
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
  requireFinite(file.tensors, promptsPath);
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
    sides: c.spec.sides ?? "image",
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
