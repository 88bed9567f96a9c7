/**
 * Command-line parsing on `node:util`'s `parseArgs`, with errors turned into one-line `InputError`s.
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { InputError } from "./errors.ts";

/** Parses `args` with `parseArgs` options; unknown flags or missing values throw an `InputError` naming the command. */
export function parseCli<T extends NonNullable<ParseArgsConfig["options"]>>(
  command: string,
  args: string[],
  options: T,
  allowPositionals = false,
): { values: Record<string, string | boolean | string[] | boolean[] | undefined>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals, strict: true });
    return { values: values as Record<string, string | boolean | string[] | boolean[] | undefined>, positionals };
  } catch (err) {
    throw new InputError(`Cannot parse ${command} arguments: ${(err as Error).message.split("\n")[0]}`);
  }
}

/** Reads a numeric flag; throws an `InputError` naming the flag when it is not a finite number in range. */
export function numberFlag(
  name: string,
  value: string | boolean | string[] | boolean[] | undefined,
  fallback: number,
  range: { min?: number; max?: number; integer?: boolean } = {},
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  const ok = typeof value === "string" && value.trim() !== "" && Number.isFinite(n) &&
    (!range.integer || Number.isInteger(n)) && (range.min === undefined || n >= range.min) &&
    (range.max === undefined || n <= range.max);
  if (!ok) {
    const kind = range.integer ? "an integer" : "a number";
    const bounds = range.min !== undefined ? ` ≥ ${range.min}` : "";
    throw new InputError(`Cannot use --${name} ${JSON.stringify(value)}: expected ${kind}${bounds}`);
  }
  return n;
}
