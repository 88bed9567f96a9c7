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

/** Absolute path of the project root (the folder holding `deno.json`). */
export const PROJECT_ROOT: string = nodePath.resolve(fromFileUrl(new URL("../..", import.meta.url)));

/** Absolute path of the `../shared` folder beside the checkout (present in CI and dev sessions, absent in a user's clone). */
export const SHARED_DIR: string = nodePath.resolve(PROJECT_ROOT, "..", "shared");
