/**
 * The data a sweep needs in memory: the test split (decoded once, at the model's resolution) and the pool of normal
 * training images from which each seed draws its k shots.
 * @module
 */
import { type Dataset, loadDataset, loadImages, type Sample, select } from "../data/datasets/mod.ts";
import type { BadImagePolicy, SkippedImage } from "../data/datasets/mod.ts";
import { defaultCachePath, loadPrepared } from "../data/cache.ts";
import { InputError } from "../util/errors.ts";
import { Rng } from "../util/rng.ts";

/** A loaded evaluation set: samples with labels and pixels `[n][size*size]` in [0, 1]. */
export interface TestSet {
  samples: Sample[];
  labels: number[];
  images: Float32Array[];
  skipped: SkippedImage[];
}

/** Options for {@link ExperimentData.load}. */
export interface ExperimentDataOptions {
  resolution: number;
  layout?: string;
  dataset?: string;
  /** Use a stratified subsample of this many test images (seeded, the same for every run). */
  testLimit?: number | null;
  onBadImage?: BadImagePolicy;
  quiet?: boolean;
}

/** Stratified subsample of `samples` keeping the class ratio, drawn with a fixed seed. */
export function stratifiedSubsample(samples: readonly Sample[], limit: number, seed = 20240611): Sample[] {
  if (limit >= samples.length) return [...samples];
  const rng = new Rng(seed);
  const normals = samples.filter((s) => s.label === 0), abnormals = samples.filter((s) => s.label === 1);
  const nAbn = Math.max(1, Math.min(abnormals.length, Math.round(limit * abnormals.length / samples.length)));
  const nNorm = Math.max(1, Math.min(normals.length, limit - nAbn));
  const keep = new Set([...rng.sample(normals, nNorm), ...rng.sample(abnormals, nAbn)]);
  return samples.filter((s) => keep.has(s));
}

/** A dataset with its test split loaded and lazy access to k-shot normal training draws. */
export class ExperimentData {
  readonly dataset: Dataset;
  readonly test: TestSet;
  readonly trainNormals: Sample[];
  readonly resolution: number;
  readonly #cache = new Map<string, Float32Array>();

  private constructor(dataset: Dataset, test: TestSet, resolution: number) {
    this.dataset = dataset;
    this.test = test;
    this.resolution = resolution;
    this.trainNormals = select(dataset, "train", 0);
    if (this.trainNormals.length === 0) {
      throw new InputError(`Cannot train on ${dataset.root}: the train split has no normal images`);
    }
  }

  /** Loads the dataset index and decodes the (possibly subsampled) test split. */
  static async load(root: string, options: ExperimentDataOptions): Promise<ExperimentData> {
    const dataset = await loadDataset(root, {
      layout: options.layout,
      dataset: options.dataset as never,
      warn: !options.quiet,
    });
    let testSamples = select(dataset, "test");
    if (testSamples.length === 0) throw new InputError(`Cannot evaluate on ${dataset.root}: the test split is empty`);
    if (options.testLimit) testSamples = stratifiedSubsample(testSamples, options.testLimit);
    const prepared = await ExperimentData.#fromCache(dataset, options);
    const loaded = prepared ? ExperimentData.#pick(prepared, testSamples) : await loadImages(testSamples, {
      resolution: options.resolution,
      onBadImage: options.onBadImage ?? "fail",
      progress: options.quiet ? undefined : "decode test",
    });
    const labels = loaded.samples.map((s) => s.label);
    if (!labels.includes(0) || !labels.includes(1)) {
      throw new InputError(`Cannot evaluate on ${dataset.root}: the test split needs both normal and abnormal images`);
    }
    const test: TestSet = {
      samples: loaded.samples,
      labels,
      images: loaded.images.map((g) => g.data),
      skipped: loaded.skipped,
    };
    const data = new ExperimentData(dataset, test, options.resolution);
    if (prepared) prepared.samples.forEach((s, i) => data.#cache.set(s.path, prepared.images[i].data));
    return data;
  }

  /** The `deno task prepare` cache of the data set when one exists and is fresh, else null (images get decoded). */
  static async #fromCache(dataset: Dataset, options: ExperimentDataOptions) {
    const path = defaultCachePath(dataset, options.resolution);
    if (!(await Deno.stat(path).then(() => true, () => false))) return null;
    try {
      const prepared = await loadPrepared(dataset, {
        resolution: options.resolution,
        onBadImage: options.onBadImage ?? "fail",
        rebuild: "never",
        progress: false,
      });
      if (!options.quiet) console.error(`data: using prepared images from ${prepared.path}`);
      return prepared;
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      if (!options.quiet) console.error(`warning: not using ${path} (${err.message}); decoding images instead`);
      return null;
    }
  }

  /** The cached images of `samples` (in order), with the cache's skipped files that belong to them. */
  static #pick(prepared: Awaited<ReturnType<typeof loadPrepared>>, samples: readonly Sample[]) {
    const index = new Map(prepared.samples.map((s, i) => [s.path, i]));
    const kept = samples.filter((s) => index.has(s.path));
    const wanted = new Set(samples.map((s) => s.path));
    return {
      samples: kept,
      images: kept.map((s) => prepared.images[index.get(s.path)!]),
      skipped: prepared.skipped.filter((k) => wanted.has(k.path)),
    };
  }

  /** The k-shot normal training images of `seed` (`[k][size*size]`), drawn without replacement; cached decodes. */
  async shots(seed: number, k: number): Promise<{ samples: Sample[]; images: Float32Array[] }> {
    if (k > this.trainNormals.length) {
      throw new InputError(
        `Cannot draw ${k} shots: the train split has only ${this.trainNormals.length} normal images`,
      );
    }
    const rng = new Rng((seed * 2654435761) >>> 0);
    const picked = rng.sample(this.trainNormals, k);
    const missing = picked.filter((s) => !this.#cache.has(s.path));
    if (missing.length) {
      const loaded = await loadImages(missing, { resolution: this.resolution, onBadImage: "fail" });
      loaded.samples.forEach((s, i) => this.#cache.set(s.path, loaded.images[i].data));
    }
    return { samples: picked, images: picked.map((s) => this.#cache.get(s.path)!) };
  }
}
