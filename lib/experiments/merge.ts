/**
 * Merging sharded sweep results.
 * @module
 */
import { InputError } from "../util/errors.ts";
import { join } from "../util/path.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { readRunRecords, writeTables } from "./store.ts";

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

/** Copies every finished run of `sources` into `out` and rebuilds its tables; returns the number of runs in `out`. */
export async function copy(sources: readonly string[], out: string): Promise<number> {
  for (const src of sources) {
    const records = await readRunRecords(src);
    if (records.length === 0) throw new InputError(`Cannot merge ${src}: no finished runs in ${join(src, "runs")}`);
    for (const r of records) {
      await copyIfMissing(join(src, "trained", `${r.trainingId}.json`), join(out, "trained", `${r.trainingId}.json`));
      await copyIfMissing(
        join(src, "prompts", `${r.trainingId}.safetensors`),
        join(out, "prompts", `${r.trainingId}.safetensors`),
      );
      await copyIfMissing(join(src, "prompts", `${r.trainingId}.json`), join(out, "prompts", `${r.trainingId}.json`));
      await copyIfMissing(join(src, "scores", `${r.id}.csv`), join(out, "scores", `${r.id}.csv`));
      await copyIfMissing(join(src, "runs", `${r.id}.json`), join(out, "runs", `${r.id}.json`)); // last: marks completion
    }
  }
  const all = await readRunRecords(out);
  await writeTables(out, all);
  return all.length;
}
