/**
 * Shard manifests: a sweep run with `--shard i/n` writes `shard.json` in its results folder (which shard of how many,
 * the runs it owns, and a hash of the whole plan), so that `deno task merge` knows the expected set of shards and can
 * name the missing or unfinished ones instead of merging a partial sweep silently.
 * @module
 */
import { InputError, join } from "../util/mod.ts";
import { hashOf, type PlannedRun } from "./config.ts";
import { readJsonOrNull, readRunRecords, writeJson } from "./store.ts";

/** The manifest's file name inside a shard's results folder. */
export const SHARD_MANIFEST = "shard.json";

/** What a shard records about itself (written before its first run). */
export interface ShardManifest {
  /** Shard index (0-based) and shard count, as given to `--shard i/n`. */
  shard: { index: number; count: number };
  /** The sweep config's name. */
  sweep: string;
  /** Hash of the whole plan's run ids: equal in every shard of one sweep (same flags, model, data). */
  plan: string;
  /** Runs in the whole plan (all shards). */
  totalRuns: number;
  /** Ids of the runs this shard owns. */
  runs: string[];
  writtenAt: string;
}

/** Builds the manifest of shard `shard` of a plan (`all`: every planned run; `mine`: this shard's). */
export async function shardManifest(
  sweep: string,
  shard: { index: number; count: number },
  all: readonly PlannedRun[],
  mine: readonly PlannedRun[],
): Promise<ShardManifest> {
  return {
    shard: { index: shard.index, count: shard.count },
    sweep,
    plan: await hashOf(all.map((r) => r.id).sort()),
    totalRuns: all.length,
    runs: mine.map((r) => r.id).sort(),
    writtenAt: new Date().toISOString(),
  };
}

/** Writes `out/shard.json` atomically. */
export function writeShardManifest(out: string, manifest: ShardManifest): Promise<void> {
  return writeJson(join(out, SHARD_MANIFEST), manifest);
}

/** Reads `dir/shard.json`, or null when the folder or the manifest does not exist. */
export async function readShardManifest(dir: string): Promise<ShardManifest | null> {
  const path = join(dir, SHARD_MANIFEST);
  const m = await readJsonOrNull<ShardManifest>(path);
  if (m === null) return null;
  const ok = m.shard && Number.isInteger(m.shard.index) && Number.isInteger(m.shard.count) && m.shard.count >= 1 &&
    m.shard.index >= 0 && m.shard.index < m.shard.count && Array.isArray(m.runs) && typeof m.plan === "string";
  if (!ok) {
    throw new InputError(`Cannot read ${path}: not a shard manifest (expected shard {index, count}, plan, runs)`);
  }
  return m;
}

/** One shard folder as found on disk. */
export interface ShardFolder {
  dir: string;
  manifest: ShardManifest | null;
  /** Runs of the manifest that have a finished record in `dir`. */
  finished: number;
}

/** The state of a set of shard folders against the shard count their manifests declare. */
export interface ShardStatus {
  /** Shard count declared by the manifests (null when no folder has one). */
  count: number | null;
  folders: ShardFolder[];
  /** Shard indices whose manifest and every run are present. */
  complete: number[];
  /** Indices in 0…count−1 with no manifest among the folders (never started, or its folder was not given). */
  missing: number[];
  /** Shards that started but did not finish every run. */
  unfinished: { index: number; dir: string; finished: number; total: number }[];
  /** Folders without a manifest (not written by `--shard`, or the shard never started). */
  unknown: string[];
}

/**
 * Reads the manifests of `dirs` and reports complete, missing and unfinished shards. Manifests of different sweeps
 * (another shard count or plan) are an `InputError` naming both folders.
 */
export async function shardStatus(dirs: readonly string[]): Promise<ShardStatus> {
  const folders: ShardFolder[] = [];
  let first: ShardFolder | null = null;
  for (const dir of dirs) {
    const manifest = await readShardManifest(dir);
    let finished = 0;
    if (manifest) {
      const done = new Set((await readRunRecords(dir)).map((r) => r.id));
      finished = manifest.runs.filter((id) => done.has(id)).length;
      if (first?.manifest) {
        const a = first.manifest, b = manifest;
        if (a.shard.count !== b.shard.count || a.plan !== b.plan) {
          throw new InputError(
            `Cannot combine shards ${first.dir} and ${dir}: they belong to different sweeps (shard ` +
              `${a.shard.index}/${a.shard.count} of plan ${a.plan} vs ${b.shard.index}/${b.shard.count} of plan ` +
              `${b.plan}); shards of one sweep need the same flags, model and data`,
          );
        }
      }
    }
    const folder = { dir, manifest, finished };
    if (manifest && !first) first = folder;
    folders.push(folder);
  }
  const count = first?.manifest?.shard.count ?? null;
  const complete = new Set<number>(), seen = new Set<number>();
  const unfinished: ShardStatus["unfinished"] = [];
  for (const f of folders) {
    if (!f.manifest) continue;
    const index = f.manifest.shard.index;
    seen.add(index);
    if (f.finished === f.manifest.runs.length) complete.add(index);
    else unfinished.push({ index, dir: f.dir, finished: f.finished, total: f.manifest.runs.length });
  }
  const missing = count === null ? [] : [...Array(count).keys()].filter((i) => !seen.has(i));
  return {
    count,
    folders,
    complete: [...complete].sort((a, b) => a - b),
    missing,
    // A shard finished in one folder and unfinished in another (e.g. an earlier attempt) counts as complete.
    unfinished: unfinished.filter((u) => !complete.has(u.index)).sort((a, b) => a.index - b.index),
    unknown: folders.filter((f) => !f.manifest).map((f) => f.dir),
  };
}

/** Indices of shards that are missing or unfinished (what to resubmit). */
export function incompleteShards(status: ShardStatus): number[] {
  return [...new Set([...status.missing, ...status.unfinished.map((u) => u.index)])].sort((a, b) => a - b);
}

/** One line describing what is missing or unfinished, or null when every shard is complete. */
export function describeIncomplete(status: ShardStatus): string | null {
  if (status.count === null) return null;
  const parts: string[] = [];
  if (status.missing.length) {
    parts.push(
      `shard${status.missing.length > 1 ? "s" : ""} ${status.missing.join(", ")} of ${status.count} missing` +
        (status.unknown.length ? ` (no ${SHARD_MANIFEST} in ${status.unknown.join(", ")})` : ""),
    );
  }
  for (const u of status.unfinished) {
    parts.push(`shard ${u.index} unfinished (${u.finished} of ${u.total} runs in ${u.dir})`);
  }
  return parts.length ? parts.join("; ") : null;
}
