/**
 * What a sharded sweep submission is, whatever the scheduler: the sweep command and its flags, the shard count, the
 * shards to run (all, or a resubmitted subset), where each shard writes (`<out>/shards/shard-<i>`), and the merge
 * into `<out>` that follows. The Slurm and Kubernetes writers (`slurm.ts`, `k8s.ts`) render it.
 * @module
 */
import { basename, InputError, join } from "../util/mod.ts";

/** Schedulers `deno task submit` writes jobs for. */
export const SCHEDULERS = ["slurm", "k8s"] as const;
/** A scheduler name. */
export type SchedulerName = typeof SCHEDULERS[number];

/** Sweep commands that can be sharded. */
export const SWEEP_TASKS = ["ablate", "reproduce"] as const;
/** A sweep command name. */
export type SweepTask = typeof SWEEP_TASKS[number];

/** A sharded sweep to submit. */
export interface SubmitPlan {
  task: SweepTask;
  /** Shard count n: shard i runs `--shard i/n`. */
  shards: number;
  /** Shards to run now, ascending (all 0…n−1 on a first submission; a subset to resubmit failed ones). */
  run: number[];
  /** Sweep flags given to every shard as they are (never `--out` or `--shard`). */
  sweepArgs: string[];
  /** The sweep folder: merged results; shards in `shards/`, scripts and logs in `jobs/`. */
  out: string;
  /** Job name prefix (`<name>-shards`, `<name>-merge`). */
  name: string;
  /** For `reproduce`: the `--dataset` of the paper table rebuilt after the merge (`--report-only`). */
  reportDataset?: string;
}

/**
 * The most shards one submission may have: 1000, under Slurm's default `MaxArraySize` (1001, array indices 0…1000)
 * and far above any useful split of a sweep (each shard should run at least one configuration).
 */
export const MAX_SHARDS = 1000;

/** The suffixes added to a job name (`<name>-shards`, `<name>-merge`); the longest is 7 characters. */
export const JOB_SUFFIXES = ["shards", "merge"] as const;

/**
 * Checks a Kubernetes Job name prefix: with `-shards` added it must be an RFC 1123 label (lowercase letters, digits
 * and `-`, starting and ending with a letter or digit, at most 63 characters), so the prefix is at most 56.
 */
export function checkK8sJobName(name: string): void {
  const max = 63 - 1 - Math.max(...JOB_SUFFIXES.map((s) => s.length));
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > max) {
    throw new InputError(
      `Cannot use --name ${JSON.stringify(name)} for k8s: a Job name needs lowercase letters, digits and '-', ` +
        `starting and ending with a letter or digit, at most ${max} characters (\`-shards\` is added)`,
    );
  }
}

/** A shard's results folder inside the sweep folder. */
export function shardDir(out: string, index: number): string {
  return join(out, "shards", `shard-${index}`);
}

/** Every shard folder of a plan, 0…n−1. */
export function shardDirs(out: string, shards: number): string[] {
  return [...Array(shards).keys()].map((i) => shardDir(out, i));
}

/** Where generated scripts/manifests and logs go. */
export function jobsDir(out: string): string {
  return join(out, "jobs");
}

/** A job name from the task and the sweep folder: lowercase letters, digits and dashes, at most 40 characters. */
export function defaultJobName(task: SweepTask, out: string): string {
  const base = basename(out);
  const raw = `ppad-${base.toLowerCase().includes(task) ? "" : `${task}-`}${base}`.toLowerCase().replace(
    /[^a-z0-9-]+/g,
    "-",
  ).replace(/-+/g, "-");
  return raw.replace(/^-|-$/g, "").slice(0, 40).replace(/-$/, "");
}

/**
 * Parses `--only-shards`: a comma list of indices and ranges (`1,3`, `0-2,5`), each in 0…shards−1; returns them
 * sorted and distinct.
 */
export function parseShardList(value: string, shards: number): number[] {
  const out = new Set<number>();
  const bad = (why: string): never => {
    throw new InputError(`Cannot use --only-shards ${JSON.stringify(value)}: ${why}`);
  };
  for (const part of value.split(",").map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) bad(`${JSON.stringify(part)} is not an index or a range like 0-2`);
    const a = Number(m![1]), b = m![2] === undefined ? a : Number(m![2]);
    if (b < a) bad(`the range ${part} is reversed`);
    if (b >= shards) bad(`shard ${b} is out of range: the sweep has shards 0…${shards - 1}`);
    for (let i = a; i <= b; i++) out.add(i);
  }
  if (out.size === 0) bad("expected shard indices, e.g. 1,3");
  return [...out].sort((x, y) => x - y);
}

/** Compresses sorted indices into Slurm's array syntax (`0-3`, `1,3,5-7`). */
export function arraySpec(indices: readonly number[]): string {
  const parts: string[] = [];
  for (let k = 0; k < indices.length;) {
    let j = k;
    while (j + 1 < indices.length && indices[j + 1] === indices[j] + 1) j++;
    parts.push(j === k ? `${indices[k]}` : `${indices[k]}-${indices[j]}`);
    k = j + 1;
  }
  return parts.join(",");
}
