/**
 * A project-local Jupyter kernelspec for the Deno kernel of THIS project's deno binary (`Deno.execPath()`), kept in
 * `.jupyter/` under the project root (git-ignored: it holds a machine-specific path). Point Jupyter at it with
 * `JUPYTER_PATH=<project>/.jupyter`.
 * @module
 */
import { join, PROJECT_ROOT, writeFileAtomic } from "../util/mod.ts";

/** The folder to put on `JUPYTER_PATH`. */
export const JUPYTER_DIR: string = join(PROJECT_ROOT, ".jupyter");
/** The kernelspec name (`kernel_name` for nbclient, `"kernelspec": {"name": …}` in notebooks). */
export const KERNEL_NAME = "deno";

/** A kernelspec, as Jupyter reads it from `kernels/<name>/kernel.json`. */
export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  env?: Record<string, string>;
}

/** The kernelspec JSON for a deno binary (`deno jupyter --kernel --conn {connection_file}`). */
export function kernelSpec(denoPath: string = Deno.execPath()): KernelSpec {
  return {
    argv: [denoPath, "jupyter", "--kernel", "--conn", "{connection_file}"],
    display_name: "Deno (PPAD)",
    language: "typescript",
    env: { DENO_NO_UPDATE_CHECK: "1" },
  };
}

/**
 * Writes `<dir>/kernels/deno/kernel.json` for the running deno binary (idempotent; rewritten only when it differs).
 * Returns the kernelspec folder.
 */
export async function installKernelSpec(dir: string = JUPYTER_DIR): Promise<string> {
  const specDir = join(dir, "kernels", KERNEL_NAME);
  const path = join(specDir, "kernel.json");
  const text = JSON.stringify(kernelSpec(), null, 2) + "\n";
  const old = await Deno.readTextFile(path).catch(() => null);
  if (old !== text) await writeFileAtomic(path, text);
  return specDir;
}

/** Environment for Jupyter processes: `JUPYTER_PATH` with `dir` first (existing entries kept after it). */
export function jupyterEnv(
  dir: string = JUPYTER_DIR,
  base: Record<string, string> = Deno.env.toObject(),
): Record<string, string> {
  const existing = base.JUPYTER_PATH ? `:${base.JUPYTER_PATH}` : "";
  return { ...base, JUPYTER_PATH: `${dir}${existing}` };
}
