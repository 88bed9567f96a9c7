/**
 * A sweep-wide memo of **prompt-free image features**: the frozen CLIP's L2-normalised image feature of a grey image,
 * encoded without image prompts. Without image prompts, a variant's image feature does not depend on anything it
 * learns (zero-shot, CoOp, text-only, no-position, and the whole-image branch of PPAD, whose image prompts replace no
 * patch), so one sweep computes it once per distinct image and reuses it across runs, seeds and steps: test images, the
 * k-shot normals and the synthetic anomalies of a training stream alike.
 *
 * Key: the image's content (a 128-bit digest of its float32 pixels), under one model and one preprocessing, fixed when
 * the cache is made (model hash, normalisation, resolution; a cache refuses another CLIP). The region is not part of
 * the key: without image prompts every region sees the same, unmasked image, so one entry serves all of them.
 *
 * Exactness: rows of the frozen CLIP are computed independently of the other rows of their batch (every kernel of
 * the image tower reduces within a row, in a fixed order), so a feature computed in one batch equals, bitwise, the same
 * image's feature in any other batch; features travel host ↔ tensor as float32, exactly. `tests/feature_cache_test.ts`
 * checks a whole small sweep with the cache on and off for identical per-image probabilities.
 *
 * Bounds: features live on the host (no tensors are held between calls), about `4·embedDim + 120` bytes per entry
 * (≈ 630 B at the default model's 128 dimensions, ≈ 2.2 KB at CheXzero's 512); least recently used entries are dropped
 * beyond `maxBytes` (default 256 MiB ≈ 400,000 entries at 128-d, 120,000 at 512-d). The default sweep (one seed) ends
 * with 6,365 entries, 3.8 MB (624 test images, 64 shots, ≈ 3,200 synthetic anomalies per training stream seen without
 * image prompts); each further seed adds about 5,700, so five seeds on CheXzero (512-d) hold ≈ 29,000, ≈ 64 MB.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Normalisation } from "../data/mod.ts";
import { l2normalise, pixelsFromGray, type PromptableClip, sameNormalisation } from "../prompts/mod.ts";

/** Default bound of a {@link FeatureCache}: 256 MiB. */
export const DEFAULT_FEATURE_CACHE_BYTES = 256 * 2 ** 20;

/** Approximate per-entry overhead besides the feature itself (key string and map slot), in bytes. */
const ENTRY_OVERHEAD = 120;

const digests = new WeakMap<Float32Array, string>();

/**
 * 128-bit digest (32 hex digits) of a typed array's bytes, four independent 32-bit multiply–rotate lanes over its
 * 32-bit words plus its length. Not cryptographic; two different images of a sweep colliding has probability about
 * n² / 2¹²⁹ (n images), negligible.
 * @param data bytes `[n]` (any length)
 */
export function digestBytes(data: Uint8Array): string {
  const words = data.length >>> 2;
  const aligned = data.byteOffset % 4 === 0 ? data : data.slice();
  const w = new Uint32Array(aligned.buffer, aligned.byteOffset, words);
  let h1 = 0x9e3779b1 ^ data.length, h2 = 0x85ebca77 ^ data.length;
  let h3 = 0xc2b2ae3d ^ data.length, h4 = 0x27d4eb2f ^ data.length;
  for (let i = 0; i < words; i++) {
    const x = w[i];
    const a = h1 ^ Math.imul(x, 0xcc9e2d51), b = h2 ^ Math.imul(x, 0x1b873593);
    const c = h3 ^ Math.imul(x, 0x85ebca6b), d = h4 ^ Math.imul(x, 0xc2b2ae35);
    h1 = (Math.imul(a << 13 | a >>> 19, 5) + 0xe6546b64) | 0;
    h2 = (Math.imul(b << 15 | b >>> 17, 9) + 0x38b34ae5) | 0;
    h3 = (Math.imul(c << 17 | c >>> 15, 7) + 0xa1e38b93) | 0;
    h4 = (Math.imul(d << 11 | d >>> 21, 3) + 0x5bd1e995) | 0;
  }
  for (let i = words * 4; i < data.length; i++) h1 = Math.imul(h1 ^ data[i], 0x01000193);
  const fin = (h: number, s: number) => {
    h ^= s;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return ((h ^ (h >>> 16)) >>> 0).toString(16).padStart(8, "0");
  };
  // Mix the lanes into each other so that every output word depends on all of them.
  return fin(h1, h2 + h3) + fin(h2, h3 + h4) + fin(h3, h4 + h1) + fin(h4, h1 + h2);
}

/**
 * Digest of an image's float32 pixels `[size*size]` ({@link digestBytes}), memoised per array object: images are
 * treated as immutable once digested (synthesis returns new arrays; test and shot images are never modified).
 */
