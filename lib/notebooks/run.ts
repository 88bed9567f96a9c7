/**
 * Executing notebooks headlessly: `tools/nbrun.py` on Debian's nbclient, with the project's Deno kernelspec.
 * Writes `<out>/<name>.ipynb` (executed, signed as trusted) and `<out>/<name>.html` per notebook.
 * @module
 */
import { join, PROJECT_ROOT } from "../util/mod.ts";
import { installKernelSpec, JUPYTER_DIR, jupyterEnv, KERNEL_NAME } from "./kernelspec.ts";
import { notebookName } from "./notebook.ts";
import { jupyterMissing, pythonPath } from "./python.ts";

/** Options for {@link runNotebooks}. */
export interface RunOptions {
  /** Output folder. @default `<project>/results/notebooks` */
  out?: string;
  /** Sets `PPAD_QUICK=1` in the kernel's environment (notebooks then use small settings). @default false */
  quick?: boolean;
  /** Seconds allowed per cell. @default 1800 */
  timeout?: number;
  /** Extra environment for the kernel. */
  env?: Record<string, string>;
  /** Receives the runner's progress lines (default: stderr). */
  log?: (line: string) => void;
}

/** What {@link runNotebooks} wrote. */
export interface RunResult {
  notebooks: { name: string; ipynb: string; html: string }[];
}

/** Default output folder of executed notebooks. */
export const NOTEBOOK_RESULTS: string = join(PROJECT_ROOT, "results", "notebooks");
/** The kernel's start-up notice on stderr, dropped from the log. */
const UNSTABLE_WARNING = /"deno jupyter" is unstable/;
const RUNNER = join(PROJECT_ROOT, "tools", "nbrun.py");

/**
 * Executes notebooks in order with the Deno kernel. Throws an `Error` whose message is the runner's failure line,
 * e.g. `Notebook 00-smoke, cell 3: TypeError: x is not a function`, when a cell fails.
 */
export async function runNotebooks(paths: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const missing = await jupyterMissing();
  if (missing) throw new Error(`Cannot run notebooks: ${missing}`);
  await installKernelSpec(JUPYTER_DIR);
  const out = options.out ?? NOTEBOOK_RESULTS;
  const log = options.log ?? ((line: string) => console.error(line));
  const env: Record<string, string> = { ...jupyterEnv(JUPYTER_DIR), ...(options.env ?? {}), NO_COLOR: "1" };
  if (options.quick) env.PPAD_QUICK = "1";
  const child = new Deno.Command(pythonPath(), {
    args: [RUNNER, "--out", out, "--kernel", KERNEL_NAME, "--timeout", String(options.timeout ?? 1800), ...paths],
    env,
    stdout: "inherit",
    stderr: "piped",
  }).spawn();
  const failures: string[] = [];
  let pending = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stderr) {
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      if (/^(Notebook |error: )/.test(line)) failures.push(line.replace(/^error: /, ""));
      else if (line.trim() && !UNSTABLE_WARNING.test(line)) log(line);
    }
  }
  if (pending.trim()) {
    if (/^(Notebook |error: )/.test(pending)) failures.push(pending.replace(/^error: /, ""));
    else log(pending);
  }
  const status = await child.status;
  if (!status.success) {
    throw new Error(failures.join("; ") || `Cannot run notebooks: ${RUNNER} exited with status ${status.code}`);
  }
  return {
    notebooks: paths.map((p) => {
      const name = notebookName(p);
      return { name, ipynb: join(out, `${name}.ipynb`), html: join(out, `${name}.html`) };
    }),
  };
}
