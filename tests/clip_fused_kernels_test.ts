/**
 * The engine's own wasm kernels (fused attention, layer norm, QuickGELU; lib/encoders/clip/wasm/) against plain tfjs
 * ops: values and gradients, with and without a causal mask, odd token counts (padding), several heads.
 */
import * as tf from "@tensorflow/tfjs";
import { assert } from "./assert.ts";
import { initBackend } from "../lib/backend.ts";
import {
  fusedAttention,
  fusedAttentionGrad,
  fusedAvailable,
  fusedGelu,
  fusedGeluGrad,
  fusedLayerNorm,
  fusedLayerNormGrad,
  fusedLinear,
  linearWeight,
  openNativeBlas,
  setFusedEnabled,
  setNativeBlasEnabled,
} from "../lib/encoders/clip/wasm/runtime.ts";
import { buildModule, relaxedSimdSupported } from "../lib/encoders/clip/wasm/kernels.ts";
import { causalMask } from "../lib/encoders/clip/layers.ts";
import { Rng } from "../lib/util/rng.ts";
import { assertTensorClose, randn } from "./tensor_asserts.ts";

/** {@link assertTensorClose} at the fused kernels' default tolerance. */
const assertClose = (name: string, a: tf.Tensor, b: tf.Tensor, tol = 2e-5) => assertTensorClose(name, a, b, tol);

/** Plain-op attention on packed qkv `[B·T, 3w]` → `[B·T, w]`. */
function naiveAttention(qkv: tf.Tensor, b: number, t: number, h: number, mask: tf.Tensor | null): tf.Tensor {
  const w = qkv.shape[1]! / 3, d = w / h;
  const [q, k, v] = tf.unstack(tf.transpose(tf.reshape(qkv, [b, t, 3, h, d]), [2, 0, 3, 1, 4]));
  let s = tf.div(tf.matMul(q, k, false, true), Math.sqrt(d));
  if (mask) s = tf.add(s, mask);
  return tf.reshape(tf.transpose(tf.matMul(tf.softmax(s), v), [0, 2, 1, 3]), [b * t, w]);
}

Deno.test("fused kernels: the module validates with and without shared memory and fused multiply-add", () => {
  for (const shared of [false, true]) {
    for (const relaxed of relaxedSimdSupported() ? [false, true] : [false]) {
      assert(WebAssembly.validate(buildModule({ shared, relaxed }) as BufferSource), `shared ${shared} fma ${relaxed}`);
    }
  }
});

Deno.test("fused kernels on wasm: attention, layer norm and QuickGELU match tfjs ops, values and gradients", async (t) => {
  await initBackend("wasm", { quiet: true });
  setFusedEnabled(true); // whatever PPAD_FUSED says
  assert(fusedAvailable(), "fused kernels load on wasm");
  const rng = new Rng(7);
  for (const [b, tk, h, masked] of [[2, 5, 2, false], [3, 50, 3, false], [2, 9, 1, true], [1, 17, 2, true]] as const) {
    await t.step(`attention B=${b} T=${tk} H=${h}${masked ? " causal" : ""}`, () => {
      tf.tidy(() => {
        const w = 64 * h;
        const qkv = randn(rng, [b * tk, 3 * w]) as tf.Tensor2D;
        const mask = masked ? causalMask(tk) : null;
        const shape = { batch: b, tokens: tk, heads: h, width: w };
        const { o } = fusedAttention(qkv, mask, shape);
        assertClose("attention value", o, naiveAttention(qkv, b, tk, h, mask));
        const dy = randn(rng, [b * tk, w]);
        const dref = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(naiveAttention(x, b, tk, h, mask), dy)))(qkv);
        const { p } = fusedAttention(qkv, mask, shape);
        assertClose("attention grad", fusedAttentionGrad(qkv, p, dy, shape), dref, 5e-5);
      });
    });
  }
  // The engine's packed-panel kernel, and a native BLAS where one opens (PPAD_BLAS=auto's candidates).
  const native = openNativeBlas("auto");
  for (const path of native ? ["wasm kernel", `native ${native}`] : ["wasm kernel"]) {
    setNativeBlasEnabled(path !== "wasm kernel");
    for (const [m, k, n] of [[1, 8, 8], [7, 13, 24], [50, 64, 192], [133, 200, 56]] as const) {
      await t.step(`linear [${m}, ${k}]·[${k}, ${n}] with bias and residual, ${path}`, () => {
        tf.tidy(() => {
          const x = randn(rng, [m, k]), w = randn(rng, [k, n]) as tf.Tensor2D;
          const bias = randn(rng, [n]), res = randn(rng, [m, n]);
          const ref = tf.matMul(x as tf.Tensor2D, w);
          // x·w with w as given, and x·(wᵀ)ᵀ as nn.Linear's [out, in] layout
          for (const lw of [linearWeight(w, false), linearWeight(tf.transpose(w) as tf.Tensor2D, true)]) {
            assertClose("plain", fusedLinear(x, lw, null, null), ref);
            assertClose("bias", fusedLinear(x, lw, bias, null), tf.add(ref, bias));
            assertClose("bias + residual", fusedLinear(x, lw, bias, res), tf.add(tf.add(ref, bias), res));
            assertClose("residual", fusedLinear(x, lw, null, res), tf.add(ref, res));
          }
        });
      });
    }
  }
  setNativeBlasEnabled(false);
  await t.step("layer norm and QuickGELU", () => {
    tf.tidy(() => {
      const rows = 7, w = 192;
      const x = tf.add(randn(rng, [rows, w], 3), 1.5);
      const g = randn(rng, [w]), bb = randn(rng, [w]);
      const naiveLn = (xi: tf.Tensor) => {
        const { mean, variance } = tf.moments(xi, -1, true);
        return tf.add(tf.mul(tf.div(tf.sub(xi, mean), tf.sqrt(tf.add(variance, 1e-5))), g), bb);
      };
      const { y, stats } = fusedLayerNorm(x, g, bb);
      assertClose("layer norm value", y, naiveLn(x));
      const dy = randn(rng, [rows, w]), res = randn(rng, [rows, w]);
      const dref = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(naiveLn(xi), dy)))(x);
      assertClose("layer norm grad", fusedLayerNormGrad(x, stats, g, dy, null), dref, 5e-5);
      assertClose("layer norm grad + residual", fusedLayerNormGrad(x, stats, g, dy, res), tf.add(dref, res), 5e-5);

      const hh = randn(rng, [rows, 4 * w], 4);
      const gelu = (v: tf.Tensor) => tf.mul(v, tf.sigmoid(tf.mul(v, 1.702)));
      assertClose("gelu value", fusedGelu(hh), gelu(hh));
      const dg = randn(rng, [rows, 4 * w]);
      assertClose("gelu grad", fusedGeluGrad(hh, dg), tf.grad((v: tf.Tensor) => tf.sum(tf.mul(gelu(v), dg)))(hh));
      // Far tails: σ saturates without NaN or Inf.
      const tails = tf.tensor1d([-200, -90, -88, -50, 0, 50, 88, 90, 200, -1e30, 1e30, 3]);
      const out = fusedGelu(tails).dataSync();
      assert(out.every(Number.isFinite), `finite QuickGELU tails ${out}`);
      assertClose("gelu tails", fusedGelu(tails), gelu(tails), 1e-6);
    });
  });
  await initBackend("cpu", { quiet: true });
});
