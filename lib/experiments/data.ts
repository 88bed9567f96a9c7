/**
 * The data a sweep needs in memory: the test split (decoded once, at the model's resolution) and the pool of normal
 * training images from which each seed draws its k shots.
 * @module
 */
import {
  type BadImagePolicy,
  type Dataset,
  defaultCachePath,
  loadDataset,
  loadImages,
  loadPrepared,
  type Sample,
  select,
  type SkippedImage,
} from "../data/mod.ts";
import type { ImagePool } from "../synthesis/mod.ts";
import { fixedStreamSeed, InputError, pathExists, Rng, streamSeed } from "../util/mod.ts";

/** A loaded evaluation set: samples with labels and pixels `[n][size*size]` in [0, 1]. */
export interface TestSet {
  samples: Sample[];
  labels: number[];
  images: Float32Array[];
  skipped: SkippedImage[];
  /** `--test-limit` when given: the number of test images asked for (else null). */
  requested: number | null;
  /** Skipped images that were replaced by other test images of the same class (only with a test limit). */
  replaced: number;
  /** Images of the `--test-limit` subsample that could not be scored nor replaced (the pool ran out), else 0. */
  shortfall: number;
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
export function stratifiedSubsample(
  samples: readonly Sample[],
  limit: number,
  seed = fixedStreamSeed("subsample"),
): Sample[] {
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
  #pool: Promise<ImagePool> | null = null;

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
    const all = testSamples;
    if (options.testLimit) testSamples = stratifiedSubsample(testSamples, options.testLimit);
    const prepared = await ExperimentData.#fromCache(dataset, options);
    const loadSet = (samples: readonly Sample[]) =>
      prepared ? ExperimentData.#pick(prepared, samples) : loadImages(samples, {
        resolution: options.resolution,
        onBadImage: options.onBadImage ?? "fail",
        progress: options.quiet ? undefined : "decode test",
      });
    const loaded = await loadSet(testSamples);
    // With a test limit, a skipped image is replaced by another test image of the same class (seeded order), so the
    // limit is met while the pool lasts; any shortfall left is reported by the caller.
    let replaced = 0;
    if (options.testLimit && loaded.skipped.length > 0) {
      const used = new Set(testSamples.map((s) => s.path));
      const labelOf = new Map(all.map((s) => [s.path, s.label]));
      const pool = new Rng(fixedStreamSeed("testReplacement")).shuffle(all.filter((s) => !used.has(s.path)));
      let pending = loaded.skipped;
      while (pending.length > 0) {
        const extra: Sample[] = [];
        for (const k of pending) {
          const i = pool.findIndex((s) => s.label === labelOf.get(k.path));
          if (i >= 0) extra.push(...pool.splice(i, 1));
        }
        if (extra.length === 0) break;
        extra.forEach((s) => labelOf.set(s.path, s.label));
        const more = await loadSet(extra);
        loaded.samples.push(...more.samples);
        loaded.images.push(...more.images);
        loaded.skipped.push(...more.skipped);
        replaced += more.samples.length;
        pending = more.skipped;
      }
    }
    const labels = loaded.samples.map((s) => s.label);
    if (!labels.includes(0) || !labels.includes(1)) {
      throw new InputError(`Cannot evaluate on ${dataset.root}: the test split needs both normal and abnormal images`);
    }
    const test: TestSet = {
      samples: loaded.samples,
      labels,
      images: loaded.images.map((g) => g.data),
      skipped: loaded.skipped,
      requested: options.testLimit ?? null,
      replaced,
      shortfall: options.testLimit ? Math.max(0, testSamples.length - loaded.samples.length) : 0,
    };
    const data = new ExperimentData(dataset, test, options.resolution);
    if (prepared) prepared.samples.forEach((s, i) => data.#cache.set(s.path, prepared.images[i].data));
    return data;
  }

  /** The `deno task prepare` cache of the data set when one exists and is fresh, else null (images get decoded). */
  static async #fromCache(dataset: Dataset, options: ExperimentDataOptions) {
    const path = defaultCachePath(dataset, options.resolution);
    if (!(await pathExists(path))) return null;
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
    const rng = new Rng(streamSeed(seed, "shots"));
    const picked = rng.sample(this.trainNormals, k);
    const missing = picked.filter((s) => !this.#cache.has(s.path));
    if (missing.length) {
      const loaded = await loadImages(missing, { resolution: this.resolution, onBadImage: "fail" });
      loaded.samples.forEach((s, i) => this.#cache.set(s.path, loaded.images[i].data));
    }
    return { samples: picked, images: picked.map((s) => this.#cache.get(s.path)!) };
  }

  /**
   * Every normal image of the train split (`[trainNormals.length][size*size]`, in `trainNormals` order): FPI's patch
   * source, as in the release. Decoded once (in chunks of 64) and memoised; images already in memory (the prepared
   * cache, drawn shots) are shared, decoded 8-bit images are stored as bytes (50 KB each at 224²) and expanded per
   * access.
   */
  normalPool(): Promise<ImagePool> {
    this.#pool ??= this.#loadPool();
    return this.#pool;
  }

  async #loadPool(): Promise<ImagePool> {
    const stored: (Float32Array | Uint8Array)[] = new Array(this.trainNormals.length);
    const missing: number[] = [];
    this.trainNormals.forEach((s, i) => {
      const img = this.#cache.get(s.path);
      if (img) stored[i] = img;
      else missing.push(i);
    });
    for (let c = 0; c < missing.length; c += 64) {
      const idx = missing.slice(c, c + 64);
      const loaded = await loadImages(idx.map((i) => this.trainNormals[i]), {
        resolution: this.resolution,
        onBadImage: "fail",
      });
      idx.forEach((i, k) => (stored[i] = compactImage(loaded.images[k].data)));
    }
    return {
      length: stored.length,
      image: (i) => {
        const v = stored[i];
        if (v instanceof Float32Array) return v;
        const out = new Float32Array(v.length);
        for (let j = 0; j < v.length; j++) out[j] = v[j] / 255;
        return out;
      },
    };
  }
}

/** An image `[n]` in [0, 1] as bytes when every value is exactly k/255 (8-bit sources), else itself. */
export function compactImage(image: Float32Array): Float32Array | Uint8Array {
  const bytes = new Uint8Array(image.length);
  for (let i = 0; i < image.length; i++) {
    const k = Math.round(image[i] * 255);
    if (Math.fround(k / 255) !== image[i]) return image;
    bytes[i] = k;
  }
  return bytes;
}
