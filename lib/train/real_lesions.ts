/**
 * Lesions on real normal radiographs for pretraining: a structure-preserving opacity (SAS with the paper's brightening
 * weights) placed in one lung field of a real normal film, captioned like the synthetic benchmark's consolidation
 * reports ("Patchy opacity in the right lower zone, concerning for pneumonia."). The lesioned film and its clean
 * original share the acquisition (scanner, patient, markers, exposure), so the only thing that tells them apart is the
 * opacity: a contrast the real corpus's normal-vs-COVID-19 labels never give, since its two classes also differ in
 * where and how the films were taken.
 * @module
 */
import { type ImageSide, writeReport, type Zone, ZONES } from "../data/synthetic/mod.ts";
import { rectRegion } from "../prompts/mod.ts";
import { sas } from "../synthesis/mod.ts";
import type { Rng } from "../util/mod.ts";

/** The lesion's look: SAS's brightening gamma weights (an opacity whose core turns white). */
export const OPACITY_WEIGHTS: readonly number[] = Object.freeze([-0.7, -0.9]);

/** Lesion width and height as fractions of the image side: a zone-sized focus, not half the chest. */
export const LESION_SIZE: readonly [number, number] = Object.freeze([0.25, 0.55]) as readonly [number, number];

/**
 * Where the lung fields lie on a centred frontal film, as fractions of the image side: image-left lung x ∈ [0.12,
 * 0.46], image-right lung x ∈ [0.54, 0.88], both y ∈ [0.15, 0.8] (apices to domes; the zones are its thirds).
 */
export const LUNG_FIELDS = Object.freeze({ left: [0.12, 0.46], right: [0.54, 0.88], rows: [0.15, 0.8] });

/**
 * The contrastive group of a lesion pair: `place`, the synthetic benchmark's group of a consolidation at that side and
 * zone; or `pneumonia`, the group of the real corpus's pneumonia films, so that "pneumonia" is also the word of a focal
 * opacity.
 */
export const LESION_GROUPS = ["place", "pneumonia"] as const;

/** One of {@link LESION_GROUPS}. */
export type LesionGroup = typeof LESION_GROUPS[number];

/** A real normal turned into a lesion pair. */
export interface LesionPair {
  /** `[size*size]` grey image in [0, 1]. */
  image: Float32Array;
  /** A consolidation report naming the patient side and zone. */
  text: string;
  /** `consolidation:<image side>:<zone>` (the synthetic benchmark's group of that finding and place), or `pneumonia`. */
  group: string;
  side: "left" | "right";
  zone: Zone;
}

/**
 * Puts one opacity in a lung field of `image`. Draws, in order from `rng`: the image side (bernoulli 0.5: left), then
 * SAS's draws inside that lung field's rectangle ({@link OPACITY_WEIGHTS}, {@link LESION_SIZE}), then the report's.
 * The zone is the third of the lung rows that holds the lesion's centre.
 * @param image `[size*size]` grey image in [0, 1] (not modified)
 * @param group the pair's contrastive group ({@link LESION_GROUPS})
 * @returns the lesioned image `[size*size]`, its report and group
 */
export function lesionPair(image: Float32Array, size: number, rng: Rng, group: LesionGroup = "place"): LesionPair {
  const side: "left" | "right" = rng.bernoulli(0.5) ? "left" : "right";
  const [fx0, fx1] = LUNG_FIELDS[side], [fy0, fy1] = LUNG_FIELDS.rows;
  const px = (f: number) => Math.round(f * (size - 1));
  const region = rectRegion(`${side} lung field`, "", [{ x0: px(fx0), x1: px(fx1), y0: px(fy0), y1: px(fy1) }], size);
  const lesion = sas(image, size, region, rng, { weights: OPACITY_WEIGHTS, sizeRange: LESION_SIZE });
  const centreY = (lesion.box.y0 + lesion.box.y1) / 2 / (size - 1);
  const third = Math.floor(((centreY - fy0) / (fy1 - fy0)) * 3);
  const zone = ZONES[Math.min(2, Math.max(0, third))];
  const text = writeReport(rng, {
    finding: "consolidation",
    side: side as ImageSide,
    zone,
    details: { bronchograms: false },
  });
  return {
    image: lesion.image,
    text,
    group: group === "place" ? `consolidation:${side}:${zone}` : "pneumonia",
    side,
    zone,
  };
}
