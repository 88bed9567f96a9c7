/** The committed grids `deno task ablate --grid` runs: names, what they vary, and where they write by default. */
import { assert, assertEquals } from "./assert.ts";
import { ABLATE_GRIDS, DEFAULT_SWEEP, LEARNING_RATE_SWEEP } from "../experiments/mod.ts";
import { PAPER_METHOD, planSweep } from "../lib/experiments/config.ts";
import { join, PROJECT_ROOT } from "../lib/util/path.ts";
import { defaultOut } from "../cli/ablate.ts";

const CTX = { model: "m", modelHash: "h", data: "d", dataset: "x", backend: "cpu", testLimit: null };

Deno.test("grids: default and learning-rate, by their names", () => {
  assertEquals(Object.keys(ABLATE_GRIDS), ["default", "learning-rate"]);
  assertEquals(ABLATE_GRIDS.default, DEFAULT_SWEEP);
  for (const [name, grid] of Object.entries(ABLATE_GRIDS)) assertEquals(grid.name, name);
});

Deno.test("grids: learning-rate is PPAD at the paper's rate and 10× and 100× it; the paper's run is the default's", async () => {
  const runs = await planSweep(LEARNING_RATE_SWEEP, CTX);
  assertEquals(runs.map((r) => r.spec.lr), [0.001, 0.01, 0.1]);
  assert(runs.every((r) => r.spec.variant === "ppad" && r.spec.regions === "ppad5" && r.spec.synthesis === "sas"));
  assertEquals(runs[0].spec.lr, PAPER_METHOD.lr);
  const defaults = await planSweep(DEFAULT_SWEEP, CTX);
  assert(defaults.some((d) => d.id === runs[0].id), "the paper-rate run has the default grid's PPAD run id");
  assertEquals(new Set(runs.map((r) => r.id)).size, 3);
});

Deno.test("grids: ablate refuses an unknown --grid naming the grids; another grid writes to results/<name> by default", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(PROJECT_ROOT, "cli/ablate.ts"), "--grid", "nope"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(out.code, 2);
  assert(
    new TextDecoder().decode(out.stderr).includes('Cannot use --grid "nope": expected one of default, learning-rate'),
  );
  assertEquals(defaultOut(DEFAULT_SWEEP), "results/ablate");
  assertEquals(defaultOut(LEARNING_RATE_SWEEP), "results/learning-rate");
});
