import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "./assert.ts";
import { initBackend } from "../lib/backend.ts";
import { loadModelBundle } from "../lib/encoders/bundle.ts";
import type { HostTensor } from "../lib/encoders/state_dict.ts";
import { regionProbabilities } from "../lib/eval/region_probabilities.ts";
import { FeatureCache } from "../lib/eval/feature_cache.ts";
import { digestBytes, imageDigest } from "../lib/eval/image_digest.ts";
import { PatchEmbeddingCache } from "../lib/eval/patch_cache.ts";
import { PAPER_METHOD, planSweep, type SweepConfig } from "../lib/experiments/config.ts";
import { DEFAULT_SWEEP } from "../experiments/default.ts";
import { sweepSettings } from "../cli/sweep_flags.ts";
import { ExperimentData } from "../lib/experiments/data.ts";
import { runSweep, trainAndEvaluate } from "../lib/experiments/runner.ts";
import { SweepCache, trainingStreamKey } from "../lib/experiments/sweep_cache.ts";
import { l2normalise, PromptModel, type PromptModelOptions } from "../lib/prompts/prompt_model.ts";
import { pixelsFromGray } from "../lib/prompts/pixels.ts";
import { regionSet } from "../lib/prompts/regions.ts";
import { VARIANTS } from "../lib/prompts/variants.ts";
import { getSynthesis } from "../lib/synthesis/registry.ts";
import { BatchStreams } from "../lib/train/batch_streams.ts";
import { drawBatch, trainPrompts } from "../lib/train/ppad.ts";
import { join } from "../lib/util/path.ts";
import { Rng } from "../lib/util/rng.ts";
import { makeFakeDataset } from "../testing/fake_datasets.ts";
import { TEST_MODEL_PATH } from "../testing/test_model.ts";

const SLOW = { sanitizeResources: false, sanitizeOps: false };

