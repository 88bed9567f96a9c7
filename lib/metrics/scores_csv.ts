/**
 * Reading a scores table (`id,label,score` CSV) with line-numbered errors.
 * @module
 */
import { InputError, splitCsvLine } from "../util/mod.ts";

/** A parsed scores table: `[n]` ids, labels (0/1) and finite scores, in file order. */
export interface ScoresTable {
  ids: string[];
  labels: Uint8Array;
  scores: Float64Array;
}

/** A decimal number (optional sign, digits with an optional fraction, optional exponent): what a score may be. */
export const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** The columns a scores file must have (others are ignored). */
export const SCORE_COLUMNS = ["id", "label", "score"] as const;

/**
 * Parses a scores CSV. The header (line 1) must name the columns `id`, `label`, `score` (any order, extra columns
 * allowed). Labels must be `0` (normal) or `1` (abnormal); scores finite numbers; ids non-empty and unique. Empty lines
 * are skipped. Every problem throws an `InputError` `<file>:<line>: <what>`.
 * @param text the file's contents
 * @param file the name to show in messages
 */
export function parseScoresCsv(text: string, file: string): ScoresTable {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? "");
  if (lines[0] === undefined || lines[0].trim() === "" || header === null) {
    throw new InputError(`${file}:1: expected a header with columns ${SCORE_COLUMNS.join(",")}`);
  }
  const names = header.map((h) => h.trim().toLowerCase());
  const col: Record<string, number> = {};
  for (const name of SCORE_COLUMNS) {
    const at = names.indexOf(name);
    if (at === -1) {
      throw new InputError(`${file}:1: missing column "${name}" (header has ${names.map((h) => `"${h}"`).join(", ")})`);
    }
    if (names.indexOf(name, at + 1) !== -1) throw new InputError(`${file}:1: column "${name}" appears twice`);
    col[name] = at;
  }
  const ids: string[] = [], labels: number[] = [], scores: number[] = [];
  const seen = new Map<string, number>();
  for (let li = 1; li < lines.length; li++) {
    const line = lines[li];
    if (line.trim() === "") continue;
    const where = `${file}:${li + 1}`;
    const fields = splitCsvLine(line);
    if (fields === null) throw new InputError(`${where}: unterminated quoted field`);
    if (fields.length !== header.length) {
      throw new InputError(`${where}: expected ${header.length} fields like the header, got ${fields.length}`);
    }
    const id = fields[col.id].trim();
    if (id === "") throw new InputError(`${where}: empty id`);
    const first = seen.get(id);
    if (first !== undefined) throw new InputError(`${where}: duplicate id "${id}" (first on line ${first})`);
    seen.set(id, li + 1);
    const label = fields[col.label].trim();
    if (label !== "0" && label !== "1") throw new InputError(`${where}: label must be 0 or 1, got "${label}"`);
    const raw = fields[col.score].trim();
    // Only decimal numbers: Number() would also read "0x1", "0b1", "0o1" and "Infinity".
    const score = DECIMAL.test(raw) ? Number(raw) : NaN;
    if (!Number.isFinite(score)) {
      throw new InputError(`${where}: score must be a finite number, got "${raw}" (decimal digits only)`);
    }
    ids.push(id);
    labels.push(label === "1" ? 1 : 0);
    scores.push(score);
  }
  if (ids.length === 0) throw new InputError(`${file}: no data rows after the header`);
  return { ids, labels: Uint8Array.from(labels), scores: Float64Array.from(scores) };
}
