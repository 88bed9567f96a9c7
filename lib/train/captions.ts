/**
 * Radiology-style captions for a labelled corpus without reports: each image gets, at every draw, one of several
 * phrasings of its label (a normal study; bilateral or patchy airspace opacities and pneumonia), so the text tower
 * learns words rather than one fixed sentence per class.
 * @module
 */
import { ZERO_SHOT_PROMPTS } from "../prompts/mod.ts";
import type { Rng } from "../util/mod.ts";

/** The two labels of a normal-vs-pneumonia corpus. */
export type CaptionLabel = "normal" | "pneumonia";

/** Findings sentences of a normal study. */
const NORMAL_FINDINGS: readonly string[] = [
  "the lungs are clear.",
  "clear lungs bilaterally.",
  "no focal consolidation, pleural effusion or pneumothorax.",
  "no focal airspace opacity.",
  "lungs are well expanded and clear.",
  "the cardiomediastinal silhouette is normal and the lungs are clear.",
  "no acute cardiopulmonary abnormality.",
  "normal chest radiograph.",
  "normal.",
  "unremarkable frontal chest radiograph.",
];

/** Impression sentences of a normal study (optional second sentence). */
const NORMAL_IMPRESSIONS: readonly string[] = [
  "normal study.",
  "no acute disease.",
  "normal chest.",
  "no active disease.",
];

/** Findings sentences of a pneumonia (here: COVID-19 pneumonia) study. */
const PNEUMONIA_FINDINGS: readonly string[] = [
  "bilateral patchy airspace opacities.",
  "multifocal patchy opacities in both lungs.",
  "bilateral peripheral ground glass opacities.",
  "patchy consolidation in both lower zones.",
  "diffuse bilateral airspace disease.",
  "bilateral hazy opacities, worse at the bases.",
  "pneumonia.",
  "multifocal pneumonia.",
  "bilateral pneumonia.",
  "airspace opacities in both lungs.",
];

/** Impression sentences of a pneumonia study (optional second sentence). */
const PNEUMONIA_IMPRESSIONS: readonly string[] = [
  "findings consistent with pneumonia.",
  "compatible with viral pneumonia.",
  "in keeping with covid-19 pneumonia.",
  "atypical pneumonia.",
  "pneumonia.",
];

/**
 * How real images are captioned: `varied` (one of several radiology phrasings, re-drawn at every draw) or `prompts`
 * (exactly the zero-shot prompt of the label, "normal." or "pneumonia.": with grouped targets the real pairs then
 * train the image tower as a two-class classifier whose class weights are the text tower's prompt features).
 */
export const CAPTION_STYLES = ["varied", "prompts"] as const;
/** One of {@link CAPTION_STYLES}. */
export type CaptionStyle = typeof CAPTION_STYLES[number];

/** The zero-shot prompt of a label: zero-shot scoring's `ZERO_SHOT_PROMPTS`, normal first. */
export function promptCaption(label: CaptionLabel): string {
  return ZERO_SHOT_PROMPTS[label === "normal" ? 0 : 1];
}

/** Every phrasing a label can get (for the tokenizer's merge learning and for documentation). */
export function captionVocabulary(label: CaptionLabel): string[] {
  return label === "normal"
    ? [...NORMAL_FINDINGS, ...NORMAL_IMPRESSIONS]
    : [...PNEUMONIA_FINDINGS, ...PNEUMONIA_IMPRESSIONS];
}

/**
 * One caption for an image of `label`: a findings sentence, followed with probability 0.5 by an impression sentence.
 * A pure function of the generator's state.
 */
export function captionFor(label: CaptionLabel, rng: Rng): string {
  const [findings, impressions] = label === "normal"
    ? [NORMAL_FINDINGS, NORMAL_IMPRESSIONS]
    : [PNEUMONIA_FINDINGS, PNEUMONIA_IMPRESSIONS];
  const first = rng.pick(findings);
  return rng.bernoulli(0.5) ? `${first} ${rng.pick(impressions)}` : first;
}
