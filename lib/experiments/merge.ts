/**
 * Merging sharded sweep results. Shards written by `--shard i/n` carry a manifest (`shard.json`, see `shards.ts`): the
 * merge refuses, naming them, when shards of the sweep are missing or unfinished, unless a partial merge is asked for.
 * @module
 */
import { InputError, join, writeFileAtomic } from "../util/mod.ts";
import { promptsStem, readRunRecords, writeTables } from "./store.ts";
import { describeIncomplete, incompleteShards, shardStatus } from "./shards.ts";

/** Copies the file `from` to `to` (atomically) unless `to` exists; a missing `from` is no error. */
async function copyFileUnlessPresent(from: string, to: string): Promise<void> {
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

/** Options for {@link mergeSweepResults}. */
export interface MergeOptions {
  /** Merge what is there even when shards are missing or unfinished (`onPartial` hears what is missing). */
  allowPartial?: boolean;
  /** Called with the one-line description of the missing shards when a partial merge goes ahead. */
  onPartial?: (what: string) => void;
}

/**
 * Copies every finished run of the result folders `sourceDirs` (a sweep's shards, or any sweep folders) into `outDir`
 * and rebuilds its tables; returns the number of runs in `outDir`.
 * When the sources are shards (they hold `shard.json`), every shard 0…n−1 must be there and finished: otherwise an
 * `InputError` names the missing ones (or, with `allowPartial`, `onPartial` does and the rest is merged).
 */
export async function mergeSweepResults(
  sourceDirs: readonly string[],
  outDir: string,
  options: MergeOptions = {},
): Promise<number> {
  const status = await shardStatus(sourceDirs);
  const incomplete = describeIncomplete(status);
  if (incomplete && !options.allowPartial) {
    throw new InputError(
      `Cannot merge the sweep into ${outDir}: ${incomplete}; resubmit them (deno task submit … --only-shards ` +
        `${incompleteShards(status).join(",")}) or merge what is there with --allow-partial`,
    );
  }
  if (incomplete) options.onPartial?.(incomplete);
  for (const [index, sourceDir] of sourceDirs.entries()) {
    if (status.count !== null && status.unknown.includes(sourceDir)) continue; // a shard that never started
    const records = await readRunRecords(sourceDir);
    // A shard may own no run (more shards than runs); a folder that is not a shard must hold some.
    if (records.length === 0 && !status.folders[index].manifest) {
      throw new InputError(`Cannot merge ${sourceDir}: no finished runs in ${join(sourceDir, "runs")}`);
    }
    for (const record of records) {
      const copyRunFile = (...relativePath: string[]) =>
        copyFileUnlessPresent(join(sourceDir, ...relativePath), join(outDir, ...relativePath));
      const { trainingId } = record;
      await copyRunFile("trained", `${trainingId}.json`);
      await copyRunFile("prompts", `${trainingId}.safetensors`);
      await copyRunFile("prompts", `${trainingId}.json`);
      for (const ext of [".safetensors", ".json"]) { // readable names (variant_regions_synthesis_seedN_<id>)
        await copyRunFile("prompts", `${promptsStem(record.spec, trainingId)}${ext}`);
      }
      await copyRunFile("scores", `${record.id}.csv`);
      await copyRunFile("runs", `${record.id}.json`); // last: marks completion
    }
  }
  const merged = await readRunRecords(outDir);
  await writeTables(outDir, merged);
  return merged.length;
}
