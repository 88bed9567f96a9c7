/**
 * CLIP's text tower (OpenAI `encode_text`): token + positional embedding, causal residual blocks, ln_final at the EOT
 * position, `text_projection`. Split at the embeddings so that learnable context vectors can be spliced in.
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
import { causalMask, gatherRows } from "./layers.ts";

/** The text tower's weights, as {@link textWeights} prepares them. */
export interface TextWeights {
  frozen: boolean;
  /** `[vocab, width]`. */
  table: tf.Tensor2D;
  pos: tf.Tensor2D;
  blocks: BlockWeights[];
  lnFinal: NormWeights;
  proj: LinearRef;
}

/** Prepares the text tower's weights (see {@link PrepareContext}). */
export function textWeights(ctx: PrepareContext, config: ClipConfig): TextWeights {
  const blocks: BlockWeights[] = [];
  for (let i = 0; i < config.textLayers; i++) {
    blocks.push(blockWeights(ctx, `transformer.resblocks.${i}`, config.textHeads));
  }
  return {
    frozen: ctx.frozen,
    table: ctx.get("token_embedding.weight") as tf.Tensor2D,
    pos: ctx.get("positional_embedding") as tf.Tensor2D,
    blocks,
    lnFinal: normWeights(ctx, "ln_final"),
    proj: linearRef(ctx, ctx.get("text_projection") as tf.Tensor2D, null, true),
  };
}

/** Validates token ids `[n][ctx]` (ctx ≤ contextLength, ids < vocab) and returns them flattened. */
function flattenIds(
  ids: readonly (readonly number[])[],
  config: ClipConfig,
): { flat: Int32Array; n: number; ctx: number } {
  const n = ids.length;
  if (n === 0) throw new RangeError("Cannot embed tokens: no sequences given");
  const ctx = ids[0].length;
  if (ctx === 0 || ctx > config.contextLength) {
    throw new RangeError(`Cannot embed tokens: sequence length ${ctx} is outside 1..${config.contextLength}`);
  }
  const flat = new Int32Array(n * ctx);
  ids.forEach((row, i) => {
    if (row.length !== ctx) {
      throw new RangeError(`Cannot embed tokens: row ${i} has ${row.length} ids, row 0 has ${ctx}`);
    }
    row.forEach((id, j) => {
      if (!Number.isInteger(id) || id < 0 || id >= config.vocabSize) {
        throw new RangeError(`Cannot embed tokens: id ${id} at [${i}, ${j}] is outside 0..${config.vocabSize - 1}`);
      }
      flat[i * ctx + j] = id;
    });
  });
  return { flat, n, ctx };
}

/**
 * Token embeddings: ids `[n][ctx]` → `[n, ctx, textWidth]`. A trainable table gets its gradient through
 * {@link gatherRows}' scatter (gather's own gradient needs a kernel wasm lacks).
 */
export function tokenEmbeddings(ids: readonly (readonly number[])[], w: TextWeights, config: ClipConfig): tf.Tensor3D {
  const { flat, n, ctx } = flattenIds(ids, config);
  return tf.tidy(() => {
    const rows = w.frozen ? tf.gather(w.table, tf.tensor1d(flat, "int32")) : gatherRows(w.table, Array.from(flat));
    return tf.reshape(rows, [n, ctx, config.textWidth]);
  });
}

/** The EOT position of each row: the index of its largest id (OpenAI's `text.argmax(dim=-1)`, first maximum). */
export function eotPositions(ids: readonly (readonly number[])[]): number[] {
  return ids.map((row) => {
    let best = 0;
    for (let j = 1; j < row.length; j++) if (row[j] > row[best]) best = j;
    return best;
  });
}

/**
 * Encodes text from embeddings: `embeddings` `[n, ctx, textWidth]` (token embeddings, possibly with learnable vectors
 * spliced in), `eotIndex[i]` the EOT position of row i → text features `[n, embedDim]` (projected, not normalised).
 * Positions after the last EOT cannot influence any EOT output under the causal mask, so they are not computed.
 */
export function encodeTextEmbeddings(
  embeddings: tf.Tensor3D,
  eotIndex: readonly number[],
  w: TextWeights,
  config: ClipConfig,
): tf.Tensor2D {
  const [n, ctx, width] = embeddings.shape;
  if (width !== config.textWidth || ctx > config.contextLength || ctx < 1) {
    throw new RangeError(
      `Cannot encode text embeddings of shape [${
        embeddings.shape.join(", ")
      }]: expected [n, ≤${config.contextLength}, ${config.textWidth}]`,
    );
  }
  if (eotIndex.length !== n) throw new RangeError(`Cannot encode text: ${eotIndex.length} EOT positions for ${n} rows`);
  for (const e of eotIndex) {
    if (!Number.isInteger(e) || e < 0 || e >= ctx) {
      throw new RangeError(`Cannot encode text: EOT position ${e} is outside 0..${ctx - 1}`);
    }
  }
  const len = Math.max(...eotIndex) + 1;
  const mask = causalMask(len);
  let x = tf.tidy(() => {
    const e = len < ctx ? tf.slice(embeddings, [0, 0, 0], [n, len, width]) : embeddings;
    const pos = len < config.contextLength ? tf.slice(w.pos, [0, 0], [len, width]) : w.pos;
    return tf.reshape(tf.add(e, pos), [n * len, width]) as tf.Tensor2D;
  });
  const shape = { batch: n, tokens: len, heads: config.textHeads, mask };
  for (const bw of w.blocks) {
    const next = residualBlock(x, bw, shape);
    x.dispose();
    x = next;
  }
  const out = tf.tidy(() => {
    const rows = eotIndex.map((e, i) => i * len + e);
    return applyLinear(applyNorm(gatherRows(x, rows), w.lnFinal, w.frozen), w.proj);
  });
  x.dispose();
  mask.dispose();
  return out;
}
