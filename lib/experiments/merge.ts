/**
 * Merging sharded sweep results. Shards written by `--shard i/n` carry a manifest (`shard.json`, see `shards.ts`): the
 * merge refuses, naming them, when shards of the sweep are missing or unfinished, unless a partial merge is asked for.
 * @module
 */
import { InputError } from "../util/errors.ts";
import { join } from "../util/path.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { promptsStem, readRunRecords, writeTables } from "./store.ts";
import { describeIncomplete, incompleteShards, shardStatus } from "./shards.ts";

async function copyIfMissing(from: string, to: string): Promise<void> {
  try {
    await Deno.stat(to);
    return;
  } catch { /* not there yet */ }
  try {
    await writeFileAtomic(to, await Deno.readFile(from));
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
}

/** Options for {@link copy}. */
export interface MergeOptions {
  /** Merge what is there even when shards are missing or unfinished (`onPartial` hears what is missing). */
  allowPartial?: boolean;
  /** Called with the one-line description of the missing shards when a partial merge goes ahead. */
  onPartial?: (what: string) => void;
}

/**
 * Copies every finished run of `sources` into `out` and rebuilds its tables; returns the number of runs in `out`.
 * When the sources are shards (they hold `shard.json`), every shard 0…n−1 must be there and finished: otherwise an
 * `InputError` names the missing ones (or, with `allowPartial`, `onPartial` does and the rest is merged).
 */
export async function copy(sources: readonly string[], out: string, options: MergeOptions = {}): Promise<number> {
  const status = await shardStatus(sources);
  const incomplete = describeIncomplete(status);
  if (incomplete && !options.allowPartial) {
    throw new InputError(
      `Cannot merge the sweep into ${out}: ${incomplete}; resubmit them (deno task submit … --only-shards ` +
        `${incompleteShards(status).join(",")}) or merge what is there with --allow-partial`,
    );
  }
  if (incomplete) options.onPartial?.(incomplete);
  for (const [k, src] of sources.entries()) {
    if (status.count !== null && status.unknown.includes(src)) continue; // a shard that never started
    const records = await readRunRecords(src);
    // A shard may own no run (more shards than runs); a folder that is not a shard must hold some.
    if (records.length === 0 && !status.folders[k].manifest) {
      throw new InputError(`Cannot merge ${src}: no finished runs in ${join(src, "runs")}`);
    }
    for (const r of records) {
      await copyIfMissing(join(src, "trained", `${r.trainingId}.json`), join(out, "trained", `${r.trainingId}.json`));
      await copyIfMissing(
        join(src, "prompts", `${r.trainingId}.safetensors`),
        join(out, "prompts", `${r.trainingId}.safetensors`),
      );
      await copyIfMissing(join(src, "prompts", `${r.trainingId}.json`), join(out, "prompts", `${r.trainingId}.json`));
      for (const ext of [".safetensors", ".json"]) { // readable names (variant_regions_synthesis_seedN_<id>)
        const named = `${promptsStem(r.spec, r.trainingId)}${ext}`;
        await copyIfMissing(join(src, "prompts", named), join(out, "prompts", named));
      }
      await copyIfMissing(join(src, "scores", `${r.id}.csv`), join(out, "scores", `${r.id}.csv`));
      await copyIfMissing(join(src, "runs", `${r.id}.json`), join(out, "runs", `${r.id}.json`)); // last: marks completion
    }
  }
  const all = await readRunRecords(out);
  await writeTables(out, all);
  return all.length;
}
