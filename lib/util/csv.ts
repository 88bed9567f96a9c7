/**
 * CSV by the line, for readers whose errors name the file and line (scores tables, data set manifests, result tables
 * read cell by cell: {@link readCsvRecords}, {@link csvNumber}) and writers of hand-built rows. Whole tables go through arquero (`readCsvTable`/`writeCsvAtomic` in `lib/report/tables.ts`).
 * @module
 */
import { InputError } from "./errors.ts";

/** Options for {@link splitCsvLine}. */
export interface SplitCsvOptions {
  /**
   * Trim whitespace around every field, and allow it around a quoted one (`  "a,b" ,c`), as hand-written manifests
   * have it. @default false (RFC 4180: spaces belong to the field, a quoted field must end at a comma)
   */
  trim?: boolean;
}

/**
 * Splits one CSV line into fields (RFC 4180 quoting: `"a,b"`, `""` inside quotes). Returns null on a malformed
 * quoted field (unterminated, or followed by anything but a comma).
 * @param line one line without its newline
 * @example
 * ```ts
 * splitCsvLine('a,"b,c","d""e",'); // ["a", "b,c", 'd"e', ""]
 * splitCsvLine('"open'); // null
 * ```
 */
export function splitCsvLine(line: string, options: SplitCsvOptions = {}): string[] | null {
  const trim = options.trim ?? false;
  const skipSpace = (i: number) => {
    while (trim && i < line.length && /\s/.test(line[i])) i++;
    return i;
  };
  const out: string[] = [];
  let i = 0;
  for (;;) {
    const start = i;
    i = skipSpace(i);
    if (line[i] === '"') {
      let field = "";
      i++;
      for (;;) {
        if (i >= line.length) return null;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += line[i++];
      }
      i = skipSpace(i);
      if (i < line.length && line[i] !== ",") return null;
      out.push(field);
    } else {
      const end = line.indexOf(",", start);
      const field = line.slice(start, end === -1 ? line.length : end);
      out.push(trim ? field.trim() : field);
      i = end === -1 ? line.length : end;
    }
    if (i >= line.length) return out;
    i++; // skip the comma
    if (i === line.length) {
      out.push("");
      return out;
    }
  }
}

/**
 * One CSV field: quoted (inner quotes doubled) when it holds a comma, quote or line break, or always with `force`.
 * @example
 * ```ts
 * csvField('a,"b"'); // '"a,""b"""'
 * csvField("plain"); // "plain"
 * ```
 */
export function csvField(value: string, force = false): string {
  return force || /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * A CSV table read cell by cell as text ({@link readCsvRecords}), each record with its line, so that readers can refuse
 * a bad cell naming the file, line and column ({@link csvNumber}).
 */
export interface CsvRecords {
  /** The file as given, for messages. */
  file: string;
  /** The header's column names, in order. */
  columns: readonly string[];
  /** The records after the header, blank lines left out; every one has exactly one cell per column. */
  records: readonly CsvRecord[];
}

/** One record of {@link CsvRecords}: its 1-based line and its cells. */
export interface CsvRecord {
  line: number;
  cells: readonly string[];
}

/**
 * Parses CSV text (a header row, then one record per line, RFC 4180 quoting by {@link splitCsvLine}) into
 * {@link CsvRecords}. Blank lines are left out; a malformed quoted cell, a record with more or fewer cells than the
 * header, or a column named twice is an `InputError` `Cannot read <file> line <n>: …`.
 */
export function parseCsvRecords(text: string, file: string): CsvRecords {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const rows: CsvRecord[] = [];
  lines.forEach((text, k) => {
    if (text.trim() === "") return;
    const cells = splitCsvLine(text);
    if (cells === null) throw new InputError(`Cannot read ${file} line ${k + 1}: a quoted cell is malformed`);
    rows.push({ line: k + 1, cells });
  });
  const header = rows.shift();
  if (header === undefined) throw new InputError(`Cannot read ${file}: the file is empty`);
  const columns = header.cells;
  columns.forEach((c, k) => {
    if (columns.indexOf(c) !== k) {
      throw new InputError(`Cannot read ${file} line ${header.line}: column "${c}" appears twice`);
    }
  });
  for (const r of rows) {
    if (r.cells.length === columns.length) continue;
    const which = r.cells.length < columns.length
      ? `no cell for column "${columns[r.cells.length]}"`
      : `a cell after the last column "${columns[columns.length - 1]}"`;
    throw new InputError(
      `Cannot read ${file} line ${r.line}: ${r.cells.length} cells where the header has ${columns.length} (${which})`,
    );
  }
  return { file, columns, records: rows };
}

/** Reads a CSV file into {@link CsvRecords} ({@link parseCsvRecords}); an unreadable file is an `InputError` naming it. */
export async function readCsvRecords(file: string): Promise<CsvRecords> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (err) {
    throw new InputError(`Cannot read CSV table ${file}: ${(err as Error).message.split("\n")[0]}`);
  }
  return parseCsvRecords(text, file);
}

/** The text of `record`'s cell in `column`, or undefined where the table has no such column. */
export function csvText(table: CsvRecords, record: CsvRecord, column: string): string | undefined {
  const at = table.columns.indexOf(column);
  return at === -1 ? undefined : record.cells[at];
}

/** A decimal number: optional sign, digits with an optional fraction, optional exponent (no `0x1`, `Infinity`). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** `text` as a number when it is a plain decimal (surrounding spaces allowed), else NaN (`""`, `n/a`, `0x1`, `NaN`). */
export function parseDecimal(text: string): number {
  const t = text.trim();
  return DECIMAL.test(t) ? Number(t) : NaN;
}

/** Options for {@link csvNumber}. */
export interface CsvNumberOptions {
  /** A whole number only (a count, seed, epoch or step). @default false */
  integer?: boolean;
  /** The lowest value allowed. */
  min?: number;
  /** The highest value allowed. */
  max?: number;
}

/**
 * The number in `record`'s cell in `column` (a column the table must have), parsed strictly ({@link parseDecimal}):
 * an empty, non-decimal or non-finite cell, or one outside the options' bounds, is an `InputError`
 * `Cannot read <file> line <n>: column "<column>" is "<cell>" (expected a number)`.
 */
export function csvNumber(
  table: CsvRecords,
  record: CsvRecord,
  column: string,
  options: CsvNumberOptions = {},
): number {
  const raw = csvText(table, record, column);
  if (raw === undefined) throw new InputError(`Cannot read ${table.file}: no column "${column}"`);
  const value = parseDecimal(raw);
  const { integer = false, min, max } = options;
  const ok = Number.isFinite(value) && (!integer || Number.isInteger(value)) && (min === undefined || value >= min) &&
    (max === undefined || value <= max);
  if (ok) return value;
  const bounds = min !== undefined && max !== undefined
    ? ` in [${min}, ${max}]`
    : min !== undefined
    ? ` >= ${min}`
    : max !== undefined
    ? ` <= ${max}`
    : "";
  throw new InputError(
    `Cannot read ${table.file} line ${record.line}: column "${column}" is ${JSON.stringify(raw)} (expected ${
      integer ? "a whole number" : "a number"
    }${bounds})`,
  );
}
