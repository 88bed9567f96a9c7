/**
 * The commands' one argument parser: flag specs with descriptions and defaults, generated `--help`, did-you-mean for
 * unknown flags, negative numbers taken as values, and one-line `InputError`s (exit 2 through `runMain`).
 *
 * ```ts
 * const COMMAND = defineCommand({
 *   name: "metrics",
 *   summary: "Image-level metrics of an id,label,score CSV.",
 *   flags: { scores: { type: "string", arg: "FILE", description: "scores table", required: true } },
 *   examples: ["deno task metrics --scores scores.csv"],
 * });
 * const { values } = parseCommand(COMMAND, Deno.args); // --help throws a HelpRequest: runMain prints it, exit 0
 * ```
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { HelpRequest, InputError } from "./errors.ts";

/** One flag of a command: its type, what it does and its default (shown by `--help`). */
export interface FlagSpec {
  type: "string" | "boolean";
  /** What the flag does, one line. */
  description: string;
  /** The default, as shown by `--help` ("none" when absent and not a boolean). */
  default?: string | number | boolean;
  /** Placeholder of the value in the usage line (`N`, `DIR`); default `VALUE`. */
  arg?: string;
  /** May be given several times (values collected in order). */
  multiple?: boolean;
  /** One-letter alias (`-h`). */
  short?: string;
  /** Shown as required in the help (the command checks it). */
  required?: boolean;
}

/** A command: name, what it does, flags, positionals and examples. */
export interface CommandSpec<F extends Record<string, FlagSpec> = Record<string, FlagSpec>> {
  /** The task name (`ablate`, `bench:synthesis`). */
  name: string;
  /** What the command does, one to three sentences. */
  summary: string;
  flags: F;
  /** Positional arguments, when the command takes any: placeholder and description. */
  positionals?: { arg: string; description: string };
  /** Extra usage lines after the generated one (other modes). */
  usage?: string[];
  /** One or two example invocations. */
  examples: string[];
}

/** The parsed value of one flag spec. */
export type FlagValue<S extends FlagSpec> = S["type"] extends "boolean" ? boolean | undefined
  : S["multiple"] extends true ? string[] | undefined
  : string | undefined;

/** Parsed values of a command's flags. */
export type FlagValues<F extends Record<string, FlagSpec>> = { [K in keyof F]?: FlagValue<F[K]> };

/** Declares a command (keeps the flag names' literal types for {@link parseCommand}). */
export function defineCommand<const F extends Record<string, FlagSpec>>(spec: CommandSpec<F>): CommandSpec<F> {
  return spec;
}

/** Levenshtein distance (for did-you-mean). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

/** The known name closest to `name` (prefix or small edit distance), or null. */
export function closest(name: string, known: readonly string[]): string | null {
  const prefixed = known.filter((k) => k.startsWith(name) || name.startsWith(k));
  if (prefixed.length === 1) return prefixed[0];
  let best: string | null = null, bestD = Infinity;
  for (const k of known) {
    const dist = distance(name, k);
    if (dist < bestD) [best, bestD] = [k, dist];
  }
  return best !== null && bestD <= Math.max(2, Math.floor(best.length / 3)) ? best : null;
}

function flagLabel(name: string, f: FlagSpec): string {
  const short = f.short ? `-${f.short}, ` : "";
  return `${short}--${name}${f.type === "string" ? ` ${f.arg ?? "VALUE"}` : ""}`;
}

/** The usage line of a command: required flags, `[options]` (or the optional flags, when few) and positionals. */
export function usageLine<F extends Record<string, FlagSpec>>(spec: CommandSpec<F>): string {
  const entries = Object.entries(spec.flags);
  const shown = (n: string, f: FlagSpec) => `--${n}${f.type === "string" ? ` ${f.arg ?? "VALUE"}` : ""}`;
  const parts = entries.filter(([, f]) => f.required).map(([n, f]) => shown(n, f));
  const optional = entries.filter(([, f]) => !f.required);
  if (optional.length > 4) parts.push("[options]");
  else parts.push(...optional.map(([n, f]) => `[${shown(n, f)}]`));
  if (spec.positionals) parts.push(spec.positionals.arg);
  return `deno task ${spec.name} ${parts.join(" ")}`.trimEnd();
}

/** Wraps `text` at `width` columns; continuation lines are indented by `indent` spaces. */
function wrap(text: string, width: number, indent: number): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = " ".repeat(indent) + word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines.join("\n");
}

/** The full `--help` text: what it does, usage, every flag with its default, examples. */
export function helpText<F extends Record<string, FlagSpec>>(spec: CommandSpec<F>): string {
  const rows: [string, string][] = Object.entries(spec.flags).map(([n, f]) => {
    const def = f.required
      ? "required"
      : f.default !== undefined
      ? `default: ${f.default}`
      : f.type === "boolean"
      ? "default: off"
      : "default: none";
    return [flagLabel(n, f), `${f.description} (${def})`];
  });
  if (spec.positionals) rows.unshift([spec.positionals.arg, spec.positionals.description]);
  rows.push(["-h, --help", "show this help and exit"]);
  const width = Math.min(30, Math.max(...rows.map(([l]) => l.length)) + 2);
  const row = ([l, d]: [string, string]) => {
    const body = wrap(d, 118 - width, width + 2);
    return l.length + 2 > width ? `  ${l}\n  ${" ".repeat(width)}${body}` : `  ${l.padEnd(width)}${body}`;
  };
  const lines = [
    wrap(`deno task ${spec.name}: ${spec.summary}`, 118, 0),
    "",
    "Usage:",
    `  ${usageLine(spec)}`,
    ...(spec.usage ?? []).map((u) => `  ${u}`),
    "",
    "Options:",
    ...rows.map(row),
    "",
    "Examples:",
    ...spec.examples.map((e) => `  ${e}`),
  ];
  return lines.join("\n");
}

