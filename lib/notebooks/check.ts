/**
 * Type-checking notebooks: the Deno kernel does no type checking, so `deno task notebooks --check` concatenates each
 * notebook's code cells into a hidden `.ts` file beside the notebook (so relative imports resolve), runs `deno check`
 * on them in one process, and maps every error back to `Notebook <name>, cell <n>, line <l>`.
 * Cells are numbered from 1 in notebook order, markdown cells included (as the runner numbers them).
 * @module
 */
import { dirname, fromFileUrl, join, PROJECT_ROOT } from "../util/mod.ts";
import { cellSource, type Notebook, notebookName, readNotebook } from "./notebook.ts";

/** Where a line of the generated file came from: a 1-based cell number and a 1-based line inside that cell. */
export interface SourceLine {
  cell: number;
  line: number;
}

/** A notebook flattened to one TypeScript module, with the origin of every line (`lines[i]` is line i + 1). */
export interface FlatNotebook {
  code: string;
  lines: (SourceLine | null)[];
}

/** Concatenates a notebook's code cells into one module (top-level await allowed), recording each line's origin. */
export function flattenNotebook(nb: Notebook): FlatNotebook {
  const out: string[] = [];
  const lines: (SourceLine | null)[] = [];
  nb.cells.forEach((cell, i) => {
    if (cell.cell_type !== "code") return;
    const src = cellSource(cell).replace(/\n$/, "");
    if (src.trim() === "") return;
    out.push(`// ---- cell ${i + 1}`);
    lines.push(null);
    src.split("\n").forEach((text, j) => {
      out.push(text);
      lines.push({ cell: i + 1, line: j + 1 });
    });
    out.push(";");
    lines.push(null);
  });
  out.push("export {};");
  lines.push(null);
  return { code: out.join("\n") + "\n", lines };
}

/** One type error, located in a notebook when it comes from a cell. */
export interface CheckProblem {
  /** e.g. `Notebook 01-zero-shot, cell 4, line 2:7: TS2322 Type 'string' is not assignable to type 'number'.` */
  message: string;
  notebook?: string;
  cell?: number;
  line?: number;
}

// deno-lint-ignore no-control-regex -- strips ANSI colour codes
const ANSI = /\x1b\[[0-9;]*m/g;
const HEADER = /^(TS\d+) \[ERROR\]: (.*)$/;
const AT = /^\s+at (file:\/\/\S+?):(\d+):(\d+)$/;

/**
 * Parses `deno check` output (colours off) into problems, mapping positions in generated files back to cells.
 * `files` maps a generated file's path to its notebook name and flat form.
 */
export function parseCheckOutput(
  output: string,
  files: Map<string, { name: string; flat: FlatNotebook }>,
): CheckProblem[] {
  const problems: CheckProblem[] = [];
  let header: { code: string; text: string } | null = null;
  for (const raw of output.split("\n")) {
    const line = raw.replace(ANSI, "");
    const h = HEADER.exec(line);
    if (h) {
      header = { code: h[1], text: h[2] };
      continue;
    }
    const at = AT.exec(line);
    if (at && header) {
      const path = fromFileUrl(at[1]);
      const file = files.get(path);
      const origin = file?.flat.lines[Number(at[2]) - 1] ?? null;
      if (file && origin) {
        problems.push({
          message: `Notebook ${file.name}, cell ${origin.cell}, line ${origin.line}:${
            at[3]
          }: ${header.code} ${header.text}`,
          notebook: file.name,
          cell: origin.cell,
          line: origin.line,
        });
      } else if (file) {
        problems.push({ message: `Notebook ${file.name}: ${header.code} ${header.text}`, notebook: file.name });
      } else {
        problems.push({ message: `${path}:${at[2]}:${at[3]}: ${header.code} ${header.text}` });
      }
      header = null;
    }
  }
  return problems;
}

/** Result of {@link checkNotebooks}: the problems, and `deno check`'s raw output when it failed without any. */
export interface CheckResult {
  ok: boolean;
  problems: CheckProblem[];
  /** Unparsed output, when `deno check` failed for another reason (e.g. an unresolvable import). */
  raw?: string;
}

/** Type-checks notebooks' code cells with `deno check` (the project's deno.json). */
export async function checkNotebooks(paths: readonly string[]): Promise<CheckResult> {
  const files = new Map<string, { name: string; flat: FlatNotebook }>();
  try {
    for (const path of paths) {
      const name = notebookName(path);
      const flat = flattenNotebook(await readNotebook(path));
      const file = join(dirname(path), `.${name}.nbcheck.ts`);
      await Deno.writeTextFile(file, flat.code);
      files.set(file, { name, flat });
    }
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--config", join(PROJECT_ROOT, "deno.json"), ...files.keys()],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    if (out.success) return { ok: true, problems: [] };
    const problems = parseCheckOutput(text, files);
    return problems.length ? { ok: false, problems } : { ok: false, problems, raw: text.trim() };
  } finally {
    for (const file of files.keys()) await Deno.remove(file).catch(() => {});
  }
}