export function imageDigest(image: Float32Array): string {
  let d = digests.get(image);
  if (d === undefined) {
    d = digestBytes(new Uint8Array(image.buffer, image.byteOffset, image.byteLength));
    digests.set(image, d);
  }
  return d;
}

/** What a {@link FeatureCache} is bound to. */
export interface FeatureCacheOptions {
  /** The checkpoint's hash (recorded; a cache serves one model). */
  modelHash: string;
  /** The image normalisation every feature is computed with. */
  normalisation: Normalisation;
  /** Bound on the host memory of the entries. @default {@link DEFAULT_FEATURE_CACHE_BYTES} */
  maxBytes?: number;
  /** Images per forward pass when computing misses. @default 64 */
  batch?: number;
}

/** Counters of a {@link FeatureCache}. */
export interface FeatureCacheStats {
  /** Features served from memory. */
  hits: number;
  /** Features computed (and stored). */
  computed: number;
  /** Entries dropped to stay under the bound. */
  evicted: number;
  entries: number;
  /** Approximate host bytes held. */
  bytes: number;
}

/**
 * Prompt-free image features of one frozen CLIP under one preprocessing, memoised by image content and bounded (see
 * the module doc). Holds no tensors between calls; `clear()` frees everything.
 */
export class FeatureCache {
  readonly clip: PromptableClip;
  readonly modelHash: string;
  readonly normalisation: Normalisation;
  readonly resolution: number;
  readonly maxBytes: number;
  readonly batch: number;
  readonly #entries = new Map<string, Float32Array>();
  #bytes = 0;
  #hits = 0;
  #computed = 0;
  #evicted = 0;

  constructor(clip: PromptableClip, options: FeatureCacheOptions) {
    this.clip = clip;
    this.modelHash = options.modelHash;
    this.normalisation = options.normalisation;
    this.resolution = clip.config.imageResolution;
    this.maxBytes = options.maxBytes ?? DEFAULT_FEATURE_CACHE_BYTES;
    this.batch = options.batch ?? 64;
  }

  /** Bytes one entry costs (approximately): the float32 feature plus bookkeeping. */
  get entryBytes(): number {
    return this.clip.config.embedDim * 4 + ENTRY_OVERHEAD;
  }

  /**
   * L2-normalised image features `[n, embedDim]` of grey images `[n][size*size]` in [0, 1] (size = the model's
   * resolution), encoded without image prompts: equal, bitwise, to `l2normalise(clip.encodeImage(pixelsFromGray(…)))`
   * on the same images. Misses are computed in batches of `batch` and stored.
   */
  features(images: readonly Float32Array[], normalisation: Normalisation = this.normalisation): tf.Tensor2D {
    if (!sameNormalisation(normalisation, this.normalisation)) {
      throw new Error("Cannot use the feature cache: it was made for another image normalisation");
    }
    const dim = this.clip.config.embedDim, per = this.resolution * this.resolution;
    const out = new Float32Array(images.length * dim);
    const keys = images.map((img) => {
      if (img.length !== per) {
        throw new RangeError(`Cannot encode an image of ${img.length} pixels: the model takes ${this.resolution}²`);
      }
      return imageDigest(img);
    });
    const missing = new Map<string, number[]>();
    keys.forEach((k, i) => {
      const f = this.#entries.get(k);
      if (f) {
        // Least recently used order: a hit moves the entry to the end.
        this.#entries.delete(k);
        this.#entries.set(k, f);
        out.set(f, i * dim);
        this.#hits++;
      } else {
        const rows = missing.get(k);
        if (rows) rows.push(i);
        else missing.set(k, [i]);
      }
    });
    const todo = [...missing.entries()];
    for (let s = 0; s < todo.length; s += this.batch) {
      const chunk = todo.slice(s, s + this.batch);
      const feats = tf.tidy(() => {
        const pixels = pixelsFromGray(chunk.map(([, rows]) => images[rows[0]]), this.resolution, this.normalisation);
        return l2normalise(this.clip.encodeImage(pixels));
      });
      const host = feats.dataSync() as Float32Array;
      feats.dispose();
      chunk.forEach(([key, rows], j) => {
        const f = host.slice(j * dim, (j + 1) * dim);
        for (const i of rows) out.set(f, i * dim);
        this.#store(key, f);
        this.#computed++;
      });
    }
    return tf.tensor2d(out, [images.length, dim]);
  }

  #store(key: string, feature: Float32Array): void {
    if (this.entryBytes > this.maxBytes) return;
    this.#entries.set(key, feature);
    this.#bytes += this.entryBytes;
    while (this.#bytes > this.maxBytes) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
      this.#bytes -= this.entryBytes;
      this.#evicted++;
    }
  }

  /** Counters and size. */
  stats(): FeatureCacheStats {
    return {
      hits: this.#hits,
      computed: this.#computed,
      evicted: this.#evicted,
      entries: this.#entries.size,
      bytes: this.#bytes,
    };
  }

  /** Drops every entry (counters are kept). */
  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}
