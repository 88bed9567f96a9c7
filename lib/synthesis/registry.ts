/**
 * The synthesis registry: `sas` (the paper's), `fpi` (patch-blending baseline) and `none` (synthesis off).
 * @module
 */
import { InputError } from "../util/mod.ts";
import { fpi } from "./fpi.ts";
import { sas } from "./sas.ts";
import type { Synthesis, SynthesisInput, SynthesisResult } from "./types.ts";

/** Names of the built-in syntheses. */
export const SYNTHESIS_NAMES = ["sas", "fpi", "none"] as const;
/** One of {@link SYNTHESIS_NAMES}. */
export type SynthesisName = typeof SYNTHESIS_NAMES[number];

/** The identity: a copy of the image and an empty mask; draws nothing from the generator. */
export function none(image: Float32Array, size: number): SynthesisResult {
  if (image.length !== size * size) {
    throw new RangeError(`Cannot run none: image has ${image.length} pixels, expected ${size}×${size}`);
  }
  return { image: image.slice(), mask: new Uint8Array(size * size) };
}

/** The built-in syntheses by name (frozen). */
export const SYNTHESES: Readonly<Record<SynthesisName, Synthesis>> = Object.freeze({
  sas: {
    name: "sas",
    description: "structure-preserving anomaly synthesis (Bézier lesion, EDT-weighted gamma)",
    needsPool: false,
    apply: ({ image, size, region }: SynthesisInput, rng) => sas(image, size, region, rng),
  },
  fpi: {
    name: "fpi",
    description: "FPI patch blending from a normal image of the pool (half-width 0.05–0.2·W, α ∈ [0.5, 1))",
    needsPool: true,
    // The source is drawn first, uniformly from the whole pool (the release's `random.choice` over every normal).
    apply: ({ image, size, region, pool }: SynthesisInput, rng) => {
      if (!pool || pool.length === 0) {
        throw new RangeError("Cannot run fpi: it needs `pool`, normal images to take patches from");
      }
      return fpi(image, pool.image(rng.int(0, pool.length - 1)), size, region, rng);
    },
  },
  none: {
    name: "none",
    description: "no synthesis (identity)",
    needsPool: false,
    apply: ({ image, size }: SynthesisInput) => none(image, size),
  },
});

/** Validates a synthesis name (e.g. from a flag); an unknown name throws an `InputError` listing the known ones. */
export function parseSynthesis(name: string): SynthesisName {
  return getSynthesis(name).name as SynthesisName;
}

/** Looks a synthesis up by name, with a one-line error listing the known ones. */
export function getSynthesis(name: string): Synthesis {
  if ((SYNTHESIS_NAMES as readonly string[]).includes(name)) return SYNTHESES[name as SynthesisName];
  throw new InputError(`Cannot find synthesis "${name}": known are ${SYNTHESIS_NAMES.join(", ")}`);
}
