/**
 * The pretraining mix: real radiographs with captions written from their labels (augmented), together with the
 * synthetic benchmark's image–report pairs, which teach position and finding words. Each batch is a pure function of
 * (seed, step).
 * @module
 */
import { Rng, streamSeed } from "../util/mod.ts";
import { augmentGray, type AugmentOptions } from "./augment.ts";
import { captionFor } from "./captions.ts";
import type { PairBatch, PairPool, PairSource } from "./pretrain.ts";
import { corpusImage, type CorpusPart } from "./real_corpus.ts";

/** Options for {@link mixedSource}. */
export interface MixOptions {
  seed: number;
  /** Fraction of each batch drawn from the real corpus. @default 0.75 */
  realFraction?: number;
  /** Augmentation of real images; `false` turns it off. @default the defaults of {@link augmentGray} */
  augment?: AugmentOptions | false;
}

/** The stream seed of one step of one purpose (moved to lib/util/seeds.ts, the table of every stream). */
export { stepSeed } from "../util/mod.ts";

/**
 * Batches of `round(batch · realFraction)` real pairs (group = their label, `normal` or `pneumonia`) and the rest
 * synthetic pairs (group `normal` or `finding:side:zone`), real and synthetic normals sharing the group `normal`.
 * Real images are drawn without replacement within a batch; their captions are re-phrased at every draw.
 */
export function mixedSource(real: CorpusPart, synthetic: PairPool | null, options: MixOptions): PairSource {
  const fraction = synthetic ? options.realFraction ?? 0.75 : 1;
  return {
    draw(step: number, batch: number): PairBatch {
      const rng = new Rng(streamSeed(options.seed, "pretrainStep", step));
      const nReal = Math.min(real.pixels.length, Math.round(batch * fraction));
      const nSynth = synthetic ? Math.min(synthetic.images.length, batch - nReal) : 0;
      const out: PairBatch = { images: [], texts: [], groups: [] };
      for (const i of rng.sample([...real.pixels.keys()], nReal)) {
        const label = real.entries[i].label;
        const image = corpusImage(real, i);
        out.images.push(options.augment === false ? image : augmentGray(image, real.size, rng, options.augment));
        out.texts.push(captionFor(label, rng));
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
