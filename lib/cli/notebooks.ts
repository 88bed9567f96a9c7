/**
 * `deno task notebooks [names…] [--check] [--quick] [--out DIR] [--timeout SEC]`: executes the project's notebooks
 * headlessly with the Deno kernel (executed `.ipynb` + HTML into `results/notebooks/`), or with `--check` only
 * type-checks their code cells. Names are paths, `notebooks/<name>.ipynb`, or a unique prefix (`01`).
 * @module
 */
import { checkNotebooks } from "../notebooks/check.ts";
import { resolveNotebooks } from "../notebooks/notebook.ts";
import { NOTEBOOK_RESULTS, runNotebooks } from "../notebooks/run.ts";
import { numberFlag, parseCli } from "../util/cli.ts";
import { runMain } from "../util/errors.ts";
import { join, PROJECT_ROOT, resolve } from "../util/path.ts";

const USAGE = `usage: deno task notebooks [names…] [--check] [--quick] [--out DIR] [--timeout SEC]

  names       notebook paths, names in notebooks/ (with or without .ipynb) or unique prefixes; default: all
  --check     only type-check the notebooks' code cells (deno check), mapping errors to notebook, cell and line
  --quick     run with PPAD_QUICK=1 (small settings, for CI)
  --out DIR   where executed notebooks go (default results/notebooks)
  --timeout   seconds allowed per cell (default 1800)`;

async function main(): Promise<void> {
  const { values, positionals } = parseCli("notebooks", Deno.args, {
    check: { type: "boolean" },
    quick: { type: "boolean" },
    out: { type: "string" },
    timeout: { type: "string" },
    help: { type: "boolean", short: "h" },
  }, true);
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const timeout = numberFlag("timeout", values.timeout, 1800, { min: 1, integer: true });
  const paths = await resolveNotebooks(positionals, join(PROJECT_ROOT, "notebooks"));
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
  const result = await runNotebooks(paths, { out, quick: values.quick === true, timeout });
  for (const nb of result.notebooks) console.log(`${nb.name}\t${nb.ipynb}\t${nb.html}`);
}

if (import.meta.main) runMain(main);
