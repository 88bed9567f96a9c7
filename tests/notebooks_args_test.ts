/**
 * `deno task notebooks` checks every argument before running any: a project notebook name/prefix, or a `.ipynb` file
 * that is JSON with a `cells` array; anything else is a one-line error naming it, exit 2.
 */
import { assert, assertEquals } from "./assert.ts";
import { join, PROJECT_ROOT } from "../lib/util/mod.ts";
import { checkNotebookFile } from "../cli/notebooks.ts";

Deno.test("notebooks CLI: a non-JSON .ipynb, a non-notebook file or JSON without cells is refused, exit 2", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bad = join(dir, "bad.ipynb"), nocells = join(dir, "nocells.ipynb"), text = join(dir, "notes.txt");
    await Deno.writeTextFile(bad, "not json");
    await Deno.writeTextFile(nocells, '{"metadata": {}}');
    await Deno.writeTextFile(text, "{}");
    for (
      const [arg, why] of [[bad, "not valid JSON"], [nocells, '"cells"'], [text, "not a .ipynb"], [
        "/etc/passwd",
        "not a .ipynb",
      ]] as const
    ) {
      // 00 (a valid notebook) first: nothing may run before every argument is checked.
      const o = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", join(PROJECT_ROOT, "cli", "notebooks.ts"), "--check", "00", arg],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(o.stderr).trim();
      assertEquals(o.code, 2, stderr);
      assertEquals(stderr.split("\n").length, 1, stderr);
      assert(stderr.includes(arg) && stderr.includes(why), stderr);
    }
    await checkNotebookFile(join(PROJECT_ROOT, "notebooks", "00-smoke.ipynb"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