/** Index and size of the first bitwise difference of two float arrays, or null when they are identical. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): string | null {
  if (a.length !== b.length) return `lengths ${a.length} vs ${b.length}`;
  const fa = Float32Array.from(a), fb = Float32Array.from(b);
  const ua = new Uint32Array(fa.buffer), ub = new Uint32Array(fb.buffer);
  for (let i = 0; i < ua.length; i++) {
    if (ua[i] !== ub[i]) return `element ${i}: ${fa[i]} vs ${fb[i]} (|Δ| = ${Math.abs(fa[i] - fb[i])})`;
  }
  return null;
}

function assertBitwise(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  const d = firstDifference(a, b);
  assert(d === null, `${what} differs: ${d}`);
}

function grey(n: number, size: number, rng: Rng): Float32Array[] {
  return Array.from({ length: n }, () => {
    const img = new Float32Array(size * size);
    // 8-bit values, as decoded PNGs are (so synthetic anomalies are stored compactly).
    for (let i = 0; i < img.length; i++) img[i] = Math.round(255 * (0.3 + 0.4 * rng.next())) / 255;
    return img;
  });
}

Deno.test("feature cache: digests follow content, not identity", () => {
  const a = new Float32Array([0, 0.5, 1, 0.25]), b = a.slice(), c = a.slice();
  c[3] = 0.2500001;
  assertEquals(imageDigest(a), imageDigest(b));
  assert(imageDigest(a) !== imageDigest(c));
  assertEquals(imageDigest(a).length, 32);
  assert(digestBytes(new Uint8Array([1, 2, 3])) !== digestBytes(new Uint8Array([1, 2, 3, 0])), "length counts");
  assert(digestBytes(new Uint8Array(8)) !== digestBytes(new Uint8Array(12)));
});

Deno.test({
  name: "feature cache: features equal the direct computation bitwise, in any batch; bounded; no tensors held",
  ...SLOW,
  fn: async () => {
    await initBackend("wasm", { quiet: true });
    const bundle = await loadModelBundle(TEST_MODEL_PATH);
    const size = bundle.clip.config.imageResolution, dim = bundle.clip.config.embedDim;
    const images = grey(7, size, new Rng(4));
    const direct = tf.tidy(() =>
      l2normalise(bundle.clip.encodeImage(pixelsFromGray(images, size, bundle.normalisation)))
    );
    const cache = new FeatureCache(bundle.clip, {
      modelHash: bundle.hash,
      normalisation: bundle.normalisation,
      batch: 3,
    });
    const tensorsBefore = tf.memory().numTensors;
    // Misses computed in batches of 3 (not 7), a duplicate in the same call, then hits in another order.
    const first = cache.features([...images.slice(0, 5), images[0]]);
    const again = cache.features([images[6], images[4], images[5], images[2]]);
    const directHost = direct.dataSync();
    const row = (i: number) => directHost.slice(i * dim, (i + 1) * dim);
    const firstHost = first.dataSync(), againHost = again.dataSync();
    [0, 1, 2, 3, 4, 0].forEach((k, j) => assertBitwise(firstHost.slice(j * dim, (j + 1) * dim), row(k), `row ${k}`));
    [6, 4, 5, 2].forEach((k, j) => assertBitwise(againHost.slice(j * dim, (j + 1) * dim), row(k), `row ${k}`));
    assertEquals(cache.stats().computed, 7);
    assertEquals(cache.stats().hits, 2);
    first.dispose();
    again.dispose();
    assertEquals(tf.memory().numTensors, tensorsBefore, "the cache holds no tensors");
    direct.dispose();
    // Bounded: room for 3 entries keeps the 3 most recently used.
    const small = new FeatureCache(bundle.clip, {
      modelHash: bundle.hash,
      normalisation: bundle.normalisation,
      maxBytes: 3 * cache.entryBytes,
    });
    small.features(images.slice(0, 5)).dispose();
    assertEquals(small.stats().entries, 3);
    assertEquals(small.stats().evicted, 2);
    small.features(images.slice(2, 5)).dispose();
    assertEquals(small.stats().hits, 3);
    small.clear();
    assertEquals(small.stats().bytes, 0);
    // Another normalisation is refused, not silently mixed in.
    assertThrows(() => cache.features(images.slice(0, 1), { mean: [0, 0, 0], std: [1, 1, 1] }));
    bundle.clip.dispose();
  },
});

Deno.test({
  name:
    "patch cache: patch tokens equal the direct computation bitwise, in any batch; the tower from them too; bounded",
  ...SLOW,
  fn: async () => {
    await initBackend("wasm", { quiet: true });
    const bundle = await loadModelBundle(TEST_MODEL_PATH);
    const clip = bundle.clip;
    const { imageResolution: size, grid, visionWidth } = clip.config;
    const per = grid * grid * visionWidth;
    const images = grey(7, size, new Rng(4));
    const pixels = pixelsFromGray(images, size, bundle.normalisation);
    const direct = clip.embedPatches(pixels);
    assertEquals(direct.shape, [7, grid * grid, visionWidth]);
    const cache = new PatchEmbeddingCache(clip, {
      modelHash: bundle.hash,
      normalisation: bundle.normalisation,
      batch: 3,
    });
    const tensorsBefore = tf.memory().numTensors;
    // Misses computed in batches of 3 (not 7), a duplicate in the same call, then hits in another order.
    const first = cache.patchEmbeddings([...images.slice(0, 5), images[0]]);
    const again = cache.patchEmbeddings([images[6], images[4], images[5], images[2]]);
    const directHost = direct.dataSync(), firstHost = first.dataSync(), againHost = again.dataSync();
    const row = (i: number) => directHost.slice(i * per, (i + 1) * per);
    [0, 1, 2, 3, 4, 0].forEach((k, j) => assertBitwise(firstHost.slice(j * per, (j + 1) * per), row(k), `image ${k}`));
    [6, 4, 5, 2].forEach((k, j) => assertBitwise(againHost.slice(j * per, (j + 1) * per), row(k), `image ${k}`));
    assertEquals(cache.stats().computed, 7);
    assertEquals(cache.stats().hits, 2);
    first.dispose();
    again.dispose();
    assertEquals(tf.memory().numTensors, tensorsBefore, "the cache holds no tensors");
    // The image tower from patch tokens (computed in another batch) gives the features it gives from pixels.
    const tokens = cache.patchEmbeddings(images);
    const keep = tf.tensor2d(Array.from({ length: 7 * grid * grid }, (_, i) => (i % 3 === 0 ? 0 : 1)), [
      7,
      grid * grid,
    ]);
    const prompts = tf.randomNormal([grid * grid, visionWidth], 0, 0.2, "float32", 3) as tf.Tensor2D;
    const pairs: [tf.Tensor2D, tf.Tensor2D, string][] = [
      [clip.encodeImage(pixels), clip.encodePatches(tokens), "features"],
      [
        clip.encodeImageWithPrompts(pixels, keep, prompts),
        clip.encodePatchesWithPrompts(tokens, keep, prompts),
        "prompted features",
      ],
    ];
    for (const [a, b, what] of pairs) assertBitwise(b.dataSync(), a.dataSync(), what);
    tf.dispose([tokens, keep, prompts, direct, pixels, ...pairs.flatMap(([a, b]) => [a, b])]);
    // Bounded: room for 3 entries keeps the 3 most recently used.
    const small = new PatchEmbeddingCache(clip, {
      modelHash: bundle.hash,
      normalisation: bundle.normalisation,
      maxBytes: 3 * cache.entryBytes,
    });
    small.patchEmbeddings(images.slice(0, 5)).dispose();
    assertEquals(small.stats().entries, 3);
    assertEquals(small.stats().evicted, 2);
    small.patchEmbeddings(images.slice(2, 5)).dispose();
    assertEquals(small.stats().hits, 3);
    small.clear();
    assertEquals(small.stats().bytes, 0);
    // Another normalisation is refused, not silently mixed in.
    assertThrows(() => cache.patchEmbeddings(images.slice(0, 1), { mean: [0, 0, 0], std: [1, 1, 1] }));
    clip.dispose();
  },
});

Deno.test({
  name: "feature cache: PPAD training with chunks of one row (whole-image rows have no tape) equals the direct path",
  ...SLOW,
  fn: async () => {
    await initBackend("wasm", { quiet: true });
    const bundle = await loadModelBundle(TEST_MODEL_PATH);
    const size = bundle.clip.config.imageResolution;
    const shots = grey(4, size, new Rng(8));
    const test = grey(3, size, new Rng(9));
    const cache = new FeatureCache(bundle.clip, { modelHash: bundle.hash, normalisation: bundle.normalisation });
    const patches = new PatchEmbeddingCache(bundle.clip, {
      modelHash: bundle.hash,
      normalisation: bundle.normalisation,
    });
    // No source (the direct path), then each source alone and both (as a sweep runs).
    const sources: Pick<PromptModelOptions, "frozenFeatures" | "patchEmbeddings">[] = [
      {},
      { frozenFeatures: cache },
      { patchEmbeddings: patches },
      { frozenFeatures: cache, patchEmbeddings: patches },
    ];
    for (const variant of ["image-only", "ppad", "text-only"] as const) {
      const results = sources.map((source) => {
        const model = new PromptModel(bundle.clip, bundle.tokenizer, {
          variant: VARIANTS[variant],
          regions: regionSet("ppad5", size),
          nCtx: 2,
          rng: new Rng(1),
          ...source,
        });
        const losses = trainPrompts(model, {
          images: shots,
          synthesis: getSynthesis("sas"),
          normalisation: bundle.normalisation,
          rng: new Rng(2),
          steps: 3,
          lr: 0.5,
          chunk: 1,
        });
        const learned = model.learnedTensors();
        const probs = regionProbabilities(model, test, { normalisation: bundle.normalisation, batch: 2 });
        model.dispose();
        return { losses, learned, probs };
      });
      const [off, ...ons] = results;
      ons.forEach((on, j) => {
        const label = `${variant} with ${Object.keys(sources[j + 1]).join(" and ")}`;
        assertBitwise(on.losses, off.losses, `${label}: losses`);
        for (const k of Object.keys(off.learned)) {
          assertBitwise(on.learned[k].data, off.learned[k].data, `${label}: ${k}`);
        }
        off.probs.forEach((p, i) => assertBitwise(on.probs[i], p, `${label}: probabilities of image ${i}`));
      });
    }
    assert(cache.stats().hits > 0, "the whole-image rows came from the cache");
    assert(patches.stats().hits > patches.stats().computed, "the shots' and test images' patch tokens were reused");
    bundle.clip.dispose();
  },
});

Deno.test("batch streams: a replay is the drawn stream, bitwise; recorded only when reused; bounded; freed", () => {
  const size = 16;
  const shots = grey(6, size, new Rng(3));
  const model = { regions: regionSet("ppad5", size), numRegions: 5 };
  const draws = (seed: number) => {
    const rng = new Rng(seed);
    return () => drawBatch(model, shots, getSynthesis("sas"), rng);
  };
  const reference = Array.from({ length: 3 }, draws(5));
  const streams = new BatchStreams();
  streams.expect("a", 3);
  streams.expect("b", 1);
  const runs = [0, 1, 2].map(() => {
    const next = streams.open("a", 3, shots, draws(5));
    const got = [0, 1, 2].map((s) => next(s));
    streams.close("a");
    return got;
  });
  for (const got of runs) {
    got.forEach((batch, s) => {
      assertEquals(batch.regionIndex, reference[s].regionIndex);
      assertEquals(batch.labels, reference[s].labels);
      batch.images.forEach((img, i) => assertBitwise(img, reference[s].images[i], `step ${s} image ${i}`));
      // Normal samples are the shots themselves.
      batch.labels.forEach((l, i) => assert(l === 1 || batch.images[i] === shots[i], `step ${s} sample ${i}`));
    });
  }
  assertEquals(streams.stats().recorded, 1);
  assertEquals(streams.stats().replayed, 2);
  assertEquals(streams.stats().bytes, 0, "freed after its last use");
  // A stream used once is not recorded.
  streams.open("b", 3, shots, draws(6))(0);
  assertEquals(streams.stats().bytes, 0);
  // Over budget: the recording is given up and the stream is drawn again, with the same batches.
  const tight = new BatchStreams({ maxBytes: 100 });
  tight.expect("a", 2);
  const first = tight.open("a", 3, shots, draws(5));
  [0, 1, 2].forEach((s) => first(s));
  tight.close("a");
  assertEquals(tight.stats().abandoned, 1);
  const second = tight.open("a", 3, shots, draws(5));
  assertEquals(second(0).labels, reference[0].labels);
});

/** A small grid with the default's structure: every variant, a pool synthesis, and runs that share their batches. */
const SWEEP: SweepConfig = {
  name: "cache",
  description: "feature cache identity test",
  base: { ...PAPER_METHOD, shots: 4, steps: 2, nCtx: 2 },
  questions: [
    {
      name: "prompts",
      title: "Prompts",
      vary: { variant: ["zeroshot", "coop", "text-only", "image-only", "no-position", "ppad"] },
    },
    { name: "regions", title: "Regions", vary: { regions: ["whole"] } },
    { name: "synthesis", title: "Synthesis", vary: { synthesis: ["fpi"] } },
    { name: "scoring", title: "Scoring", vary: { scoring: ["mean"] } },
    { name: "sides", title: "Sides", vary: { sides: ["patient"] } },
  ],
  seeds: 1,
};

