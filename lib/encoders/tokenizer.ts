/**
 * The CLIP byte-level BPE tokenizer, a line-by-line port of OpenAI CLIP's `simple_tokenizer.py` and `clip.tokenize`.
 * Reads CLIP's `bpe_simple_vocab_16e6.txt.gz`, a plain merges file (as `saveMerges` in `bpe_train.ts` writes), or a Hugging Face
 * `merges.txt` + `vocab.json` pair.
 *
 * Ids equal the Python reference's (checked against it on `reference.json` and on 3,000 random Unicode strings),
 * with two known gaps: ftfy's mojibake repair is not reproduced (see `text_clean.ts`), and letters/digits are those
 * of V8's Unicode tables, so code points assigned in later Unicode versions than V8 knows may split differently
 * from a newer Python `regex` module.
 * @module
 */
import { InputError, join, SHARED_DIR } from "../util/mod.ts";
import { cleanText, PY_WHITESPACE_CLASS } from "./text_clean.ts";

/** CLIP's merges file, as shipped in `../shared` (absent in a user's clone). */
export const DEFAULT_CLIP_BPE_PATH: string = join(SHARED_DIR, "clip", "bpe_simple_vocab_16e6.txt.gz");
/** CLIP's text context length (tokens, SOT and EOT included). */
export const CLIP_CONTEXT_LENGTH = 77;
/** How many merges CLIP reads from its file: 49152 − 256 − 2 (so that the vocabulary is 49,408). */
export const CLIP_MAX_MERGES = 49152 - 256 - 2;
/** Start-of-text marker (its id is `vocabSize − 2` for CLIP-format files). */
export const SOT_TEXT = "<|startoftext|>";
/** End-of-text marker (its id is `vocabSize − 1` for CLIP-format files, the largest id: CLIP pools at argmax). */
export const EOT_TEXT = "<|endoftext|>";
/** Suffix marking the last symbol of a word. */
export const END_OF_WORD = "</w>";

/** The byte values in `bytes_to_unicode` insertion order: printable Latin-1 first, then the rest. Length 256. */
function _byteOrder(): number[] {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  for (let b = 0; b < 256; b++) if (!bs.includes(b)) bs.push(b);
  return bs;
}

/**
 * GPT-2/CLIP `bytes_to_unicode`: a reversible map of the 256 byte values to printable characters (printable
 * Latin-1 bytes map to themselves, the others to U+0100… in byte order). Index = byte, value = character. Length 256.
 */
export function bytesToUnicode(): string[] {
  const table = new Array<string>(256);
  let n = 0;
  _byteOrder().forEach((b, i) => table[b] = String.fromCharCode(i < 188 ? b : 256 + n++));
  return table;
}

/** The 512 base tokens in CLIP's id order: the 256 byte characters (insertion order), then each + `</w>`. */
export function baseVocabulary(): string[] {
  const table = bytesToUnicode();
  const chars = _byteOrder().map((b) => table[b]);
  return [...chars, ...chars.map((c) => c + END_OF_WORD)];
}

const BYTE_ENCODER = bytesToUnicode();
const BYTE_DECODER: ReadonlyMap<string, number> = new Map(BYTE_ENCODER.map((c, b) => [c, b]));
const UTF8 = new TextEncoder();

/** CLIP's split pattern (`regex`, IGNORECASE) with Python's `\s`. */
const WORD_RE = new RegExp(
  `<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^${PY_WHITESPACE_CLASS}\\p{L}\\p{N}]+`,
  "giu",
);

/**
 * Cleans `text` and splits it into CLIP's pre-tokens, each written in `bytes_to_unicode` characters (UTF-8 bytes of
 * the piece). The special markers come back unchanged.
 */
export function pretokenize(text: string): string[] {
  // Python `regex` with IGNORECASE matches U+0345 (which case-folds to a letter) with no alternative, so it only
  // separates tokens; JavaScript would count it as a letter.
  const pieces = cleanText(text).replaceAll("\u0345", " ").match(WORD_RE) ?? [];
  return pieces.map((piece) => {
    let out = "";
    for (const byte of UTF8.encode(piece)) out += BYTE_ENCODER[byte];
    return out;
  });
}

