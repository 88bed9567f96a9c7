/**
 * Text cleaning in front of the CLIP tokenizer, following OpenAI CLIP's `simple_tokenizer.py`:
 * `basic_clean` = `ftfy.fix_text` → `html.unescape` twice → strip; `whitespace_clean` = collapse whitespace → strip.
 *
 * `ftfy.fix_text` is reproduced step by step (ftfy 6.3, default config) except for its mojibake repair (`fix_encoding`,
 * which guesses a wrong-codec decode from heuristics tables): text like "sÃ³" stays as it is here, where ftfy would
 * turn it into "só". Every other step is exact: HTML entities (only when the line has no `<`), C1 controls as
 * Windows-1252, Latin ligatures, full/half-width forms, curly quotes, line breaks, lone surrogates, ANSI escapes,
 * control characters and NFC, per line and repeated until nothing changes.
 * @module
 */
import { decodeHTML, decodeHTMLStrict } from "entities";

/**
 * The characters of Python `regex`'s `\s` (Unicode White_Space). JavaScript's `\s` differs: it has U+FEFF and
 * lacks U+0085. Written for use inside a character class.
 */
export const PY_WHITESPACE_CLASS = "\\t-\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

/** Python's `str.isspace()` set, used by `str.strip()`: White_Space plus U+001C–U+001F. */
const PY_STRIP_CLASS = `${PY_WHITESPACE_CLASS}\\x1c-\\x1f`;
const STRIP_RE = new RegExp(`^[${PY_STRIP_CLASS}]+|[${PY_STRIP_CLASS}]+$`, "gu");
const WHITESPACE_RUN_RE = new RegExp(`[${PY_WHITESPACE_CLASS}]+`, "gu");

/** Windows-1252 meanings of the C1 range U+0080–U+009F (undefined bytes keep their code point, as ftfy's "sloppy" codec). */
const CP1252_C1 = "€\x81‚ƒ„…†‡ˆ‰Š‹Œ\x8dŽ\x8f\x90‘’“”•–—˜™š›œ\x9džŸ";

/** Python `str.strip()`: removes leading and trailing Python whitespace. */
export function pyStrip(text: string): string {
  return text.replace(STRIP_RE, "");
}

/** `whitespace_clean`: every run of whitespace becomes one space, then strip. */
export function whitespaceClean(text: string): string {
  return pyStrip(text.replace(WHITESPACE_RUN_RE, " "));
}

// ---------------------------------------------------------------------------------------------------------------
// Python's html.unescape

const CHARREF_RE = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/gu;

function _isInvalidCodepoint(n: number): boolean {
  return (n >= 0x1 && n <= 0x8) || n === 0xb || (n >= 0xe && n <= 0x1f) || (n >= 0x7f && n <= 0x9f) ||
    (n >= 0xfdd0 && n <= 0xfdef) || (n & 0xfffe) === 0xfffe;
}

function _numericCharref(n: number): string {
  if (n === 0) return "\ufffd";
  if (n === 0x0d) return "\r";
  if (n >= 0x80 && n <= 0x9f) return CP1252_C1[n - 0x80];
  if ((n >= 0xd800 && n <= 0xdfff) || n > 0x10ffff || !Number.isFinite(n)) return "\ufffd";
  if (_isInvalidCodepoint(n)) return "";
  return String.fromCodePoint(n);
}

/** The value of the HTML5 named reference `&name;` (`name` without `&` and `;`), or undefined when there is none. */
function _namedEntity(name: string): string | undefined {
  const ref = `&${name};`;
  const value = decodeHTMLStrict(ref);
  return value === ref ? undefined : value;
}

function _replaceCharref(match: string, ref: string): string {
  if (ref[0] === "#") {
    const hex = ref[1] === "x" || ref[1] === "X";
    const digits = ref.slice(hex ? 2 : 1).replace(/;$/, "");
    return _numericCharref(hex ? parseInt(digits, 16) : parseInt(digits, 10));
  }
  // A named reference: the whole name, else the longest legacy name (valid without `;`) that prefixes it, followed by
  // the rest, as the HTML5 standard and Python say. The rest holds no `&`, so nothing in it is decoded again.
  return decodeHTML(match);
}

/**
 * Python's `html.unescape`: decodes named (all HTML5 names, legacy ones also without `;`), decimal and hex character
 * references, with the same replacements for invalid code points.
 */
export function htmlUnescape(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(CHARREF_RE, _replaceCharref);
}

// ---------------------------------------------------------------------------------------------------------------
// ftfy.fix_text (default config, without fix_encoding)

/**
 * A lookup in ftfy's entity table (`&name;` for every HTML5 name, plus `&NAME;` for an all-lower-case name when that
 * upper-cased form is no reference itself), for an `entity` of the form `&[0-9A-Za-z]+;`.
 */
