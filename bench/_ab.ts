import * as tf from "@tensorflow/tfjs";
import process from "node:process";
import { initBackend } from "../lib/backend.ts";
import { CLIP_ARCHS, ClipModel } from "../lib/encoders/clip/mod.ts";
import { Rng } from "../lib/util/rng.ts";
const arch = (Deno.args[0] ?? "vit-b-32") as keyof typeof CLIP_ARCHS;
const batch = Number(Deno.args[1] ?? 8);
await initBackend();
const config = CLIP_ARCHS[arch];
const rng = new Rng(0);
const model = ClipModel.random(config, rng.fork());
const r = config.imageResolution, g = config.grid;
const pixels = tf.tensor4d(rng.normalArray(batch * r * r * 3), [batch, r, r, 3]);
const keep = tf.tensor2d(Float32Array.from({ length: batch * g * g }, (_, i) => i % 3 ? 1 : 0), [batch, g * g]);
const prompts = tf.variable(tf.tensor2d(rng.normalArray(g * g * config.visionWidth, 0, 0.2), [g * g, config.visionWidth]));
const target = tf.tensor2d(rng.normalArray(batch * config.embedDim), [batch, config.embedDim]);
const fwd = () => { const f = model.encodeImage(pixels); f.dataSync(); f.dispose(); };
const step = () => {
  const { value, grads } = tf.variableGrads(() => tf.tidy(() => tf.sum(tf.mul(model.encodeImageWithPrompts(pixels, keep, prompts), target)) as tf.Scalar), [prompts]);
  grads[prompts.name].dataSync(); tf.dispose([value, grads]);
};
for (const [name, fn] of [["forward", fwd], ["step", step]] as const) {
  fn();
  const n = 3;
  const c0 = process.cpuUsage(); const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  const c = process.cpuUsage(c0); const wall = (performance.now() - t0) / n;
  console.log(`${arch} b${batch} ${name}: cpu ${((c.user + c.system) / 1000 / n).toFixed(0)} ms, wall ${wall.toFixed(0)} ms, tensors ${tf.memory().numTensors}`);
}
Deno.exit(0);