/** Options for {@link BpeTokenizer.tokenize}. */
export interface TokenizeOptions {
  /** Row length, SOT and EOT included. @default 77 */
  contextLength?: number;
  /** Cut over-long texts to `contextLength` tokens, EOT last, instead of throwing. @default false */
  truncate?: boolean;
}

/** Options for the merges-file readers. */
export interface MergesFileOptions {
  /** Read at most this many merges (CLIP reads 48,894 of the 262,144 lines in its file). @default CLIP_MAX_MERGES */
  maxMerges?: number;
}

/** Options for {@link BpeTokenizer.fromMerges}. */
export interface FromMergesOptions {
  /** Where the merges came from, named in error messages. @default "merges" */
  source?: string;
}

interface TokenizerTables {
  encoder: Map<string, number>;
  decoder: string[];
  ranks: Map<string, number>;
  sot: number;
  eot: number;
}

/** Key of a merge pair in the rank map (symbols never contain a space: byte 0x20 is written `Ġ`). */
function _pairKey(a: string, b: string): string {
  return `${a} ${b}`;
}

/** Byte-level BPE tokenizer with CLIP's cleaning, split pattern, special tokens and `tokenize` layout. */
export class BpeTokenizer {
  /** Id of `<|startoftext|>`. */
  readonly sot: number;
  /** Id of `<|endoftext|>`. */
  readonly eot: number;
  /** Number of ids (largest id + 1). */
  readonly vocabSize: number;
  /** Number of merges (BPE ranks). */
  readonly numMerges: number;
  readonly #encoder: Map<string, number>;
  readonly #decoder: string[];
  readonly #ranks: Map<string, number>;
  readonly #cache = new Map<string, number[]>();

  private constructor(tables: TokenizerTables) {
    this.#encoder = tables.encoder;
    this.#decoder = tables.decoder;
    this.#ranks = tables.ranks;
    this.sot = tables.sot;
    this.eot = tables.eot;
    this.vocabSize = tables.decoder.length;
    this.numMerges = tables.ranks.size;
  }

  /**
   * CLIP-format vocabulary from merges, as `simple_tokenizer.py` builds it: ids 0–511 are the byte characters and
   * their `</w>` forms, then one id per merge in order, then SOT and EOT (the two largest ids).
   * `vocabSize = 512 + merges.length + 2`.
   */
  static fromMerges(merges: [string, string][], opts: FromMergesOptions = {}): BpeTokenizer {
    const { source = "merges" } = opts;
    const vocab = baseVocabulary();
    const ranks = new Map<string, number>();
    merges.forEach(([a, b], i) => {
      if (!a || !b || /\s/.test(a + b)) {
        throw new InputError(
          `Cannot build BPE tokenizer from ${source}: merge ${i + 1} ("${a} ${b}") is not two symbols`,
        );
      }
      ranks.set(_pairKey(a, b), i);
      vocab.push(a + b);
    });
    vocab.push(SOT_TEXT, EOT_TEXT);
    const encoder = new Map<string, number>();
    vocab.forEach((token, id) => encoder.set(token, id));
    return new BpeTokenizer({ encoder, decoder: vocab, ranks, sot: vocab.length - 2, eot: vocab.length - 1 });
  }

  /**
   * Reads CLIP's merges file (gzip or plain text; the first line is a `#version` header, then one "a b" merge per
   * line). Takes at most `maxMerges` merges, as CLIP takes lines [1, 48895).
   */
  static async fromFile(path: string, opts: MergesFileOptions = {}): Promise<BpeTokenizer> {
    const { maxMerges = CLIP_MAX_MERGES } = opts;
    const text = await _readText(path);
    const lines = text.split("\n");
    if (!lines[0].includes("#version")) {
      throw new InputError(`Cannot read BPE merges ${path}: the first line is not a '#version' header`);
    }
    return BpeTokenizer.fromMerges(_parseMerges(lines, 1, maxMerges, path), { source: path });
  }

