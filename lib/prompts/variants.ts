/**
 * The method and its baselines as named variants of one prompt model. Every variant can be combined with any region
 * set, synthesis and scoring; what a variant means is said here and only here: what it learns ({@link VARIANTS}), which
 * method fields it ignores ({@link ignoredFields}, {@link canonicalVariantFields}) and which regions it effectively uses
 * ({@link effectiveRegions}).
 * @module
 */
import { InputError } from "../util/mod.ts";
import { namesSides, type RegionSet, regionSet, type Sides, wholeOnly } from "./regions.ts";

/** What a variant learns and how it uses regions. */
export interface VariantSpec {
  name: VariantName;
  /** One line for tables and the README. */
  description: string;
  /** Learn text context vectors V1…Vn (false: fixed hand-written text). */
  learnTextContext: boolean;
  /** Put the region's position words in the text prompt. */
  positionWords: boolean;
  /** Learn image prompts that replace the patches outside the region (input level). */
  imagePrompts: boolean;
  /** Replace the configured region set by the whole image alone. */
  wholeImageOnly: boolean;
  /** Replace every region by the whole image (keeping the count) with empty position words. */
  collapseRegions: boolean;
  /** Needs training. */
  trains: boolean;
}

/** Variant names. */
export const VARIANT_NAMES = ["zeroshot", "coop", "text-only", "image-only", "no-position", "ppad"] as const;
/** One of {@link VARIANT_NAMES}. */
export type VariantName = typeof VARIANT_NAMES[number];

/** The registry of variants. */
export const VARIANTS: Readonly<Record<VariantName, VariantSpec>> = Object.freeze({
  zeroshot: {
    name: "zeroshot",
    description: 'frozen CLIP, "normal." vs "pneumonia.", whole image (the authors\' CheXzero re-run)',
    learnTextContext: false,
    positionWords: false,
    imagePrompts: false,
    wholeImageOnly: true,
    collapseRegions: false,
    trains: false,
  },
  coop: {
    name: "coop",
    description: "learned text context (CoOp), whole image, no position words",
    learnTextContext: true,
    positionWords: false,
    imagePrompts: false,
    wholeImageOnly: true,
    collapseRegions: false,
    trains: true,
  },
  "text-only": {
    name: "text-only",
    description: "position-guided learned text prompts per region; the unmasked image feature",
    learnTextContext: true,
    positionWords: true,
    imagePrompts: false,
    wholeImageOnly: false,
    collapseRegions: false,
    trains: true,
  },
  "image-only": {
    name: "image-only",
    description: 'position-guided image prompts; fixed text "<position words> <class>."',
    learnTextContext: false,
    positionWords: true,
    imagePrompts: true,
    wholeImageOnly: false,
    collapseRegions: false,
    trains: true,
  },
  "no-position": {
    name: "no-position",
    description:
      "learned text context; every region is the whole image with empty position words (image prompts would replace no patch, so none are learned)",
    learnTextContext: true,
    positionWords: false,
    imagePrompts: false,
    wholeImageOnly: false,
    collapseRegions: true,
    trains: true,
  },
  ppad: {
    name: "ppad",
    description: "PPAD: position-guided text and image prompts",
    learnTextContext: true,
    positionWords: true,
    imagePrompts: true,
    wholeImageOnly: false,
    collapseRegions: false,
    trains: true,
  },
});

/** Looks a variant up by name, with a one-line error listing the known ones. */
export function getVariant(name: string): VariantSpec {
  if ((VARIANT_NAMES as readonly string[]).includes(name)) return VARIANTS[name as VariantName];
  throw new InputError(`Cannot use variant ${JSON.stringify(name)}: expected one of ${VARIANT_NAMES.join(", ")}`);
}

/**
 * The method fields a variant may ignore, as a structural record (lib/experiments/config.ts's `MethodSpec` has them
 * all): what {@link canonicalVariantFields} fixes.
 */
export interface VariantFields {
  variant: VariantName;
  /** Region set name. */
  regions: string;
  /** Synthesis name (`none` when the variant does not train). */
  synthesis: string;
  shots: number;
  steps: number;
  lr: number;
  momentum: number;
  nCtx: number;
  sides: Sides;
}

/** The value each ignorable field is fixed to when a variant ignores it (`sides` is fixed to the paper's, `image`). */
export const IGNORED_FIELD_VALUES: Readonly<Omit<VariantFields, "variant">> = Object.freeze({
  regions: "whole",
  synthesis: "none",
  shots: 0,
  steps: 0,
  lr: 0,
  momentum: 0,
  nCtx: 0,
  sides: "image",
});

/**
 * The fields `variant` ignores on the region set named `regions`, in the order they are fixed: the training fields
 * (`shots`, `steps`, `synthesis`, `lr`, `momentum`) when it does not train, `regions` when it uses the whole image
 * alone, `nCtx` when it learns no text context, and `sides` when its position words name no side (no position words,
 * or a region set — after `regions` is fixed — whose words name none).
 */
export function ignoredFields(variant: VariantSpec, regions: string): (keyof typeof IGNORED_FIELD_VALUES)[] {
  const out: (keyof typeof IGNORED_FIELD_VALUES)[] = [];
  if (!variant.trains) out.push("shots", "steps", "synthesis", "lr", "momentum");
  if (variant.wholeImageOnly) out.push("regions");
  if (!variant.learnTextContext) out.push("nCtx");
  const effective = variant.wholeImageOnly ? IGNORED_FIELD_VALUES.regions : regions;
  // The sides convention only matters when position words name a side.
  if (!variant.positionWords || !namesSides(regionSet(effective))) out.push("sides");
  return out;
}

/**
 * Canonical form of a method's variant fields: every field the variant ignores ({@link ignoredFields}) set to its
 * {@link IGNORED_FIELD_VALUES} entry, so that equivalent runs share one id. Returns a shallow copy (same key order);
 * the input is not modified.
 */
export function canonicalVariantFields<T extends VariantFields>(m: T): T {
  const out: T = { ...m };
  const fields = out as unknown as Record<string, unknown>;
  for (const field of ignoredFields(getVariant(m.variant), m.regions)) fields[field] = IGNORED_FIELD_VALUES[field];
  return out;
}

/**
 * The region set a variant actually uses, from the configured one (`size` px): `whole` alone for whole-image
 * variants; R copies of the whole image (named `whole-as-<region>`, set `<name>-collapsed`) when collapsed; else the
 * configured set itself.
 */
export function effectiveRegions(variant: VariantSpec, regions: RegionSet): RegionSet {
  if (variant.wholeImageOnly) return wholeOnly(regions.size);
  if (variant.collapseRegions) {
    const whole = wholeOnly(regions.size).regions[0];
    return {
      name: `${regions.name}-collapsed`,
      size: regions.size,
      regions: regions.regions.map((r) => ({ ...whole, name: `whole-as-${r.name}` })),
    };
  }
  return regions;
}
