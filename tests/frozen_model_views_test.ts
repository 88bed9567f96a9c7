/**
 * What notebooks 02 and 03 show of a frozen model, on the tests' mini CLIP: zero-shot scores and the region probe,
 * the model summary, the prompt templates, and an experiment loaded the way the sweep loads it.
 */
import { assert, assertAlmostEquals, assertEquals } from "./assert.ts";
import { initBackend } from "../lib/backend.ts";
import { maskOutside, regionProbe } from "../lib/eval/mod.ts";
import { describeExperiment, loadExperiment } from "../lib/experiments/mod.ts";
import { makeRunSpec, runContext, trainingId } from "../lib/experiments/config.ts";
import { loadModelBundle, modelSummaryRows } from "../lib/encoders/mod.ts";
import { ppad5, promptTemplates, ZERO_SHOT_PROMPTS, zeroShotScores } from "../lib/prompts/mod.ts";
import { join, PROJECT_ROOT, relative, Rng } from "../lib/util/mod.ts";
import { makeFakeDataset } from "../testing/fake_datasets.ts";
import { ensureTestModel } from "../testing/test_model.ts";

const SLOW = { sanitizeResources: false, sanitizeOps: false };
const { model: MODEL } = await ensureTestModel();

function grey(n: number, size: number, rng: Rng): Float32Array[] {
  return Array.from({ length: n }, () => Float32Array.from({ length: size * size }, () => 0.2 + 0.6 * rng.next()));
}

Deno.test({
  name: "zeroShotScores and the region probe: probabilities of the class prompt, one per masked region",
  ...SLOW,
  fn: async () => {
    await initBackend("wasm", { quiet: true });
    const bundle = await loadModelBundle(MODEL);
    const size = bundle.clip.config.imageResolution;
    const images = grey(3, size, new Rng(1));
    const scores = zeroShotScores(bundle.clip, bundle.tokenizer, bundle.normalisation, images, 2);
    assertEquals(scores.length, 3);
    assert(scores.every((p) => p > 0 && p < 1), `probabilities: ${scores}`);
    assertEquals(ZERO_SHOT_PROMPTS, ["normal.", "pneumonia."]);
    const regions = ppad5(size).regions;
    const probe = regionProbe(bundle, images.slice(0, 2), regions);
    assertEquals([probe.probs.length, probe.probs[0].length, probe.masked[1].length], [2, 5, 5]);
    const alone = zeroShotScores(bundle.clip, bundle.tokenizer, bundle.normalisation, [
      maskOutside(images[1], regions[2].mask),
    ]);
    assertAlmostEquals(probe.probs[1][2], alone[0], 1e-5);
    assertEquals(probe.masked[1][2], maskOutside(images[1], regions[2].mask));
    bundle.clip.dispose();
  },
});

Deno.test({
  name: "modelSummaryRows and promptTemplates describe the model and its position-guided prompts",
  ...SLOW,
  fn: async () => {
    await initBackend("wasm", { quiet: true });
    const bundle = await loadModelBundle(MODEL);
    const rows = modelSummaryRows(bundle);
    const field = (f: string) => rows.find((r) => r.field === f)?.value;
    assertEquals(field("checkpoint"), relative(PROJECT_ROOT, MODEL));
    assertEquals(field("SHA-256 prefix"), bundle.hash);
    assertEquals(field("name"), "ppad-test-clip");
    assert(field("image encoder")!.startsWith(`ViT ${bundle.clip.config.imageResolution} px`));
    assert(rows.some((r) => r.field === "card: training.recipe" && r.value.startsWith("{")), "nested card entries");
    const { rows: templates, length } = promptTemplates(bundle.tokenizer, ppad5(bundle.clip.config.imageResolution));
    assertEquals(templates.length, 10);
    assertEquals(templates.map((t) => `${t.region}/${t.class}`).slice(0, 3), [
      "left/normal",
      "left/pneumonia",
      "right/normal",
    ]);
    assert(
      templates.every((t) => t.prompt.includes("X×16") && t.eot < length),
      "16 context tokens, inside the padding",
    );
    assertEquals(templates[8].region, "whole");
    assertEquals(templates[8].ctx, 1, "no position words on the whole image");
    assert(templates[0].ctx > 1 && templates[0].tokens.includes("×16"), templates[0].tokens);
    bundle.clip.dispose();
  },
});

Deno.test({
  name: "loadExperiment loads backend, model and data, and records the context the sweep would",
  ...SLOW,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "ppad-setup-" });
    try {
      const fake = await makeFakeDataset(join(dir, "data"), "zhanglab-squid", {
        normal: 2,
        abnormal: 3,
        trainNormal: 4,
        rng: new Rng(2),
      });
      const setup = await loadExperiment({ model: MODEL, data: fake.root, testLimit: 0, backend: "wasm" });
      assertEquals(setup.backend.name, "wasm");
      assertEquals([setup.data.trainNormals.length, setup.data.test.labels.length], [4, 5]);
      assertEquals(
        setup.context,
        runContext({
          modelFlag: MODEL,
          modelRelative: relative(PROJECT_ROOT, setup.bundle.path),
          modelHash: setup.bundle.hash,
          dataFlag: fake.root,
          dataRoot: fake.root,
          dataRelative: relative(PROJECT_ROOT, fake.root),
          detectedDataset: "zhanglab",
          backend: "wasm",
          testLimit: null,
        }),
      );
      assertEquals(setup.context.dataset, "zhanglab", "without --dataset, the data set the layout names");
      assert(
        describeExperiment(setup).endsWith("4 training normals, 5 test images (3 abnormal)"),
        describeExperiment(setup),
      );
      assert((await trainingId(makeRunSpec({}, setup.context, 0))).length > 0);
      setup.bundle.clip.dispose();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
