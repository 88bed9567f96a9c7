import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend.ts";
await initBackend();
const shapes = [[400, 768, 3072], [400, 3072, 768], [400, 768, 768], [3200, 768, 3072]];
for (const [m, k, n] of shapes) {
  const a = tf.randomNormal([m, k]) as tf.Tensor2D, b = tf.randomNormal([k, n]) as tf.Tensor2D;
  tf.matMul(a, b).dispose();
  const reps = m > 1000 ? 3 : 10;
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) tf.matMul(a, b).dispose();
  const dt = (performance.now() - t0) / reps / 1000;
  console.log(`tfjs ${m}x${k}x${n}: ${(2 * m * k * n / dt / 1e9).toFixed(1)} GFLOP/s`);
}
Deno.exit(0);
