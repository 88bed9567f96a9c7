/**
 * Learns CLIP-style byte-level BPE merges from a corpus (for the platform's small CLIP), and writes them in CLIP's
 * merges-file format so that {@link BpeTokenizer.fromFile} reads them back.
 * @module
 */
import { writeFileAtomic } from "../util/mod.ts";
import { END_OF_WORD, EOT_TEXT, pretokenize, SOT_TEXT } from "./tokenizer.ts";

/** Options for {@link trainBpe}. */
export interface TrainBpeOptions {
  /** Stop early when the most frequent pair occurs fewer times than this. @default 1 */
  minCount?: number;
}

interface PairStat {
  a: string;
  b: string;
  count: number;
  /** Indices of words that contained the pair at some point (may be stale; merging re-checks). */
  words: Set<number>;
}

/** Heap entry: a pair with the count it had when pushed (stale when the count has changed since). */
interface HeapEntry {
  count: number;
  a: string;
  b: string;
}

/** True when `x` should be merged before `y`: higher count, then lexicographically smaller (a, then b). */
function _before(x: HeapEntry, y: HeapEntry): boolean {
  if (x.count !== y.count) return x.count > y.count;
  if (x.a !== y.a) return x.a < y.a;
  return x.b < y.b;
}

/** A binary max-heap of pair entries under {@link _before}. */
class _PairHeap {
  readonly #items: HeapEntry[] = [];

  get size(): number {
    return this.#items.length;
  }

  push(entry: HeapEntry): void {
    const items = this.#items;
    items.push(entry);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!_before(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop(): HeapEntry | undefined {
    const items = this.#items;
    if (items.length === 0) return undefined;
    const top = items[0];
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < items.length && _before(items[l], items[best])) best = l;
        if (r < items.length && _before(items[r], items[best])) best = r;
        if (best === i) break;
        [items[i], items[best]] = [items[best], items[i]];
        i = best;
      }
    }
    return top;
  }
}

/** Initial symbols of a pre-token: its characters, the last one carrying `</w>` (as `BpeTokenizer.bpe` starts). */
function _symbols(token: string): string[] {
  return [...token.slice(0, -1)].concat(token.slice(-1) + END_OF_WORD);
}

/** Merges every non-overlapping `(a, b)` in `word`, left to right (as `BpeTokenizer.bpe` does). */
function _mergeWord(word: string[], a: string, b: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < word.length;) {
    if (i < word.length - 1 && word[i] === a && word[i + 1] === b) {
      out.push(a + b);
      i += 2;
    } else {
      out.push(word[i]);
      i += 1;
    }
  }
  return out;
}

/**
 * Learns up to `numMerges` BPE merges from `corpus` (sentences), on CLIP's pre-tokenisation: cleaning, the CLIP
 * split pattern, `bytes_to_unicode` characters and `</w>` at word ends. Each step merges the most frequent adjacent
 * pair (counted over all words, weighted by word frequency); ties go to the lexicographically smallest pair
 * (first symbol, then second), so the result is deterministic. Returns fewer merges when no pair is left (every
 * word is one symbol) or the best pair occurs fewer than `minCount` times. Shape `[merges, 2]`, in rank order.
 */
export function trainBpe(corpus: string[], numMerges: number, opts: TrainBpeOptions = {}): [string, string][] {
  const { minCount = 1 } = opts;
  if (!Number.isInteger(numMerges) || numMerges < 0) {
    throw new RangeError(`Cannot train BPE: numMerges must be a non-negative integer but is ${numMerges}`);
  }
  // Unique pre-tokens and their frequencies.
  const frequency = new Map<string, number>();
  for (const sentence of corpus) {
    for (const token of pretokenize(sentence)) {
      if (token === SOT_TEXT || token === EOT_TEXT) continue;
      frequency.set(token, (frequency.get(token) ?? 0) + 1);
    }
  }
  const words: string[][] = [];
  const freqs: number[] = [];
  for (const [token, count] of frequency) {
    words.push(_symbols(token));
    freqs.push(count);
  }

  const stats = new Map<string, PairStat>();
  const statOf = (a: string, b: string): PairStat => {
    const key = `${a} ${b}`;
    let stat = stats.get(key);
    if (!stat) {
      stat = { a, b, count: 0, words: new Set() };
      stats.set(key, stat);
    }
    return stat;
  };
  words.forEach((word, w) => {
    for (let i = 0; i < word.length - 1; i++) {
      const stat = statOf(word[i], word[i + 1]);
      stat.count += freqs[w];
      stat.words.add(w);
    }
  });
  const heap = new _PairHeap();
  for (const { a, b, count } of stats.values()) heap.push({ count, a, b });

  const merges: [string, string][] = [];
  while (merges.length < numMerges) {
    const top = heap.pop();
    if (!top) break;
    const stat = stats.get(`${top.a} ${top.b}`)!;
    if (stat.count !== top.count || stat.count <= 0) continue; // stale entry
    if (stat.count < minCount) break;
    const { a, b } = stat;
    merges.push([a, b]);
    const touched = new Set<PairStat>();
    for (const w of stat.words) {
      const old = words[w];
      const merged = _mergeWord(old, a, b);
      if (merged.length === old.length) continue; // stale: this word no longer holds the pair
      for (let i = 0; i < old.length - 1; i++) {
        const s = statOf(old[i], old[i + 1]);
        s.count -= freqs[w];
        touched.add(s);
      }
      for (let i = 0; i < merged.length - 1; i++) {
        const s = statOf(merged[i], merged[i + 1]);
        s.count += freqs[w];
        s.words.add(w);
        touched.add(s);
      }
      words[w] = merged;
    }
    stat.words.clear();
    for (const s of touched) if (s.count > 0) heap.push({ count: s.count, a: s.a, b: s.b });
  }
  return merges;
}

/** Options for {@link saveMerges}. */
export interface SaveMergesOptions {
  /** Gzip the file (as CLIP ships its merges). @default true when `path` ends in ".gz" */
  gzip?: boolean;
}

/**
 * Writes `merges` (shape `[merges, 2]`) in CLIP's merges-file format: a `#version: 0.2` line, then "a b" per line.
 * Atomic; gzip-compressed when asked or when `path` ends in ".gz".
 */
export async function saveMerges(
  path: string,
  merges: [string, string][],
  opts: SaveMergesOptions = {},
): Promise<void> {
  const { gzip = path.endsWith(".gz") } = opts;
  merges.forEach(([a, b], i) => {
    if (!a || !b || /\s/.test(a + b)) {
      throw new TypeError(`Cannot save BPE merges to ${path}: merge ${i + 1} ("${a} ${b}") is not two symbols`);
    }
  });
  const text = ["#version: 0.2", ...merges.map(([a, b]) => `${a} ${b}`)].join("\n") + "\n";
  let bytes = new TextEncoder().encode(text);
  if (gzip) {
    const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
    bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  }
  await writeFileAtomic(path, bytes);
}