  /**
   * Reads a Hugging Face tokenizer pair: `merges.txt` (a `#version` line, then merges) and `vocab.json` (token → id).
   * SOT and EOT are the vocabulary's `<|startoftext|>` and `<|endoftext|>`.
   */
  static async fromHuggingFace(
    mergesTxt: string,
    vocabJson: string,
    opts: MergesFileOptions = {},
  ): Promise<BpeTokenizer> {
    const { maxMerges = Number.MAX_SAFE_INTEGER } = opts;
    const lines = (await _readText(mergesTxt)).split("\n");
    const first = lines[0].startsWith("#version") ? 1 : 0;
    const merges = _parseMerges(lines, first, maxMerges, mergesTxt);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await _readText(vocabJson));
    } catch (err) {
      if (err instanceof InputError) throw err;
      throw new InputError(`Cannot read vocabulary ${vocabJson}: ${(err as Error).message}`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new InputError(`Cannot read vocabulary ${vocabJson}: expected a JSON object of token → id`);
    }
    const encoder = new Map<string, number>();
    const decoder: string[] = [];
    for (const [token, id] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof id !== "number" || !Number.isSafeInteger(id) || id < 0 || id > 10_000_000) {
        throw new InputError(`Cannot read vocabulary ${vocabJson}: token ${JSON.stringify(token)} has id ${id}`);
      }
      if (decoder[id] !== undefined) {
        throw new InputError(`Cannot read vocabulary ${vocabJson}: id ${id} is used twice`);
      }
      encoder.set(token, id);
      decoder[id] = token;
    }
    for (let id = 0; id < decoder.length; id++) {
      if (decoder[id] === undefined) throw new InputError(`Cannot read vocabulary ${vocabJson}: id ${id} is missing`);
    }
    for (const token of baseVocabulary()) {
      if (!encoder.has(token)) {
        throw new InputError(`Cannot read vocabulary ${vocabJson}: base token ${JSON.stringify(token)} is missing`);
      }
    }
    const ranks = new Map<string, number>();
    merges.forEach(([a, b], i) => {
      if (!encoder.has(a + b)) {
        throw new InputError(
          `Cannot read BPE merges ${mergesTxt}: merge "${a} ${b}" makes a token missing from ${vocabJson}`,
        );
      }
      ranks.set(_pairKey(a, b), i);
    });
    const sot = encoder.get(SOT_TEXT);
    const eot = encoder.get(EOT_TEXT);
    if (sot === undefined || eot === undefined) {
      throw new InputError(`Cannot read vocabulary ${vocabJson}: it lacks ${SOT_TEXT} or ${EOT_TEXT}`);
    }
    return new BpeTokenizer({ encoder, decoder, ranks, sot, eot });
  }

  /** The vocabulary string of `id` (bytes_to_unicode characters, `</w>` marking a word end), or undefined. */
  idToToken(id: number): string | undefined {
    return Number.isInteger(id) ? this.#decoder[id] : undefined;
  }

  /** The id of a vocabulary string (e.g. `"lung</w>"`, `"<|endoftext|>"`), or undefined. */
  tokenToId(token: string): number | undefined {
    return this.#encoder.get(token);
  }

  /** Applies the merges to one pre-token (bytes_to_unicode characters); returns its symbols. */
  bpe(token: string): string[] {
    if (token === SOT_TEXT || token === EOT_TEXT) return [token];
    let word = token.length > 0 ? [...token.slice(0, -1)].concat(token.slice(-1) + END_OF_WORD) : [];
    while (word.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i < word.length - 1; i++) {
        const rank = this.#ranks.get(_pairKey(word[i], word[i + 1]));
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = i;
        }
      }
      if (best < 0) break;
      const first = word[best];
      const second = word[best + 1];
      const merged: string[] = [];
      for (let i = 0; i < word.length;) {
        if (i < word.length - 1 && word[i] === first && word[i + 1] === second) {
          merged.push(first + second);
          i += 2;
        } else {
          merged.push(word[i]);
          i += 1;
        }
      }
      word = merged;
    }
    return word;
  }

  /** BPE ids of `text` after CLIP's cleaning, without SOT/EOT. Shape `[tokens]`. */
  encode(text: string): number[] {
    const ids: number[] = [];
    for (const token of pretokenize(text)) {
      let cached = this.#cache.get(token);
      if (!cached) {
        cached = this.bpe(token).map((symbol) => {
          const id = this.#encoder.get(symbol);
          if (id === undefined) {
            throw new InputError(
              `Cannot encode ${JSON.stringify(token)}: symbol ${JSON.stringify(symbol)} is not in the vocabulary`,
            );
          }
          return id;
        });
        if (this.#cache.size >= 100_000) this.#cache.clear();
        this.#cache.set(token, cached);
      }
      for (const id of cached) ids.push(id);
    }
    return ids;
  }

  /** Text of `ids` (shape `[tokens]`): bytes joined, decoded as UTF-8 (invalid bytes → U+FFFD), `</w>` → space. */
  decode(ids: number[]): string {
    const bytes: number[] = [];
    for (const id of ids) {
      const symbol = this.idToToken(id);
      if (symbol === undefined) {
        throw new RangeError(`Cannot decode token id ${id}: outside the vocabulary of size ${this.vocabSize}`);
      }
      for (const ch of symbol) {
        const byte = BYTE_DECODER.get(ch);
        if (byte === undefined) {
          throw new RangeError(`Cannot decode token id ${id}: ${JSON.stringify(symbol)} is not byte-level text`);
        }
        bytes.push(byte);
      }
    }
    return new TextDecoder("utf-8").decode(new Uint8Array(bytes)).replaceAll(END_OF_WORD, " ");
  }

  /**
   * `clip.tokenize`: each text → `[SOT, ...ids, EOT, 0, 0, …]` of length `contextLength`. Shape
   * `[texts.length, contextLength]`. Throws an `InputError` for a text that does not fit, unless `truncate`.
   */
  tokenize(texts: string[], opts: TokenizeOptions = {}): number[][] {
    const { contextLength = CLIP_CONTEXT_LENGTH, truncate = false } = opts;
    if (!Number.isInteger(contextLength) || contextLength < 2) {
      throw new RangeError(`Cannot tokenize: contextLength must be an integer ≥ 2 but is ${contextLength}`);
    }
    return texts.map((text) => {
      const tokens = [this.sot, ...this.encode(text), this.eot];
      if (tokens.length > contextLength) {
        if (!truncate) {
          const head = [...text];
          const shown = head.length > 40 ? head.slice(0, 40).join("") + "…" : text;
          throw new InputError(
            `Cannot tokenize "${shown}": ${tokens.length} tokens exceed the context length ${contextLength}`,
          );
        }
        tokens.length = contextLength;
        tokens[contextLength - 1] = this.eot;
      }
      const row = new Array<number>(contextLength).fill(0);
      for (let i = 0; i < tokens.length; i++) row[i] = tokens[i];
      return row;
    });
  }
}

/** Reads a text file, gunzipping it when it starts with the gzip magic bytes. */
async function _readText(path: string): Promise<string> {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new InputError(`Cannot read ${path}: file not found`);
    throw new InputError(`Cannot read ${path}: ${(err as Error).message}`);
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
      bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    } catch (err) {
      throw new InputError(`Cannot read ${path}: invalid gzip data (${(err as Error).message})`);
    }
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new InputError(`Cannot read ${path}: not valid UTF-8 text`);
  }
}

/** Parses merge lines `lines[first…]` ("a b" each); stops at `maxMerges` merges; blank lines only at the end. */
function _parseMerges(lines: string[], first: number, maxMerges: number, path: string): [string, string][] {
  const end = Math.min(lines.length, first + maxMerges);
  let last = end;
  while (last > first && lines[last - 1].trim() === "") last--;
  const merges: [string, string][] = [];
  for (let i = first; i < last; i++) {
    const parts = lines[i].trim().split(/\s+/);
    if (parts.length !== 2 || parts[0] === "") {
      throw new InputError(`Cannot read BPE merges ${path}: line ${i + 1} is not "a b" (${JSON.stringify(lines[i])})`);
    }
    merges.push([parts[0], parts[1]]);
  }
  return merges;
}
