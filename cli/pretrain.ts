/**
 * `deno task pretrain`: seeded contrastive pretraining of the small CXR CLIP (the embedded default) on real chest
 * X-rays with captions mixed with synthetic image–report pairs; resumable, with a progress bar, held-out checks, a
 * loss curve, a zero-shot report and a model card. See lib/experiments/pretrain.ts and docs/pretraining.md.
 * @module
 */
import { parseBackend } from "../lib/backend.ts";
import { executePretraining, PRETRAIN_DEFAULTS, type PretrainSettings } from "../lib/experiments/mod.ts";
import { AUGMENT_PRESETS, CAPTION_STYLES, LESION_GROUPS } from "../lib/train/mod.ts";
import {
  choiceFlag,
  defineCommand,
  type FlagValues,
  join,
  numberFlag,
  parseCommand,
  PROJECT_ROOT,
  resolve,
  runMain,
} from "../lib/util/mod.ts";

const D = PRETRAIN_DEFAULTS;

/** The command's flags, help and examples. */
export const COMMAND = defineCommand({
  name: "pretrain",
  summary:
    "pretrains the small CXR CLIP of the embedded default from scratch: real chest X-rays with captions written " +
    "from their labels, mixed with synthetic image–report pairs. Resumable (run it again to continue); writes the " +
    "weights, BPE merges, model card, loss curve and held-out checks.",
  flags: {
    out: { type: "string", arg: "DIR", description: "model folder", default: "models/ppad-mini-cxr-real" },
    real: {
      type: "string",
      arg: "DIR",
      description: "real corpus (labels.csv, or normal/ + covid/ folders); see docs/pretraining.md",
      default: D.real ?? "none",
    },
    "no-real": { type: "boolean", description: "synthetic pairs only" },
    "real-fraction": {
      type: "string",
      arg: "F",
      description: "fraction of each batch from the real corpus",
      default: D.realFraction,
    },
    "real-limit": { type: "string", arg: "N", description: "use N real training files (a quick try)", default: "all" },
    augment: {
      type: "string",
      arg: "A",
      description: `augmentation of real images: ${AUGMENT_PRESETS.join(", ")} (docs/pretraining.md)`,
      default: D.augment,
    },
    "no-augment": { type: "boolean", description: "same as --augment none" },
    "real-lesions": {
      type: "string",
      arg: "P",
      description: "probability that a real normal gets an opacity and a consolidation report (docs/pretraining.md)",
      default: D.realLesions,
    },
    "lesion-group": {
      type: "string",
      arg: "G",
      description: `contrastive group of the lesion pairs: ${LESION_GROUPS.join(", ")} (docs/pretraining.md)`,
      default: D.lesionGroup,
    },
    "border-swap": {
      type: "string",
      arg: "P",
      description:
        "probability that a real film's outer frame is swapped for another corpus film's (docs/pretraining.md)",
      default: D.borderSwap,
    },
    captions: {
      type: "string",
      arg: "C",
      description: `captions of real images: ${CAPTION_STYLES.join(", ")} (docs/pretraining.md)`,
      default: D.captions,
    },
    steps: { type: "string", arg: "S", description: "optimisation steps (≥ 1)", default: D.steps },
    batch: { type: "string", arg: "B", description: "pairs per step (≥ 2)", default: D.batch },
    pool: {
      type: "string",
      arg: "N",
      description: "synthetic image–report pairs generated",
      default: D.syntheticPairs,
    },
    seed: { type: "string", arg: "N", description: "seed of the data, initialisation and batches", default: D.seed },
    "vision-width": { type: "string", arg: "W", description: "vision transformer width", default: D.visionWidth },
    "vision-layers": { type: "string", arg: "L", description: "vision transformer layers", default: D.visionLayers },
    "text-width": { type: "string", arg: "W", description: "text transformer width", default: D.textWidth },
    "text-layers": { type: "string", arg: "L", description: "text transformer layers", default: D.textLayers },
    embed: { type: "string", arg: "D", description: "joint embedding dimension", default: D.embed },
    merges: { type: "string", arg: "N", description: "BPE merges learned from the texts", default: D.merges },
    lr: { type: "string", arg: "LR", description: "AdamW peak learning rate", default: D.lr },
    "logit-scale-lr": {
      type: "string",
      arg: "X",
      description: "learning-rate multiplier of the temperature",
      default: D.logitScaleLr,
    },
    targets: {
      type: "string",
      arg: "grouped|clip",
      description: "contrastive targets: same-group pairs are positives, or CLIP's diagonal",
      default: D.targets,
    },
    "eval-every": {
      type: "string",
      arg: "N",
      description: "held-out zero-shot check every N steps (0: never)",
      default: D.evalEvery,
    },
    "checkpoint-every": {
      type: "string",
      arg: "N",
      description: "checkpoint every N steps",
      default: D.checkpointEvery,
    },
    "zeroshot-test": {
      type: "string",
      arg: "N",
      description: "fresh synthetic cases of the per-finding zero-shot check (0: skip)",
      default: D.zeroShotCases,
    },
    "no-benchmark-test": {
      type: "boolean",
      description: "skip the zero-shot check on the synthetic benchmark's test split",
    },
    "report-on": {
      type: "string",
      arg: "DIR,…",
      description: "data sets whose test split gets a zero-shot number in the card (reported only, never chosen on)",
      default: D.reportOn.join(","),
    },
    fresh: { type: "boolean", description: "ignore (and replace) an existing checkpoint, even of other settings" },
    force: { type: "boolean", description: "replace a finished model in --out (refused otherwise)" },
    backend: { type: "string", arg: "B", description: "wasm, webgpu, cpu or tensorflow", default: "wasm" },
  },
  examples: [
    "deno task pretrain --force   # retrains models/ppad-mini-cxr-real, replacing the committed model",
    "deno task pretrain --no-real --steps 800 --pool 4000 --targets clip --logit-scale-lr 1 --zeroshot-test 600 " +
    "--out models/my-synthetic-clip   # the recipe of models/ppad-mini-cxr-synthetic",
    "deno task pretrain --real /data/covid-radiography-224 --steps 1200 --out models/my-cxr-clip",
    "deno task pretrain --no-real --steps 200 --out /tmp/synthetic-only",
  ],
});

