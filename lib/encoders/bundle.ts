/**
 * A ready-to-use CLIP: weights, tokenizer and image normalisation, resolved from a checkpoint path and the model card
 * beside it (`model.json`, lib/encoders/model_card.ts). CheXzero's `.pt` has no card: it gets the CLIP BPE and the `chexzero` normalisation.
 * @module
 */
import { loadStateDict } from "./checkpoint/mod.ts";
import { ClipModel, DEFAULT_MODEL_PATH } from "./clip/mod.ts";
import { type ModelCard, modelCardPath, readModelCard } from "./model_card.ts";
import { BpeTokenizer, DEFAULT_CLIP_BPE_PATH } from "./tokenizer.ts";
import { NORMALISATION, type Normalisation, normalisationPreset } from "../data/mod.ts";
import { dirname, InputError, isAbsolute, join, type NamedInput, PROJECT_ROOT } from "../util/mod.ts";

export type { ModelCard } from "./model_card.ts";

/** A loaded model with everything needed to use it. */
export interface ModelBundle {
  clip: ClipModel;
  tokenizer: BpeTokenizer;
  normalisation: Normalisation;
  /** Absolute checkpoint path. */
  path: string;
  /** First 16 hex digits of the checkpoint's SHA-256 (prompts record it and refuse another model). */
  hash: string;
  card: ModelCard | null;
}

/** Options for {@link loadModelBundle}. */
export interface LoadBundleOptions {
  /** Tokenizer merges file; default: the card's, else CLIP's `bpe_simple_vocab_16e6.txt.gz` from ../shared. */
  tokenizer?: string;
  /** Normalisation override; default: the card's, else `chexzero`. */
  normalisation?: Normalisation;
  /** Load the weights trainable (pretraining). @default false */
  trainable?: boolean;
}

/** The checkpoint files a model folder may hold, in the order they are looked for. */
const MODEL_FILES = ["model.safetensors", "model.pt"] as const;

/**
 * Resolves a user path against the working directory, or the default model against the project root. A model folder
 * (e.g. `models/ppad-mini-cxr-real`) stands for the checkpoint inside it: its `model.safetensors`, else its
 * `model.pt`; a folder with neither is an {@link InputError}. A path that does not exist is returned as it is, for
 * the reader to report.
 */
export function resolveModelPath(path?: string): string {
  if (!path) return join(PROJECT_ROOT, DEFAULT_MODEL_PATH);
  const resolved = isAbsolute(path) ? path : join(Deno.cwd(), path);
  if (!isDirectory(resolved)) return resolved;
  for (const file of MODEL_FILES) {
    if (isFile(join(resolved, file))) return join(resolved, file);
  }
  throw new InputError(`Cannot read model ${resolved}: a folder without ${MODEL_FILES.join(" or ")}`);
}

const isDirectory = (path: string) => statOrNull(path)?.isDirectory ?? false;
const isFile = (path: string) => statOrNull(path)?.isFile ?? false;

function statOrNull(path: string): Deno.FileInfo | null {
  try {
    return Deno.statSync(path);
  } catch {
    return null;
  }
}

/**
 * The files a model is read from, for output checks that must never write over them: the checkpoint `modelPath`
 * (resolved as {@link resolveModelPath} does), its card `model.json` and the card's tokenizer, where they exist.
 */
export async function modelFiles(modelPath: string): Promise<NamedInput[]> {
  const path = resolveModelPath(modelPath);
  const files: NamedInput[] = [{ path, what: "a model checkpoint" }];
  const card = await readModelCard(path).catch(() => null);
  files.push({ path: modelCardPath(path), what: "a model card" });
  if (card) files.push({ path: join(dirname(path), card.tokenizer), what: "a model's tokenizer" });
  return files;
}

/** SHA-256 of bytes, hex, first 16 digits. */
export async function shortHash(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest.slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Loads weights, tokenizer and normalisation for `path` (default: the embedded small CXR CLIP). */
export async function loadModelBundle(path?: string, options: LoadBundleOptions = {}): Promise<ModelBundle> {
  const modelPath = resolveModelPath(path);
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(modelPath);
  } catch (err) {
    const hint = path ? "" : " (the embedded default model is missing: restore models/ppad-mini-cxr-real/ from the " +
      "repository, or retrain it with `deno task pretrain`, which needs the real corpus: see docs/pretraining.md)";
    throw new InputError(`Cannot read model ${modelPath}: ${(err as Error).message.split("\n")[0]}${hint}`);
  }
  const hash = await shortHash(bytes);
  const card = await readModelCard(modelPath);
  const sd = await loadStateDict(modelPath);
  const clip = ClipModel.fromStateDict(sd, { trainable: options.trainable ?? false, source: modelPath });
  const tokPath = options.tokenizer ?? (card ? join(dirname(modelPath), card.tokenizer) : DEFAULT_CLIP_BPE_PATH);
  let tokenizer: BpeTokenizer;
  try {
    tokenizer = await BpeTokenizer.fromFile(tokPath);
  } catch (err) {
    clip.dispose();
    if (!options.tokenizer && !card) {
      throw new InputError(
        `Cannot load the CLIP tokenizer for ${modelPath}: ${tokPath} is missing; pass --tokenizer PATH to OpenAI CLIP's ` +
          "bpe_simple_vocab_16e6.txt.gz (from the openai/CLIP repository, clip/bpe_simple_vocab_16e6.txt.gz)",
      );
    }
    throw err;
  }
  if (tokenizer.vocabSize !== clip.config.vocabSize) {
    clip.dispose();
    throw new InputError(
      `Cannot use tokenizer ${tokPath} with ${modelPath}: it has ${tokenizer.vocabSize} tokens, the model ${clip.config.vocabSize}`,
    );
  }
  const normalisation = options.normalisation ?? card?.normalisation ?? NORMALISATION.chexzero;
  return { clip, tokenizer, normalisation, path: modelPath, hash, card };
}

/** Parses `--preset` / `--mean` / `--std` flags into a normalisation (undefined: use the model's). */
export function normalisationFromFlags(preset?: string, mean?: string, std?: string): Normalisation | undefined {
  if (mean !== undefined || std !== undefined) {
    const m = Number(mean), s = Number(std);
    if (!Number.isFinite(m) || !Number.isFinite(s) || s <= 0) {
      throw new InputError(`Cannot use --mean ${mean} --std ${std}: both must be numbers and std > 0`);
    }
    return { mean: [m, m, m], std: [s, s, s] };
  }
  return preset ? normalisationPreset(preset) : undefined;
}
