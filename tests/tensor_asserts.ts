/** Tensor helpers shared by the engine's tests: closeness relative to the reference's largest value, random normals. */
import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "./assert.ts";
import type { Rng } from "../lib/util/rng.ts";

/** Same shapes and max |a − b| ≤ tol · max |b| (the reference must not be all zeros). */
export function assertTensorClose(name: string, a: tf.Tensor, b: tf.Tensor, tol: number): void {
  assertEquals(a.shape, b.shape, `${name}: shape`);
  const x = a.dataSync(), y = b.dataSync();
  let err = 0, ref = 0;
  for (let i = 0; i < y.length; i++) {
    err = Math.max(err, Math.abs(x[i] - y[i]));
    ref = Math.max(ref, Math.abs(y[i]));
  }
  assert(ref > 0, `${name}: reference is all zeros`);
  assert(err <= tol * ref, `${name}: max abs error ${err} > ${tol}·${ref}`);
}

/** A tensor of N(0, std²) draws from `rng`, shaped `shape`. */
export function randn(rng: Rng, shape: number[], std = 1): tf.Tensor {
  return tf.tensor(rng.normalArray(shape.reduce((a, b) => a * b, 1), 0, std), shape);
}
