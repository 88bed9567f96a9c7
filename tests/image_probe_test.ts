import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "./assert.ts";
import { classMeanProbe, imageFeatures, logisticProbe, probeScores } from "../lib/eval/mod.ts";
import { textDirection } from "../lib/experiments/mod.ts";
import { loadModelBundle } from "../lib/encoders/mod.ts";
import { zeroShotScores } from "../lib/prompts/mod.ts";
import { initBackend } from "../lib/backend.ts";
import { join, PROJECT_ROOT } from "../lib/util/path.ts";
import { Rng } from "../lib/util/rng.ts";
import { fakeRadiograph, makeFakeDataset } from "../testing/fake_datasets.ts";
import { runCli } from "../testing/cli.ts";
import { SHARED_DATA_DIR, sharedTest } from "../testing/shared.ts";

/** Two Gaussian classes in `dim` dimensions, means ±shift on the first axis: features `[n][dim]`, labels `[n]`. */
function twoClasses(n: number, dim: number, shift: number, rng: Rng): { x: Float32Array[]; y: number[] } {
  const x: Float32Array[] = [], y: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const v = Float32Array.from({ length: dim }, () => rng.normal());
    v[0] += label === 1 ? shift : -shift;
    x.push(v);
    y.push(label);
  }
  return { x, y };
}

Deno.test("classMeanProbe: the weights are the positives' mean minus the negatives' mean, no bias", () => {
  const x = [[1, 0], [3, 2], [0, 4], [2, 0]].map((r) => Float32Array.from(r));
  const probe = classMeanProbe(x, [1, 1, 0, 0]);
  assertEquals([...probe.weights], [2 - 1, 1 - 2]);
  assertEquals(probe.bias, 0);
  assertEquals([...probeScores(probe, x)], [1, 1, -4, 2]);
});

Deno.test("logisticProbe: Newton's solution satisfies the optimality conditions of the L2-regularised loss", () => {
  const { x, y } = twoClasses(200, 5, 0.8, new Rng(3));
  const c = 0.5;
  const probe = logisticProbe(x, y, { c });
  // Gradient of ½‖w‖² + C Σ log-loss: w + C Σ (p − y) x = 0, and C Σ (p − y) = 0 for the unpenalised bias.
  const scores = probeScores(probe, x);
  const grad = Array.from(probe.weights);
  let biasGrad = 0;
  x.forEach((v, i) => {
    const r = c * (1 / (1 + Math.exp(-scores[i])) - y[i]);
    biasGrad += r;
    for (let k = 0; k < v.length; k++) grad[k] += r * v[k];
  });
  for (const g of [...grad, biasGrad]) assertAlmostEquals(g, 0, 1e-4);
  // The informative axis carries the weight; the others are small.
  assert(probe.weights[0] > 0.5, `w0 = ${probe.weights[0]}`);
  for (let k = 1; k < 5; k++) assert(Math.abs(probe.weights[k]) < probe.weights[0] / 3, `w${k} = ${probe.weights[k]}`);
  // Deterministic: the same data give the same probe.
  assertEquals([...logisticProbe(x, y, { c }).weights], [...probe.weights]);
  // Less regularisation, larger weights.
  assert(logisticProbe(x, y, { c: 50 }).weights[0] > probe.weights[0]);
});

Deno.test("probes refuse one-class labels, mismatched lengths and features of another width", () => {
  const x = [Float32Array.of(1, 2), Float32Array.of(3, 4)];
  assertThrows(() => logisticProbe(x, [1, 1]), RangeError, "both classes");
  assertThrows(() => classMeanProbe(x, [0, 1, 1]), RangeError, "2 features but 3 labels");
  assertThrows(() => probeScores(classMeanProbe(x, [0, 1]), [Float32Array.of(1, 2, 3)]), RangeError, "3");
});

