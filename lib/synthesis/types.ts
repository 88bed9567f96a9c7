/**
 * Shared types of the anomaly-synthesis transforms.
 * @module
 */
import type { Region } from "../prompts/regions.ts";
import type { Rng } from "../util/rng.ts";

/** What a synthesis returns: a new image and the mask of changed pixels. The input is never modified. */
export interface SynthesisResult {
  /** `[size*size]` row-major grey image in [0, 1]. */
  image: Float32Array;
  /** `[size*size]` 1 where the anomaly was placed, 0 elsewhere (all 0 for `none`). */
  mask: Uint8Array;
}

/** The inputs of one synthesis call. */
export interface SynthesisInput {
  /** `[size*size]` row-major grey image in [0, 1] (a normal training image). */
  image: Float32Array;
  /** Image side in pixels. */
  size: number;
  /** The region the lesion is centred in (its mask is `[size*size]`). */
  region: Region;
  /** `[size*size]` another normal image (the patch source of FPI; ignored by the others). */
  other?: Float32Array;
}

/** A named synthesis transform. */
export interface Synthesis {
  name: string;
  /** One line for tables and logs. */
  description: string;
  /** Whether `apply` needs `input.other`. */
  needsOther: boolean;
  /** Applies the transform; pure apart from drawing from `rng`. */
  apply(input: SynthesisInput, rng: Rng): SynthesisResult;
}

/** Throws a RangeError unless `array` has `size*size` elements. */
export function _checkImage(array: ArrayLike<number>, size: number, what: string, fn: string): void {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`Cannot run ${fn}: size must be a positive integer, got ${size}`);
  }
  if (array.length !== size * size) {
    throw new RangeError(
      `Cannot run ${fn}: ${what} has ${array.length} pixels, expected ${size}×${size} = ${size * size}`,
    );
  }
}
