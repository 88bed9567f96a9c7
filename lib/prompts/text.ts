/**
 * Position-guided text prompts: `[SOS] <position words> V1 … Vn <class word> . [EOS]`, tokenised once, with the
 * positions of the learnable context recorded so that context vectors can be spliced between frozen word embeddings.
 * @module
 */
import type { BpeTokenizer } from "../encoders/mod.ts";
import { InputError } from "../util/mod.ts";

/** The default class words, used for every dataset as in the paper. */
export const DEFAULT_CLASS_WORDS: readonly [string, string] = ["normal", "pneumonia"];

/** Prompts for every (region, class) pair, tokenised. Prompt p = region · classes + class. */
export interface TokenizedPrompts {
  /** `[prompts][length]` token ids, SOT…EOT, zero-padded to `length` = max EOT index + 1 (exact under the causal mask). */
  ids: number[][];
  /** `[prompts]` EOT position of each prompt. */
  eot: number[];
  /** `[prompts]` index of the first context token (−1 when `nCtx` is 0). */
  ctxStart: number[];
  /** Number of learnable context tokens per prompt. */
  nCtx: number;
  /** `[prompts]` region index. */
  regionOf: number[];
  /** `[prompts]` class index. */
  classOf: number[];
  /** `[prompts]` human-readable prompt, context shown as `X`. */
  texts: string[];
  /** Padded length of `ids` rows. */
  length: number;
}

/**
 * Tokenises `[SOS] <words> X…X <class>. [EOS]` for every region words × class word (`nCtx` placeholders X).
 * With `nCtx = 0` the prompts are plain text (`left lung normal.`, or `normal.` for the whole image).
 */
export function tokenizePrompts(
  tokenizer: BpeTokenizer,
  regionWords: readonly string[],
  classWords: readonly string[],
  nCtx: number,
  contextLength = 77,
): TokenizedPrompts {
  if (!Number.isInteger(nCtx) || nCtx < 0) throw new InputError(`Cannot build prompts: nCtx must be ≥ 0, got ${nCtx}`);
  if (classWords.length < 2) throw new InputError("Cannot build prompts: at least two class words are needed");
  const placeholder = tokenizer.encode("X");
  const out: TokenizedPrompts = {
    ids: [],
    eot: [],
    ctxStart: [],
    nCtx,
    regionOf: [],
    classOf: [],
    texts: [],
    length: 0,
  };
  regionWords.forEach((words, r) => {
    classWords.forEach((cls, c) => {
      const prefix = words.trim() ? tokenizer.encode(words) : [];
      const suffix = tokenizer.encode(`${cls}.`);
      const ctx = Array.from({ length: nCtx }, () => placeholder[0] ?? 0);
      const ids = [tokenizer.sot, ...prefix, ...ctx, ...suffix, tokenizer.eot];
      const text = [words.trim(), ...Array(nCtx).fill("X"), `${cls}.`].filter((s) => s !== "").join(" ");
      if (ids.length > contextLength) {
        throw new InputError(
          `Cannot build prompt "${text}": ${ids.length} tokens exceed the context length ${contextLength}`,
        );
      }
      out.ids.push(ids);
      out.eot.push(ids.length - 1);
      out.ctxStart.push(nCtx > 0 ? 1 + prefix.length : -1);
      out.regionOf.push(r);
      out.classOf.push(c);
      out.texts.push(text);
    });
  });
  out.length = Math.max(...out.eot) + 1;
  out.ids = out.ids.map((row) => [...row, ...Array(out.length - row.length).fill(0)]);
  return out;
}

/**
 * The one-hot placement of context vectors: `[prompts · length, nCtx]`, row (p, t) has a 1 in column i when token t of
 * prompt p is context vector V_{i+1}; and the keep mask `[prompts · length]` (0 at context positions, 1 elsewhere).
 */
export function contextPlacement(prompts: TokenizedPrompts): { placement: Float32Array; keep: Float32Array } {
  const { length, nCtx } = prompts;
  const n = prompts.ids.length;
  const placement = new Float32Array(n * length * nCtx);
  const keep = new Float32Array(n * length).fill(1);
  for (let p = 0; p < n; p++) {
    const s = prompts.ctxStart[p];
    if (s < 0) continue;
    for (let i = 0; i < nCtx; i++) {
      const row = p * length + s + i;
      placement[row * nCtx + i] = 1;
      keep[row] = 0;
    }
  }
  return { placement, keep };
}
