/**
 * Every `deno task` answers `--help` and `-h` with exit 0: what it does, every flag with its default, and examples.
 * Commands declare their flags with `defineCommand` (lib/util/cli.ts) and export them as `COMMAND`; a command not yet
 * converted is read from its source (its `name: { type: … }` flag specs), so a flag can never be missing from the help.
 * Every command is a file in cli/ with one shape: `export async function main(args)`, run by `runMain` only when the
 * file is the entry point.
 */
import { assert, assertEquals } from "./assert.ts";
import { join, PROJECT_ROOT } from "../lib/util/path.ts";
import type { CommandSpec } from "../lib/util/cli.ts";

const config = JSON.parse(await Deno.readTextFile(join(PROJECT_ROOT, "deno.json"))) as {
  tasks: Record<string, string>;
};

/** Tasks that are not project commands: `test` is Deno's own runner (fmt, lint, check, test). */
const NOT_COMMANDS = new Set(["test"]);

/** The project script a task runs, and any arguments the task adds before the user's. */
function scriptOf(task: string): { script: string; args: string[] } {
  const m = /\s(cli\/[\w-]+\.ts)((?:\s+\S+)*)\s*$/.exec(config.tasks[task]);
  if (!m) throw new Error(`task ${task} does not run a cli/ script: ${config.tasks[task]}`);
  return { script: m[1], args: m[2].trim() ? m[2].trim().split(/\s+/) : [] };
}

/** Flag names of a command: its exported COMMAND when it has one (without running it), else read from the source. */
async function flagsOf(script: string): Promise<string[]> {
  const source = await Deno.readTextFile(join(PROJECT_ROOT, script));
  if (/export const COMMAND\b/.test(source) && /if \(import\.meta\.main\)/.test(source)) {
    const mod = await import(join(PROJECT_ROOT, script)) as { COMMAND: CommandSpec };
    return Object.keys(mod.COMMAND.flags);
  }
  return [...source.matchAll(/^\s+"?([a-z][a-z0-9-]*)"?: \{ type: "(?:string|boolean)"/gm)].map((m) => m[1]);
}

async function run(script: string, args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", join(PROJECT_ROOT, "deno.json"), join(PROJECT_ROOT, script), ...args],
    cwd: PROJECT_ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

for (const task of Object.keys(config.tasks).filter((t) => !NOT_COMMANDS.has(t))) {
  Deno.test(`deno task ${task} --help: exit 0, summary, every flag with its default, examples`, async () => {
    const { script, args } = scriptOf(task);
    const flags = await flagsOf(script);
    for (const help of ["--help", "-h"]) {
      const r = await run(script, [...args, help]);
      assertEquals(r.code, 0, `${task} ${help} exited ${r.code}: ${r.stderr.trim()}`);
      assert(/Usage:/.test(r.stdout) && /Examples:/.test(r.stdout), `${task} ${help}: no usage/examples:\n${r.stdout}`);
      for (const flag of flags) {
        // The flag itself, not a longer flag it begins (--probe is not --probe-limit).
        const names = new RegExp(`--${flag}(?![\\w-])`);
        const line = r.stdout.split("\n").find((l) => names.test(l) && /\((default|required)/.test(l)) ??
          r.stdout.split("\n").find((l, i, all) => names.test(l) && /\((default|required)/.test(all[i + 1]));
        assert(line, `${task} ${help}: --${flag} is not described with its default:\n${r.stdout}`);
      }
    }
  });
}

Deno.test("every task runs a cli/ file of one shape: COMMAND, main(args), runMain only as the entry point", async () => {
  const tasks = Object.keys(config.tasks).filter((t) => !NOT_COMMANDS.has(t));
  for (const task of tasks) {
    const { script } = scriptOf(task);
    const source = await Deno.readTextFile(join(PROJECT_ROOT, script));
    assert(/^export const COMMAND = defineCommand\(/m.test(source), `${script}: no exported COMMAND`);
    assert(
      /^export async function main\(args: string\[\]\): Promise<void> \{$/m.test(source),
      `${script}: no main(args)`,
    );
    assert(
      source.trimEnd().endsWith("\nif (import.meta.main) runMain(() => main(Deno.args));"),
      `${script}: does not end with \`if (import.meta.main) runMain(() => main(Deno.args));\``,
    );
    assertEquals(source.match(/Deno\.args/g)?.length, 1, `${script}: reads Deno.args outside its last line`);
  }
});

Deno.test("an unknown flag gets a did-you-mean and the usage, exit 2", async () => {
  const r = await run("cli/score.ts", ["--image", "x.png"]);
  assertEquals(r.code, 2, r.stderr);
  assert(r.stderr.includes("unknown option --image (did you mean --images?)"), r.stderr);
  assert(r.stderr.includes("usage: deno task score"), r.stderr);
  assert(!r.stderr.includes('-- "--image"'), r.stderr);
  assertEquals(r.stderr.trim().split("\n").length, 1, r.stderr);
});

Deno.test("a negative number gets the normal range message, not 'ambiguous'", async () => {
  const r = await run("cli/ablate.ts", ["--steps", "-3"]);
  assertEquals(r.code, 2, r.stderr);
  assert(r.stderr.includes('Cannot use --steps "-3": expected an integer ≥ 1'), r.stderr);
  assert(!r.stderr.includes("ambiguous"), r.stderr);
});

Deno.test("deno.json denies core-js's install script (a donation banner nothing needs), so no 'Ignored build scripts' box", () => {
  const cfg = JSON.parse(Deno.readTextFileSync(join(PROJECT_ROOT, "deno.json"))) as {
    allowScripts?: { deny?: string[] };
  };
  assert(cfg.allowScripts?.deny?.includes("npm:core-js"), JSON.stringify(cfg.allowScripts));
});
