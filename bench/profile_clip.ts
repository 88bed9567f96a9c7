/**
 * Per-kernel profile of the CLIP engine's image forward pass and image-prompt step (image tower only, random weights)
 * on the current backend (`PPAD_BACKEND`, wasm by default; `PPAD_BLAS`, `PPAD_FUSED=0` apply):
 * `deno run -A bench/profile_clip.ts [--arch vit-b-32|ppad-mini|mini] [--batch 8] [--what forward|step|both|pretrain]`
 * (`pretrain`: one contrastive step of a trainable model, both towers, every weight's gradient).
 * Prints wall time per kernel name and per kernel and input shapes (tf.profile), sorted; one warm-up call first.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend.ts";
import { CLIP_ARCHS, type ClipArchName, ClipModel } from "../lib/encoders/clip/mod.ts";
import { Rng } from "../lib/util/rng.ts";
import { clipLoss } from "../lib/train/pretrain.ts";

const args = Deno.args;
const flag = (name: string, d: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : d;
};
const batch = Number(flag("batch", "8"));
const arch = flag("arch", "vit-b-32");
const what = flag("what", "both");
await initBackend();
if (!(arch in CLIP_ARCHS)) throw new Error(`Cannot profile --arch ${arch}: expected ${Object.keys(CLIP_ARCHS)}`);
const config = { ...CLIP_ARCHS[arch as ClipArchName] };

const rng = new Rng(0);
const model = ClipModel.random(config, rng.fork());
const r = config.imageResolution, g = config.grid;
const pixels = tf.tensor4d(rng.normalArray(batch * r * r * 3), [batch, r, r, 3]);
const keepData = new Float32Array(batch * g * g);
for (let i = 0; i < keepData.length; i++) keepData[i] = (i % 3) === 0 ? 0 : 1;
const keep = tf.tensor2d(keepData, [batch, g * g]);
const prompts = tf.variable(
  tf.tensor2d(rng.normalArray(g * g * config.visionWidth, 0, 0.2), [g * g, config.visionWidth]),
);
const target = tf.tensor2d(rng.normalArray(batch * config.embedDim), [batch, config.embedDim]);

const fwd = () => {
  const f = model.encodeImage(pixels);
  f.dataSync();
  f.dispose();
};
const step = () => {
  const { value, grads } = tf.variableGrads(
    () => tf.tidy(() => tf.sum(tf.mul(model.encodeImageWithPrompts(pixels, keep, prompts), target)) as tf.Scalar),
    [prompts],
  );
  grads[prompts.name].dataSync();
  tf.dispose([value, grads]);
};

async function profile(name: string, fn: () => void) {
  fn(); // warm-up
  let t0 = performance.now();
  fn();
  const plain = performance.now() - t0;
  t0 = performance.now();
  const info = await tf.profile(fn);
  const prof = performance.now() - t0;
  const by = new Map<string, { ms: number; n: number }>();
  let total = 0;
  for (const k of info.kernels) {
    const ms = k.kernelTimeMs as number;
    const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
    const e = by.get(key) ?? { ms: 0, n: 0 };
    e.ms += ms;
    e.n++;
    by.set(key, e);
    total += ms;
  }
  const byName = new Map<string, { ms: number; n: number }>();
  for (const k of info.kernels) {
    const e = byName.get(k.name) ?? { ms: 0, n: 0 };
    e.ms += k.kernelTimeMs as number;
    e.n++;
    byName.set(k.name, e);
  }
  console.log(
    `\n## ${name} batch ${batch}: ${plain.toFixed(0)} ms plain, ${prof.toFixed(0)} ms profiled, ` +
      `${total.toFixed(0)} ms in ${info.kernels.length} kernels`,
  );
  for (const [k, e] of [...byName].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) {
    console.log(`${e.ms.toFixed(1).padStart(9)} ms ${String(e.n).padStart(5)}× ${k}`);
  }
  console.log("-- by shape");
  for (const [k, e] of [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, 40)) {
    console.log(`${e.ms.toFixed(1).padStart(9)} ms ${String(e.n).padStart(5)}× ${k}`);
  }
}
if (what === "pretrain") {
  const trainable = ClipModel.random(config, rng.fork(), { trainable: true });
  // Reports of 16 tokens between SOT and EOT, as the pretraining captions.
  const ids = Array.from({ length: batch }, (_, i) => [
    config.vocabSize - 2,
    ...Array.from({ length: 16 }, (_, t) => 1 + ((i * 7 + t * 13) % (config.vocabSize - 3))),
    config.vocabSize - 1,
  ]);
  await profile("pretrain step", () => {
    const { value, grads } = tf.variableGrads(() => clipLoss(trainable, pixels, ids), trainable.variables);
    value.dataSync();
    tf.dispose([value, grads]);
  });
} else {
  if (what !== "step") await profile("forward", fwd);
  if (what !== "forward") await profile("step", step);
}
Deno.exit(0);
