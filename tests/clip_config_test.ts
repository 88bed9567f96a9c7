import { assert, assertAlmostEquals, assertEquals, assertThrows } from "./assert.ts";
import {
  CLIP_ARCHS,
  type ClipConfig,
  expectedShapes,
  inferConfig,
  initClipStateDict,
  parameterCount,
  PPAD_MINI,
  validateStateDict,
  VIT_B_32,
} from "../lib/encoders/clip/mod.ts";
import { InputError } from "../lib/util/errors.ts";
import { Rng } from "../lib/util/rng.ts";
import { join, PROJECT_ROOT, SHARED_DIR } from "../lib/util/path.ts";
import type { StateDict } from "../lib/encoders/state_dict.ts";

const FIXTURE = join(SHARED_DIR, "fixtures", "openai-clip-mini", "model.pt");
const hasFixture = (() => {
  try {
    Deno.statSync(FIXTURE);
    return true;
  } catch {
    console.warn(`skipping fixture tests: ${FIXTURE} is absent`);
    return false;
  }
})();

/** A shape-only map, as `build_model` sees a checkpoint, without allocating its weights. */
function shapeMap(config: ClipConfig): Map<string, { shape: number[] }> {
  return new Map([...expectedShapes(config)].map(([k, shape]) => [k, { shape }]));
}

const TINY: ClipConfig = {
  embedDim: 32,
  imageResolution: 64,
  visionWidth: 64,
  visionLayers: 2,
  visionHeads: 1,
  patchSize: 32,
  grid: 2,
  contextLength: 16,
  vocabSize: 300,
  textWidth: 64,
  textHeads: 1,
  textLayers: 3,
};

Deno.test("inferConfig: ViT-B/32 shapes give OpenAI's ViT-B/32 (no weights allocated)", () => {
  const shapes = shapeMap(VIT_B_32);
  assertEquals(inferConfig(shapes), { ...VIT_B_32 });
  validateStateDict(shapes, VIT_B_32);
  assertEquals(shapes.get("visual.conv1.weight")!.shape, [768, 3, 32, 32]);
  assertEquals(shapes.get("visual.positional_embedding")!.shape, [50, 768]);
  assertEquals(shapes.get("transformer.resblocks.11.attn.in_proj_weight")!.shape, [1536, 512]);
  // 151,277,313 parameters in OpenAI's ViT-B/32.
  assertEquals(parameterCount(VIT_B_32), 151_277_313);
});

Deno.test("inferConfig: old checkpoints' extra keys are ignored, layer counts come from keys", () => {
  const shapes = shapeMap(TINY);
  for (const k of ["input_resolution", "context_length", "vocab_size"]) shapes.set(k, { shape: [] });
  assertEquals(inferConfig(shapes), TINY);
  validateStateDict(shapes, TINY);
});

Deno.test("validateStateDict: errors name the source and the key", () => {
  const shapes = shapeMap(TINY);
  shapes.set("visual.proj", { shape: [64, 31] });
  assertThrows(
    () => validateStateDict(shapes, TINY, "x.pt"),
    InputError,
    "Cannot load CLIP weights from x.pt: visual.proj has shape [64, 31], expected [64, 32]",
  );
  const missing = shapeMap(TINY);
  missing.delete("transformer.resblocks.1.mlp.c_fc.bias");
  assertThrows(
    () => validateStateDict(missing, TINY, "y.safetensors"),
    InputError,
    "y.safetensors: missing key transformer.resblocks.1.mlp.c_fc.bias",
  );
  const extra = shapeMap(TINY);
  extra.set("visual.foo", { shape: [1] });
  assertThrows(() => validateStateDict(extra, TINY, "z"), InputError, "unexpected key visual.foo");
  const resnet = shapeMap(TINY);
  resnet.delete("visual.proj");
  resnet.set("visual.attnpool.c_proj.weight", { shape: [1, 1] });
  assertThrows(() => inferConfig(resnet, "rn50.pt"), InputError, "ResNet CLIP");
  const odd = shapeMap({ ...TINY, textWidth: 96 });
  assertThrows(() => validateStateDict(odd, { ...TINY, textWidth: 96 }), InputError, "not a multiple of 64");
});

