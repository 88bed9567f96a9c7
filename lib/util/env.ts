/**
 * Parameters from environment variables (notebook parameters cells, headless runs): a path, a number or a string,
 * each with its fallback.
 * @module
 */
import { isAbsolute, join, PROJECT_ROOT } from "./path.ts";

/**
 * A parameter that names a path, from the environment variable `name`: undefined when unset or empty; relative paths
 * are taken from the project root (the notebook kernel itself runs in `notebooks/`).
 */
export function envPath(name: string): string | undefined {
  const value = Deno.env.get(name)?.trim();
  if (!value) return undefined;
  return isAbsolute(value) ? value : join(PROJECT_ROOT, value);
}

/** A numeric parameter from the environment variable `name`, else `fallback`; a non-number is a TypeError. */
export function envNumber(name: string, fallback: number): number {
  const value = Deno.env.get(name)?.trim();
  if (!value) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new TypeError(`Cannot use ${name}=${JSON.stringify(value)}: expected a number`);
  return n;
}

/** A text parameter from the environment variable `name`, else `fallback` (also when set but empty). */
export function envString(name: string, fallback: string): string {
  return Deno.env.get(name)?.trim() || fallback;
}
