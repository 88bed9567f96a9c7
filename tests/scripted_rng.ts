import { Rng } from "../lib/util/rng.ts";

/**
 * An Rng whose `next()` returns scripted values in order (then `fallback`), so every derived draw (`int`, `pick`,
 * `uniform`, `bernoulli`, `normal`) can be hand-computed: `int(lo, hi)` = lo + ⌊v·(hi − lo + 1)⌋.
 */
export class ScriptedRng extends Rng {
  readonly #values: number[];
  readonly #fallback: number;
  /** How many values were consumed. */
  used = 0;
  constructor(values: readonly number[], fallback = 0.5) {
    super(0);
    this.#values = [...values];
    this.#fallback = fallback;
  }
  override next(): number {
    const v = this.used < this.#values.length ? this.#values[this.used] : this.#fallback;
    this.used++;
    return v;
  }
}

/** The scripted value that makes `int(lo, hi)` return `k`. */
export function forInt(k: number, lo: number, hi: number): number {
  return (k - lo + 0.5) / (hi - lo + 1);
}
