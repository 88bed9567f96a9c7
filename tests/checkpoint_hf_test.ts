/** HF CLIPModel ↔ OpenAI CLIP key maps: exact names, q/k/v packing, projection transposes, round trips, refusals. */
import { assert, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { InputError } from "../lib/util/errors.ts";
import { Rng } from "../lib/util/rng.ts";
import { join } from "../lib/util/path.ts";
import { numel, type StateDict } from "../lib/encoders/state_dict.ts";
import {
  hfToOpenai,
  isHfClipStateDict,
  loadStateDict,
  openaiToHf,
  writeSafetensors,
} from "../lib/encoders/checkpoint/mod.ts";
import { writePtStateDict } from "../testing/pt_write.ts";
import { TEST_MODEL_PATH } from "../testing/test_model.ts";

/** A tiny random OpenAI-layout CLIP: width 8, embed 4, one block per tower, 2×2 patches of 4 px, 5 text positions. */
function tinyClip(seed = 1): StateDict {
  const rng = new Rng(seed);
  const sd: StateDict = new Map();
  const add = (k: string, shape: number[]) =>
    sd.set(k, { shape, data: Float32Array.from({ length: numel(shape) }, () => rng.normal()) });
  const W = 8, E = 4;
  add("positional_embedding", [5, W]);
  add("text_projection", [W, E]);
  add("logit_scale", []);
  add("visual.class_embedding", [W]);
  add("visual.positional_embedding", [5, W]);
  add("visual.proj", [W, E]);
  add("visual.conv1.weight", [W, 3, 2, 2]);
  for (const ln of ["visual.ln_pre", "visual.ln_post", "ln_final"]) {
    add(`${ln}.weight`, [W]);
    add(`${ln}.bias`, [W]);
  }
  for (const base of ["visual.transformer.resblocks.0.", "transformer.resblocks.0."]) {
    add(`${base}attn.in_proj_weight`, [3 * W, W]);
    add(`${base}attn.in_proj_bias`, [3 * W]);
    add(`${base}attn.out_proj.weight`, [W, W]);
    add(`${base}attn.out_proj.bias`, [W]);
    for (const ln of ["ln_1", "ln_2"]) {
      add(`${base}${ln}.weight`, [W]);
      add(`${base}${ln}.bias`, [W]);
    }
    add(`${base}mlp.c_fc.weight`, [4 * W, W]);
    add(`${base}mlp.c_fc.bias`, [4 * W]);
    add(`${base}mlp.c_proj.weight`, [W, 4 * W]);
    add(`${base}mlp.c_proj.bias`, [W]);
  }
  add("token_embedding.weight", [11, W]);
  return sd;
}

function assertSameStateDict(a: StateDict, b: StateDict): void {
  assertEquals([...a.keys()].sort(), [...b.keys()].sort());
  for (const [k, t] of a) {
    assertEquals(b.get(k)!.shape, t.shape, k);
    assertEquals(b.get(k)!.data, t.data, k);
  }
}

Deno.test("openaiToHf produces transformers' CLIPModel names, splits q/k/v and transposes the projections", () => {
  const sd = tinyClip();
  const hf = openaiToHf(sd);
  assert(isHfClipStateDict(hf) && !isHfClipStateDict(sd));
  const expectedLayer = [
    "layer_norm1.bias",
    "layer_norm1.weight",
    "layer_norm2.bias",
    "layer_norm2.weight",
    "mlp.fc1.bias",
    "mlp.fc1.weight",
    "mlp.fc2.bias",
    "mlp.fc2.weight",
    "self_attn.k_proj.bias",
    "self_attn.k_proj.weight",
    "self_attn.out_proj.bias",
    "self_attn.out_proj.weight",
    "self_attn.q_proj.bias",
    "self_attn.q_proj.weight",
    "self_attn.v_proj.bias",
    "self_attn.v_proj.weight",
  ];
  for (const tower of ["vision_model", "text_model"]) {
    const prefix = `${tower}.encoder.layers.0.`;
    assertEquals(
      [...hf.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)).sort(),
      expectedLayer,
    );
  }
  assertEquals(
    [...hf.keys()].filter((k) => !k.includes(".encoder.layers.")).sort(),
    [
      "logit_scale",
      "text_model.embeddings.position_embedding.weight",
      "text_model.embeddings.token_embedding.weight",
      "text_model.final_layer_norm.bias",
      "text_model.final_layer_norm.weight",
      "text_projection.weight",
      "vision_model.embeddings.class_embedding",
      "vision_model.embeddings.patch_embedding.weight",
      "vision_model.embeddings.position_embedding.weight",
      "vision_model.post_layernorm.bias",
      "vision_model.post_layernorm.weight",
      "vision_model.pre_layrnorm.bias",
      "vision_model.pre_layrnorm.weight",
      "visual_projection.weight",
    ],
  );
  const inProj = sd.get("visual.transformer.resblocks.0.attn.in_proj_weight")!;
  const k = hf.get("vision_model.encoder.layers.0.self_attn.k_proj.weight")!;
  assertEquals(k.shape, [8, 8]);
  assertEquals(k.data, inProj.data.slice(64, 128));
  assertEquals(
    hf.get("text_model.encoder.layers.0.self_attn.v_proj.bias")!.data,
    sd.get("transformer.resblocks.0.attn.in_proj_bias")!.data.slice(16, 24),
  );
  const proj = sd.get("visual.proj")!; // [8, 4]
  const vp = hf.get("visual_projection.weight")!; // [4, 8]
  assertEquals(vp.shape, [4, 8]);
  assertEquals(vp.data[1 * 8 + 5], proj.data[5 * 4 + 1]);
});

