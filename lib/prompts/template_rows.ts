/**
 * The position-guided prompt templates of a region set, tokenised as training sees them, one table row per region ×
 * class: the readable prompt, its BPE pieces and where the learnable context and the end token sit.
 * @module
 */
import type { BpeTokenizer } from "../encoders/mod.ts";
import { compressRuns } from "../util/mod.ts";
import type { RegionSet } from "./regions.ts";
import { DEFAULT_CLASS_WORDS, tokenizePrompts } from "./text.ts";

/** One prompt of {@link promptTemplates}. */
export type PromptTemplateRow = {
  region: string;
  class: string;
  /** The prompt with its context run written once with its count (`X×16`). */
  prompt: string;
  /** Its BPE pieces up to the end token, runs of 3 or more written once with their count. */
  tokens: string;
  /** Index of the first learnable context token. */
  ctx: number;
  /** Index of the end-of-text token. */
  eot: number;
};

/** Options for {@link promptTemplates}. */
export interface PromptTemplatesOptions {
  /** Class words, normal first. @default DEFAULT_CLASS_WORDS */
  classWords?: readonly string[];
  /** Learnable context tokens. @default 16 */
  nCtx?: number;
  /** The text encoder's context length. @default 77 */
  contextLength?: number;
}

/** The templates of every region of `regions` × class, and the padded length of their token rows. */
export function promptTemplates(
  tokenizer: BpeTokenizer,
  regions: RegionSet,
  options: PromptTemplatesOptions = {},
): { rows: PromptTemplateRow[]; length: number } {
  const classWords = options.classWords ?? DEFAULT_CLASS_WORDS;
  const words = regions.regions.map((r) => r.words);
  const t = tokenizePrompts(tokenizer, words, classWords, options.nCtx ?? 16, options.contextLength ?? 77);
  const rows = t.texts.map((text, p) => ({
    region: regions.regions[t.regionOf[p]].name,
    class: classWords[t.classOf[p]],
    prompt: text.replace(/X( X)*/, (run) => `X×${run.split(" ").length}`),
    tokens: compressRuns(t.ids[p].slice(0, t.eot[p] + 1).map((id) => tokenizer.idToToken(id) ?? `#${id}`)),
    ctx: t.ctxStart[p],
    eot: t.eot[p],
  }));
  return { rows, length: t.length };
}
