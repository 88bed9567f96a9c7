/**
 * CLIP architecture as data: {@link ClipConfig}, inferred from a state dict's shapes exactly as OpenAI's `build_model`
 * does, and the full list of keys and shapes a config implies, used to validate a checkpoint before loading it.
 * @module
 */
import { InputError } from "../../util/mod.ts";

/** A ViT CLIP's dimensions (OpenAI's `CLIP(...)` constructor arguments, camel-cased). */
export interface ClipConfig {
  /** Joint image–text embedding size (`text_projection.shape[1]`). */
  embedDim: number;
  /** Input side in pixels (= patchSize · grid). */
  imageResolution: number;
  /** Vision transformer width (`visual.conv1.weight.shape[0]`). */
  visionWidth: number;
  visionLayers: number;
  /** Vision heads: width / 64, as in OpenAI's `build_model`. */
  visionHeads: number;
  patchSize: number;
  /** Patches per side; the image has grid² patch tokens plus CLS. */
  grid: number;
  /** Text positions (`positional_embedding.shape[0]`, 77 for CLIP). */
  contextLength: number;
  /** BPE vocabulary size (`token_embedding.weight.shape[0]`, 49,408 for CLIP). */
  vocabSize: number;
  /** Text transformer width (`ln_final.weight.shape[0]`). */
  textWidth: number;
  /** Text heads: width / 64. */
  textHeads: number;
  textLayers: number;
}

/** OpenAI's ViT-B/32 (CheXzero's backbone). */
export const VIT_B_32: Readonly<ClipConfig> = Object.freeze({
  embedDim: 512,
  imageResolution: 224,
  visionWidth: 768,
  visionLayers: 12,
  visionHeads: 12,
  patchSize: 32,
  grid: 7,
  contextLength: 77,
  vocabSize: 49408,
  textWidth: 512,
  textHeads: 8,
  textLayers: 12,
});

/**
 * A CLIP the size of the test fixture (`shared/fixtures/openai-clip-mini`): ViT-B/32's 7×7 patch grid, vision and text
 * width 128 × 2 layers, 2 heads, joint dimension 64. For smoke tests of anything that runs a model.
 */
export const FIXTURE_MINI: Readonly<ClipConfig> = Object.freeze({
  ...VIT_B_32,
  visionWidth: 128,
  visionLayers: 2,
  visionHeads: 2,
  textWidth: 128,
  textLayers: 2,
  textHeads: 2,
  embedDim: 64,
});

/**
 * The embedded default backbones' architecture (`models/ppad-mini-cxr*`, `model.json` → `architecture`): ViT-B/32's
 * 7×7 grid, vision width 192 × 4 layers (3 heads), text width 128 × 4 layers (2 heads), joint dimension 128, BPE
 * vocabulary of 1,012 tokens.
 */
export const PPAD_MINI: Readonly<ClipConfig> = Object.freeze({
  ...VIT_B_32,
  embedDim: 128,
  visionWidth: 192,
  visionLayers: 4,
  visionHeads: 3,
  vocabSize: 1012,
  textWidth: 128,
  textHeads: 2,
  textLayers: 4,
});

/** Names of the architectures in {@link CLIP_ARCHS}. */
export type ClipArchName = "vit-b-32" | "ppad-mini" | "mini";

/**
 * Architectures by name, for benchmarks and tools that build a random model (`deno task bench --arch NAME`):
 * `vit-b-32` (OpenAI's, CheXzero's backbone), `ppad-mini` (the embedded default CLIPs) and `mini` (the test fixture's
 * size, for smoke tests).
 */
export const CLIP_ARCHS: Readonly<Record<ClipArchName, Readonly<ClipConfig>>> = Object.freeze({
  "vit-b-32": VIT_B_32,
  "ppad-mini": PPAD_MINI,
  mini: FIXTURE_MINI,
});

/** Anything with shapes by key: a {@link StateDict} or a shape-only map (to check configs without allocating weights). */
export type ShapeMap = ReadonlyMap<string, { readonly shape: readonly number[] }>;

/** Keys that old OpenAI checkpoints carry beside the weights; `build_model` deletes them, so do we. */
export const IGNORED_KEYS: readonly string[] = ["input_resolution", "context_length", "vocab_size"];

function need(sd: ShapeMap, key: string, source: string): readonly number[] {
  const t = sd.get(key);
  if (!t) throw new InputError(`Cannot load CLIP weights from ${source}: missing key ${key}`);
  return t.shape;
}

/**
 * Infers the architecture from tensor shapes exactly as OpenAI's `build_model`: vision width = `visual.conv1.weight.shape[0]`,
 * vision layers = count of `visual.*.attn.in_proj_weight`, patch = conv1's last dim, grid = round(√(posemb rows − 1)),
 * embed = `text_projection.shape[1]`, context = `positional_embedding.shape[0]`, vocab = `token_embedding.weight.shape[0]`,
 * text width = `ln_final.weight.shape[0]`, heads = width / 64, text layers = distinct `transformer.resblocks.N`.
 * Throws an `InputError` naming `source` for a ResNet CLIP or a missing key.
 */
