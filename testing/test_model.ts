/**
 * The tests' own small CLIP, so that the suite runs whole in a clone without `../shared`: a randomly initialised
 * mini CLIP ({@link initClipStateDict}, fixed seed) in CheXzero's `.pt` format (OpenAI keys; conv, linear, in_proj
 * and projection storages in fp16 as CLIP's `convert_weights` leaves them, the rest fp32; archive folder `model`),
 * with a BPE vocabulary learned by {@link trainBpe} on synthetic reports and the caption phrasings, and a model card
 * beside it that names that vocabulary and CheXzero's normalisation.
 *
 * Same architecture as `../shared/fixtures/openai-clip-mini/model.pt` (width 128, 2 layers per tower, joint 64,
 * ViT-B/32's 224 px / patch 32 grid) except the vocabulary. Generated deterministically on first import into the
 * gitignored `data/test-assets/` (about a second), laid out as `../shared` is
 * (`fixtures/openai-clip-mini/model.pt`), and regenerated when its recipe or generator version changes. It has no reference
 * outputs: parity with OpenAI's implementation is tested on the shared fixture only.
 * @module
 */
import { saveMerges, trainBpe } from "../lib/encoders/bpe_train.ts";
import type { ModelCard } from "../lib/encoders/bundle.ts";
import { type ClipConfig, FIXTURE_MINI } from "../lib/encoders/clip/config.ts";
import { initClipStateDict } from "../lib/encoders/clip/init.ts";
import type { StateDict } from "../lib/encoders/state_dict.ts";
import { FINDINGS, writeReport, ZONES } from "../lib/data/synthetic/mod.ts";
import type { FindingDetails } from "../lib/data/synthetic/findings.ts";
import { NORMALISATION } from "../lib/data/preprocess.ts";
import { captionVocabulary } from "../lib/train/captions.ts";
import { writeFileAtomic } from "../lib/util/atomic.ts";
import { join, PROJECT_ROOT } from "../lib/util/path.ts";
import { Rng } from "../lib/util/rng.ts";
import { type PtDtype, serializePtStateDict } from "./pt_write.ts";

/** Bump when the generator changes in a way its recipe does not show. */
const GENERATOR_VERSION = 1;

/** How the test model is made; its JSON is the cache key. */
export interface TestModelRecipe {
  /** Reports in the BPE corpus. */
  reports: number;
  /** Copies of every caption phrasing in the corpus (so "normal." and "pneumonia." are one word each). */
  captionCopies: number;
  /** BPE merges (vocabulary 512 + merges + 2). */
  merges: number;
  /** Seed of the report corpus. */
  corpusSeed: number;
  /** Seed of the weights. */
  weightSeed: number;
}

/** The recipe of the tests' model. */
export const TEST_MODEL_RECIPE: Readonly<TestModelRecipe> = Object.freeze({
  reports: 1500,
  captionCopies: 20,
  merges: 600,
  corpusSeed: 11,
  weightSeed: 7,
});

/** Root of the generated test assets, laid out like `../shared` (only the parts that can be generated). */
export const TEST_ASSETS_DIR: string = join(PROJECT_ROOT, "data", "test-assets");
/** The test model's folder inside an assets root. */
const MODEL_SUBDIR = ["fixtures", "openai-clip-mini"] as const;
/** The test checkpoint (CheXzero's `.pt` format), with `model.json` and `bpe.txt` beside it. */
export const TEST_MODEL_PATH: string = join(TEST_ASSETS_DIR, ...MODEL_SUBDIR, "model.pt");
/** The test model's BPE merges (CLIP's merges-file format). */
export const TEST_BPE_PATH: string = join(TEST_ASSETS_DIR, ...MODEL_SUBDIR, "bpe.txt");

/** Paths of a generated test model. */
export interface TestModelFiles {
  /** The `.pt` checkpoint. */
  model: string;
  /** Its card (`model.json`: architecture, normalisation, tokenizer). */
  card: string;
  /** Its BPE merges. */
  bpe: string;
}

/** The test model's architecture for a vocabulary of `vocabSize` ids (the shared fixture's, bar the vocabulary). */
export function testModelConfig(vocabSize: number): ClipConfig {
  return { ...FIXTURE_MINI, vocabSize };
}

/** Invented finding details for a report (the report only words them). */
function _details(rng: Rng): FindingDetails {
  return {
    bronchograms: rng.bernoulli(0.5),
    diameterMm: rng.int(6, 40),
    margin: rng.pick(["smooth", "lobulated", "spiculated"] as const),
    severity: rng.pick(["small", "moderate", "large"] as const),
    volumeLoss: rng.bernoulli(0.5),
    ctr: 0.5 + 0.2 * rng.next(),
  };
}

/**
 * The BPE corpus: `reports` synthetic reports (normal and every finding, both sides, every zone), each caption
 * phrasing `captionCopies` times, and the region words. A pure function of the recipe.
 */
