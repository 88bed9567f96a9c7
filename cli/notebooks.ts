/**
 * `deno task notebooks [names…] [--check] [--quick] [--out DIR] [--timeout SEC]`: executes the project's notebooks
 * headlessly with the Deno kernel (executed `.ipynb` + HTML into `results/notebooks/`), or with `--check` only
 * type-checks their code cells. Names are paths, `notebooks/<name>.ipynb`, or a unique prefix (`01`).
 * @module
 */
import { checkNotebooks, NOTEBOOK_RESULTS, resolveNotebooks, runNotebooks } from "../lib/notebooks/mod.ts";
import {
  defineCommand,
  ensureOutDir,
  InputError,
  join,
  numberFlag,
  parseCommand,
  PROJECT_ROOT,
  resolve,
  runMain,
} from "../lib/util/mod.ts";

/** The command's flags, help and examples. */
export const COMMAND = defineCommand({
  name: "notebooks",
  summary:
    "executes the project's notebooks headlessly with the Deno kernel (executed .ipynb + self-contained HTML), " +
    "or with --check only type-checks their code cells.",
  flags: {
    check: {
      type: "boolean",
      description: "only type-check the code cells (deno check), mapping errors to notebook, cell and line",
    },
    quick: { type: "boolean", description: "run with PPAD_QUICK=1 (small settings, for CI)" },
    out: { type: "string", arg: "DIR", description: "where executed notebooks go", default: "results/notebooks" },
    timeout: { type: "string", arg: "SEC", description: "seconds allowed per cell (≥ 1)", default: 1800 },
  },
  positionals: {
    arg: "[NAMES…]",
    description: "names in notebooks/ (with or without .ipynb), unique prefixes (01), or paths of .ipynb files; " +
      "each is checked (JSON with a cells array) before any runs; default: all",
  },
  examples: ["deno task notebooks", "deno task notebooks 01 04 --quick"],
});

/**
 * Checks every notebook before any runs: a `.ipynb` file that parses as JSON with a `cells` array; otherwise an
 * {@link InputError} naming it (`name` is the argument as given).
 */
export async function checkNotebookFile(path: string, name = path): Promise<void> {
  const bad = (why: string): never => {
    throw new InputError(`Cannot run notebook ${name}: ${why}`);
  };
  if (!path.endsWith(".ipynb")) bad("not a .ipynb file (give a notebook path, or a name or prefix in notebooks/)");
  let text = "";
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    bad((err as Error).message.split("\n")[0]);
  }
  let nb: unknown;
  try {
    nb = JSON.parse(text);
  } catch (err) {
    bad(`not valid JSON (${(err as Error).message.split("\n")[0]})`);
  }
  if (typeof nb !== "object" || nb === null || !Array.isArray((nb as { cells?: unknown }).cells)) {
    bad('not a Jupyter notebook (no "cells" array)');
  }
}

/** Runs `deno task notebooks` with `args`: executes (or checks) the notebooks and prints where they went. */
export async function main(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand(COMMAND, args);
  const timeout = numberFlag("timeout", values.timeout, 1800, { min: 1, integer: true });
  const paths = await resolveNotebooks(positionals, join(PROJECT_ROOT, "notebooks"));
  for (const [i, p] of paths.entries()) await checkNotebookFile(p, positionals[i] ?? p);
  if (values.check) {
    const result = await checkNotebooks(paths);
    if (!result.ok) {
      for (const p of result.problems) console.error(p.message);
      if (result.raw) console.error(result.raw);
      const n = result.problems.length;
      throw new Error(`Cannot type-check notebooks: ${n ? `${n} error${n > 1 ? "s" : ""}` : "deno check failed"}`);
    }
    console.log(`Type-checked ${paths.length} notebook${paths.length > 1 ? "s" : ""}: no errors`);
    return;
  }
  const out = typeof values.out === "string" ? resolve(values.out) : NOTEBOOK_RESULTS;
  await ensureOutDir(out);
  const result = await runNotebooks(paths, { out, quick: values.quick === true, timeout });
  for (const nb of result.notebooks) console.log(`${nb.name}\t${nb.ipynb}\t${nb.html}`);
}

if (import.meta.main) runMain(() => main(Deno.args));
