import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "./assert.ts";
import { initBackend } from "../lib/backend.ts";
import { loadModelBundle } from "../lib/encoders/bundle.ts";
import { PromptModel } from "../lib/prompts/prompt_model.ts";
import { regionSet } from "../lib/prompts/regions.ts";
import { VARIANT_NAMES, VARIANTS } from "../lib/prompts/variants.ts";
import { getSynthesis } from "../lib/synthesis/registry.ts";
import { trainPrompts } from "../lib/train/ppad.ts";
import { regionProbabilities } from "../lib/eval/region_probabilities.ts";
import { Rng } from "../lib/util/rng.ts";
import { ensureTestModel } from "../testing/test_model.ts";

// The project's own random CLIP in CheXzero's .pt format (testing/test_model.ts): no ../shared needed.
const { model: FIXTURE } = await ensureTestModel();

function fakeImages(n: number, size: number, rng: Rng): Float32Array[] {
  return Array.from({ length: n }, () => {
    const img = new Float32Array(size * size);
    for (let i = 0; i < img.length; i++) img[i] = 0.3 + 0.4 * rng.next();
    return img;
  });
}

Deno.test({
  name: "PPAD: every variant trains a few steps on the mini CLIP, with flat tensor counts and a frozen backbone",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await initBackend("wasm", { quiet: true });
    const bundle = await loadModelBundle(FIXTURE);
    const size = bundle.clip.config.imageResolution;
    const rng = new Rng(3);
    const shots = fakeImages(4, size, rng);
    const test = fakeImages(3, size, rng);
    const frozenBefore = bundle.clip.toStateDict().get("visual.proj")!.data.slice();
    for (const name of VARIANT_NAMES) {
      const model = new PromptModel(bundle.clip, bundle.tokenizer, {
        variant: VARIANTS[name],
        regions: regionSet("ppad5", size),
        nCtx: 4,
        rng: new Rng(1),
      });
      const before = model.learnedTensors();
      const counts: number[] = [];
      const losses = trainPrompts(model, {
        images: shots,
        synthesis: getSynthesis("sas"),
        normalisation: bundle.normalisation,
        rng: new Rng(2),
        steps: 3,
        lr: 0.1,
        onStep: () => counts.push(tf.memory().numTensors),
      });
      if (VARIANTS[name].trains) {
        assertEquals(losses.length, 3);
        assert(losses.every(Number.isFinite), `${name} losses ${losses}`);
        assertEquals(counts[2], counts[1], `${name}: tensor count grew across steps ${counts}`);
        const after = model.learnedTensors();
        for (const k of Object.keys(before)) {
          assert(before[k].data.some((v, i) => v !== after[k].data[i]), `${name}: ${k} did not change`);
        }
      } else assertEquals(losses.length, 0);
      const probs = regionProbabilities(model, test, { normalisation: bundle.normalisation });
      assertEquals(probs.length, 3);
      assertEquals(probs[0].length, model.numRegions);
      assert(probs.flatMap((p) => [...p]).every((p) => p >= 0 && p <= 1));
      model.dispose();
    }
    assertEquals(bundle.clip.toStateDict().get("visual.proj")!.data, frozenBefore);
    bundle.clip.dispose();
  },
});
