/**
 * The pre-LN residual block both towers share (`x + attn(ln_1(x))`, then `x + mlp(ln_2(x))`), and the weight views
 * the towers run on: for a frozen model, built once with pre-transposed copies; for a trainable model, built inside
 * each forward pass so that gradients flow back to the variables.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  attention,
  type AttentionParams,
  type AttentionPrepared,
  type AttentionShape,
  type FrozenLinear,
  layerNorm,
  linearFrozen,
  linearTrainable,
  mlp,
  type MlpParams,
  type MlpPrepared,
  prepareAttention,
  prepareMlp,
} from "./layers.ts";

/** Looks a parameter up by its OpenAI key (the model's variables). */
export type ParamGetter = (key: string) => tf.Tensor;

/** How a tower's weights are prepared: `frozen` builds transposed copies through `own` (which keeps them alive). */
export interface PrepareContext {
  get: ParamGetter;
  /** True for a frozen model: prepared copies are made once and owned by the model. */
  frozen: boolean;
  /** Marks a prepared tensor as owned by the model (tf.keep + remembered for dispose); identity when not frozen. */
  own: <T extends tf.Tensor>(t: T) => T;
}

/** Layer-norm parameters `[w]` each. */
export interface NormWeights {
  g: tf.Tensor1D;
  b: tf.Tensor1D;
}

/** A linear layer as a tower uses it: frozen (both layouts prepared) or trainable (`wT` `[in, out]` on the tape). */
export interface LinearRef {
  frozen: FrozenLinear | null;
  wT: tf.Tensor2D;
  b: tf.Tensor1D | null;
}

/** One residual block's weights. */
export interface BlockWeights {
  ln1: NormWeights;
  attn: AttentionParams;
  attnPrepared: AttentionPrepared | null;
  ln2: NormWeights;
  mlp: MlpParams;
  mlpPrepared: MlpPrepared | null;
}

/** Layer-norm weights `<prefix>.weight`, `<prefix>.bias`. */
export function normWeights(ctx: PrepareContext, prefix: string): NormWeights {
  return { g: ctx.get(`${prefix}.weight`) as tf.Tensor1D, b: ctx.get(`${prefix}.bias`) as tf.Tensor1D };
}

/**
 * A linear layer from a weight in PyTorch `nn.Linear` layout `[out, in]` (`transposed: false`) or already `[in, out]`
 * (`transposed: true`, as `visual.proj` and `text_projection`).
 */
export function linearRef(
  ctx: PrepareContext,
  weight: tf.Tensor2D,
  bias: tf.Tensor1D | null,
  transposed: boolean,
): LinearRef {
  if (!ctx.frozen) return { frozen: null, wT: transposed ? weight : tf.transpose(weight), b: bias };
  const w = transposed ? ctx.own(tf.transpose(weight)) : weight;
  const wT = transposed ? weight : ctx.own(tf.transpose(weight));
  return { frozen: { w, wT, b: bias }, wT, b: bias };
}

/** Applies a {@link LinearRef}: x `[rows, in]` → `[rows, out]`. */
export function applyLinear(x: tf.Tensor2D, l: LinearRef): tf.Tensor2D {
  return l.frozen ? linearFrozen(x, l.frozen) : linearTrainable(x, l.wT, l.b);
}

/** Applies layer norm: x `[rows, w]` → `[rows, w]`. */
export function applyNorm(x: tf.Tensor2D, n: NormWeights, ctxFrozen: boolean): tf.Tensor2D {
  return layerNorm(x, n.g, n.b, !ctxFrozen);
}

/** The weights of block `<prefix>` (e.g. `visual.transformer.resblocks.3`). */
export function blockWeights(ctx: PrepareContext, prefix: string): BlockWeights {
  const attn: AttentionParams = {
    inW: ctx.get(`${prefix}.attn.in_proj_weight`) as tf.Tensor2D,
    inB: ctx.get(`${prefix}.attn.in_proj_bias`) as tf.Tensor1D,
    outW: ctx.get(`${prefix}.attn.out_proj.weight`) as tf.Tensor2D,
    outB: ctx.get(`${prefix}.attn.out_proj.bias`) as tf.Tensor1D,
  };
  const m: MlpParams = {
    fcW: ctx.get(`${prefix}.mlp.c_fc.weight`) as tf.Tensor2D,
    fcB: ctx.get(`${prefix}.mlp.c_fc.bias`) as tf.Tensor1D,
    projW: ctx.get(`${prefix}.mlp.c_proj.weight`) as tf.Tensor2D,
    projB: ctx.get(`${prefix}.mlp.c_proj.bias`) as tf.Tensor1D,
  };
  let attnPrepared: AttentionPrepared | null = null;
  let mlpPrepared: MlpPrepared | null = null;
  if (ctx.frozen) {
    const a = prepareAttention(attn);
    attnPrepared = {
      qT: ctx.own(a.qT),
      kT: ctx.own(a.kT),
      vT: ctx.own(a.vT),
      qB: ctx.own(a.qB),
      kB: ctx.own(a.kB),
      vB: ctx.own(a.vB),
      outWT: ctx.own(a.outWT),
    };
    const p = prepareMlp(m);
    mlpPrepared = { fcWT: ctx.own(p.fcWT), projWT: ctx.own(p.projWT) };
  }
  return {
    ln1: normWeights(ctx, `${prefix}.ln_1`),
    attn,
    attnPrepared,
    ln2: normWeights(ctx, `${prefix}.ln_2`),
    mlp: m,
    mlpPrepared,
  };
}

/**
 * One pre-LN residual block on x `[B·T, w]` → `[B·T, w]`, inside its own `tf.tidy` (the wasm heap is capped at 4 GiB:
 * a whole ViT-B batch in one tidy aborts). `frozen` must match how `bw` was built.
 */
export function residualBlock(x: tf.Tensor2D, bw: BlockWeights, shape: AttentionShape, frozen: boolean): tf.Tensor2D {
  return tf.tidy(() => {
    const a = tf.add(x, attention(applyNorm(x, bw.ln1, frozen), bw.attn, bw.attnPrepared, shape)) as tf.Tensor2D;
    return tf.add(a, mlp(applyNorm(a, bw.ln2, frozen), bw.mlp, bw.mlpPrepared)) as tf.Tensor2D;
  });
}
