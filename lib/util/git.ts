/**
 * The current git commit, for provenance in model cards and results.
 * @module
 */
import { PROJECT_ROOT } from "./path.ts";

/** Short hash of HEAD (with `-dirty` when the tree has changes), or "unknown" outside a git checkout. */
export async function gitCommit(): Promise<string> {
  try {
    const run = (args: string[]) =>
      new Deno.Command("git", { args, cwd: PROJECT_ROOT, stdout: "piped", stderr: "null" }).output();
    const head = await run(["rev-parse", "--short", "HEAD"]);
    if (!head.success) return "unknown";
    const status = await run(["status", "--porcelain", "--untracked-files=no"]);
    const dirty = new TextDecoder().decode(status.stdout).trim() ? "-dirty" : "";
    return new TextDecoder().decode(head.stdout).trim() + dirty;
  } catch {
    return "unknown";
  }
}
