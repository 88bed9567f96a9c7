/**
 * The synthesis registry: `sas` (the paper's), `fpi` (patch-blending baseline) and `none` (synthesis off).
 * @module
 */
import { InputError } from "../util/errors.ts";
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
    needsOther: false,
    apply: ({ image, size, region }: SynthesisInput, rng) => sas(image, size, region, rng),
  },
  fpi: {
    name: "fpi",
    description: "FPI patch blending from another normal image (half-width 0.05–0.2·W, α ∈ [0.5, 1))",
    needsOther: true,
    apply: ({ image, size, region, other }: SynthesisInput, rng) => {
      if (!other) throw new RangeError("Cannot run fpi: it needs `other`, a second normal image");
      return fpi(image, other, size, region, rng);
    },
  },
  none: {
    name: "none",
    description: "no synthesis (identity)",
    needsOther: false,
    apply: ({ image, size }: SynthesisInput) => none(image, size),
  },
});

/** Looks a synthesis up by name; an unknown name throws an `InputError` listing the known ones. */
export function getSynthesis(name: string): Synthesis {
  if ((SYNTHESIS_NAMES as readonly string[]).includes(name)) return SYNTHESES[name as SynthesisName];
  throw new InputError(`Cannot find synthesis "${name}": known are ${SYNTHESIS_NAMES.join(", ")}`);
}
