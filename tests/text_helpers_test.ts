import { assertEquals } from "./assert.ts";
import { envString, join, pathExists, PROJECT_ROOT, shownPath, signed } from "../lib/util/mod.ts";

Deno.test("signed writes the sign and the decimals", () => {
  assertEquals([signed(1.54), signed(-0.26), signed(0), signed(2, 0)], ["+1.5", "-0.3", "+0.0", "+2"]);
});

Deno.test("shownPath is relative to the project root, the root itself as given", () => {
  assertEquals(shownPath(join(PROJECT_ROOT, "results", "ablate")), join("results", "ablate"));
  assertEquals(shownPath(PROJECT_ROOT), PROJECT_ROOT);
});

Deno.test("pathExists: files and folders are there; a missing path, or one through a file, is not", async () => {
  assertEquals(await pathExists(PROJECT_ROOT), true);
  assertEquals(await pathExists(join(PROJECT_ROOT, "deno.json")), true);
  assertEquals(await pathExists(join(PROJECT_ROOT, "no-such-file.ppad")), false);
  assertEquals(await pathExists(join(PROJECT_ROOT, "deno.json", "inside")), false);
});

Deno.test("envString falls back when unset or blank, and trims", () => {
  const name = "PPAD_TEST_TEXT_PARAM";
  try {
    Deno.env.delete(name);
    assertEquals(envString(name, "ppad"), "ppad");
    Deno.env.set(name, "  ");
    assertEquals(envString(name, "ppad"), "ppad");
    Deno.env.set(name, " coop ");
    assertEquals(envString(name, "ppad"), "coop");
  } finally {
    Deno.env.delete(name);
  }
});
