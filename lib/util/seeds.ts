/**
 * Every random stream of the platform derives from a user seed and a named purpose, here and only here, so that no two
 * streams collide and a reader can see which seed drives what.
 *
 * | purpose            | drives                                                                 |
 * | ------------------ | ---------------------------------------------------------------------- |
 * | `probe`            | the fresh synthetic draws of a run's diagnostics (never used in training) |
 *
 * Pretraining derives the stream of each step with `stepSeed` (lib/train/pretrain_mix.ts), fixed since the committed
 * model was trained with it.
 * @module
 */

/** The named purposes of {@link streamSeed}. */
export const SEED_PURPOSES = { "probe": 1 } as const;
/** One of the keys of {@link SEED_PURPOSES}. */
export type SeedPurpose = keyof typeof SEED_PURPOSES;

/**
 * The 32-bit seed of the stream of `purpose` for `seed` (and an optional index, e.g. a training step): a splitmix32
 * hash of the three, so that neighbouring seeds give unrelated streams.
 */
export function streamSeed(seed: number, purpose: SeedPurpose, index = 0): number {
  let z = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(SEED_PURPOSES[purpose], 0x85ebca6b) ^
    Math.imul(index >>> 0, 0xc2b2ae35)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}
