/**
 * The shared CheXzero-format fixture (`../shared/fixtures/openai-clip-mini/model.pt`, fp16 + fp32 storages, OpenAI
 * keys) through `loadStateDict` and `readPtStateDict`. Expected sums were computed by an independent NumPy decode
 * of the same file (zipfile + pickle with stubbed torch globals), in float64. The two readers are compared on the
 * tests' own checkpoint in the same format (`testing/test_model.ts`), which needs no shared folder.
 */
import { assert, assertAlmostEquals, assertEquals } from "./assert.ts";
import { loadStateDict, readPtStateDict } from "../lib/encoders/checkpoint/mod.ts";
import { PARITY_MODEL, sharedTest } from "../testing/shared.ts";
import { TEST_MODEL_PATH } from "../testing/test_model.ts";

/** [sum, sum of |x|, shape] per key, from the NumPy decode. */
const REFERENCE: Record<string, [number, number, number[]]> = {
  "positional_embedding": [-0.3497179854200567, 77.90047627202216, [77, 128]],
  "text_projection": [-1.6527782082557678, 574.3841920495033, [128, 64]],
  "logit_scale": [2.9592599868774414, 2.9592599868774414, []],
  "visual.conv1.weight": [9.589863181114197, 3547.806135892868, [128, 3, 32, 32]],
  "visual.transformer.resblocks.1.attn.in_proj_weight": [-5.378024935722351, 2654.689984202385, [384, 128]],
  "token_embedding.weight": [-16.918284377616246, 100984.85620301691, [49408, 128]],
  "ln_final.bias": [0.12142835718259448, 5.44818105755985, [128]],
};

sharedTest({ needs: [PARITY_MODEL], why: "values of the shared fixture as NumPy decodes them" }, {
  name: "loadStateDict reads the CheXzero-format fixture: 62 OpenAI keys, fp32, values as NumPy decodes them",
  fn: async () => {
    const sd = await loadStateDict(PARITY_MODEL);
    assertEquals(sd.size, 62);
    for (const [key, [sum, abs, shape]] of Object.entries(REFERENCE)) {
      const t = sd.get(key);
      assert(t, `missing ${key}`);
      assertEquals(t.shape, shape, key);
      assert(t.data instanceof Float32Array);
      let s = 0, a = 0;
      for (const v of t.data) {
        s += v;
        a += Math.abs(v);
      }
      assertAlmostEquals(s, sum, 1e-9 * Math.max(1, abs), `${key} sum`);
      assertAlmostEquals(a, abs, 1e-9 * Math.max(1, abs), `${key} |sum|`);
    }
    // Config from reference.json: width 128, 2 layers per tower, embed 64, patch 32, 224 px → 7×7+1 tokens.
    assertEquals(sd.get("visual.positional_embedding")?.shape, [50, 128]);
    assertEquals(sd.get("visual.proj")?.shape, [128, 64]);
    assert(sd.has("transformer.resblocks.1.ln_2.bias") && !sd.has("transformer.resblocks.2.ln_2.bias"));
  },
});

Deno.test({
  name: "readPtStateDict and loadStateDict agree on a CheXzero-format checkpoint (OpenAI keys pass through unchanged)",
  fn: async () => {
    const a = await readPtStateDict(TEST_MODEL_PATH);
    const b = await loadStateDict(TEST_MODEL_PATH);
    assertEquals(a.size, 62);
    assertEquals([...a.keys()], [...b.keys()]);
    assertEquals(a.get("visual.ln_pre.weight")!.data, b.get("visual.ln_pre.weight")!.data);
  },
});
