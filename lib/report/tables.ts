/**
 * Tidy tables on arquero: flat records in, one row per observation; CSV in and out (written atomically);
 * mean ± sample standard deviation per group; Markdown rendering for reports.
 * @module
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { InputError, writeFileAtomic } from "../util/mod.ts";

export type { ColumnTable };

/** A cell value in a tidy record. */
export type Cell = string | number | boolean | null;
/** A flat record: one observation. */
export type TidyRecord = Record<string, Cell>;

/** Options for {@link toTidy}. */
export interface ToTidyOptions {
  /** Joins nested keys: `{metrics: {auroc: 0.9}}` → column `metrics_auroc`. @default "_" */
  separator?: string;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date) &&
    Object.getPrototypeOf(v) === Object.prototype;
}

/**
 * Flattens records (nested plain objects become `parent_child` columns; arrays become JSON text) into a tidy
 * table whose columns are the union of every record's keys, in first-seen order; missing cells are `null`.
 */
export function toTidy(records: readonly Record<string, unknown>[], options: ToTidyOptions = {}): ColumnTable {
  const sep = options.separator ?? "_";
  const flat: TidyRecord[] = records.map((r) => flatten(r, "", sep, {}));
  const names: string[] = [];
  const seen = new Set<string>();
  for (const r of flat) {
    for (const k of Object.keys(r)) {
      if (!seen.has(k)) {
        seen.add(k);
        names.push(k);
      }
    }
  }
  const columns: Record<string, Cell[]> = {};
  for (const n of names) columns[n] = flat.map((r) => (n in r ? r[n] : null));
  return aq.table(columns, names);
}

function flatten(value: Record<string, unknown>, prefix: string, sep: string, out: TidyRecord): TidyRecord {
  for (const [k, v] of Object.entries(value)) {
    const key = prefix ? `${prefix}${sep}${k}` : k;
    if (isPlainObject(v)) flatten(v, key, sep, out);
    else if (v === undefined || v === null) out[key] = null;
    else if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") out[key] = v;
    else if (v instanceof Date) out[key] = v.toISOString();
    else if (Array.isArray(v) || ArrayBuffer.isView(v)) out[key] = JSON.stringify(Array.from(v as ArrayLike<unknown>));
    else out[key] = String(v);
  }
  return out;
}

/** Reads a CSV file (header row, RFC 4180 quoting) into a table; numbers and booleans are parsed. */
export async function readCsvTable(path: string): Promise<ColumnTable> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    throw new InputError(`Cannot read CSV table ${path}: ${(err as Error).message}`);
  }
  if (text.trim() === "") throw new InputError(`Cannot read CSV table ${path}: the file is empty`);
  try {
    // Types are inferred from every row (arquero's default looks at the first 1,000 only, which mis-types columns
    // that are empty there); trailing blank lines would become empty rows.
    const body = text.replace(/(\r?\n)+$/, "\n");
    const rows = body.split("\n").length; // ≥ the number of records (Infinity makes arquero spin)
    return aq.fromCSV(body, { autoMax: rows });
  } catch (err) {
    throw new InputError(`Cannot parse CSV table ${path}: ${(err as Error).message}`);
  }
}

/** Writes a table as CSV (header + rows) atomically: a reader never sees a half-written file. */
export async function writeCsvAtomic(path: string, table: ColumnTable): Promise<void> {
  const csv = table.toCSV();
  await writeFileAtomic(path, csv.endsWith("\n") ? csv : csv + "\n");
}

/** One summary row from {@link summarise}: the group keys plus `n`, `mean`, `std` (sample, n − 1) and `text`. */
export type SummaryRow = TidyRecord & { n: number; mean: number; std: number; text: string };

/** Options for {@link summarise}. */
export interface SummariseOptions {
  /** Multiply values before summarising (e.g. 100 for percentages). @default 1 */
  scale?: number;
  /** Decimals in the `text` column. @default 1 */
  digits?: number;
}

/**
 * Mean ± sample standard deviation (n − 1) of `metric` per group of the `by` columns, in first-seen group order.
 * Missing and non-finite values are skipped; `std` is NaN when a group has fewer than 2 values.
 * Output columns: `...by, n, mean, std, text` where text is e.g. `96.7 ± 0.4`.
 * @example
 * ```ts
 * summarise([{ v: "a", auc: 1 }, { v: "a", auc: 3 }], ["v"], "auc"); // one row: n 2, mean 2, std √2
 * ```
 */
