/**
 * The store behind the sweep's caches ({@link FeatureCache}, {@link PatchEmbeddingCache}): one row of float32 values
 * per grey image, keyed by the image's content ({@link imageDigest}), held on the host, least recently used rows
 * dropped beyond a byte bound, with hit / computed / evicted counters. What a row holds, and how a miss is computed,
 * is the caller's.
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { imageDigest } from "./image_digest.ts";

/** Approximate per-entry overhead besides the row itself (key string and map slot), in bytes. */
const ENTRY_OVERHEAD = 120;

/** Counters of an {@link ImageRowMemo}. */
export interface ImageMemoStats {
  /** Rows served from memory. */
  hits: number;
  /** Rows computed (and stored). */
  computed: number;
  /** Entries dropped to stay under the bound. */
  evicted: number;
  entries: number;
  /** Approximate host bytes held. */
  bytes: number;
}

/** A bounded, least-recently-used memo of one float32 row `[rowValues]` per image content. */
export class ImageRowMemo {
  readonly rowValues: number;
  readonly maxBytes: number;
  readonly batch: number;
  readonly #entries = new Map<string, Float32Array>();
  #bytes = 0;
  #hits = 0;
  #computed = 0;
  #evicted = 0;

  /** Rows of `rowValues` values, at most `maxBytes` held, misses computed `batch` distinct images at a time. */
  constructor(rowValues: number, maxBytes: number, batch: number) {
    this.rowValues = rowValues;
    this.maxBytes = maxBytes;
    this.batch = batch;
  }

  /** Bytes one entry costs (approximately): the float32 row plus bookkeeping. */
  get entryBytes(): number {
    return this.rowValues * 4 + ENTRY_OVERHEAD;
  }

  /**
   * The rows of `images` `[n][pixels]`, concatenated `[n · rowValues]`: held rows are copied, and each distinct
   * missing image is computed once, `compute(batch)` returning a tensor of `batch.length · rowValues` values (row i
   * for image i; the memo disposes it) on at most {@link batch} images at a time.
   */
  rows(images: readonly Float32Array[], compute: (batch: Float32Array[]) => tf.Tensor): Float32Array {
    const values = this.rowValues;
    const out = new Float32Array(images.length * values);
    const missing = new Map<string, number[]>();
    images.forEach((img, i) => {
      const key = imageDigest(img);
      const row = this.#entries.get(key);
      if (row) {
        // Least recently used order: a hit moves the entry to the end.
        this.#entries.delete(key);
        this.#entries.set(key, row);
        out.set(row, i * values);
        this.#hits++;
      } else {
        const at = missing.get(key);
        if (at) at.push(i);
        else missing.set(key, [i]);
      }
    });
    const todo = [...missing.entries()];
    for (let s = 0; s < todo.length; s += this.batch) {
      const chunk = todo.slice(s, s + this.batch);
      const computed = compute(chunk.map(([, at]) => images[at[0]]));
      const host = computed.dataSync() as Float32Array;
      computed.dispose();
      if (host.length !== chunk.length * values) {
        throw new RangeError(`Cannot memoise ${host.length} values for ${chunk.length} rows of ${values}`);
      }
      chunk.forEach(([key, at], j) => {
        const row = host.slice(j * values, (j + 1) * values);
        for (const i of at) out.set(row, i * values);
        this.#store(key, row);
        this.#computed++;
      });
    }
    return out;
  }

  #store(key: string, row: Float32Array): void {
    if (this.entryBytes > this.maxBytes) return;
    this.#entries.set(key, row);
    this.#bytes += this.entryBytes;
    while (this.#bytes > this.maxBytes) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
      this.#bytes -= this.entryBytes;
      this.#evicted++;
    }
  }

  /** Counters and size. */
  stats(): ImageMemoStats {
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