Deno.test({
  name: "imageFeatures and textDirection: unit features; the text direction ranks images as zero-shot scoring does",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await initBackend("cpu", { quiet: true });
    const bundle = await loadModelBundle(join(PROJECT_ROOT, "models/ppad-mini-cxr-real/model.safetensors"));
    try {
      const rng = new Rng(9);
      const size = bundle.clip.config.imageResolution;
      const images = Array.from({ length: 10 }, (_, i) => fakeRadiograph(size, i % 2 === 1, rng).data);
      imageFeatures(bundle.clip, bundle.normalisation, images.slice(0, 1));
      textDirection(bundle.clip, bundle.tokenizer); // the frozen model caches its weights on first use
      const before = tf.memory().numTensors;
      const { joint: features, pooled } = imageFeatures(bundle.clip, bundle.normalisation, images, 4);
      const direction = textDirection(bundle.clip, bundle.tokenizer);
      assertEquals(tf.memory().numTensors, before);
      assertEquals(features.length, 10);
      for (const f of features) {
        assertEquals(f.length, bundle.clip.config.embedDim);
        assertAlmostEquals(Math.hypot(...f), 1, 1e-5);
      }
      // The pooled features, projected by visual.proj [width, embed], are the joint features before normalisation.
      assertEquals(pooled[0].length, bundle.clip.config.visionWidth);
      const projected = tf.tidy(() =>
        tf.matMul(tf.tensor2d(pooled.map((p) => [...p])), bundle.clip.variable("visual.proj")).arraySync()
      ) as number[][];
      projected.forEach((row, i) => {
        const norm = Math.hypot(...row);
        row.forEach((v, k) => assertAlmostEquals(v / norm, features[i][k], 1e-4));
      });
      // softmax(scale · cos) of "pneumonia." is monotone in cos(x, pneumonia) − cos(x, normal): same order.
      const zeroShot = zeroShotScores(bundle.clip, bundle.tokenizer, bundle.normalisation, images);
      const along = probeScores(direction, features);
      const order = (s: Float32Array) => [...s.keys()].sort((a, b) => s[a] - s[b]);
      assertEquals(order(along), order(zeroShot));
    } finally {
      bundle.clip.dispose();
    }
  },
});

const CORPUS = join(SHARED_DATA_DIR, "covid-radiography-224");

sharedTest({ needs: [CORPUS], why: "image probes fitted on the real corpus" }, {
  name: "zeroshot --probe: a tidy probe table and chart; its text-prompt AUROC is the zero-shot table's",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "ppad-probe-" });
    const zeroshot = (...args: string[]) => runCli("zeroshot", ...args);
    try {
      const data = join(dir, "zl");
      await makeFakeDataset(data, "zhanglab-kaggle", {
        normal: 8,
        abnormal: 8,
        trainNormal: 2,
        size: 48,
        rng: new Rng(5),
      });
      const model = "models/ppad-mini-cxr-real/model.safetensors";
      const common = ["--models", model, "--real", CORPUS, "--no-benchmark", "--data", data, "--backend", "cpu"];
      const res = await zeroshot(...common, "--probe", join(dir, "probe"), "--probe-limit", "16");
      assertEquals(res.code, 0, new TextDecoder().decode(res.stderr));
      const lines = (await Deno.readTextFile(join(dir, "probe.csv"))).trim().split("\n");
      assertEquals(lines[0], "model,model_hash,probe,data,role,n,metric,value");
      // 4 probes × 2 sets (held-out, the fake data set) × 3 metrics.
      assertEquals(lines.length, 1 + 4 * 2 * 3);
      const svg = await Deno.readTextFile(join(dir, "probe.svg"));
      // One row per backbone, one coloured dot per probe, named in the legend.
      assert(svg.includes("ppad-mini-cxr-real") && svg.includes("logistic before projection"), svg.slice(0, 300));
      assertEquals(svg.match(/<circle/g)?.length, 4 * 2); // 4 probes × 2 panels
      // The text direction ranks as zero-shot scoring: the same AUROC as `deno task zeroshot` on the same data.
      const table = join(dir, "zs.csv");
      const zs = await zeroshot("--models", model, "--real", "none", "--no-benchmark", "--data", data, "--out", table);
      assertEquals(zs.code, 0, new TextDecoder().decode(zs.stderr));
      const aurocOf = (rows: string[], ...parts: string[]) =>
        rows.find((l) => l.startsWith("models/ppad-mini-cxr-real/") && parts.every((p) => l.includes(p)))!.split(",")
          .at(-1);
      const zsRows = (await Deno.readTextFile(table)).trim().split("\n");
      assertEquals(aurocOf(lines, ",text prompts,", ",reported only,", ",auroc,"), aurocOf(zsRows, ",auroc,"));
      // --from redraws the chart, scoring nothing; --probe with --out is refused.
      const redraw = await zeroshot("--from", join(dir, "probe.csv"), "--probe", join(dir, "again"));
      assertEquals(redraw.code, 0, new TextDecoder().decode(redraw.stderr));
      assertEquals(await Deno.readTextFile(join(dir, "again.svg")), svg);
      const both = await zeroshot("--probe", join(dir, "p2"), "--out", join(dir, "x.csv"));
      assertEquals(both.code, 2);
      assert(new TextDecoder().decode(both.stderr).includes("--probe"));
      const notProbe = await zeroshot("--from", table, "--probe", join(dir, "p3"));
      assertEquals(notProbe.code, 2);
      assert(new TextDecoder().decode(notProbe.stderr).includes("not a --probe table"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
