/**
 * The flags the sweep commands share (`ablate`, `reproduce`, and `submit`, which passes them on to every shard), and
 * their parsing into the typed {@link SweepSettings} that lib/experiments/sweep.ts runs. Not a command itself.
 * @module
 */
import { parseBackend } from "../lib/backend.ts";
import { parseBadImagePolicy } from "../lib/data/mod.ts";
import { normalisationFromFlags } from "../lib/encoders/mod.ts";
import {
  type MethodSpec,
  PAPER_METHOD,
  parseShard,
  type SweepConfig,
  type SweepSettings,
} from "../lib/experiments/mod.ts";
import { SIDES, VARIANT_NAMES } from "../lib/prompts/mod.ts";
import {
  choiceFlag,
  type FlagSpec,
  type FlagValues,
  InputError,
  join,
  listFlag,
  numberFlag,
  PROJECT_ROOT,
  resolve,
} from "../lib/util/mod.ts";

/** Flags shared by the sweep commands (`ablate`, `reproduce`), with descriptions and defaults for `--help`. */
export const SWEEP_FLAGS = {
  model: {
    type: "string",
    arg: "FILE",
    description: "CLIP checkpoint (.pt, .safetensors or a model folder)",
    default: "models/ppad-mini-cxr-real",
  },
  tokenizer: { type: "string", arg: "FILE", description: "BPE merges file", default: "the model's own, else CLIP's" },
  preset: { type: "string", arg: "chexzero|openai", description: "image normalisation preset", default: "the model's" },
  data: { type: "string", arg: "DIR", description: "data set root", default: "the synthetic benchmark in data/" },
  layout: { type: "string", arg: "L", description: "data set layout", default: "auto-detected" },
  dataset: {
    type: "string",
    arg: "NAME",
    description: "data set name recorded in the results",
    default: "the one the layout names (zhanglab, chexpert, …), else custom",
  },
  out: { type: "string", arg: "DIR", description: "results folder (locked while the sweep runs)" },
  seeds: { type: "string", arg: "N", description: "seeds per trained configuration (≥ 1)" },
  shots: { type: "string", arg: "K", description: "normal training images per seed (≥ 1)", default: 64 },
  steps: { type: "string", arg: "S", description: "optimisation steps (≥ 1)", default: 100 },
  "n-ctx": { type: "string", arg: "N", description: "learnable text context tokens (≥ 1)", default: 16 },
  lr: {
    type: "string",
    arg: "LR",
    description: "learning rate of the prompts (SGD with momentum, > 0)",
    default: PAPER_METHOD.lr,
  },
  variants: {
    type: "string",
    arg: "a,b",
    description: `run only these variants (${VARIANT_NAMES.join(", ")})`,
    default: "all",
  },
  questions: {
    type: "string",
    arg: "a,b",
    description: "run only these questions of the grid (e.g. prompts,synthesis)",
    default: "all",
  },
  sides: {
    type: "string",
    arg: "image|patient",
    description: 'which side "left"/"right" name in the position words (image: the paper\'s; patient: anatomical)',
    default: "image",
  },
  "test-limit": {
    type: "string",
    arg: "N",
    description: "score a stratified subsample of N test images (≥ 1)",
    default: "all",
  },
  shard: {
    type: "string",
    arg: "i/n",
    description: "run only shard i of n (then `deno task merge`)",
    default: "all runs",
  },
  backend: { type: "string", arg: "B", description: "wasm, webgpu, cpu or tensorflow", default: "wasm" },
  "on-bad-image": {
    type: "string",
    arg: "fail|skip",
    description: "what to do with an unreadable image",
    default: "fail",
  },
  "no-charts": { type: "boolean", description: "do not draw the charts" },
  "no-feature-cache": {
    type: "boolean",
    description:
      "recompute in every run the image features, patch tokens and training batches runs share (identical results)",
  },
  json: { type: "boolean", description: "print one JSON object on stdout" },
  quiet: { type: "boolean", description: "no progress on stderr" },
} as const satisfies Record<string, FlagSpec>;

/** Parsed (not yet validated) values of {@link SWEEP_FLAGS}. */
export type SweepFlagValues = Partial<FlagValues<typeof SWEEP_FLAGS>>;

/**
 * Parses the shared flags into settings, refusing bad values before any work: counts must be ≥ 1, variants and
 * questions must be known (an unknown one is named, with the valid ones), `--shard` must be i/n, `--on-bad-image`
 * fail or skip, `--sides`, `--preset` and `--backend` one of theirs. `defaultOut` is relative to the project root.
 */
export function sweepSettings(sweep: SweepConfig, v: SweepFlagValues, defaultOut: string): SweepSettings {
  const count = (name: keyof typeof SWEEP_FLAGS, fallback: number) =>
    numberFlag(name, v[name] as string | undefined, fallback, { integer: true, min: 1 });
  const overrides: Partial<MethodSpec> = {};
  if (v.shots !== undefined) overrides.shots = count("shots", sweep.base.shots);
  if (v.steps !== undefined) overrides.steps = count("steps", sweep.base.steps);
  if (v["n-ctx"] !== undefined) overrides.nCtx = count("n-ctx", sweep.base.nCtx);
  if (v.lr !== undefined) {
    const lr = numberFlag("lr", v.lr, sweep.base.lr, { min: 0 });
    if (lr <= 0) throw new InputError(`Cannot use --lr ${JSON.stringify(v.lr)}: expected a learning rate above 0`);
    overrides.lr = lr;
  }
  const shard = v.shard !== undefined ? parseShard(v.shard) : undefined;
  const onBadImage = v["on-bad-image"] !== undefined ? parseBadImagePolicy(v["on-bad-image"]) : "fail";
  if (v.sides !== undefined) overrides.sides = choiceFlag("sides", v.sides, SIDES);
  return {
    sweep,
    out: resolve(v.out ?? join(PROJECT_ROOT, defaultOut)),
    seeds: v.seeds !== undefined ? count("seeds", sweep.seeds) : undefined,
    overrides,
    variants: listFlag("variants", v.variants, VARIANT_NAMES),
    questions: listFlag("questions", v.questions, sweep.questions.map((q) => q.name)),
    testLimit: v["test-limit"] !== undefined ? count("test-limit", 0) : null,
    shard,
    model: v.model,
    tokenizer: v.tokenizer,
    normalisation: normalisationFromFlags(v.preset),
    data: v.data,
    layout: v.layout,
    dataset: v.dataset,
    backend: v.backend ? parseBackend(v.backend) : undefined,
    onBadImage,
    charts: !v["no-charts"],
    featureCache: !v["no-feature-cache"],
    quiet: Boolean(v.quiet),
  };
}

/** Sweep flags `deno task submit` passes to every shard: all of the sweep's but `--out`, `--shard` and `--json`. */
export const PASSED_SWEEP_FLAGS = Object.keys(SWEEP_FLAGS).filter((k) =>
  !["out", "shard", "json"].includes(k)
) as Exclude<
  keyof typeof SWEEP_FLAGS,
  "out" | "shard" | "json"
>[];

/** The flags of {@link PASSED_SWEEP_FLAGS} that are set, as arguments in {@link SWEEP_FLAGS} order. */
export function passedSweepArgs(v: SweepFlagValues): string[] {
  const args: string[] = [];
  for (const k of PASSED_SWEEP_FLAGS) {
    const value = v[k];
    if (value === undefined || value === false) continue;
    args.push(`--${k}`, ...(typeof value === "string" ? [value] : []));
  }
  return args;
}
