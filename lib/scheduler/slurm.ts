/**
 * Slurm: a sharded sweep as an array job (task i runs shard i), then a merge job that depends on it
 * (`--dependency=afterok:<array job> --kill-on-invalid-dep=yes`: it runs only when every shard succeeded, and is
 * cancelled when one fails). Scripts and per-task logs go to `<out>/jobs/`.
 * @module
 */
import { InputError, join, writeFileAtomic } from "../util/mod.ts";
import { arraySpec, jobsDir, shardDir, shardDirs, type SubmitPlan } from "./plan.ts";
import { shQuote } from "./shell.ts";

/** How the jobs start Deno and find the project. */
export interface SlurmEnvironment {
  /** The command that runs Deno on the compute nodes (a path resolved at submit time, or `npx --yes deno@…`). */
  deno: string[];
  /** The project root (holds deno.json); it must be on a file system the compute nodes share. */
  projectRoot: string;
  /** Extra sbatch options, one group per `#SBATCH` line (e.g. `["--time", "2:00:00"]`, `["--partition=cpu"]`). */
  sbatch: string[][];
  /** When the scripts were written (for their header). */
  date?: string;
}

/** The two generated scripts and where they go. */
export interface SlurmScripts {
  shardsPath: string;
  mergePath: string;
  logsDir: string;
  shards: string;
  merge: string;
}

function preamble(env: SlurmEnvironment): string[] {
  return [
    "set -euo pipefail",
    `cd ${shQuote(env.projectRoot)}   # the project root: deno.json, the model, data/`,
    `DENO=(${env.deno.map(shQuote).join(" ")})   # resolved by deno task submit (--deno)`,
  ];
}

