import * as tf from "@tensorflow/tfjs";
import process from "node:process";
import { initBackend } from "../lib/backend.ts";
import { fusedAvailable, fusedLinear, packPanels } from "../lib/encoders/clip/wasm/runtime.ts";
await initBackend();
fusedAvailable();
for (const [M, K, N] of [[400, 768, 3072], [400, 3072, 768], [400, 768, 2304], [3200, 768, 768], [402, 768, 768]]) {
  const a = tf.randomNormal([M, K]), b = tf.randomNormal([K, N]) as tf.Tensor2D, bias = tf.randomNormal([N]);
  const res = tf.randomNormal([M, N]);
  const bp = packPanels(b);
  const mine = () => fusedLinear(a, bp, N, bias, null).dispose();
  const xnn = () => tf.fused.matMul({ a: a as tf.Tensor2D, b, bias }).dispose();
  const time = (name: string, fn: () => void, n = 4) => {
    fn();
    const c0 = process.cpuUsage(); const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    const u = process.cpuUsage(c0); const wall = (performance.now() - t0) / n;
    const ms = (u.user + u.system) / 1000 / n;
    return `${name} cpu ${(2 * M * N * K / ms / 1e6).toFixed(1)} wall ${(2 * M * N * K / wall / 1e6).toFixed(1)}`;
  };
  for (let r = 0; r < 2; r++) console.log(`${M}x${K}x${N}: ${time("xnn", xnn)} | ${time("mine", mine)}`);
  const ref = tf.add(tf.fused.matMul({ a: a as tf.Tensor2D, b, bias }), res);
  const got = fusedLinear(a, bp, N, bias, res);
  console.log("max err", tf.max(tf.abs(tf.sub(ref, got))).dataSync()[0]);
}
Deno.exit(0);
