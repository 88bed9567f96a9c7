/**
 * `deno task merge --out DIR SHARD_DIR…`: merges the results folders of a sharded sweep (`--shard i/n`) into one,
 * copying each finished run (records, scores, trained probabilities, prompts) and rebuilding `runs.csv` and
 * `summary.csv`. Runs are identified by their config hash, so merging is idempotent.
 * @module
 */
import { checkSourceFolders, mergeSweepResults } from "../lib/experiments/mod.ts";
import {
  acquireLock,
  defineCommand,
  ensureOutDir,
  InputError,
  parseCommand,
  resolve,
  runMain,
  staleLockNote,
} from "../lib/util/mod.ts";

/** The command's flags, help and examples. */
export const COMMAND = defineCommand({
  name: "merge",
  summary: "merges the results folders of a sharded sweep (--shard i/n) into one and rebuilds runs.csv and " +
    "summary.csv. Runs are identified by their config hash, so merging twice changes nothing.",
  flags: {
    out: { type: "string", arg: "DIR", description: "merged results folder", required: true },
    "allow-partial": {
      type: "boolean",
      description: "merge even when shards are missing or unfinished (they are named on stderr)",
    },
  },
  positionals: { arg: "SHARD_DIR…", description: "the shards' results folders (one or more)" },
  examples: [
    "deno task merge --out results/ablate results/shard-0 results/shard-1",
  ],
});

/** Runs `deno task merge` with `args`: merges the shards' folders into `--out` and prints how many runs. */
export async function main(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand(COMMAND, args);
  if (!values.out) throw new InputError("Cannot merge: --out DIR is required");
  if (positionals.length === 0) throw new InputError("Cannot merge: give at least one shard results folder");
  await checkSourceFolders(positionals); // before --out is created: a file given as a shard is named as given
  const out = resolve(values.out);
  await ensureOutDir(out);
  const lock = acquireLock(out, "merge");
  try {
    const note = staleLockNote(lock);
    if (note) console.error(note);
    const n = await mergeSweepResults(positionals.map((p) => resolve(p)), out, {
      allowPartial: Boolean(values["allow-partial"]),
      onPartial: (what) => console.error(`warning: partial merge: ${what}`),
    });
    console.log(`merged ${n} runs into ${values.out}`);
  } finally {
    lock.release();
  }
}

if (import.meta.main) runMain(() => main(Deno.args));