Deno.test({
  name: "feature cache: a small sweep gives bitwise the same probabilities, prompts and losses with it on and off",
  ...SLOW,
  fn: async () => {
    await initBackend("wasm", { quiet: true });
    const dir = await Deno.makeTempDir();
    try {
      const fake = await makeFakeDataset(join(dir, "data"), "zhanglab-squid", {
        normal: 2,
        abnormal: 3,
        trainNormal: 5,
        rng: new Rng(5),
      });
      const bundle = await loadModelBundle(TEST_MODEL_PATH);
      const data = await ExperimentData.load(fake.root, { resolution: 224, quiet: true });
      const context = {
        model: "test",
        modelHash: bundle.hash,
        data: fake.root,
        dataset: "fake",
        backend: "wasm",
        testLimit: null,
      };
      const planned = await planSweep(SWEEP, context);
      const trainings = planned.filter((p, i) => planned.findIndex((q) => q.trainingId === p.trainingId) === i);
      // Text-only, image-only, PPAD and PPAD with patient sides draw one stream; CoOp and PPAD-whole another.
      const keys = trainings.map((p) => trainingStreamKey(p.spec, 224)).filter((k) => k !== null);
      assertEquals(keys.length - new Set(keys).size, 4, "runs share training streams");

      // 1. Every training of the sweep, without and with a sweep cache: the raw float32 probabilities of every test
      //    image and region, the learned prompts, the losses and the diagnostics must be identical, bit for bit.
      type Result = {
        probs: Float32Array[];
        learned: Record<string, HostTensor>;
        losses: number[];
        diagnostics: unknown;
      };
      const direct = async (cache: SweepCache | null) => {
        cache?.expectTrainings(trainings.map((p) => p.spec));
        const results = new Map<string, Result>(), counts: number[] = [];
        for (const p of trainings) {
          const { trained, model } = await trainAndEvaluate(p.spec, p.trainingId, bundle, data, { quiet: true, cache });
          results.set(p.trainingId, {
            probs: regionProbabilities(model, data.test.images, { normalisation: bundle.normalisation }),
            learned: model.learnedTensors(),
            losses: trained.losses,
            diagnostics: trained.diagnostics,
          });
          model.dispose();
          counts.push(tf.memory().numTensors);
        }
        return { results, counts };
      };
      const off = await direct(null);
      const cache = new SweepCache(bundle);
      const on = await direct(cache);
      const name = (p: (typeof trainings)[number]) =>
        `${p.spec.variant}/${p.spec.regions}/${p.spec.synthesis}/${p.spec.sides}/s${p.spec.seed}`;
      for (const p of trainings) {
        const a = off.results.get(p.trainingId)!, b = on.results.get(p.trainingId)!;
        a.probs.forEach((row, i) => assertBitwise(b.probs[i], row, `${name(p)}: probabilities of test image ${i}`));
        for (const k of Object.keys(a.learned)) assertBitwise(b.learned[k].data, a.learned[k].data, `${name(p)} ${k}`);
        assertBitwise(b.losses, a.losses, `${name(p)} losses`);
        assertEquals(b.diagnostics, a.diagnostics, `${name(p)} diagnostics`);
      }
      // The cache did its work (features and patch tokens reused, streams replayed), held no tensor, and freed what it
      // recorded.
      const f = cache.features.stats(), pt = cache.patches.stats(), s = cache.batches.stats();
      assert(f.hits > f.computed, `features: ${f.hits} hits, ${f.computed} computed`);
      assert(pt.hits > pt.computed, `patch tokens: ${pt.hits} hits, ${pt.computed} computed`);
      assertEquals(s.recorded, 2);
      assertEquals(s.replayed, 4);
      assertEquals(s.bytes, 0, "every recorded stream was freed after its last use");
      assert(on.counts.every((c) => c === on.counts[0]), `tensor count grew across runs: ${on.counts}`);
      cache.dispose();
      assertEquals(cache.features.stats().bytes, 0);
      assertEquals(cache.patches.stats().bytes, 0);

      // 2. The sweep itself (cache on by default) writes the uncached numbers, with a flat tensor count across runs.
      const out = join(dir, "out");
      const tensors: number[] = [];
      const records = await runSweep(planned, {
        out,
        bundle,
        data,
        quiet: true,
        bootstrap: 20,
        onRun: () => tensors.push(tf.memory().numTensors),
      });
      assertEquals(records.length, planned.length);
      assert(tensors.every((c) => c === tensors[0]), `tensor count grew across runs: ${tensors}`);
      for (const p of trainings) {
        const stored = JSON.parse(await Deno.readTextFile(join(out, "trained", `${p.trainingId}.json`)));
        const a = off.results.get(p.trainingId)!;
        assertEquals(stored.probs, a.probs.map((row) => Array.from(row, (x) => Number(x.toFixed(7)))), name(p));
        assertEquals(stored.losses, a.losses, name(p));
      }
      bundle.clip.dispose();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("feature cache: --no-feature-cache turns it off; it is on by default", () => {
  assertEquals(sweepSettings(DEFAULT_SWEEP, {}, "results/x").featureCache, true);
  assertEquals(sweepSettings(DEFAULT_SWEEP, { "no-feature-cache": true }, "results/x").featureCache, false);
});
