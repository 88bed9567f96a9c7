/**
 * Shell words: quoting for generated scripts, and splitting an option string (`--sbatch "--time 2:00:00 -p cpu"`)
 * into words the way a POSIX shell would (quotes and backslashes; no expansions).
 * @module
 */
import { InputError } from "../util/mod.ts";

/** Quotes a word for a POSIX shell (bare when it is safe, else single quotes). */
export function shQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'"'"'`)}'`;
}

/** Splits `text` into words like a POSIX shell: whitespace separates, '…' and "…" quote, \ escapes. */
export function splitShellWords(text: string, what = "options"): string[] {
  const words: string[] = [];
  let word = "", inWord = false, quote: "'" | '"' | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === "\\" && i + 1 < text.length && '"\\$`'.includes(text[i + 1])) word += text[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new InputError(`Cannot split ${what} ${JSON.stringify(text)}: unclosed ${quote} quote`);
  if (inWord) words.push(word);
  return words;
}

/**
 * Groups option words into one option per group (`--time 2:00:00` stays together, `--mem=8G` alone), so that each
 * group can become one `#SBATCH` line. A word that is not an option and follows no option is an `InputError`.
 */
export function groupOptions(words: readonly string[], what = "options"): string[][] {
  const groups: string[][] = [];
  for (const w of words) {
    if (w.startsWith("-")) groups.push([w]);
    else if (groups.length) groups[groups.length - 1].push(w);
    else {throw new InputError(
        `Cannot use ${what} ${JSON.stringify(words.join(" "))}: ${JSON.stringify(w)} is not an option`,
      );}
  }
  return groups;
}