export function inferConfig(sd: ShapeMap, source = "state dict"): ClipConfig {
  if (!sd.has("visual.proj")) {
    const hint = sd.has("visual.attnpool.c_proj.weight") ? " (a ResNet CLIP, which is not supported)" : "";
    throw new InputError(`Cannot load CLIP weights from ${source}: missing key visual.proj${hint}`);
  }
  const conv = need(sd, "visual.conv1.weight", source);
  const visionWidth = conv[0];
  let visionLayers = 0;
  const textBlocks = new Set<string>();
  for (const key of sd.keys()) {
    if (key.startsWith("visual.") && key.endsWith(".attn.in_proj_weight")) visionLayers++;
    if (key.startsWith("transformer.resblocks.")) textBlocks.add(key.split(".")[2]);
  }
  const patchSize = conv[conv.length - 1];
  const grid = Math.round(Math.sqrt(need(sd, "visual.positional_embedding", source)[0] - 1));
  const textWidth = need(sd, "ln_final.weight", source)[0];
  const config: ClipConfig = {
    embedDim: need(sd, "text_projection", source)[1],
    imageResolution: patchSize * grid,
    visionWidth,
    visionLayers,
    visionHeads: Math.floor(visionWidth / 64),
    patchSize,
    grid,
    contextLength: need(sd, "positional_embedding", source)[0],
    vocabSize: need(sd, "token_embedding.weight", source)[0],
    textWidth,
    textHeads: Math.floor(textWidth / 64),
    textLayers: textBlocks.size,
  };
  for (const [name, value] of Object.entries(config)) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new InputError(
        `Cannot load CLIP weights from ${source}: inferred ${name} = ${value} is not a positive integer`,
      );
    }
  }
  return config;
}

function blockShapes(out: Map<string, number[]>, prefix: string, width: number): void {
  out.set(`${prefix}.attn.in_proj_weight`, [3 * width, width]);
  out.set(`${prefix}.attn.in_proj_bias`, [3 * width]);
  out.set(`${prefix}.attn.out_proj.weight`, [width, width]);
  out.set(`${prefix}.attn.out_proj.bias`, [width]);
  out.set(`${prefix}.ln_1.weight`, [width]);
  out.set(`${prefix}.ln_1.bias`, [width]);
  out.set(`${prefix}.mlp.c_fc.weight`, [4 * width, width]);
  out.set(`${prefix}.mlp.c_fc.bias`, [4 * width]);
  out.set(`${prefix}.mlp.c_proj.weight`, [width, 4 * width]);
  out.set(`${prefix}.mlp.c_proj.bias`, [width]);
  out.set(`${prefix}.ln_2.weight`, [width]);
  out.set(`${prefix}.ln_2.bias`, [width]);
}

/**
 * Every key of an OpenAI ViT CLIP state dict for `config`, with its PyTorch shape, in `state_dict()` order.
 * `logit_scale` is a 0-d tensor (shape `[]`).
 */
export function expectedShapes(config: ClipConfig): Map<string, number[]> {
  const c = config;
  const out = new Map<string, number[]>();
  out.set("positional_embedding", [c.contextLength, c.textWidth]);
  out.set("text_projection", [c.textWidth, c.embedDim]);
  out.set("logit_scale", []);
  out.set("visual.class_embedding", [c.visionWidth]);
  out.set("visual.positional_embedding", [c.grid * c.grid + 1, c.visionWidth]);
  out.set("visual.proj", [c.visionWidth, c.embedDim]);
  out.set("visual.conv1.weight", [c.visionWidth, 3, c.patchSize, c.patchSize]);
  out.set("visual.ln_pre.weight", [c.visionWidth]);
  out.set("visual.ln_pre.bias", [c.visionWidth]);
  for (let i = 0; i < c.visionLayers; i++) blockShapes(out, `visual.transformer.resblocks.${i}`, c.visionWidth);
  out.set("visual.ln_post.weight", [c.visionWidth]);
  out.set("visual.ln_post.bias", [c.visionWidth]);
  for (let i = 0; i < c.textLayers; i++) blockShapes(out, `transformer.resblocks.${i}`, c.textWidth);
  out.set("token_embedding.weight", [c.vocabSize, c.textWidth]);
  out.set("ln_final.weight", [c.textWidth]);
  out.set("ln_final.bias", [c.textWidth]);
  return out;
}

function sameShape(actual: readonly number[], expected: readonly number[], key: string): boolean {
  if (key === "logit_scale") return actual.length <= 1 && (actual.length === 0 || actual[0] === 1);
  return actual.length === expected.length && actual.every((d, i) => d === expected[i]);
}

/**
 * Checks that `sd` has exactly the keys and shapes `config` implies (the {@link IGNORED_KEYS} may also appear).
 * Throws `InputError`s such as `Cannot load CLIP weights from <source>: <key> has shape [..], expected [..]`,
 * `… missing key <key>` or `… unexpected key <key>`. Widths must be multiples of 64 (heads = width / 64).
 */
export function validateStateDict(sd: ShapeMap, config: ClipConfig, source = "state dict"): void {
  const fail = (what: string) => new InputError(`Cannot load CLIP weights from ${source}: ${what}`);
  for (const [name, width] of [["vision", config.visionWidth], ["text", config.textWidth]] as const) {
    if (width % 64 !== 0) throw fail(`${name} width ${width} is not a multiple of 64 (heads = width / 64)`);
  }
  const expected = expectedShapes(config);
  for (const [key, shape] of expected) {
    const t = sd.get(key);
    if (!t) throw fail(`missing key ${key}`);
    if (!sameShape(t.shape, shape, key)) {
      throw fail(`${key} has shape [${t.shape.join(", ")}], expected [${shape.join(", ")}]`);
    }
  }
  for (const key of sd.keys()) {
    if (!expected.has(key) && !IGNORED_KEYS.includes(key)) throw fail(`unexpected key ${key}`);
  }
}

/** Number of parameters of a config's state dict. */
export function parameterCount(config: ClipConfig): number {
  let n = 0;
  for (const shape of expectedShapes(config).values()) n += shape.reduce((a, b) => a * b, 1);
  return n;
}
