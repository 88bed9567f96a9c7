/**
 * SGD with momentum (PyTorch semantics) and a cosine learning-rate schedule, with explicit tensor ownership.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Cosine annealing (PyTorch `CosineAnnealingLR` with eta_min 0): lr at `step` of `total` (0-based). */
export function cosineLr(baseLr: number, step: number, total: number, minLr = 0): number {
  if (total <= 0) return baseLr;
  return minLr + (baseLr - minLr) * (1 + Math.cos(Math.PI * Math.min(step, total) / total)) / 2;
}

/** Options for {@link SgdMomentum}. */
export interface SgdOptions {
  /** Learning rate. @default 1e-3 */
  lr?: number;
  /** Momentum. @default 0.9 */
  momentum?: number;
  /** L2 weight decay. @default 0 */
  weightDecay?: number;
}

/**
 * SGD with momentum as in `torch.optim.SGD`: v ← μ·v + g (+ wd·p); p ← p − lr·v.
 * Holds one velocity tensor per variable; call `dispose()` when done.
 */
export class SgdMomentum {
  lr: number;
  readonly momentum: number;
  readonly weightDecay: number;
  #velocity = new Map<string, tf.Tensor>();

  constructor(options: SgdOptions = {}) {
    this.lr = options.lr ?? 1e-3;
    this.momentum = options.momentum ?? 0.9;
    this.weightDecay = options.weightDecay ?? 0;
  }

  /** Applies one update from `grads` (keyed by variable name) to `vars`. Does not dispose `grads`. */
  apply(vars: Record<string, tf.Variable>, grads: Record<string, tf.Tensor>): void {
    for (const [name, v] of Object.entries(vars)) {
      const g = grads[name];
      if (!g) continue;
      const prev = this.#velocity.get(name);
      const next = tf.tidy(() => {
        const gd = this.weightDecay ? tf.add(g, tf.mul(v, this.weightDecay)) : g;
        return prev ? tf.add(tf.mul(prev, this.momentum), gd) : tf.clone(gd);
      });
      prev?.dispose();
      this.#velocity.set(name, next);
      tf.tidy(() => v.assign(tf.sub(v, tf.mul(next, this.lr))));
    }
  }

  /** Frees the velocity buffers. */
  dispose(): void {
    for (const t of this.#velocity.values()) t.dispose();
    this.#velocity.clear();
  }
}

/** Options for {@link AdamW}. */
export interface AdamOptions {
  lr?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Decoupled weight decay (AdamW), applied to variables whose names `decay` accepts. @default 0 */
  weightDecay?: number;
  /** Which variables get weight decay. @default all */
  decay?: (name: string) => boolean;
  /** Per-variable learning-rate multiplier (e.g. a faster temperature). @default 1 for every variable */
  lrScale?: (name: string) => number;
}

/** AdamW (decoupled weight decay) with bias correction, state exposable for resumable checkpoints. */
export class AdamW {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly #decay: (name: string) => boolean;
  readonly #lrScale: (name: string) => number;
  step = 0;
  #m = new Map<string, tf.Tensor>();
  #v = new Map<string, tf.Tensor>();

  constructor(options: AdamOptions = {}) {
    this.lr = options.lr ?? 1e-3;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    this.#decay = options.decay ?? (() => true);
    this.#lrScale = options.lrScale ?? (() => 1);
  }

  /** One update of `vars` from `grads` (by variable key). Does not dispose `grads`. */
  apply(vars: Map<string, tf.Variable>, grads: Map<string, tf.Tensor>): void {
    this.step++;
    const bc1 = 1 - this.beta1 ** this.step, bc2 = 1 - this.beta2 ** this.step;
    for (const [name, p] of vars) {
      const g = grads.get(name);
      if (!g) continue;
      const m0 = this.#m.get(name), v0 = this.#v.get(name);
      const [m, v] = tf.tidy(() => {
        const m = m0 ? tf.add(tf.mul(m0, this.beta1), tf.mul(g, 1 - this.beta1)) : tf.mul(g, 1 - this.beta1);
        const v = v0
          ? tf.add(tf.mul(v0, this.beta2), tf.mul(tf.square(g), 1 - this.beta2))
          : tf.mul(tf.square(g), 1 - this.beta2);
        return [m, v];
      });
      m0?.dispose();
      v0?.dispose();
      this.#m.set(name, m);
      this.#v.set(name, v);
      const wd = this.weightDecay && this.#decay(name) ? this.weightDecay : 0;
      const lr = this.lr * this.#lrScale(name);
      tf.tidy(() => {
        const update = tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), this.eps));
        const decayed = wd ? tf.mul(p, 1 - lr * wd) : p;
        p.assign(tf.sub(decayed, tf.mul(update, lr)));
      });
    }
  }

  /** The moment buffers as host arrays, keyed `m/<name>` and `v/<name>`. */
  state(): Map<string, { shape: number[]; data: Float32Array }> {
    const out = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [k, t] of this.#m) out.set(`m/${k}`, { shape: t.shape.slice(), data: t.dataSync() as Float32Array });
    for (const [k, t] of this.#v) out.set(`v/${k}`, { shape: t.shape.slice(), data: t.dataSync() as Float32Array });
    return out;
  }

  /** Restores moment buffers saved by {@link state} and the step count. */
  load(state: Map<string, { shape: number[]; data: Float32Array }>, step: number): void {
    this.dispose();
    for (const [k, t] of state) {
      const target = k.startsWith("m/") ? this.#m : this.#v;
      target.set(k.slice(2), tf.tensor(t.data, t.shape));
    }
    this.step = step;
  }

  /** Frees the moment buffers. */
  dispose(): void {
    for (const t of [...this.#m.values(), ...this.#v.values()]) t.dispose();
    this.#m.clear();
    this.#v.clear();
  }
}