/** An `#SBATCH` word: sbatch splits these lines at blanks and understands double quotes only. */
function sbatchWord(word: string): string {
  return /[\s"]/.test(word) ? `"${word.replaceAll('"', '\\"')}"` : word;
}

function extraOptions(env: SlurmEnvironment): string[] {
  return env.sbatch.length
    ? ["# From --sbatch:", ...env.sbatch.map((g) => `#SBATCH ${g.map(sbatchWord).join(" ")}`)]
    : ['# (add scheduler options with deno task submit --sbatch "--time 4:00:00 --partition cpu --cpus-per-task 4")'];
}

/** Renders the array job's and the merge job's batch scripts for a plan (nothing is written). */
export function renderSlurmScripts(plan: SubmitPlan, env: SlurmEnvironment): SlurmScripts {
  const dir = jobsDir(plan.out), logsDir = join(dir, "logs");
  const n = plan.shards;
  const sweep = ["task", plan.task, ...plan.sweepArgs].map(shQuote).join(" ");
  const date = env.date ?? new Date().toISOString();
  const shards = [
    "#!/bin/bash",
    `# Sharded sweep \`deno task ${plan.task}\` as a Slurm array job: task i runs shard i of ${n}.`,
    `# Written by \`deno task submit\` on ${date}.`,
    "#",
    `# Shards partition the sweep's runs by config hash: shard i gets runs i, i+${n}, i+${
      2 * n
    }… of the plan sorted by`,
    "# run id, so they never overlap. Shard i writes its results, and shard.json (i/n and its runs), to",
    `#   ${shardDir(plan.out, 0).replace(/0$/, "<i>")}`,
    "# and its log to jobs/logs/shard-<i>-<array job id>.log. A shard resumes where it stopped: finished runs are skipped.",
    `# The merge job (merge.sbatch, --dependency=afterok on this job) then merges every shard into ${plan.out}.`,
    "#",
    "# Resubmit failed or cancelled shards alone (and a new merge job):",
    `#   deno task submit --scheduler slurm --shards ${n} <the same sweep flags> --only-shards missing   (or e.g. 1,3)`,
    "# or by hand: sbatch --array=1,3 shards.sbatch, then sbatch --dependency=afterok:<its job id> merge.sbatch",
    `#SBATCH ${sbatchWord(`--job-name=${plan.name}-shards`)}`,
    `#SBATCH --array=${arraySpec([...Array(n).keys()])}`,
    `#SBATCH ${sbatchWord(`--output=${join(logsDir, "shard-%a-%A.log")}`)}`,
    ...extraOptions(env),
    "",
    ...preamble(env),
    'i="${SLURM_ARRAY_TASK_ID:?submit this script with sbatch (it is an array job)}"',
    `exec "\${DENO[@]}" ${sweep} --shard "$i/${n}" --out ${shQuote(join(plan.out, "shards"))}/shard-"$i"`,
    "",
  ].join("\n");
  const mergeArgs = [
    ["task", "merge", "--out", plan.out].map(shQuote).join(" "),
    ...shardDirs(plan.out, n).map(shQuote),
  ].join(" \\\n  ");
  const merge = [
    "#!/bin/bash",
    `# Merges the ${n} shards of \`deno task ${plan.task}\` into ${plan.out} (runs.csv, summary.csv, scores/, prompts/).`,
    `# Written by \`deno task submit\` on ${date}.`,
    "# Submitted with --dependency=afterok:<array job> --kill-on-invalid-dep=yes: it starts only when every shard",
    "# succeeded, and is cancelled when one fails. `deno task merge` checks each shard's shard.json and refuses, naming",
    "# them, when shards are missing or unfinished (it never merges a partial sweep silently).",
    `#SBATCH ${sbatchWord(`--job-name=${plan.name}-merge`)}`,
    `#SBATCH ${sbatchWord(`--output=${join(logsDir, "merge-%j.log")}`)}`,
    ...extraOptions(env),
    "",
    ...preamble(env),
    `"\${DENO[@]}" ${mergeArgs}`,
    ...(plan.task === "reproduce" && plan.reportDataset
      ? [
        "# The paper table from the merged runs:",
        `"\${DENO[@]}" ${
          ["task", "reproduce", "--dataset", plan.reportDataset, "--out", plan.out, "--report-only"].map(shQuote)
            .join(" ")
        }`,
      ]
      : []),
    "",
  ].join("\n");
  return { shardsPath: join(dir, "shards.sbatch"), mergePath: join(dir, "merge.sbatch"), logsDir, shards, merge };
}

/** Runs a command and returns its exit code and output (injectable for tests). */
export type CommandRunner = (cmd: string, args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;

/** Runs `cmd args` with `Deno.Command`; a missing program is an `InputError`. */
export const runCommand: CommandRunner = async (cmd, args) => {
  try {
    const o = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped", stdin: "null" }).output();
    const dec = new TextDecoder();
    return { code: o.code, stdout: dec.decode(o.stdout), stderr: dec.decode(o.stderr) };
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new InputError(`Cannot run ${cmd}: it is not on the PATH (is this a Slurm login node?)`);
    }
    throw err;
  }
};

async function sbatch(run: CommandRunner, args: string[]): Promise<string> {
  const r = await run("sbatch", ["--parsable", ...args]);
  const id = r.stdout.trim().split("\n").pop()?.split(";")[0] ?? "";
  if (r.code !== 0 || !/^\d+$/.test(id)) {
    const why = (r.stderr.trim() || r.stdout.trim() || `exit code ${r.code}`).split("\n").join(" ");
    throw new InputError(`Cannot submit ${args[args.length - 1]} with sbatch: ${why}`);
  }
  return id;
}

/** What a submission did. */
export interface SlurmSubmission {
  arrayJob: string;
  mergeJob: string;
  /** The array indices submitted. */
  shards: number[];
  scripts: SlurmScripts;
}

/**
 * Writes the scripts to `<out>/jobs/`, creates the log folder, submits the array job (only `plan.run`'s indices when
 * it is a subset) and the merge job depending on it, and appends the job ids to `<out>/jobs/submitted.jsonl`.
 */
export async function submitSlurm(
  plan: SubmitPlan,
  env: SlurmEnvironment,
  run: CommandRunner = runCommand,
): Promise<SlurmSubmission> {
  const scripts = renderSlurmScripts(plan, env);
  await Deno.mkdir(scripts.logsDir, { recursive: true });
  await writeFileAtomic(scripts.shardsPath, scripts.shards);
  await writeFileAtomic(scripts.mergePath, scripts.merge);
  await Deno.chmod(scripts.shardsPath, 0o755);
  await Deno.chmod(scripts.mergePath, 0o755);
  const all = plan.run.length === plan.shards;
  const arrayJob = await sbatch(run, [...(all ? [] : [`--array=${arraySpec(plan.run)}`]), scripts.shardsPath]);
  const mergeJob = await sbatch(run, [
    `--dependency=afterok:${arrayJob}`,
    "--kill-on-invalid-dep=yes",
    scripts.mergePath,
  ]);
  const entry = { at: new Date().toISOString(), arrayJob, mergeJob, shards: plan.run, of: plan.shards };
  const log = join(jobsDir(plan.out), "submitted.jsonl");
  await Deno.writeTextFile(log, JSON.stringify(entry) + "\n", { append: true });
  return { arrayJob, mergeJob, shards: plan.run, scripts };
}

/** Slurm job states after which a job never runs again. */
export const FINAL_STATES = [
  "COMPLETED",
  "FAILED",
  "CANCELLED",
  "TIMEOUT",
  "NODE_FAIL",
  "OUT_OF_MEMORY",
  "PREEMPTED",
  "BOOT_FAIL",
  "DEADLINE",
] as const;

/** The state of every job (and array task) of `ids`, from `scontrol show job -o`; `GONE` once Slurm forgot it. */
export async function jobStates(ids: readonly string[], run: CommandRunner = runCommand): Promise<Map<string, string>> {
  const states = new Map<string, string>();
  for (const id of ids) {
    const r = await run("scontrol", ["show", "job", "-o", id]);
    if (r.code !== 0) {
      if (/invalid job id/i.test(r.stderr)) {
        states.set(id, "GONE");
        continue;
      }
      throw new InputError(`Cannot query Slurm job ${id}: ${r.stderr.trim().split("\n").join(" ")}`);
    }
    for (const line of r.stdout.split("\n").filter((l) => l.trim())) {
      const field = (k: string) => new RegExp(`(?:^|\\s)${k}=(\\S+)`).exec(line)?.[1];
      const jobId = field("ArrayJobId") ?? field("JobId") ?? id;
      const task = field("ArrayTaskId");
      states.set(task ? `${jobId}_${task}` : jobId, field("JobState") ?? "UNKNOWN");
    }
  }
  return states;
}

/**
 * Polls until every job of `ids` reached a final state (or was forgotten), at most `timeoutMs`; returns the states.
 * A timeout is an `InputError` naming the jobs still pending or running.
 */
export async function waitForJobs(
  ids: readonly string[],
  options: { timeoutMs: number; pollMs?: number; run?: CommandRunner; onPoll?: (s: Map<string, string>) => void },
): Promise<Map<string, string>> {
  const deadline = Date.now() + options.timeoutMs;
  const final = new Set<string>([...FINAL_STATES, "GONE"]);
  for (;;) {
    const states = await jobStates(ids, options.run);
    options.onPoll?.(states);
    const open = [...states].filter(([, s]) => !final.has(s));
    if (open.length === 0) return states;
    if (Date.now() > deadline) {
      throw new InputError(
        `Cannot wait for Slurm jobs ${ids.join(", ")}: still ${open.map(([j, s]) => `${j} ${s}`).join(", ")} after ` +
          `${Math.round(options.timeoutMs / 1000)} s`,
      );
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 2000));
  }
}