function _ftfyNamedEntity(entity: string): string | undefined {
  const name = entity.slice(1, -1);
  const value = _namedEntity(name);
  if (value !== undefined) return value;
  const lower = name.toLowerCase();
  if (lower === name || name !== name.toUpperCase()) return undefined;
  const lowerValue = _namedEntity(lower);
  return lowerValue !== undefined && htmlUnescape(entity) === entity ? lowerValue.toUpperCase() : undefined;
}

const FTFY_ENTITY_RE = /&#?[0-9A-Za-z]{1,24};/g;

function _ftfyUnescapeHtml(text: string): string {
  return text.replace(FTFY_ENTITY_RE, (entity) => {
    const known = entity[1] === "#" ? undefined : _ftfyNamedEntity(entity);
    if (known !== undefined) return known;
    if (entity.startsWith("&#")) {
      const decoded = htmlUnescape(entity);
      return decoded.includes(";") ? entity : decoded;
    }
    return entity;
  });
}

const LIGATURES: ReadonlyMap<string, string> = new Map([
  ["Ĳ", "IJ"],
  ["ĳ", "ij"],
  ["ŉ", "ʼn"],
  ["Ǳ", "DZ"],
  ["ǲ", "Dz"],
  ["ǳ", "dz"],
  ["Ǆ", "DŽ"],
  ["ǅ", "Dž"],
  ["ǆ", "dž"],
  ["Ǉ", "LJ"],
  ["ǈ", "Lj"],
  ["ǉ", "lj"],
  ["Ǌ", "NJ"],
  ["ǋ", "Nj"],
  ["ǌ", "nj"],
  ["ﬀ", "ff"],
  ["ﬁ", "fi"],
  ["ﬂ", "fl"],
  ["ﬃ", "ffi"],
  ["ﬄ", "ffl"],
  ["ﬅ", "ſt"],
  ["ﬆ", "st"],
]);
const LIGATURE_RE = /[ĲĳŉǱǲǳǄǅǆǇǈǉǊǋǌﬀﬁﬂﬃﬄﬅﬆ]/g;
const WIDTH_RE = /[\u3000\uff01-\uffef]/g;
const C1_RE = /[\x80-\x9f]/g;
// deno-lint-ignore no-control-regex
const ANSI_RE = /\x1b\[((?:\p{Nd}|;)*)([a-zA-Z])/gu;
// deno-lint-ignore no-control-regex
const CONTROL_RE = /[\x00-\x08\x0b\x0e-\x1f\x7f\u206a-\u206f\ufeff\ufff9-\ufffc]/g;

function _fixCharacterWidth(text: string): string {
  return text.replace(WIDTH_RE, (ch) => ch === "\u3000" ? " " : ch.normalize("NFKC"));
}

function _fixLineBreaks(text: string): string {
  return text.replaceAll("\r\n", "\n").replace(/[\r\u2028\u2029\x85]/g, "\n");
}

/** One pass of ftfy's fixers over a segment, in ftfy's order. */
function _fixPass(text: string, unescapeHtml: boolean): string {
  if (unescapeHtml) text = _ftfyUnescapeHtml(text);
  text = text.replace(C1_RE, (ch) => CP1252_C1[ch.charCodeAt(0) - 0x80]);
  text = text.replace(LIGATURE_RE, (ch) => LIGATURES.get(ch) ?? ch);
  text = _fixCharacterWidth(text);
  text = text.replace(/[\u02bc\u2018-\u201b]/g, "'").replace(/[\u201c-\u201f]/g, '"');
  text = _fixLineBreaks(text);
  text = text.toWellFormed();
  text = text.replace(ANSI_RE, "");
  text = text.replace(CONTROL_RE, "");
  return text.normalize("NFC");
}

/**
 * `ftfy.fix_text` with its default settings, minus mojibake repair (see the module doc). Works line by line; HTML
 * entities are decoded only until the first line that contains `<` (ftfy's "auto" rule, sticky as in ftfy).
 */
export function fixText(text: string): string {
  let unescapeHtml = true;
  const out: string[] = [];
  let pos = 0;
  while (pos < text.length) {
    const newline = text.indexOf("\n", pos);
    const end = newline < 0 ? text.length : newline + 1;
    let segment = text.slice(pos, end);
    if (segment.includes("<")) unescapeHtml = false;
    for (;;) {
      const fixed = _fixPass(segment, unescapeHtml);
      if (fixed === segment) break;
      segment = fixed;
    }
    out.push(segment);
    pos = end;
  }
  return out.join("");
}

/** `basic_clean`: `ftfy.fix_text`, `html.unescape` twice, strip. */
export function basicClean(text: string): string {
  return pyStrip(htmlUnescape(htmlUnescape(fixText(text))));
}

/** The full normalisation CLIP applies before the regex split: `whitespace_clean(basic_clean(text)).lower()`. */
export function cleanText(text: string): string {
  return whitespaceClean(basicClean(text)).toLowerCase();
}
