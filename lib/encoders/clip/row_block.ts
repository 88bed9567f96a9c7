/**
 * A frozen tower's **last** residual block when only some rows of its output are read: the image tower reads one row
 * of T per image (the CLS token, for `ln_post` and `proj`). Every row's keys and values still enter the attention, but
 * the attention output's projection, `ln_2` and the MLP (about two thirds of a block's work) are needed only for the
 * rows read: at the default CLIP's 50 tokens, 49 of 50 rows of the last block skip them, forward and backward.
 *
 * Exactness: the rows read are computed by the same wasm kernels as in the whole block ({@link transformerBlock}'s
 * frozen path, lib/encoders/clip/layers.ts), on the same values: layer norm, the linear kernel and QuickGELU compute
 * each row independently of the others (the engine's caches rely on this too), the attention runs on every row
 * unchanged and its output rows are selected before the projection. So the rows equal, bitwise, the same rows of the
 * whole block's output. The backward pass gives x the whole block's input gradient when only the rows read receive a
 * gradient (the rows not read would receive exact zeros through the whole block): the same kernels on the same
 * values, with the unread rows' gradients zero. `tests/row_block_test.ts` checks both bitwise.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BlockWeights } from "./block.ts";
import type { AttentionShape, BlockParams, PackedBlock } from "./layers.ts";
import {
  fusedAttention,
  fusedAttentionGrad,
  fusedAvailable,
  fusedGelu,
  fusedGeluGrad,
  fusedLayerNorm,
  fusedLayerNormGrad,
  fusedLinear,
} from "./wasm/runtime.ts";

let enabled = true;

/** Turns the row path off (or on again) for this process: tests and benchmarks compare it with the whole block. */
export function setBlockRowsEnabled(on: boolean): void {
  enabled = on;
}

/**
 * The packed weights when {@link blockRows} can run `bw` on `width` and `heads`: a frozen block packed for the wasm
 * kernels (exactly when the whole block runs them), the kernels on and a head width that suits them; else null (also
 * when turned off with {@link setBlockRowsEnabled}).
 */
export function blockRowsWeights(bw: BlockWeights, width: number, heads: number): PackedBlock | null {
  const packed = bw.prepared?.packed ?? null;
  if (!enabled || !packed || width % heads !== 0 || (width / heads) % 8 !== 0 || !fusedAvailable()) return null;
  return packed;
}

/**
 * Rows `rows` of a frozen pre-LN residual block's output: x `[B·T, w]` → `[rows.length, w]`, bitwise the same rows of
 * the whole block (see the module doc), as one custom-gradient op whose gradient reaches x only. Runs in its own tidy.
 * @param pk the block's packed weights ({@link blockRowsWeights})
 * @param rows indices into x's rows, each at most once
 */
export function blockRows(
  x: tf.Tensor2D,
  p: BlockParams,
  pk: PackedBlock,
  shape: AttentionShape,
  rows: readonly number[],
): tf.Tensor2D {
  const [n, w] = x.shape;
  if (new Set(rows).size !== rows.length || rows.some((r) => !Number.isInteger(r) || r < 0 || r >= n)) {
    throw new RangeError(`Cannot select block rows [${rows.join(", ")}] of ${n}: each must be a row, at most once`);
  }
  const fs = { batch: shape.batch, tokens: shape.tokens, heads: shape.heads, width: w };
  const f = tf.customGrad(
    ((xi: tf.Tensor2D, save: (t: tf.Tensor[]) => void) => {
      const idx = tf.tensor1d(Int32Array.from(rows), "int32");
      const n1 = fusedLayerNorm(xi, p.ln1G, p.ln1B);
      const qkv = fusedLinear(n1.y, pk.qkv, p.attn.inB, null); // [B·T, 3w]
      n1.y.dispose();
      const at = fusedAttention(qkv, shape.mask, fs); // o [B·T, w], p [B·H, T, Tp]
      const o = tf.gather(at.o, idx);
      const xr = tf.gather(xi, idx);
      at.o.dispose();
      const a = fusedLinear(o, pk.out, p.attn.outB, xr); // x + attn, rows read
      tf.dispose([o, xr]);
      const n2 = fusedLayerNorm(a, p.ln2G, p.ln2B);
      const h = fusedLinear(n2.y, pk.fc, p.mlp.fcB, null); // [rows, 4w]
      n2.y.dispose();
      const g = fusedGelu(h);
      const y = fusedLinear(g, pk.proj, p.mlp.projB, a); // a + mlp
      g.dispose();
      save([xi, n1.stats, qkv, at.p, a, n2.stats, h, idx]);
      return {
        value: y,
        // tf's tape keeps every tensor made in gradFunc until the backward pass ends: scope it.
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
          tf.tidy(() => {
            const [xs, s1, qkvs, ps, as, s2, hs, ids] = saved;
            const dg = fusedLinear(dy, pk.projBack, null, null); // [rows, 4w]
            const dh = fusedGeluGrad(hs, dg);
            const dv = fusedLinear(dh, pk.fcBack, null, null);
            const da = fusedLayerNormGrad(as, s2, p.ln2G, dv, dy); // dy + ∂ln_2, rows read
            const at = tf.reshape(ids, [rows.length, 1]);
            // The rows not read receive no gradient: zeros, as through the whole block.
            const dO = tf.scatterND(at, fusedLinear(da, pk.outBack, null, null), [n, w]);
            const dqkv = fusedAttentionGrad(qkvs as tf.Tensor2D, ps as tf.Tensor3D, dO, fs); // [B·T, 3w]
            const du = fusedLinear(dqkv, pk.qkvBack, null, null);
            return [fusedLayerNormGrad(xs, s1, p.ln1G, du, tf.scatterND(at, da, [n, w]))]; // da + ∂ln_1
          }),
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0],
  );
  return tf.tidy(() => f(x) as tf.Tensor2D);
}
