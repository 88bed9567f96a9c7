import * as tf from "@tensorflow/tfjs";
import { assertAlmostEquals, assertEquals } from "./assert.ts";
import { initBackend } from "../lib/backend.ts";
import { cosineLr, SgdMomentum } from "../lib/train/optimizer.ts";

Deno.test("cosineLr: PyTorch CosineAnnealingLR (eta_min 0) at hand-computed steps", () => {
  // lr_t = base·(1 + cos(π t / T)) / 2, T = 100, base 1e-3.
  assertEquals(cosineLr(1e-3, 0, 100), 1e-3);
  assertAlmostEquals(cosineLr(1e-3, 1, 100), 1e-3 * (1 + Math.cos(Math.PI / 100)) / 2, 1e-18);
  assertAlmostEquals(cosineLr(1e-3, 1, 100), 0.00099975328, 1e-12); // cos(π/100) = 0.99950656: (1 + c)/2 = 0.99975328
  assertAlmostEquals(cosineLr(1e-3, 50, 100), 5e-4, 1e-18);
  assertAlmostEquals(cosineLr(1e-3, 99, 100), 0.00000024671982, 1e-12); // (1 − c)/2 = 0.00024671982
  assertAlmostEquals(cosineLr(1e-3, 100, 100), 0, 1e-18);
  assertEquals(cosineLr(1e-3, 5, 0), 1e-3);
});

Deno.test("SgdMomentum: three steps equal torch.optim.SGD(momentum 0.9) by hand", async () => {
  await initBackend("cpu", { quiet: true });
  // torch: step 1 buf = g; later buf = μ·buf + g; p ← p − lr·buf. p0 = [1, −2].
  // g1 = [0.5, 1], lr 0.1: buf = [0.5, 1]; p = [0.95, −2.1].
  // g2 = [−1, 0], lr 0.05: buf = [0.45 − 1, 0.9] = [−0.55, 0.9]; p = [0.95 + 0.0275, −2.1 − 0.045] = [0.9775, −2.145].
  // g3 = [2, −1], lr 0.01: buf = [−0.495 + 2, 0.81 − 1] = [1.505, −0.19]; p = [0.9775 − 0.01505, −2.145 + 0.0019]
  //    = [0.96245, −2.1431].
  const p = tf.variable(tf.tensor1d([1, -2]), true, "p_test");
  const opt = new SgdMomentum({ lr: 0.1, momentum: 0.9 });
  const steps: [number, number[], number[]][] = [
    [0.1, [0.5, 1], [0.95, -2.1]],
    [0.05, [-1, 0], [0.9775, -2.145]],
    [0.01, [2, -1], [0.96245, -2.1431]],
  ];
  for (const [lr, g, want] of steps) {
    opt.lr = lr;
    const grad = tf.tensor1d(g);
    opt.apply({ p_test: p }, { p_test: grad });
    grad.dispose();
    const got = p.dataSync();
    want.forEach((w, i) => assertAlmostEquals(got[i], w, 1e-6));
  }
  opt.dispose();
  p.dispose();
});
