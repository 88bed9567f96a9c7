/**
 * Short text helpers for labels and listings.
 * @module
 */

/** `text` cut to at most `max` characters, with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, Math.max(1, max - 1)).trimEnd() + "…";
}

/** Joins tokens with spaces, writing a run of 3 or more equal tokens once with its count: `a x×16 b`. */
export function compressRuns(tokens: readonly string[]): string {
  const out: string[] = [];
  for (let i = 0; i < tokens.length;) {
    let j = i;
    while (j < tokens.length && tokens[j] === tokens[i]) j++;
    const n = j - i;
    if (n >= 3) out.push(`${tokens[i]}×${n}`);
    else for (let k = 0; k < n; k++) out.push(tokens[i]);
    i = j;
  }
  return out.join(" ");
}

/** A signed number with `digits` decimals: `+1.5`, `-0.3`, `+0.0`. */
export function signed(x: number, digits = 1): string {
  return `${x >= 0 ? "+" : ""}${x.toFixed(digits)}`;
}
