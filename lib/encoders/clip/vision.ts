/**
 * CLIP's vision tower (OpenAI `VisionTransformer`): patch embedding as patchify + 2-D matMul (no conv, so it also trains
 * on wasm), optional position-guided image prompts, CLS + positional embedding, ln_pre, residual blocks, ln_post on
 * CLS, `proj`.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ClipConfig } from "./config.ts";
import {
  applyLinear,
  applyNorm,
  type BlockWeights,
  blockWeights,
  type LinearRef,
  linearRef,
  type NormWeights,
  normWeights,
  type PrepareContext,
  residualBlock,
} from "./block.ts";
import { convWeightToMatrix, gatherRows, patchify } from "./layers.ts";

/** The vision tower's weights, as {@link visionWeights} prepares them. */
export interface VisionWeights {
  frozen: boolean;
  /** Patch embedding, `[3p², width]` in (ky, kx, c) order, no bias. */
  patch: LinearRef;
  cls: tf.Tensor1D;
  pos: tf.Tensor2D;
  lnPre: NormWeights;
  blocks: BlockWeights[];
  lnPost: NormWeights;
  proj: LinearRef;
}

/** Prepares the vision tower's weights (see {@link PrepareContext}). */
export function visionWeights(ctx: PrepareContext, config: ClipConfig): VisionWeights {
  const conv = ctx.get("visual.conv1.weight") as tf.Tensor4D;
  const convMatrix = ctx.frozen ? ctx.own(convWeightToMatrix(conv)) : convWeightToMatrix(conv);
  const blocks: BlockWeights[] = [];
  for (let i = 0; i < config.visionLayers; i++) {
    blocks.push(blockWeights(ctx, `visual.transformer.resblocks.${i}`, config.visionHeads));
  }
  return {
    frozen: ctx.frozen,
    patch: linearRef(ctx, convMatrix, null, false),
    cls: ctx.get("visual.class_embedding") as tf.Tensor1D,
    pos: ctx.get("visual.positional_embedding") as tf.Tensor2D,
    lnPre: normWeights(ctx, "visual.ln_pre"),
    blocks,
    lnPost: normWeights(ctx, "visual.ln_post"),
    proj: linearRef(ctx, ctx.get("visual.proj") as tf.Tensor2D, null, true),
  };
}

/** Image prompts for {@link encodeImage}: `keep` `[B, grid²]` or `[grid²]` (1 keeps the patch), `prompts` `[grid², width]`. */
export interface ImagePrompt {
  keep: tf.Tensor;
  prompts: tf.Tensor2D;
}

function checkPixels(pixels: tf.Tensor, config: ClipConfig): void {
  const r = config.imageResolution;
  const s = pixels.shape;
  if (s.length !== 4 || s[1] !== r || s[2] !== r || s[3] !== 3) {
    throw new RangeError(`Cannot encode images of shape [${s.join(", ")}]: expected [batch, ${r}, ${r}, 3]`);
  }
}

function promptMask(p: ImagePrompt, batch: number, config: ClipConfig): tf.Tensor3D {
  const n = config.grid * config.grid;
  const k = p.keep.shape;
  const ok = (k.length === 1 && k[0] === n) || (k.length === 2 && k[1] === n && (k[0] === batch || k[0] === 1));
  if (!ok) {
    throw new RangeError(
      `Cannot apply image prompts: keep has shape [${k.join(", ")}], expected [${batch}, ${n}] or [${n}]`,
    );
  }
  const ps = p.prompts.shape;
  if (ps.length !== 2 || ps[0] !== n || ps[1] !== config.visionWidth) {
    throw new RangeError(
      `Cannot apply image prompts: prompts have shape [${ps.join(", ")}], expected [${n}, ${config.visionWidth}]`,
    );
  }
  return tf.reshape(tf.cast(p.keep, "float32"), [k.length === 1 ? 1 : k[0], n, 1]);
}

/**
 * Encodes images: pixels `[B, R, R, 3]` (already normalised) → image features `[B, embedDim]` (projected, not normalised).
 * With `prompt`, after the patch embedding and before CLS / positional embedding every patch token becomes
 * x·m + P·(1 − m) (m = keep), so gradients reach `prompt.prompts` (PPAD's position-guided image prompts).
 */
export function encodeImage(
  pixels: tf.Tensor4D,
  w: VisionWeights,
  config: ClipConfig,
  prompt: ImagePrompt | null = null,
): tf.Tensor2D {
  checkPixels(pixels, config);
  const batch = pixels.shape[0];
  const n = config.grid * config.grid;
  const tokens = n + 1;
  const width = config.visionWidth;
  let x = tf.tidy(() => {
    let patches = tf.reshape(applyLinear(patchify(pixels, config.patchSize), w.patch), [
      batch,
      n,
      width,
    ]) as tf.Tensor3D;
    if (prompt) {
      const m = promptMask(prompt, batch, config);
      patches = tf.add(tf.mul(patches, m), tf.mul(tf.expandDims(prompt.prompts, 0), tf.sub(1, m)));
    }
    const cls = tf.tile(tf.reshape(w.cls, [1, 1, width]), [batch, 1, 1]);
    const seq = tf.add(tf.concat([cls, patches], 1), w.pos); // [B, T, w]
    return applyNorm(tf.reshape(seq, [batch * tokens, width]), w.lnPre, w.frozen);
  });
  const shape = { batch, tokens, heads: config.visionHeads, mask: null };
  for (const bw of w.blocks) {
    const next = residualBlock(x, bw, shape);
    x.dispose();
    x = next;
  }
  const out = tf.tidy(() => {
    const rows = Array.from({ length: batch }, (_, i) => i * tokens);
    return applyLinear(applyNorm(gatherRows(x, rows), w.lnPost, w.frozen), w.proj);
  });
  x.dispose();
  return out;
}
