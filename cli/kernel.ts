/**
 * `deno task kernel`: installs the Deno Jupyter kernelspec for this project's deno binary into `<project>/.jupyter`
 * and prints how to open the notebooks in the classic Jupyter UI.
 * @module
 */
import { installKernelSpec, JUPYTER_DIR, jupyterMissing, kernelSpec } from "../lib/notebooks/mod.ts";
import { defineCommand, join, parseCommand, PROJECT_ROOT, runMain } from "../lib/util/mod.ts";

/** The command's flags, help and examples. */
export const COMMAND = defineCommand({
  name: "kernel",
  summary: "installs the Deno Jupyter kernelspec (this deno binary) into .jupyter/ and prints how to start Jupyter.",
  flags: {},
  examples: ["deno task kernel"],
});

/** Runs `deno task kernel` with `args`: installs the Deno Jupyter kernel spec for this project. */
export async function main(args: string[]): Promise<void> {
  parseCommand(COMMAND, args);
  const dir = await installKernelSpec(JUPYTER_DIR);
  console.error(`Installed kernelspec "deno" → ${dir} (${kernelSpec().argv[0]})`);
  const missing = await jupyterMissing();
  if (missing) console.error(`note: ${missing}`);
  const notebooks = join(PROJECT_ROOT, "notebooks");
  console.log(
    [
      "Start the classic notebook UI (Debian's jupyter-notebook) with:",
      `  JUPYTER_PATH=${JUPYTER_DIR} jupyter notebook ${notebooks}`,
      'then pick the kernel "Deno (PPAD)". Run them headlessly with: deno task notebooks [names…] [--quick]',
    ].join("\n"),
  );
}

if (import.meta.main) runMain(() => main(Deno.args));
