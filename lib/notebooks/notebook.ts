/**
 * Reading `.ipynb` files (nbformat 4) and finding notebooks by name.
 * @module
 */
import { basename, InputError, join, resolve } from "../util/mod.ts";

/** One cell of an nbformat-4 notebook (the fields the platform reads). */
export interface NotebookCell {
  cell_type: "code" | "markdown" | "raw";
  /** Required from nbformat 4.5 on: unique within the notebook. */
  id?: string;
  source: string | string[];
  metadata?: Record<string, unknown>;
  outputs?: Record<string, unknown>[];
  execution_count?: number | null;
}

/** An nbformat-4 notebook. */
export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: NotebookCell[];
}

/** A cell's source as one string (nbformat stores it as a string or a list of lines). */
export function cellSource(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

/** Reads and minimally validates an `.ipynb` file. */
export async function readNotebook(path: string): Promise<Notebook> {
  let nb: Notebook;
  try {
    nb = JSON.parse(await Deno.readTextFile(path));
  } catch (err) {
    throw new InputError(`Cannot read notebook ${path}: ${(err as Error).message}`);
  }
  if (typeof nb !== "object" || nb === null || nb.nbformat !== 4 || !Array.isArray(nb.cells)) {
    throw new InputError(`Cannot read notebook ${path}: not an nbformat-4 notebook`);
  }
  for (const [i, c] of nb.cells.entries()) {
    if (
      typeof c !== "object" || c === null || typeof c.cell_type !== "string" ||
      !(typeof c.source === "string" || Array.isArray(c.source))
    ) {
      throw new InputError(`Cannot read notebook ${path}: cell ${i + 1} has no cell_type/source`);
    }
  }
  return nb;
}

/** A notebook's display name: the file name without `.ipynb`. */
export function notebookName(path: string): string {
  return basename(path, ".ipynb");
}

/**
 * Resolves notebook arguments to paths: an existing file path, `<dir>/<name>.ipynb`, or the one notebook in `dir` whose
 * name starts with the argument (`01` → `01-zero-shot.ipynb`). No arguments: every `*.ipynb` in `dir`, sorted.
 */
export async function resolveNotebooks(names: readonly string[], dir: string): Promise<string[]> {
  const all: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) if (e.isFile && e.name.endsWith(".ipynb")) all.push(e.name);
  } catch {
    // no notebooks folder: only explicit paths can work
  }
  all.sort();
  if (names.length === 0) {
    if (all.length === 0) throw new InputError(`Cannot find notebooks: no .ipynb files in ${dir}`);
    return all.map((n) => join(dir, n));
  }
  const out: string[] = [];
  for (const name of names) {
    if (await isFile(name)) {
      out.push(resolve(name));
      continue;
    }
    const exact = name.endsWith(".ipynb") ? name : `${name}.ipynb`;
    if (all.includes(exact)) {
      out.push(join(dir, exact));
      continue;
    }
    const prefixed = all.filter((n) => n.startsWith(name));
    if (prefixed.length === 1) out.push(join(dir, prefixed[0]));
    else if (prefixed.length > 1) {
      throw new InputError(`Cannot choose notebook ${JSON.stringify(name)}: matches ${prefixed.join(", ")}`);
    } else {
      throw new InputError(
        `Cannot find notebook ${JSON.stringify(name)} in ${dir}: have ${all.join(", ") || "none"}`,
      );
    }
  }
  return out;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}
