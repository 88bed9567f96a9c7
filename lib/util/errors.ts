/**
 * The platform's one error contract: `Cannot <action> <thing>: <state>`, naming the file or argument.
 * CLIs print `error.message` on one line and exit non-zero.
 * @module
 */

/** An error caused by bad user input (a file, a flag, a config). CLIs print its message alone and exit 2. */
export class InputError extends Error {
  override name = "InputError";
}

/** Thrown by the argument parser for `--help`/`-h`: `runMain` prints `message` on stdout and exits 0. */
export class HelpRequest extends Error {
  override name = "HelpRequest";
}

/** Throws an `InputError` naming `file` when `ok` is false. */
export function ensure(ok: unknown, file: string, what: string): asserts ok {
  if (!ok) throw new InputError(`${file}: ${what}`);
}

/** Runs a CLI main function: prints any error as one line on stderr and exits 2 (input) or 1 (bug). */
export async function runMain(main: () => Promise<void> | void): Promise<never> {
  try {
    await main();
    Deno.exit(0);
  } catch (err) {
    if (err instanceof HelpRequest) {
      console.log(err.message);
      Deno.exit(0);
    }
    if (err instanceof InputError) {
      console.error(`error: ${err.message.replaceAll("\n", " ")}`);
      Deno.exit(2);
    }
    const e = err as Error;
    console.error(`error: ${(e?.message ?? String(err)).replaceAll("\n", " ")}`);
    if (Deno.env.get("PPAD_DEBUG")) console.error(e?.stack);
    Deno.exit(1);
  }
}
