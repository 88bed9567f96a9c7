/**
 * Notebook infrastructure: the project-local Deno kernelspec, the headless runner (nbclient via `tools/nbrun.py`)
 * and type-checking of notebook code cells.
 * @module
 */
export { installKernelSpec, JUPYTER_DIR, jupyterEnv, KERNEL_NAME, type KernelSpec, kernelSpec } from "./kernelspec.ts";
export {
  cellSource,
  type Notebook,
  type NotebookCell,
  notebookName,
  readNotebook,
  resolveNotebooks,
} from "./notebook.ts";
export { JUPYTER_PACKAGES, jupyterMissing, pythonPath } from "./python.ts";
export { NOTEBOOK_RESULTS, runNotebooks, type RunOptions, type RunResult } from "./run.ts";
export {
  checkNotebooks,
  type CheckProblem,
  type CheckResult,
  type FlatNotebook,
  flattenNotebook,
  parseCheckOutput,
  type SourceLine,
} from "./check.ts";
