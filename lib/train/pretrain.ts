/**
 * Contrastive (CLIP) pretraining of a small CLIP from scratch on image–report pairs: symmetric cross-entropy over the
 * batch's image–text similarities, AdamW with warm-up and cosine decay, resumable from checkpoints.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BpeTokenizer, ClipModel } from "../encoders/mod.ts";
import type { Normalisation } from "../data/mod.ts";
import { Rng, streamSeed } from "../util/mod.ts";
import { AdamW, cosineLr } from "./optimizer.ts";
import { pixelsFromGray } from "./ppad.ts";

/** A pool of training pairs: images `[n][size*size]` in [0, 1] at the model's resolution and their reports. */
export interface PairPool {
  images: Float32Array[];
  texts: string[];
  /**
   * Optional meaning of each pair (e.g. `normal`, `nodule:left:upper`): with `targets: "grouped"` every pair of the
   * same group counts as a positive (UniCL-style), instead of the diagonal alone.
   */
  groups?: string[];
}

/** One batch of pairs: images `[b][size*size]` in [0, 1], their texts `[b]`, optional groups `[b]`. */
export interface PairBatch {
  images: Float32Array[];
  texts: string[];
  groups?: string[];
}

/** Where batches come from: `draw` must be a pure function of (step, batch), so a resumed run sees the same data. */
export interface PairSource {
  draw(step: number, batch: number): PairBatch;
}

/** A source that samples `batch` pairs of a fixed pool at each step ({@link batchIndices}). */
export function poolSource(pool: PairPool, seed: number): PairSource {
  return {
    draw(step, batch) {
      const idx = batchIndices(seed, step, pool.images.length, batch);
      return {
        images: idx.map((i) => pool.images[i]),
        texts: idx.map((i) => pool.texts[i]),
        groups: pool.groups ? idx.map((i) => pool.groups![i]) : undefined,
      };
    },
  };
}

/** The variables that get no weight decay (biases, norms, embeddings, the temperature). */
export function noDecay(name: string): boolean {
  return /(\.bias|ln_|embedding|logit_scale|class_embedding)/.test(name);
}

/** Options for {@link pretrainOptimizer}. */
export interface PretrainOptimizerOptions {
  /** Peak learning rate (the schedule sets `lr` at every step). */
  lr: number;
  /** Decoupled weight decay, on every variable but {@link noDecay}'s. */
  weightDecay: number;
  /** Learning-rate multiplier of the temperature (`logit_scale`). @default 1 */
  logitScaleLr?: number;
}

/** The pretraining optimiser: AdamW, weight decay except on {@link noDecay}'s variables, a faster temperature. */
export function pretrainOptimizer(options: PretrainOptimizerOptions): AdamW {
  const scale = options.logitScaleLr ?? 1;
  return new AdamW({
    lr: options.lr,
    weightDecay: options.weightDecay,
    decay: (name) => !noDecay(name),
    lrScale: (name) => (name.includes("logit_scale") ? scale : 1),
  });
}

/** Contrastive targets: CLIP's diagonal, or all pairs sharing a group (many reports mean the same). */
export type PretrainTargets = "clip" | "grouped";

/** Options for {@link pretrainClip}. */
export interface PretrainOptions {
  /** A fixed pool sampled with {@link batchIndices} (used when `source` is absent). */
  pool?: PairPool;
  /** The batches; takes precedence over `pool`. */
  source?: PairSource;
  tokenizer: BpeTokenizer;
  normalisation: Normalisation;
  seed: number;
  steps: number;
  /** Pairs per step. @default 32 */
  batch?: number;
  /** Peak learning rate. @default 5e-4 */
  lr?: number;
  /** Linear warm-up steps. @default 5% of steps */
  warmup?: number;
  /** @default 0.05 */
  weightDecay?: number;
  /** The step to start from (resume); the optimizer must already hold that step's state. @default 0 */
  startStep?: number;
  optimizer?: AdamW;
  /** Called after every step. */
  onStep?: (step: number, loss: number, lr: number) => void;
  /** @default "clip" */
  targets?: PretrainTargets;
  /** Called every `checkpointEvery` steps and at the end, with the number of steps done. */
  onCheckpoint?: (stepsDone: number, optimizer: AdamW) => Promise<void>;
  checkpointEvery?: number;
}

/** The batch drawn at `step`: a pure function of (seed, step), so a resumed run sees the same data. */
export function batchIndices(seed: number, step: number, poolSize: number, batch: number): number[] {
  const rng = new Rng(streamSeed(seed, "pretrainBatch", step));
  return rng.sample([...Array(poolSize).keys()], Math.min(batch, poolSize));
}

