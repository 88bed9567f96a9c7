/**
 * `deno task merge --out DIR SHARD_DIR…`: merges the results folders of a sharded sweep (`--shard i/n`) into one,
 * copying each finished run (records, scores, trained probabilities, prompts) and rebuilding `runs.csv` and
 * `summary.csv`. Runs are identified by their config hash, so merging is idempotent.
 * @module
 */
import { copy } from "../experiments/merge.ts";
import { parseCli } from "../util/cli.ts";
import { InputError, runMain } from "../util/errors.ts";
import { resolve } from "../util/path.ts";

await runMain(async () => {
  const { values, positionals } = parseCli("merge", Deno.args, { out: { type: "string" } }, true);
  if (!values.out) throw new InputError("Cannot merge: --out DIR is required");
  if (positionals.length === 0) throw new InputError("Cannot merge: give at least one shard results folder");
  const n = await copy(positionals.map((p) => resolve(p)), resolve(String(values.out)));
  console.log(`merged ${n} runs into ${values.out}`);
});
