/**
 * Path helpers, in one module so that a switch to `jsr:@std/path` (unreachable on our machines) is one file.
 * @module
 */
import * as nodePath from "node:path";
import { fileURLToPath } from "node:url";

export const join: (...parts: string[]) => string = nodePath.join;
export const dirname: (p: string) => string = nodePath.dirname;
export const basename: (p: string, ext?: string) => string = nodePath.basename;
export const extname: (p: string) => string = nodePath.extname;
export const resolve: (...parts: string[]) => string = nodePath.resolve;
export const relative: (from: string, to: string) => string = nodePath.relative;
export const isAbsolute: (p: string) => boolean = nodePath.isAbsolute;

/** Converts a `file:` URL (e.g. `import.meta.url`) to a filesystem path. */
export function fromFileUrl(url: string | URL): string {
  return fileURLToPath(url);
}

/**
 * Whether `path` exists (a file, folder or link's target). Absent (`NotFound`, or a file where a folder was expected) is
 * `false`; any other failure, e.g. no permission, is thrown rather than taken for absence.
 */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory) return false;
    throw err;
  }
}

/** Absolute path of the project root (the folder holding `deno.json`). */
export const PROJECT_ROOT: string = nodePath.resolve(fromFileUrl(new URL("../..", import.meta.url)));

/** Environment variable that overrides {@link SHARED_DIR} (e.g. `PPAD_SHARED=/nonexistent` to test as a clone does). */
export const SHARED_DIR_ENV = "PPAD_SHARED";

/** `$PPAD_SHARED` resolved against the working directory when set and non-empty, else `../shared` beside the checkout. */
function _sharedDir(): string {
  let override: string | undefined;
  // Asked only when granted, so that a run without --allow-env neither prompts nor throws.
  if (Deno.permissions.querySync({ name: "env", variable: SHARED_DIR_ENV }).state === "granted") {
    override = Deno.env.get(SHARED_DIR_ENV);
  }
  return override ? nodePath.resolve(override) : nodePath.resolve(PROJECT_ROOT, "..", "shared");
}

/**
 * Absolute path of the shared folder: fixtures, OpenAI CLIP's BPE vocabulary and real data sets, present beside the
 * checkout (`../shared`) in CI and dev sessions and absent in a user's clone. `PPAD_SHARED` points it elsewhere.
 */
export const SHARED_DIR: string = _sharedDir();

/** A path as a reader sees it: relative to the project root (`results/ablate`), or as given for the root itself. */
export function shownPath(path: string): string {
  return nodePath.relative(PROJECT_ROOT, path) || path;
}