Deno.test("inferConfig: the fixture checkpoint (width 128, 2 layers, embed 64)", {
  ignore: !hasFixture,
}, async () => {
  const { loadStateDict } = await import("../lib/encoders/checkpoint/mod.ts");
  const sd = await loadStateDict(FIXTURE);
  const config = inferConfig(sd, FIXTURE);
  assertEquals(config, {
    embedDim: 64,
    imageResolution: 224,
    visionWidth: 128,
    visionLayers: 2,
    visionHeads: 2,
    patchSize: 32,
    grid: 7,
    contextLength: 77,
    vocabSize: 49408,
    textWidth: 128,
    textHeads: 2,
    textLayers: 2,
  });
  validateStateDict(sd, config, FIXTURE);
});

Deno.test("initClipStateDict: OpenAI's init statistics, deterministic per seed", () => {
  const a = initClipStateDict(TINY, new Rng(7));
  const b = initClipStateDict(TINY, new Rng(7));
  validateStateDict(a, TINY);
  assertEquals(a.get("visual.proj")!.data, b.get("visual.proj")!.data);
  const std = (sd: StateDict, key: string) => {
    const d = sd.get(key)!.data;
    let s = 0, s2 = 0;
    for (const v of d) (s += v, s2 += v * v);
    return Math.sqrt(s2 / d.length - (s / d.length) ** 2);
  };
  assertAlmostEquals(std(a, "token_embedding.weight"), 0.02, 0.001);
  assertAlmostEquals(std(a, "text_projection"), 64 ** -0.5, 0.02);
  assertAlmostEquals(std(a, "transformer.resblocks.0.mlp.c_fc.weight"), (2 * 64) ** -0.5, 0.005);
  assertAlmostEquals(std(a, "transformer.resblocks.0.attn.out_proj.weight"), 64 ** -0.5 * 6 ** -0.5, 0.005);
  // xavier-uniform in_proj [192, 64]: bound √(6/256), std = bound/√3.
  assertAlmostEquals(
    std(a, "visual.transformer.resblocks.0.attn.in_proj_weight"),
    Math.sqrt(6 / 256) / Math.sqrt(3),
    0.005,
  );
  assert(a.get("visual.ln_pre.weight")!.data.every((v) => v === 1));
  assert(a.get("transformer.resblocks.2.attn.in_proj_bias")!.data.every((v) => v === 0));
  assertAlmostEquals(a.get("logit_scale")!.data[0], Math.log(1 / 0.07), 1e-6);
  assertEquals(a.get("logit_scale")!.shape, []);
});

Deno.test("ClipModel: toStateDict returns the loaded weights exactly (OpenAI keys, PyTorch layout)", async () => {
  const { initBackend } = await import("../lib/backend.ts");
  const { ClipModel } = await import("../lib/encoders/clip/mod.ts");
  await initBackend("cpu", { quiet: true });
  const sd = initClipStateDict(TINY, new Rng(3));
  for (const trainable of [false, true]) {
    const model = ClipModel.fromStateDict(sd, { trainable });
    try {
      assertEquals(model.config, TINY);
      assertEquals(model.variables.every((v) => v.trainable === trainable), true);
      const back = model.toStateDict();
      assertEquals(await model.toStateDictAsync(), back);
      assertEquals([...back.keys()], [...expectedShapes(TINY).keys()]);
      for (const [key, t] of sd) {
        assertEquals(back.get(key)!.shape, t.shape, key);
        assertEquals(back.get(key)!.data, t.data, key);
      }
    } finally {
      model.dispose();
    }
  }
  const bad = new Map(sd);
  bad.set("visual.proj", { shape: [64, 32], data: new Float32Array(5) });
  assertThrows(
    () => ClipModel.fromStateDict(bad, { source: "bad.safetensors" }),
    InputError,
    "visual.proj has 5 values",
  );
});

Deno.test("CLIP_ARCHS: every named architecture is a valid config; ppad-mini is the embedded models' architecture", async () => {
  for (const [name, config] of Object.entries(CLIP_ARCHS)) {
    const shapes = expectedShapes(config);
    // A shape-only state dict of the config infers back to the same config and validates.
    const sd = new Map([...shapes].map(([k, shape]) => [k, { shape }]));
    assertEquals(inferConfig(sd, name), { ...config }, name);
    validateStateDict(sd, config, name);
  }
  assertEquals(CLIP_ARCHS["vit-b-32"], VIT_B_32);
  const card = JSON.parse(await Deno.readTextFile(join(PROJECT_ROOT, "models", "ppad-mini-cxr-real", "model.json")));
  assertEquals({ ...PPAD_MINI }, card.architecture);
});
