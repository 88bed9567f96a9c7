/**
 * Probes of a frozen CLIP's image features, to tell apart "the image tower does not see the finding" from "it sees it,
 * but the text prompts point elsewhere": image embeddings, a class-mean direction and an L2-regularised logistic
 * regression fitted on labelled embeddings (of a corpus the backbone was pretrained on, never of a test split). Both
 * probes are deterministic: no seed, no learning rate.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Normalisation } from "../data/mod.ts";
import type { ClipModel } from "../encoders/mod.ts";
import { l2normalise, pixelsFromGray } from "../prompts/mod.ts";

/**
 * Where image features are taken: `joint`, the unit-length projected embedding the text features are compared with
 * (`[embedDim]`); `pooled`, the image tower's CLS token before the projection (`[visionWidth]`, after ln_post).
 */
export type FeatureSpace = "joint" | "pooled";

/**
 * Image features of `images` `[n][size*size]` grey in [0, 1] (size = the model's resolution) in both spaces from one
 * pass of the image tower → `joint` `[n]` of `[embedDim]` (unit length) and `pooled` `[n]` of `[visionWidth]`, encoded
 * in batches of `batch`.
 */
export function imageFeatures(
  model: ClipModel,
  normalisation: Normalisation,
  images: readonly Float32Array[],
  batch = 32,
): Record<FeatureSpace, Float32Array[]> {
  const out: Record<FeatureSpace, Float32Array[]> = { joint: [], pooled: [] };
  const dims: Record<FeatureSpace, number> = { joint: model.config.embedDim, pooled: model.config.visionWidth };
  for (let s = 0; s < images.length; s += batch) {
    const e = Math.min(images.length, s + batch);
    const [joint, pooled] = tf.tidy(() => {
      const px = pixelsFromGray(images.slice(s, e), model.config.imageResolution, normalisation);
      const pooled = model.encodeImagePooled(px);
      const f = model.projectImage(pooled);
      return [l2normalise(f), pooled];
    });
    for (const [space, t] of [["joint", joint], ["pooled", pooled]] as const) {
      const flat = t.dataSync() as Float32Array;
      t.dispose();
      for (let i = 0; i < e - s; i++) out[space].push(flat.slice(i * dims[space], (i + 1) * dims[space]));
    }
  }
  return out;
}

/** A linear score `w · x + b` of an embedding. */
export interface LinearProbe {
  /** `[dim]`. */
  weights: Float64Array;
  bias: number;
}

/** Scores of `features` `[n][dim]` under `probe` → `[n]`. */
export function probeScores(probe: LinearProbe, features: readonly ArrayLike<number>[]): Float32Array {
  const out = new Float32Array(features.length);
  features.forEach((x, i) => {
    if (x.length !== probe.weights.length) {
      throw new RangeError(`Probe of ${probe.weights.length} dimensions given a feature of ${x.length}`);
    }
    let s = probe.bias;
    for (let k = 0; k < x.length; k++) s += probe.weights[k] * x[k];
    out[i] = s;
  });
  return out;
}

function checkLabelled(features: readonly ArrayLike<number>[], labels: readonly number[]): number {
  if (features.length !== labels.length) {
    throw new RangeError(`${features.length} features but ${labels.length} labels`);
  }
  if (!labels.includes(0) || !labels.includes(1)) throw new RangeError("A probe needs labels of both classes (0, 1)");
  return features[0].length;
}

/**
 * The class-mean direction: `w` = mean of the positives' features − mean of the negatives' (`features` `[n][dim]`,
 * `labels` `[n]` of 0 / 1), `b` = 0. Like zero-shot scoring with the two classes' mean image features in place of the
 * text features; nothing to tune.
 */
export function classMeanProbe(features: readonly ArrayLike<number>[], labels: readonly number[]): LinearProbe {
  const dim = checkLabelled(features, labels);
  const sums = [new Float64Array(dim), new Float64Array(dim)];
  const counts = [0, 0];
  features.forEach((x, i) => {
    const c = labels[i] === 1 ? 1 : 0;
    counts[c]++;
    for (let k = 0; k < dim; k++) sums[c][k] += x[k];
  });
  const weights = new Float64Array(dim);
  for (let k = 0; k < dim; k++) weights[k] = sums[1][k] / counts[1] - sums[0][k] / counts[0];
  return { weights, bias: 0 };
}

/** Options for {@link logisticProbe}. */
export interface LogisticProbeOptions {
  /** Inverse L2 strength, as scikit-learn's `C`: minimises ½‖w‖² + C · Σ log-loss (bias not penalised). @default 1 */
  c?: number;
  /** Newton steps at most. @default 50 */
  maxSteps?: number;
  /** Stop when the largest Newton update is below this. @default 1e-8 */
  tolerance?: number;
}

/**
 * L2-regularised logistic regression of `labels` `[n]` (0 / 1) on `features` `[n][dim]`, fitted by Newton's method
 * in double precision from zero (so the same data give the same probe on every machine and backend).
 */
export function logisticProbe(
  features: readonly ArrayLike<number>[],
  labels: readonly number[],
  options: LogisticProbeOptions = {},
): LinearProbe {
  const dim = checkLabelled(features, labels);
  const c = options.c ?? 1, maxSteps = options.maxSteps ?? 50, tolerance = options.tolerance ?? 1e-8;
  const d = dim + 1; // the last coordinate is the bias
  const theta = new Float64Array(d);
  const row = new Float64Array(d);
  for (let step = 0; step < maxSteps; step++) {
    const grad = new Float64Array(d);
    const hess = new Float64Array(d * d);
    for (let k = 0; k < dim; k++) {
      grad[k] = theta[k];
      hess[k * d + k] = 1;
    }
    features.forEach((x, i) => {
      for (let k = 0; k < dim; k++) row[k] = x[k];
      row[dim] = 1;
      let z = 0;
      for (let k = 0; k < d; k++) z += theta[k] * row[k];
      const p = 1 / (1 + Math.exp(-z));
      const g = c * (p - labels[i]), h = c * p * (1 - p);
      for (let a = 0; a < d; a++) {
        grad[a] += g * row[a];
        const ha = h * row[a];
        for (let b = a; b < d; b++) hess[a * d + b] += ha * row[b];
      }
    });
    for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) hess[a * d + b] = hess[b * d + a];
    hess[dim * d + dim] += 1e-9; // the bias is not penalised: keep the system positive definite
    const delta = solveSymmetric(hess, grad, d);
    let largest = 0;
    for (let k = 0; k < d; k++) {
      theta[k] -= delta[k];
      largest = Math.max(largest, Math.abs(delta[k]));
    }
    if (largest < tolerance) break;
  }
  return { weights: theta.slice(0, dim), bias: theta[dim] };
}

/** Solves `A x = y` for a symmetric positive-definite `A` `[d*d]` (row-major) by Cholesky → `x` `[d]`. */
function solveSymmetric(a: Float64Array, y: Float64Array, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j];
      for (let k = 0; k < j; k++) s -= l[i * d + k] * l[j * d + k];
      if (i === j) {
        if (!(s > 0)) throw new RangeError("Logistic probe: the Newton system is not positive definite");
        l[i * d + i] = Math.sqrt(s);
      } else l[i * d + j] = s / l[j * d + j];
    }
  }
  const z = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = y[i];
    for (let k = 0; k < i; k++) s -= l[i * d + k] * z[k];
    z[i] = s / l[i * d + i];
  }
  const x = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < d; k++) s -= l[k * d + i] * x[k];
    x[i] = s / l[i * d + i];
  }
  return x;
}