/** Learning rate at `step`: linear warm-up then cosine decay to 0. */
export function pretrainLr(peak: number, step: number, steps: number, warmup: number): number {
  if (step < warmup) return peak * (step + 1) / warmup;
  return cosineLr(peak, step - warmup, Math.max(1, steps - warmup));
}

/** Target matrix `[b, b]`: the identity, or row-normalised same-group indicators when `groups` is given. */
export function contrastiveTargets(b: number, groups?: readonly string[]): tf.Tensor2D {
  const t = new Float32Array(b * b);
  for (let i = 0; i < b; i++) {
    let n = 0;
    for (let j = 0; j < b; j++) if (i === j || (groups && groups[i] === groups[j])) n++;
    for (let j = 0; j < b; j++) if (i === j || (groups && groups[i] === groups[j])) t[i * b + j] = 1 / n;
  }
  return tf.tensor2d(t, [b, b]);
}

/**
 * CLIP loss of one batch: pixels `[b, H, W, 3]`, token ids `[b][length]` → scalar (mean of image→text and text→image
 * cross-entropies; targets the diagonal, or every same-group pair when `groups` `[b]` is given).
 */
export function clipLoss(
  model: ClipModel,
  pixels: tf.Tensor4D,
  ids: number[][],
  groups?: readonly string[],
): tf.Scalar {
  return tf.tidy(() => {
    const logits = model.logits(model.encodeImage(pixels), model.encodeText(ids));
    const b = ids.length;
    const targets = contrastiveTargets(b, groups);
    const i2t = tf.losses.softmaxCrossEntropy(targets, logits);
    const t2i = tf.losses.softmaxCrossEntropy(targets, tf.transpose(logits));
    return tf.div(tf.add(i2t, t2i), 2) as tf.Scalar;
  });
}

/** Tokenises reports and trims the padding to the longest EOT in the batch (exact under the causal mask). */
export function tokenizeBatch(tokenizer: BpeTokenizer, texts: readonly string[], contextLength: number): number[][] {
  const ids = tokenizer.tokenize([...texts], { contextLength, truncate: true });
  const len = Math.max(...ids.map((row) => row.indexOf(tokenizer.eot) + 1));
  return ids.map((row) => row.slice(0, len));
}

/** Pretrains `model` (trainable) in place; returns the per-step losses of this call. */
export async function pretrainClip(model: ClipModel, options: PretrainOptions): Promise<number[]> {
  const { steps } = options;
  const source = options.source ?? (options.pool ? poolSource(options.pool, options.seed) : null);
  if (!source) throw new TypeError("Cannot pretrain: give a pool or a source of pairs");
  const batch = options.batch ?? 32;
  const peak = options.lr ?? 5e-4;
  const warmup = options.warmup ?? Math.max(1, Math.round(steps * 0.05));
  const opt = options.optimizer ?? pretrainOptimizer({ lr: peak, weightDecay: options.weightDecay ?? 0.05 });
  const vars = new Map<string, tf.Variable>();
  for (const v of model.variables) vars.set(v.name, v);
  const size = model.config.imageResolution;
  const maxScale = Math.log(100);
  const losses: number[] = [];
  const every = options.checkpointEvery ?? 0;
  for (let step = options.startStep ?? 0; step < steps; step++) {
    opt.lr = pretrainLr(peak, step, steps, warmup);
    const drawn = source.draw(step, batch);
    const pixels = pixelsFromGray(drawn.images, size, options.normalisation);
    const ids = tokenizeBatch(options.tokenizer, drawn.texts, model.config.contextLength);
    const groups = options.targets === "grouped" ? drawn.groups : undefined;
    const { value, grads } = tf.variableGrads(() => clipLoss(model, pixels, ids, groups), model.variables);
    const loss = value.dataSync()[0];
    value.dispose();
    pixels.dispose();
    const gradMap = new Map<string, tf.Tensor>();
    for (const v of model.variables) if (grads[v.name]) gradMap.set(v.name, grads[v.name]);
    opt.apply(vars, gradMap);
    for (const g of Object.values(grads)) g.dispose();
    // CLIP clamps the temperature at 100.
    const scale = model.logitScale;
    if (scale.dataSync()[0] > maxScale) tf.tidy(() => scale.assign(tf.scalar(maxScale)));
    losses.push(loss);
    options.onStep?.(step, loss, opt.lr);
    if (options.onCheckpoint && ((every > 0 && (step + 1) % every === 0) || step + 1 === steps)) {
      await options.onCheckpoint(step + 1, opt);
    }
  }
  return losses;
}
