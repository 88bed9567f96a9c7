/**
 * CSV by the line, for readers whose errors name the file and line (scores tables, data set manifests) and writers of
 * hand-built rows. Whole tables go through arquero (`readCsvTable`/`writeCsvAtomic` in `lib/report/tables.ts`).
 * @module
 */

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