/** A value that is a number, however it starts (`-3`, `-.5`, `-1e3`, `-Infinity`): taken as a flag's value. */
function looksNumeric(s: string): boolean {
  return /^-(\d|\.\d|Infinity$)/.test(s);
}

/**
 * Parses `args` against a command spec. `--help`/`-h` throws a {@link HelpRequest} (runMain prints it, exit 0); an
 * unknown flag is an `InputError` with a did-you-mean and the usage; a string flag's value may be a negative number.
 */
export function parseCommand<F extends Record<string, FlagSpec>>(
  spec: CommandSpec<F>,
  args: readonly string[],
): { values: FlagValues<F>; positionals: string[] } {
  const options: NonNullable<ParseArgsConfig["options"]> = { help: { type: "boolean", short: "h" } };
  for (const [n, f] of Object.entries(spec.flags)) {
    options[n] = { type: f.type, ...(f.multiple ? { multiple: true } : {}), ...(f.short ? { short: f.short } : {}) };
  }
  const usage = `usage: ${usageLine(spec)}`;
  const fail = (what: string): never => {
    throw new InputError(`Cannot parse ${spec.name} arguments: ${what}; ${usage} (--help for details)`);
  };
  // Help wins over everything else, even a typo elsewhere on the line.
  const end = args.indexOf("--");
  if ((end < 0 ? args : args.slice(0, end)).some((a) => a === "--help" || a === "-h")) {
    throw new HelpRequest(helpText(spec));
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options, strict: false, allowPositionals: true, tokens: true });
  } catch (err) {
    return fail((err as Error).message.split("\n")[0]);
  }
  const known = Object.keys(spec.flags);
  for (const t of parsed.tokens) {
    if (t.kind === "option") {
      const f = spec.flags[t.name];
      if (!f) {
        const guess = closest(t.name, known);
        fail(`unknown option ${t.rawName}${guess ? ` (did you mean --${guess}?)` : ""}`);
      }
      if (f.type === "string") {
        const v = t.value;
        if (v === undefined || (!t.inlineValue && v.startsWith("-") && !looksNumeric(v))) {
          fail(`${t.rawName} needs a value (${flagLabel(t.name, f)})`);
        }
      } else if (t.inlineValue) fail(`${t.rawName} takes no value`);
    } else if (t.kind === "positional" && !spec.positionals) {
      fail(`unexpected argument ${JSON.stringify(t.value)}`);
    }
  }
  const values = parsed.values as Record<string, unknown>;
  delete values.help;
  return { values: { ...values } as FlagValues<F>, positionals: parsed.positionals };
}

/** Reads a required string flag; throws an `InputError` naming it when absent. */
export function requireFlag(command: string, name: string, value: string | undefined, what = ""): string {
  if (value === undefined || value === "") {
    throw new InputError(`Cannot run ${command}: --${name}${what ? ` ${what}` : ""} is required`);
  }
  return value;
}

/**
 * Parses `args` with `parseArgs` options; unknown flags or missing values throw an `InputError` naming the command.
 * @deprecated use {@link defineCommand} + {@link parseCommand}, which also give `--help`.
 */
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
  const decimal = typeof value === "string" && /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value.trim());
  const ok = decimal && Number.isFinite(n) &&
    (!range.integer || Number.isInteger(n)) && (range.min === undefined || n >= range.min) &&
    (range.max === undefined || n <= range.max);
  if (!ok) {
    const kind = range.integer ? "an integer" : "a number";
    const bounds = range.min !== undefined && range.max !== undefined
      ? ` in ${range.min}…${range.max}`
      : range.min !== undefined
      ? ` ≥ ${range.min}`
      : range.max !== undefined
      ? ` ≤ ${range.max}`
      : "";
    throw new InputError(`Cannot use --${name} ${JSON.stringify(value)}: expected ${kind}${bounds}`);
  }
  return n;
}

/**
 * Validates a comma-separated list flag against the valid values: an unknown one is an `InputError` naming it and
 * listing the valid ones (with a did-you-mean). Empty items are ignored; an empty list is refused.
 */
export function listFlag(name: string, value: string | undefined, valid: readonly string[]): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(",").map((x) => x.trim()).filter(Boolean);
  if (items.length === 0) throw new InputError(`Cannot use --${name} "": expected one or more of ${valid.join(", ")}`);
  for (const item of items) {
    if (!valid.includes(item)) {
      const guess = closest(item, valid);
      throw new InputError(
        `Cannot use --${name} ${value}: unknown value ${JSON.stringify(item)}${
          guess ? ` (did you mean ${guess}?)` : ""
        }; valid: ${valid.join(", ")}`,
      );
    }
  }
  return items;
}

/** Validates a one-of flag; an unknown value is an `InputError` naming it and listing the valid ones. */
export function choiceFlag<T extends string>(
  name: string,
  value: string | undefined,
  valid: readonly T[],
  fallback: T,
): T;
/** Validates a one-of flag without a default (undefined when absent). */
export function choiceFlag<T extends string>(
  name: string,
  value: string | undefined,
  valid: readonly T[],
): T | undefined;
export function choiceFlag<T extends string>(
  name: string,
  value: string | undefined,
  valid: readonly T[],
  fallback?: T,
): T | undefined {
  if (value === undefined) return fallback;
  if ((valid as readonly string[]).includes(value)) return value as T;
  const guess = closest(value, valid);
  throw new InputError(
    `Cannot use --${name} ${JSON.stringify(value)}: expected one of ${valid.join(", ")}${
      guess ? ` (did you mean ${guess}?)` : ""
    }`,
  );
}
