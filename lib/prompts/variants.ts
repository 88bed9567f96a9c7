/**
 * The method and its baselines as named variants of one prompt model. Every variant can be combined with any region
 * set, synthesis and scoring; what a variant fixes is said here.
 * @module
 */
import { InputError } from "../util/mod.ts";

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
