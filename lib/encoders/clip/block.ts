/**
 * The pre-LN residual block both towers share (`x + attn(ln_1(x))`, then `x + mlp(ln_2(x))`), and the weight views
 * the towers run on: for a frozen model, built once with pre-transposed copies; for a trainable model, built inside
 * each forward pass so that gradients flow back to the variables.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  type AttentionShape,
  type BlockParams,
  type BlockPrepared,
  type FrozenLinear,
  layerNorm,
  linearFrozen,
  linearTrainable,
  packLinear,
  prepareBlock,
  transformerBlock,
} from "./layers.ts";
import type { LinearWeight } from "./wasm/runtime.ts";

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

/** One residual block's weights: PyTorch-layout parameters, plus prepared copies when frozen. */
export interface BlockWeights {
  params: BlockParams;
  prepared: BlockPrepared | null;
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
  const pk = packLinear(w);
  if (pk) { for (const l of [pk.forward, pk.backward]) ctx.own(l.packed); }
  return { frozen: { w, wT, b: bias, packed: pk }, wT, b: bias };
}

/**
 * Applies a {@link LinearRef}: x `[rows, in]` → `[rows, out]`. `inputGradient: false` when x is data (image patches)
 * that needs no gradient, so a trainable layer skips that matMul.
 */
export function applyLinear(x: tf.Tensor2D, l: LinearRef, inputGradient = true): tf.Tensor2D {
  return l.frozen ? linearFrozen(x, l.frozen) : linearTrainable(x, l.wT, l.b, inputGradient);
}

/** Applies layer norm: x `[rows, w]` → `[rows, w]`. */
export function applyNorm(x: tf.Tensor2D, n: NormWeights, ctxFrozen: boolean): tf.Tensor2D {
  return layerNorm(x, n.g, n.b, !ctxFrozen);
}

/**
 * The weights of block `<prefix>` (e.g. `visual.transformer.resblocks.3`) with `heads` attention heads; a frozen
 * block also gets its prepared copies ({@link prepareBlock}: packed for the wasm kernels, or transposed).
 */
export function blockWeights(ctx: PrepareContext, prefix: string, heads: number): BlockWeights {
  const get = <T extends tf.Tensor>(name: string) => ctx.get(`${prefix}.${name}`) as T;
  const params: BlockParams = {
    ln1G: get("ln_1.weight"),
    ln1B: get("ln_1.bias"),
    attn: {
      inW: get("attn.in_proj_weight"),
      inB: get("attn.in_proj_bias"),
      outW: get("attn.out_proj.weight"),
      outB: get("attn.out_proj.bias"),
    },
    ln2G: get("ln_2.weight"),
    ln2B: get("ln_2.bias"),
    mlp: {
      fcW: get("mlp.c_fc.weight"),
      fcB: get("mlp.c_fc.bias"),
      projW: get("mlp.c_proj.weight"),
      projB: get("mlp.c_proj.bias"),
    },
  };
  if (!ctx.frozen) return { params, prepared: null };
  const pr = prepareBlock(params, heads);
  // The model keeps the prepared copies (the packed weights; the matrices themselves are its variables).
  if (pr.packed) { for (const l of Object.values(pr.packed) as LinearWeight[]) ctx.own(l.packed); }
  const prepared: BlockPrepared = {
    attn: pr.attn && { qkvT: ctx.own(pr.attn.qkvT), qkvB: pr.attn.qkvB, outWT: ctx.own(pr.attn.outWT) },
    mlp: pr.mlp && { fcWT: ctx.own(pr.mlp.fcWT), projWT: ctx.own(pr.mlp.projWT) },
    packed: pr.packed,
  };
  return { params, prepared };
}

/**
 * One pre-LN residual block on x `[B·T, w]` → `[B·T, w]` (a single custom-gradient op), inside its own `tf.tidy`
 * (the wasm heap is capped at 4 GiB: a whole ViT-B batch in one tidy aborts).
 */
export function residualBlock(x: tf.Tensor2D, bw: BlockWeights, shape: AttentionShape): tf.Tensor2D {
  return tf.tidy(() => transformerBlock(x, bw.params, bw.prepared, shape));
}