/** The settings `v` asks for: every count and rate checked, paths resolved (default ones against the project root). */
export function pretrainSettings(v: FlagValues<typeof COMMAND.flags>): PretrainSettings {
  const int = (name: keyof typeof COMMAND.flags, fallback: number, min: number) =>
    numberFlag(name, v[name] as string | undefined, fallback, { integer: true, min });
  return {
    out: resolve(v.out ?? join(PROJECT_ROOT, "models", "ppad-mini-cxr-real")),
    real: v["no-real"] ? null : resolve(PROJECT_ROOT, v.real ?? D.real ?? ""),
    realFraction: numberFlag("real-fraction", v["real-fraction"], D.realFraction, { min: 0, max: 1 }),
    augment: v["no-augment"] ? "none" : choiceFlag("augment", v.augment, AUGMENT_PRESETS, D.augment),
    realLesions: numberFlag("real-lesions", v["real-lesions"], D.realLesions, { min: 0, max: 1 }),
    lesionGroup: choiceFlag("lesion-group", v["lesion-group"], LESION_GROUPS, D.lesionGroup),
    borderSwap: numberFlag("border-swap", v["border-swap"], D.borderSwap, { min: 0, max: 1 }),
    captions: choiceFlag("captions", v.captions, CAPTION_STYLES, D.captions),
    heldOut: D.heldOut,
    realLimit: v["real-limit"] === undefined ? null : int("real-limit", 0, 2),
    steps: int("steps", D.steps, 1),
    batch: int("batch", D.batch, 2),
    syntheticPairs: int("pool", D.syntheticPairs, 0),
    seed: int("seed", D.seed, 0),
    lr: numberFlag("lr", v.lr, D.lr, { min: 0 }),
    logitScaleLr: numberFlag("logit-scale-lr", v["logit-scale-lr"], D.logitScaleLr, { min: 0 }),
    weightDecay: D.weightDecay,
    merges: int("merges", D.merges, 0),
    targets: choiceFlag("targets", v.targets, ["grouped", "clip"] as const, D.targets),
    visionWidth: int("vision-width", D.visionWidth, 64),
    visionLayers: int("vision-layers", D.visionLayers, 1),
    textWidth: int("text-width", D.textWidth, 64),
    textLayers: int("text-layers", D.textLayers, 1),
    embed: int("embed", D.embed, 8),
    evalEvery: int("eval-every", D.evalEvery, 0),
    checkpointEvery: int("checkpoint-every", D.checkpointEvery, 1),
    fresh: Boolean(v.fresh),
    force: Boolean(v.force),
    zeroShotCases: int("zeroshot-test", D.zeroShotCases, 0),
    benchmarkTest: !v["no-benchmark-test"],
    reportOn: v["report-on"] === undefined
      ? D.reportOn.map((p) => resolve(PROJECT_ROOT, p))
      : v["report-on"].split(",").filter((p) => p !== "").map((p) => resolve(p)),
  };
}

/** Runs `deno task pretrain` with `args`: pretrains (or resumes) into `--out`, logging on stderr. */
export async function main(args: string[]): Promise<void> {
  const { values } = parseCommand(COMMAND, args);
  const settings = pretrainSettings(values);
  await executePretraining(settings, { backend: values.backend ? parseBackend(values.backend) : undefined });
}

if (import.meta.main) runMain(() => main(Deno.args));