export function summarise(
  runs: ColumnTable | readonly Record<string, unknown>[],
  by: string | readonly string[],
  metric: string,
  options: SummariseOptions = {},
): ColumnTable {
  const table = Array.isArray(runs) ? toTidy(runs) : runs as ColumnTable;
  const keys = typeof by === "string" ? [by] : [...by];
  for (const k of [...keys, metric]) {
    if (!table.columnNames().includes(k)) {
      throw new InputError(
        `Cannot summarise ${metric}: no column ${JSON.stringify(k)} (have ${table.columnNames().join(", ")})`,
      );
    }
  }
  const scale = options.scale ?? 1;
  const digits = options.digits ?? 1;
  const groups = new Map<string, { key: TidyRecord; values: number[] }>();
  for (const row of table.objects() as TidyRecord[]) {
    const key: TidyRecord = {};
    for (const k of keys) key[k] = row[k] ?? null;
    const id = JSON.stringify(keys.map((k) => key[k]));
    let g = groups.get(id);
    if (!g) groups.set(id, g = { key, values: [] });
    const v = row[metric];
    const x = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
    if (Number.isFinite(x)) g.values.push(x * scale);
  }
  const rows: SummaryRow[] = [];
  for (const { key, values } of groups.values()) {
    const { mean, std } = meanStd(values);
    rows.push({ ...key, n: values.length, mean, std, text: formatMeanStd(mean, std, digits) });
  }
  return toTidy(rows);
}

/** Mean and sample standard deviation (n − 1) of `values`; NaN where undefined (empty, or one value for std). */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, std: NaN };
  const ss = values.reduce((a, b) => a + (b - mean) ** 2, 0);
  return { mean, std: Math.sqrt(ss / (n - 1)) };
}

/**
 * Formats `mean ± std` with `digits` decimals: the one place values are written with their spread. A missing (null)
 * or non-finite std prints the mean alone; a missing or non-finite mean prints `–`.
 * @example
 * ```ts
 * formatMeanStd(96.66, 0.44); // "96.7 ± 0.4"
 * formatMeanStd(96.66, null); // "96.7"
 * ```
 */
export function formatMeanStd(mean: number | null, std: number | null, digits = 1): string {
  if (mean === null || !Number.isFinite(mean)) return "–";
  return std !== null && Number.isFinite(std)
    ? `${mean.toFixed(digits)} ± ${std.toFixed(digits)}`
    : mean.toFixed(digits);
}

/** Options for {@link markdownTable} and the HTML table in `display.ts`. */
export interface FormatOptions {
  /** Decimals for non-integer numbers. @default 3 */
  digits?: number;
  /** At most this many rows. @default all */
  limit?: number;
}

/** Formats one cell for a report: integers as is, other numbers with `digits` decimals, null as empty. */
export function formatCell(value: unknown, digits = 3): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    return Number.isInteger(value) ? String(value) : value.toFixed(digits);
  }
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/** True when every non-null value of the column is a number (right-aligned in tables). */
export function isNumericColumn(table: ColumnTable, name: string): boolean {
  const col = table.array(name) as ArrayLike<unknown>;
  let any = false;
  for (let i = 0; i < col.length; i++) {
    const v = col[i];
    if (v === null || v === undefined) continue;
    if (typeof v !== "number") return false;
    any = true;
  }
  return any;
}

/** Renders a table as GitHub-flavoured Markdown (numbers right-aligned, `|` escaped). */
export function markdownTable(table: ColumnTable, options: FormatOptions = {}): string {
  const digits = options.digits ?? 3;
  const names = table.columnNames();
  const n = Math.min(table.numRows(), options.limit ?? Infinity);
  const esc = (s: string) => s.replaceAll("|", "\\|").replaceAll("\n", " ");
  const lines = [
    `| ${names.map(esc).join(" | ")} |`,
    `|${names.map((c) => (isNumericColumn(table, c) ? "---:" : ":---")).join("|")}|`,
  ];
  const cols = names.map((c) => table.array(c) as ArrayLike<unknown>);
  for (let i = 0; i < n; i++) lines.push(`| ${cols.map((col) => esc(formatCell(col[i], digits))).join(" | ")} |`);
  return lines.join("\n") + "\n";
}
