/**
 * Shared types of the anomaly-synthesis transforms.
 * @module
 */
import type { Region } from "../prompts/mod.ts";
import type { Rng } from "../util/mod.ts";

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
  /** Normal images to take patches from (FPI's source pool: the train split's normals); ignored by the others. */
  pool?: ImagePool;
}

/** A pool of normal images of one size, possibly decoded lazily or stored compactly. */
export interface ImagePool {
  /** Number of images. */
  readonly length: number;
  /** Image `i` (0 ≤ i < length), `[size*size]` row-major grey in [0, 1]; the caller must not modify it. */
  image(i: number): Float32Array;
}

/** A pool over images already in memory (`[n][size*size]`, kept by reference). */
export function arrayPool(images: readonly Float32Array[]): ImagePool {
  return { length: images.length, image: (i) => images[i] };
}

/** A named synthesis transform. */
export interface Synthesis {
  name: string;
  /** One line for tables and logs. */
  description: string;
  /** Whether `apply` needs `input.pool`. */
  needsPool: boolean;
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
