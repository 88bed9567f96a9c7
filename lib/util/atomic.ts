/**
 * Atomic file writes: write to a temporary file beside the target, then rename. A killed process never leaves
 * a half-written file, and an existing file is replaced only by a complete one.
 * @module
 */
import { InputError } from "./errors.ts";
import { dirname } from "./path.ts";

/**
 * An operating-system error while writing `path` as a one-line {@link InputError} that names `path` (not the temporary
 * file beside it): e.g. `Cannot write /proc/x.csv: Permission denied (os error 13)`. Other errors are returned as they
 * are.
 */
function writeError(path: string, err: unknown): unknown {
  if (!(err instanceof Error) || !/\(os error \d+\)/.test(err.message)) return err;
  const reason = err.message.split("\n")[0].replace(/\):.*$/, ")");
  return new InputError(`Cannot write ${path}: ${reason}`);
}

/** Writes `data` to `path` atomically (temp file + rename), creating parent folders. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true }).catch((err) => {
    throw writeError(path, err);
  });
  const tmp = `${path}.${Deno.pid}.${Math.floor(performance.now() * 1000)}.tmp`;
  try {
    if (typeof data === "string") await Deno.writeTextFile(tmp, data);
    else await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw writeError(path, err);
  }
}

/** Synchronous variant of {@link writeFileAtomic}. */
export function writeFileAtomicSync(path: string, data: Uint8Array | string): void {
  try {
    Deno.mkdirSync(dirname(path), { recursive: true });
  } catch (err) {
    throw writeError(path, err);
  }
  const tmp = `${path}.${Deno.pid}.${Math.floor(performance.now() * 1000)}.tmp`;
  try {
    if (typeof data === "string") Deno.writeTextFileSync(tmp, data);
    else Deno.writeFileSync(tmp, data);
    Deno.renameSync(tmp, path);
  } catch (err) {
    try {
      Deno.removeSync(tmp);
    } catch { /* already gone */ }
    throw writeError(path, err);
  }
}