Deno.test("hfToOpenai inverts openaiToHf exactly and drops position_ids buffers", () => {
  const sd = tinyClip(7);
  const hf = openaiToHf(sd);
  hf.set("text_model.embeddings.position_ids", { shape: [1, 5], data: Float32Array.from([0, 1, 2, 3, 4]) });
  assertSameStateDict(hfToOpenai(hf), sd);
});

Deno.test("unknown keys and incomplete q/k/v sets are refused by name", () => {
  const hf = openaiToHf(tinyClip());
  hf.delete("text_model.encoder.layers.0.self_attn.v_proj.weight");
  assertThrows(
    () => hfToOpenai(hf),
    InputError,
    "Cannot build transformer.resblocks.0.attn.in_proj_weight: HF v_proj missing",
  );
  const extra = openaiToHf(tinyClip());
  extra.set("vision_model.embeddings.extra", { shape: [1], data: Float32Array.of(0) });
  assertThrows(() => hfToOpenai(extra), InputError, "Cannot map HF key vision_model.embeddings.extra");
  const odd = tinyClip();
  odd.set("visual.attnpool.c_proj.weight", { shape: [1], data: Float32Array.of(0) });
  assertThrows(() => openaiToHf(odd), InputError, "Cannot map OpenAI key visual.attnpool.c_proj.weight");
});

Deno.test("loadStateDict maps HF checkpoints (safetensors and a module.-prefixed .pt) onto OpenAI keys", async () => {
  const sd = tinyClip(3);
  const hf = openaiToHf(sd);
  const dir = await Deno.makeTempDir();
  try {
    const st = join(dir, "model.safetensors");
    await writeSafetensors(st, hf, { metadata: { format: "pt" } });
    assertSameStateDict(await loadStateDict(st), sd);
    const prefixed: StateDict = new Map([...hf].map(([k, v]) => [`module.${k}`, v]));
    const pt = join(dir, "pytorch_model.bin");
    await writePtStateDict(pt, prefixed);
    assertSameStateDict(await loadStateDict(pt), sd);
    await assertRejects(() => loadStateDict(join(dir, "missing.pt")), InputError, "Cannot read");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "a CheXzero-format mini CLIP: OpenAI → HF (78 tensors) → OpenAI is exact",
  fn: async () => {
    const sd = await loadStateDict(TEST_MODEL_PATH);
    const hf = openaiToHf(sd);
    assertEquals(hf.size, 78);
    assertSameStateDict(hfToOpenai(hf), sd);
  },
});
