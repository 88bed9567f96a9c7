/**
 * CLIP's vision tower (OpenAI `VisionTransformer`): patch embedding as patchify + 2-D matMul (no conv, so it also trains
 * on wasm), optional position-guided image prompts, CLS + positional embedding, ln_pre, residual blocks (a frozen
 * model's last one past its attention on the CLS rows only, lib/encoders/clip/row_block.ts), ln_post on CLS, `proj`.
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
import { blockRows, blockRowsWeights } from "./row_block.ts";

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
 * The patch embedding: pixels `[B, R, R, 3]` (already normalised) → patch tokens `[B, grid², width]`, before image
 * prompts, CLS and positional embedding. It depends on the pixels and the weights only (not on prompts, regions or
 * anything learned), so a frozen model's patch tokens may be computed once and given to {@link encodeImage} in place of
 * the pixels. Rows (images) are computed independently of each other. Makes no tidy of its own (callers scope it).
 */
export function embedPatches(pixels: tf.Tensor4D, w: VisionWeights, config: ClipConfig): tf.Tensor3D {
  checkPixels(pixels, config);
  const n = config.grid * config.grid;
  return tf.reshape(applyLinear(patchify(pixels, config.patchSize), w.patch, false), [
    pixels.shape[0],
    n,
    config.visionWidth,
  ]) as tf.Tensor3D;
}

function checkPatches(patches: tf.Tensor3D, config: ClipConfig): void {
  const s = patches.shape, n = config.grid * config.grid;
  if (s[1] !== n || s[2] !== config.visionWidth) {
    throw new RangeError(
      `Cannot encode patch tokens of shape [${s.join(", ")}]: expected [batch, ${n}, ${config.visionWidth}]`,
    );
  }
}

/**
 * Encodes images: pixels `[B, R, R, 3]` (already normalised), or their patch tokens `[B, grid², width]` from
 * {@link embedPatches} → image features `[B, embedDim]` (projected, not normalised); both inputs give the same numbers.
 * With `prompt`, after the patch embedding and before CLS / positional embedding every patch token becomes
 * x·m + P·(1 − m) (m = keep), so gradients reach `prompt.prompts` (PPAD's position-guided image prompts).
 * With `project` false it returns the pooled CLS token before the projection, `[B, width]` (after ln_post).
 */
export function encodeImage(
  input: tf.Tensor4D | tf.Tensor3D,
  w: VisionWeights,
  config: ClipConfig,
  prompt: ImagePrompt | null = null,
  project = true,
): tf.Tensor2D {
  if (input.rank === 3) checkPatches(input as tf.Tensor3D, config);
  else checkPixels(input, config);
  const batch = input.shape[0];
  const n = config.grid * config.grid;
  const tokens = n + 1;
  const width = config.visionWidth;
  let x = tf.tidy(() => {
    let patches = input.rank === 3 ? input as tf.Tensor3D : embedPatches(input as tf.Tensor4D, w, config);
    if (prompt) {
      const m = promptMask(prompt, batch, config);
      patches = tf.add(tf.mul(patches, m), tf.mul(tf.expandDims(prompt.prompts, 0), tf.sub(1, m)));
    }
    const cls = tf.tile(tf.reshape(w.cls, [1, 1, width]), [batch, 1, 1]);
    const seq = tf.add(tf.concat([cls, patches], 1), w.pos); // [B, T, w]
    return applyNorm(tf.reshape(seq, [batch * tokens, width]), w.lnPre, w.frozen);
  });
  const shape = { batch, tokens, heads: config.visionHeads, mask: null };
  const rows = Array.from({ length: batch }, (_, i) => i * tokens); // the CLS tokens
  // A frozen last block on the wasm kernels computes only the CLS rows past its attention (bitwise the same rows).
  const last = w.blocks.at(-1);
  const lastRows = last ? blockRowsWeights(last, width, config.visionHeads) : null;
  for (const bw of w.blocks) {
    const next = bw === last && lastRows ? blockRows(x, bw.params, lastRows, shape, rows) : residualBlock(x, bw, shape);
    x.dispose();
    x = next;
  }
  const out = tf.tidy(() => {
    const pooled = applyNorm(lastRows ? x : gatherRows(x, rows), w.lnPost, w.frozen);
    return project ? projectPooled(pooled, w) : pooled;
  });
  x.dispose();
  return out;
}

/** The projection into the joint space: pooled CLS tokens `[B, width]` → image features `[B, embedDim]`. */
export function projectPooled(pooled: tf.Tensor2D, w: VisionWeights): tf.Tensor2D {
  return applyLinear(pooled, w.proj) as tf.Tensor2D;
}
