/**
 * Finding Debian's Python with the Jupyter packages (`/usr/bin/python3`: a `python3` earlier on PATH may not see them).
 * @module
 */

/** The interpreter that runs `tools/nbrun.py` (override with `PPAD_PYTHON`). */
export function pythonPath(): string {
  return Deno.env.get("PPAD_PYTHON") ?? "/usr/bin/python3";
}

/** The Debian packages the notebook tooling needs (what `.ci/run` installs). */
export const JUPYTER_PACKAGES = [
  "jupyter-nbconvert",
  "jupyter-client",
  "python3-nbclient",
  "python3-ipykernel",
  "fonts-dejavu-core",
] as const;

/** Why notebooks cannot run here (`null` when `python` imports nbclient, nbformat and nbconvert). */
export async function jupyterMissing(python: string = pythonPath()): Promise<string | null> {
  try {
    const out = await new Deno.Command(python, {
      args: ["-c", "import nbclient, nbformat, nbconvert, jupyter_client"],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (out.success) return null;
    const last = new TextDecoder().decode(out.stderr).trim().split("\n").at(-1) ?? "";
    return `${python} cannot import the Jupyter packages (${last}); install: apt-get install -y ${
      JUPYTER_PACKAGES.join(" ")
    }`;
  } catch (err) {
    return `${python} cannot be started (${(err as Error).message}); install: apt-get install -y python3 ${
      JUPYTER_PACKAGES.join(" ")
    }`;
  }
}
