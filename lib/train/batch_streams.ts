/**
 * Recorded training-batch streams, so that runs which draw the same batches do not synthesise them again.
 *
 * Which batches a run trains on (per step: each shot's region, whether it is made abnormal, and the synthetic image)
 * depends only on the training generator's seed, the shots, the synthesis, the region masks and the abnormal
 * probability, not on the variant: in the default sweep text-only, image-only, PPAD and PPAD with patient sides draw
 * one and the same stream (ppad5, SAS, seed 0), and CoOp and PPAD on the whole image another. The first run of a
 * stream records it; later runs replay it, bitwise (normal samples are the shots themselves; synthetic images are kept
 * as 8-bit codes when every pixel is exactly k/255, as SAS and FPI produce from 8-bit shots, else as float32).
 *
 * Bounds: a stream is recorded only while another run is expected to use it ({@link BatchStreams.expect}) and freed
 * after its last use ({@link BatchStreams.close}); all recordings together stay under `maxBytes` (default 512 MiB;
 * beyond it a stream is simply drawn again). At 224² a synthetic image costs 50 KB, so a 100-step, 64-shot stream
 * with p = 0.5 holds ≈ 3,200 of them, ≈ 160 MB.
 * @module
 */
import type { TrainBatch } from "./ppad.ts";

/** Default bound of {@link BatchStreams}: 512 MiB. */
export const DEFAULT_BATCH_STREAM_BYTES = 512 * 2 ** 20;

/** Draws the batch of step `step` (steps are asked for in order 0, 1, 2, …). */
export type BatchSource = (step: number) => TrainBatch;

/** One stored sample: the index of the shot (a normal sample), or the synthetic image, compact when exact. */
type StoredImage = number | Uint8Array | Float32Array;

interface StoredBatch {
  regionIndex: number[];
  labels: number[];
  images: StoredImage[];
}

interface Stream {
  batches: StoredBatch[];
  /** Batches in a complete recording. */
  length: number;
  complete: boolean;
  bytes: number;
  /** Runs still expected to open it. */
  uses: number;
}

/** Counters of {@link BatchStreams}. */
export interface BatchStreamStats {
  /** Streams recorded completely. */
  recorded: number;
  /** Runs that replayed a recorded stream. */
  replayed: number;
  /** Streams whose recording was given up (budget). */
  abandoned: number;
  /** Bytes held now. */
  bytes: number;
}

/** The batch streams of one sweep (see the module doc). */
export class BatchStreams {
  readonly maxBytes: number;
  readonly #streams = new Map<string, Stream>();
  #bytes = 0;
  #recorded = 0;
  #replayed = 0;
  #abandoned = 0;

  constructor(options: { maxBytes?: number } = {}) {
    this.maxBytes = options.maxBytes ?? DEFAULT_BATCH_STREAM_BYTES;
  }

  /** Declares that `uses` more runs will open the stream `key` (only streams with two or more uses are recorded). */
  expect(key: string, uses = 1): void {
    const s = this.#streams.get(key);
    if (s) s.uses += uses;
    else this.#streams.set(key, { batches: [], length: 0, complete: false, bytes: 0, uses });
  }

  /**
   * The batches of one run on stream `key`: a replay when an earlier run recorded `steps` batches of it, else `draw`
   * (recorded on the way when another run is expected). `shots` are the run's shots `[k][size*size]`: normal samples
   * are stored as their index and replayed as these arrays. Call {@link close} when the run is done.
   */
  open(key: string, steps: number, shots: readonly Float32Array[], draw: () => TrainBatch): BatchSource {
    const s = this.#streams.get(key);
    if (s?.complete && s.length === steps) {
      this.#replayed++;
      return (step) => replay(s.batches[step], shots);
    }
    const record = s !== undefined && s.uses > 1 && !s.complete && s.batches.length === 0;
    if (!record) return () => draw();
    s.length = steps;
    let recording = true;
    return (step) => {
      const batch = draw();
      if (!recording) return batch;
      if (step !== s.batches.length) throw new Error(`Cannot record stream ${key}: step ${step} out of order`);
      const stored = store(batch, shots);
      if (this.#bytes + stored.bytes > this.maxBytes) {
        // Over budget: give the recording up (later runs draw the stream again, with the same result).
        recording = false;
        this.#bytes -= s.bytes;
        s.batches = [];
        s.bytes = 0;
        this.#abandoned++;
        return batch;
      }
      s.batches.push(stored.batch);
      s.bytes += stored.bytes;
      this.#bytes += stored.bytes;
      if (s.batches.length === steps) {
        s.complete = true;
        this.#recorded++;
      }
      return batch;
    };
  }

  /** Ends one run's use of stream `key`; the recording is freed after the last expected use. */
  close(key: string): void {
    const s = this.#streams.get(key);
    if (!s) return;
    s.uses--;
    if (s.uses <= 0) {
      this.#bytes -= s.bytes;
      this.#streams.delete(key);
    }
  }

  /** Counters and size. */
  stats(): BatchStreamStats {
    return { recorded: this.#recorded, replayed: this.#replayed, abandoned: this.#abandoned, bytes: this.#bytes };
  }

  /** Frees every recording. */
  clear(): void {
    this.#streams.clear();
    this.#bytes = 0;
  }
}

function store(batch: TrainBatch, shots: readonly Float32Array[]): { batch: StoredBatch; bytes: number } {
  let bytes = 0;
  const images = batch.images.map((img, i): StoredImage => {
    if (img === shots[i]) return i;
    const compact = compactExact(img);
    bytes += compact.byteLength;
    return compact;
  });
  bytes += batch.images.length * 16;
  return { batch: { regionIndex: [...batch.regionIndex], labels: [...batch.labels], images }, bytes };
}

function replay(stored: StoredBatch, shots: readonly Float32Array[]): TrainBatch {
  return {
    regionIndex: [...stored.regionIndex],
    labels: [...stored.labels],
    images: stored.images.map((v) => typeof v === "number" ? shots[v] : expand(v)),
  };
}

/** The image `[n]` as 8-bit codes when every value is exactly the float32 of k/255, else a float32 copy. */
function compactExact(image: Float32Array): Uint8Array | Float32Array {
  const bytes = new Uint8Array(image.length);
  for (let i = 0; i < image.length; i++) {
    const k = Math.round(image[i] * 255);
    if (!(k >= 0 && k <= 255) || Math.fround(k / 255) !== image[i]) return image.slice();
    bytes[i] = k;
  }
  return bytes;
}

function expand(v: Uint8Array | Float32Array): Float32Array {
  if (v instanceof Float32Array) return v.slice();
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] / 255;
  return out;
}
