/**
 * The pretraining mix: real radiographs with captions written from their labels (augmented), together with the
 * synthetic benchmark's image–report pairs, which teach position and finding words. Each batch is a pure function of
 * (seed, step).
 * @module
 */
import { Rng, streamSeed } from "../util/mod.ts";
import { augmentGray, type AugmentOptions } from "./augment.ts";
import { drawBorderSwap, swapBorder } from "./border_swap.ts";
import { captionFor, type CaptionStyle, promptCaption } from "./captions.ts";
import type { PairBatch, PairPool, PairSource } from "./pretrain.ts";
import { corpusImage, type CorpusPart } from "./real_corpus.ts";
import { type LesionGroup, lesionPair } from "./real_lesions.ts";

/** Options for {@link mixedSource}. */
export interface MixOptions {
  seed: number;
  /** Fraction of each batch drawn from the real corpus. @default 0.75 */
  realFraction?: number;
  /** Augmentation of real images; `false` turns it off. @default the defaults of {@link augmentGray} */
  augment?: AugmentOptions | false;
  /**
   * Probability that a real normal draw gets an opacity in one lung field and a consolidation report
   * (lib/train/real_lesions.ts), drawn from its own stream so that every other pair of the batch stays as without.
   * @default 0
   */
  realLesions?: number;
  /** The lesion pairs' contrastive group (lib/train/real_lesions.ts). @default "place" */
  lesionGroup?: LesionGroup;
  /** How real images are captioned (lib/train/captions.ts). @default "varied" */
  captions?: CaptionStyle;
  /**
   * Probability that a real film's outer frame is replaced by another corpus film's (lib/train/border_swap.ts), drawn
   * from its own stream so that every other pair of the batch stays as without. @default 0
   */
  borderSwap?: number;
}

/** The stream seed of one step of one purpose (moved to lib/util/seeds.ts, the table of every stream). */
export { stepSeed } from "../util/mod.ts";

/**
 * Batches of `round(batch · realFraction)` real pairs (group = their label, `normal` or `pneumonia`) and the rest
 * synthetic pairs (group `normal` or `finding:side:zone`), real and synthetic normals sharing the group `normal`.
 * Real images are drawn without replacement within a batch; their captions are re-phrased at every draw (or, with
 * `captions: "prompts"`, are the label's zero-shot prompt). With
 * `realLesions` p > 0, each real normal (after augmentation and its caption's draw) becomes, with probability p from
 * the step's `pretrainLesion` stream, a lesion pair (group `consolidation:<side>:<zone>`, or `pneumonia`). With
 * `borderSwap` q > 0, each real film (after augmentation, before any lesion) gets, with probability q from the step's
 * `pretrainBorderSwap` stream, the frame of a corpus film drawn regardless of label.
 */
export function mixedSource(real: CorpusPart, synthetic: PairPool | null, options: MixOptions): PairSource {
  const fraction = synthetic ? options.realFraction ?? 0.75 : 1;
  return {
    draw(step: number, batch: number): PairBatch {
      const rng = new Rng(streamSeed(options.seed, "pretrainStep", step));
      const lesions = options.realLesions ?? 0;
      const lesionRng = lesions > 0 ? new Rng(streamSeed(options.seed, "pretrainLesion", step)) : null;
      const swaps = options.borderSwap ?? 0;
      const swapRng = swaps > 0 ? new Rng(streamSeed(options.seed, "pretrainBorderSwap", step)) : null;
      const nReal = Math.min(real.pixels.length, Math.round(batch * fraction));
      const nSynth = synthetic ? Math.min(synthetic.images.length, batch - nReal) : 0;
      const out: PairBatch = { images: [], texts: [], groups: [] };
      for (const i of rng.sample([...real.pixels.keys()], nReal)) {
        const label = real.entries[i].label;
        const raw = corpusImage(real, i);
        const augmented = options.augment === false ? raw : augmentGray(raw, real.size, rng, options.augment);
        const swap = swapRng ? drawBorderSwap(swapRng, swaps, real.pixels.length, real.size) : null;
        const image = swap ? swapBorder(augmented, corpusImage(real, swap.donor), real.size, swap.width) : augmented;
        const caption = options.captions === "prompts" ? promptCaption(label) : captionFor(label, rng);
        if (label === "normal" && lesionRng?.bernoulli(lesions)) {
          const lesion = lesionPair(image, real.size, lesionRng, options.lesionGroup);
          out.images.push(lesion.image);
          out.texts.push(lesion.text);
          out.groups!.push(lesion.group);
          continue;
        }
        out.images.push(image);
        out.texts.push(caption);
        out.groups!.push(label);
      }
      if (synthetic && nSynth > 0) {
        for (const i of rng.sample([...synthetic.images.keys()], nSynth)) {
          out.images.push(synthetic.images[i]);
          out.texts.push(synthetic.texts[i]);
          out.groups!.push(synthetic.groups?.[i] ?? `synthetic:${i}`);
        }
      }
      return out;
    },
  };
}