export function testCorpus(recipe: Readonly<TestModelRecipe> = TEST_MODEL_RECIPE): string[] {
  const rng = new Rng(recipe.corpusSeed);
  const corpus: string[] = [];
  for (let i = 0; i < recipe.reports; i++) {
    const finding = i % 2 === 0 ? "normal" : FINDINGS[(i >> 1) % FINDINGS.length];
    const side = finding === "normal"
      ? "none"
      : finding === "cardiomegaly"
      ? "both"
      : rng.pick(["left", "right"] as const);
    const zone = finding === "normal" ? "none" : rng.pick(ZONES);
    corpus.push(writeReport(rng, { finding, side, zone, details: _details(rng) }));
  }
  for (const label of ["normal", "pneumonia"] as const) {
    for (const caption of captionVocabulary(label)) for (let k = 0; k < recipe.captionCopies; k++) corpus.push(caption);
  }
  for (let k = 0; k < recipe.captionCopies; k++) {
    corpus.push("left lung. right lung. upper lung. lower lung. middle lung. central lung. normal. pneumonia.");
  }
  return corpus;
}

/** The keys CLIP's `convert_weights` stores in fp16: conv/linear weights and biases, in_proj, the two projections. */
export function halfPrecisionKeys(sd: StateDict): string[] {
  return [...sd.keys()].filter((k) =>
    k === "visual.conv1.weight" || k === "visual.proj" || k === "text_projection" ||
    /\.(attn\.(in_proj_weight|in_proj_bias|out_proj\.weight|out_proj\.bias)|mlp\.c_(fc|proj)\.(weight|bias))$/.test(k)
  );
}

/** The test model's state dict and merges, from the recipe alone (no files). */
export function buildTestModel(recipe: Readonly<TestModelRecipe> = TEST_MODEL_RECIPE): {
  merges: [string, string][];
  config: ClipConfig;
  stateDict: StateDict;
  dtypes: Record<string, PtDtype>;
} {
  const merges = trainBpe(testCorpus(recipe), recipe.merges);
  const config = testModelConfig(512 + merges.length + 2);
  const stateDict = initClipStateDict(config, new Rng(recipe.weightSeed));
  const dtypes: Record<string, PtDtype> = {};
  for (const k of halfPrecisionKeys(stateDict)) dtypes[k] = "float16";
  return { merges, config, stateDict, dtypes };
}

/** The files of the test model under an assets root. */
export function testModelFiles(root: string = TEST_ASSETS_DIR): TestModelFiles {
  const dir = join(root, ...MODEL_SUBDIR);
  return { model: join(dir, "model.pt"), card: join(dir, "model.json"), bpe: join(dir, "bpe.txt") };
}

/** Writes the test model (checkpoint, merges, card, then a stamp) under `root`, atomically file by file. */
export async function writeTestModel(
  root: string = TEST_ASSETS_DIR,
  recipe: Readonly<TestModelRecipe> = TEST_MODEL_RECIPE,
): Promise<TestModelFiles> {
  const files = testModelFiles(root);
  const { merges, config, stateDict, dtypes } = buildTestModel(recipe);
  await Deno.mkdir(join(root, ...MODEL_SUBDIR), { recursive: true });
  await saveMerges(files.bpe, merges);
  await writeFileAtomic(files.model, serializePtStateDict(stateDict, { dtypes, archiveName: "model" }));
  const card: ModelCard = {
    name: "ppad-test-clip",
    architecture: config,
    normalisation: NORMALISATION.chexzero,
    tokenizer: "bpe.txt",
    training: { note: "random weights for tests (testing/test_model.ts); not trained", recipe: { ...recipe } },
  };
  await writeFileAtomic(files.card, new TextEncoder().encode(JSON.stringify(card, null, 2) + "\n"));
  await writeFileAtomic(_stampPath(root), new TextEncoder().encode(_stampText(recipe)));
  return files;
}

function _stampPath(root: string): string {
  return join(root, ...MODEL_SUBDIR, "stamp.json");
}

function _stampText(recipe: Readonly<TestModelRecipe>): string {
  return JSON.stringify({ generator: GENERATOR_VERSION, recipe }) + "\n";
}

/**
 * The test model under `root`, generated first when it is missing or was made from another recipe. Safe to run
 * from several processes at once: each file is written atomically and the stamp last.
 */
export async function ensureTestModel(root: string = TEST_ASSETS_DIR): Promise<TestModelFiles> {
  const files = testModelFiles(root);
  const stamp = await Deno.readTextFile(_stampPath(root)).catch(() => null);
  if (stamp === _stampText(TEST_MODEL_RECIPE)) {
    const present = await Promise.all(
      [files.model, files.card, files.bpe].map((p) => Deno.stat(p).then(() => true, () => false)),
    );
    if (present.every(Boolean)) return files;
  }
  return await writeTestModel(root);
}

await ensureTestModel();
