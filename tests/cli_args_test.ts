/**
 * Argument checks before any work: unknown values are named with the valid ones, counts must be ≥ 1, outputs that
 * are files are refused (exit 2), the output folder is locked, and a sweep says how many runs it reused.
 */
import { assert, assertEquals, assertThrows } from "./assert.ts";
import { choiceFlag, defineCommand, listFlag, numberFlag, parseCommand } from "../lib/util/cli.ts";
import { HelpRequest, InputError } from "../lib/util/errors.ts";
import { runsLine } from "../lib/experiments/sweep.ts";
import { sweepSettings } from "../cli/sweep_flags.ts";
import { validateMethod } from "../lib/experiments/config.ts";
import { DEFAULT_SWEEP } from "../experiments/default.ts";
import { acquireLock, ensureOutDir, LOCK_FILE } from "../lib/util/lock.ts";
import { join, PROJECT_ROOT } from "../lib/util/path.ts";

const CMD = defineCommand({
  name: "demo",
  summary: "a demo.",
  flags: {
    images: { type: "string", multiple: true, description: "images" },
    steps: { type: "string", description: "steps", default: 100 },
    quiet: { type: "boolean", description: "quiet" },
  },
  examples: ["deno task demo"],
});

Deno.test("parseCommand: help, did-you-mean, negative numbers as values, missing values, booleans", () => {
  assertThrows(() => parseCommand(CMD, ["-h"]), HelpRequest, "Examples:");
  assertThrows(
    () => parseCommand(CMD, ["--image", "x"]),
    InputError,
    "unknown option --image (did you mean --images?)",
  );
  assertThrows(() => parseCommand(CMD, ["--stpes", "3"]), InputError, "did you mean --steps?");
  assertEquals(parseCommand(CMD, ["--steps", "-3"]).values.steps, "-3");
  assertThrows(
    () => numberFlag("steps", parseCommand(CMD, ["--steps", "-3"]).values.steps, 100, { integer: true, min: 1 }),
    InputError,
    'Cannot use --steps "-3": expected an integer ≥ 1',
  );
  assertThrows(() => parseCommand(CMD, ["--steps"]), InputError, "--steps needs a value");
  assertThrows(() => parseCommand(CMD, ["--steps", "--quiet"]), InputError, "--steps needs a value");
  assertThrows(() => parseCommand(CMD, ["--quiet=yes"]), InputError, "--quiet takes no value");
  assertThrows(() => parseCommand(CMD, ["stray"]), InputError, 'unexpected argument "stray"');
  assertEquals(parseCommand(CMD, ["--images", "a", "--images", "b", "--quiet"]).values, {
    images: ["a", "b"],
    quiet: true,
  });
  assertThrows(() => numberFlag("n", "0x10", 1), InputError, "expected a number");
});

Deno.test("unknown variants, region sets, synthesis and scoring values are named with the valid ones", () => {
  assertThrows(
    () => listFlag("variants", "zeroshot,copo", ["zeroshot", "coop", "ppad"]),
    InputError,
    'unknown value "copo" (did you mean coop?); valid: zeroshot, coop, ppad',
  );
  assertThrows(
    () => sweepSettings(DEFAULT_SWEEP, { variants: "zeroshot,copo" }, "results/x"),
    InputError,
    "Cannot use --variants zeroshot,copo",
  );
  assertThrows(() => choiceFlag("scoring", "maxx", ["paper", "mean", "max"]), InputError, "did you mean max?");
  assertThrows(
    () => sweepSettings(DEFAULT_SWEEP, { sides: "patients" }, "results/x"),
    InputError,
    'Cannot use --sides "patients": expected one of image, patient',
  );
  const base = DEFAULT_SWEEP.base;
  assertThrows(() => validateMethod({ ...base, regions: "ppad6" }), InputError, "ppad5, whole, lr, grid3x3");
  assertThrows(() => validateMethod({ ...base, synthesis: "sass" as never }), InputError, "sas, fpi, none");
  assertThrows(() => validateMethod({ ...base, scoring: "top" as never }), InputError, "paper, mean, max");
});

Deno.test("counts that must be ≥ 1 are refused: --seeds 0, --shots 0, --steps 0, --test-limit 0", () => {
  for (const flag of ["seeds", "shots", "steps", "test-limit", "n-ctx"] as const) {
    assertThrows(() => sweepSettings(DEFAULT_SWEEP, { [flag]: "0" }, "results/x"), InputError, `--${flag} "0"`);
  }
  assertEquals(sweepSettings(DEFAULT_SWEEP, { seeds: "2", "test-limit": "12" }, "results/x").seeds, 2);
});

Deno.test("--lr overrides the prompts' learning rate; 0, negative or not a number is refused", () => {
  assertEquals(sweepSettings(DEFAULT_SWEEP, { lr: "0.01" }, "results/x").overrides.lr, 0.01);
  assertEquals(sweepSettings(DEFAULT_SWEEP, {}, "results/x").overrides.lr, undefined);
  for (const bad of ["0", "-0.1", "fast"]) {
    assertThrows(() => sweepSettings(DEFAULT_SWEEP, { lr: bad }, "results/x"), InputError, `--lr "${bad}"`);
  }
});

Deno.test("--out pointing at a file is refused before any work, exit 2, fast", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "file");
    await Deno.writeTextFile(file, "x");
    await assertRejectsInput(() => ensureOutDir(file), "it is a file, not a folder");
    const t0 = performance.now();
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", join(PROJECT_ROOT, "cli/ablate.ts"), "--out", file, "--quiet"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 2, stderr);
    assert(stderr.includes(`Cannot write to --out ${file}: it is a file`), stderr);
    assert(performance.now() - t0 < 15000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function assertRejectsInput(fn: () => Promise<unknown>, includes: string): Promise<void> {
  try {
    await fn();
  } catch (err) {
    assert(err instanceof InputError && err.message.includes(includes), String(err));
    return;
  }
  throw new Error("expected an InputError");
}

Deno.test("the output lock: a live holder is named (exit 2), a stale one is taken over, release removes it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const lock = acquireLock(dir, "ablate");
    assertThrows(() => acquireLock(dir, "ablate"), InputError, `in use by pid ${Deno.pid} (ablate, started`);
    lock.release();
    assert(!(await Deno.stat(join(dir, LOCK_FILE)).then(() => true, () => false)));
    // A lock left by a process that is gone.
    const dead = new Deno.Command("true").spawn();
    await dead.status;
    const stale = { pid: dead.pid, host: Deno.hostname(), command: "ablate", started: "2020-01-01T00:00:00Z" };
    await Deno.writeTextFile(join(dir, LOCK_FILE), JSON.stringify(stale));
    const taken = acquireLock(dir, "merge");
    assertEquals(taken.tookOver?.pid, dead.pid);
    assertEquals(JSON.parse(await Deno.readTextFile(join(dir, LOCK_FILE))).pid, Deno.pid);
    taken.release();
    // A second process on a held folder exits 2 naming the holder.
    const held = acquireLock(dir, "ablate");
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", join(PROJECT_ROOT, "cli/merge.ts"), "--out", dir, dir],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    held.release();
    assertEquals(out.code, 2, stderr);
    assert(stderr.includes(`in use by pid ${Deno.pid}`), stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a sweep that reuses finished work says so", () => {
  const records = new Array(13).fill(null) as never[];
  assertEquals(
    runsLine({ records, reused: 13, computed: 0 }, join(Deno.cwd(), "results", "ablate")),
    "13 runs (13 reused from results/ablate, 0 computed)",
  );
});
