/**
 * What one sweep computes once and shares between its runs, none of which depends on what a run learns:
 *
 * - **prompt-free image features** ({@link FeatureCache}, lib/eval/feature_cache.ts): the frozen CLIP's feature of
 *   every image a run sees without image prompts (all images of zero-shot, CoOp, text-only and no-position; the
 *   whole-image branch of PPAD), keyed by image content under the sweep's model and preprocessing;
 * - **patch tokens** ({@link PatchEmbeddingCache}, lib/eval/patch_cache.ts): the frozen CLIP's patch embedding of every
 *   image a run sees through image prompts (test images for every prompted region, shots and synthetic anomalies at
 *   every training step, the probe's draws), which image prompts replace only after it; keyed the same way;
 * - **training-batch streams** ({@link BatchStreams}, lib/train/batch_streams.ts): the synthesised batches of runs
 *   that draw the same ones (same training seed, shots, synthesis, region masks).
 *
 * Every reuse is exact (bitwise the numbers the run would compute), so results do not depend on whether the cache is on
 * (`--no-feature-cache` turns it off; `tests/feature_cache_test.ts` checks a sweep both ways). Bounded (features 256
 * MiB, patch tokens 512 MiB, batches 512 MiB by default; see the three modules), host memory only, freed by
 * {@link SweepCache.dispose}.
 * @module
 */
import type { ModelBundle } from "../encoders/mod.ts";
import { digestBytes, FeatureCache, PatchEmbeddingCache } from "../eval/mod.ts";
import { effectiveRegions, getVariant, type PromptModelOptions, regionSet } from "../prompts/mod.ts";
import { BatchStreams } from "../train/mod.ts";
import { Rng, streamSeed } from "../util/mod.ts";
import { canonicalJson, type RunSpec } from "./config.ts";

/** Bounds of a {@link SweepCache}. */
export interface SweepCacheOptions {
  /** Bound on the feature cache. @default 256 MiB */
  featureBytes?: number;
  /** Bound on the patch-embedding cache. @default 512 MiB */
  patchBytes?: number;
  /** Bound on the recorded batch streams. @default 512 MiB */
  batchBytes?: number;
}

/**
 * The generators of one run, as `trainAndEvaluate` derives them from its seed: the prompt initialisation's and the
 * seed of the training stream (what the run's generator's second `fork()` would be seeded with).
 */
export function runGenerators(seed: number): { model: Rng; trainSeed: number } {
  const rng = new Rng(streamSeed(seed, "run"));
  const model = rng.fork();
  return { model, trainSeed: rng.nextUint32() };
}

/**
 * The key of a run's training-batch stream: what decides its batches (training seed, shot draw, synthesis, the
 * variant's effective region masks in order, abnormal probability, steps), not the variant itself. Null for runs that
 * do not train.
 * @param resolution the model's input side (region masks are `[resolution²]`)
 */
export function trainingStreamKey(spec: RunSpec, resolution: number): string | null {
  const variant = getVariant(spec.variant);
  if (!variant.trains || spec.steps <= 0) return null;
  const regions = effectiveRegions(variant, regionSet(spec.regions, resolution));
  const masks = new Uint8Array(regions.regions.length * resolution * resolution);
  regions.regions.forEach((r, i) => masks.set(r.mask, i * resolution * resolution));
  return canonicalJson({
    stream: "train",
    trainSeed: runGenerators(spec.seed).trainSeed,
    shots: [spec.seed, spec.shots],
    synthesis: spec.synthesis,
    regions: [regions.regions.length, digestBytes(masks)],
    abnormalProbability: 0.5,
    steps: spec.steps,
  });
}

/** The cache of one sweep on one model (see the module doc). */
export class SweepCache {
  readonly features: FeatureCache;
  readonly patches: PatchEmbeddingCache;
  readonly batches: BatchStreams;
  readonly #resolution: number;

  constructor(bundle: ModelBundle, options: SweepCacheOptions = {}) {
    this.features = new FeatureCache(bundle.clip, {
      modelHash: bundle.hash,
      normalisation: bundle.normalisation,
      maxBytes: options.featureBytes,
    });
    this.patches = new PatchEmbeddingCache(bundle.clip, {
      modelHash: bundle.hash,
      normalisation: bundle.normalisation,
      maxBytes: options.patchBytes,
    });
    this.batches = new BatchStreams({ maxBytes: options.batchBytes });
    this.#resolution = bundle.clip.config.imageResolution;
  }

  /** What a run's `PromptModel` takes from the cache: its prompt-free features and its patch tokens. */
  promptModelSources(): Pick<PromptModelOptions, "frozenFeatures" | "patchEmbeddings"> {
    return { frozenFeatures: this.features, patchEmbeddings: this.patches };
  }

  /** The training-stream key of `spec` on this sweep's model ({@link trainingStreamKey}). */
  streamKey(spec: RunSpec): string | null {
    return trainingStreamKey(spec, this.#resolution);
  }

  /** Declares the runs that will train (one per distinct training), so that shared streams are recorded once. */
  expectTrainings(specs: readonly RunSpec[]): void {
    for (const spec of specs) {
      const key = this.streamKey(spec);
      if (key) this.batches.expect(key);
    }
  }

  /** One line for the log: what was reused and what is held. */
  summary(): string {
    const f = this.features.stats(), p = this.patches.stats(), b = this.batches.stats();
    const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;
    return `cache: image features ${f.hits} reused, ${f.computed} computed (${f.entries} held, ${mb(f.bytes)}` +
      `${f.evicted ? `, ${f.evicted} evicted` : ""}); patch tokens ${p.hits} reused, ${p.computed} computed ` +
      `(${p.entries} held, ${mb(p.bytes)}${p.evicted ? `, ${p.evicted} evicted` : ""}); ` +
      `training batches: ${b.replayed} runs replayed ${b.recorded} ` +
      `recorded streams${b.abandoned ? ` (${b.abandoned} over budget, drawn again)` : ""}`;
  }

  /** Frees everything the cache holds (it holds no tensors). */
  dispose(): void {
    this.features.clear();
    this.patches.clear();
    this.batches.clear();
  }
}
