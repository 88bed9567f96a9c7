/**
 * Runs one of the project's commands (`cli/<name>.ts`) in a child Deno, as a user would, for end-to-end tests.
 * @module
 */
import { join, PROJECT_ROOT } from "../lib/util/path.ts";

/** `deno run -A cli/<name>.ts ...args` → its exit code and piped stdout/stderr. */
export function runCli(name: string, ...args: string[]): Promise<Deno.CommandOutput> {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(PROJECT_ROOT, "cli", `${name}.ts`), ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
}
