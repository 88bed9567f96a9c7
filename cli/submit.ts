/**
 * `deno task submit`: runs a sweep (`ablate` or `reproduce`) as shards on a cluster. Slurm: writes an array job (task
 * i runs `--shard i/n` into `<out>/shards/shard-i`) and a merge job that depends on it, and submits both with
 * `sbatch`; Kubernetes: writes an Indexed Job and a merge Job for `kubectl apply`. See docs/cluster.md.
 * @module
 */
import { DEFAULT_SWEEP } from "../experiments/default.ts";
import { PAPER_SWEEP } from "../experiments/paper.ts";
import {
  defaultSweepOut,
  K8S_DEFAULTS,
  MAX_SHARDS,
  parseScheduler,
  parseSweepTask,
  type SubmitRequest,
  submitSweep,
  waitForJobs,
} from "../lib/scheduler/mod.ts";
import {
  defineCommand,
  type FlagValues,
  InputError,
  numberFlag,
  parseCommand,
  requireFlag,
  runMain,
} from "../lib/util/mod.ts";
import {
  PASSED_SWEEP_FLAGS,
  passedSweepArgs,
  SWEEP_FLAGS,
  type SweepFlagValues,
  sweepSettings,
} from "./sweep_flags.ts";

const sweepFlags = Object.fromEntries(PASSED_SWEEP_FLAGS.map((k) => [k, SWEEP_FLAGS[k]])) as Omit<
  typeof SWEEP_FLAGS,
  "out" | "shard" | "json"
>;

/** The command's flags, help and examples. */
export const COMMAND = defineCommand({
  name: "submit",
  summary: "runs a sweep as N shards on a cluster: a Slurm array job plus a merge job that waits for it (submitted " +
    "with sbatch), or a Kubernetes Indexed Job plus a merge Job (written, not applied). The sweep flags below reach " +
    "every shard unchanged (ablate's --grid is not one of them: submit runs the default grid, or the paper's with " +
    "--task reproduce). Slurm: --model, --data and --deno must exist here (the nodes share this file system). " +
    "See docs/cluster.md.",
  flags: {
    scheduler: { type: "string", arg: "slurm|k8s", description: "the cluster's scheduler", default: "slurm" },
    shards: {
      type: "string",
      arg: "N",
      description: `number of shards (array tasks / pods), 1 to ${MAX_SHARDS}`,
      required: true,
    },
    task: { type: "string", arg: "ablate|reproduce", description: "the sweep command", default: "ablate" },
    out: {
      type: "string",
      arg: "DIR",
      description: "sweep folder: merged results; shards/, jobs/ (scripts, logs) inside",
      default: "results/ablate, or results/reproduce/<dataset>",
    },
    "only-shards": {
      type: "string",
      arg: "LIST|missing",
      description: "run only these shards (e.g. 1,3 or 0-2) to resubmit failed ones; `missing`: those unfinished",
      default: "all",
    },
    "dry-run": { type: "boolean", description: "print the scripts/manifests; write and submit nothing" },
    wait: { type: "boolean", description: "Slurm: wait until the merge job ends and report the jobs' states" },
    name: {
      type: "string",
      arg: "NAME",
      description: "job name prefix (k8s: lowercase letters, digits and '-', at most 56 characters)",
      default: "ppad-<task>-<out folder name>",
    },
    sbatch: {
      type: "string",
      arg: '"OPTS"',
      description: 'Slurm: extra sbatch options for both jobs, e.g. "--time 4:00:00 -p cpu"',
    },
    deno: {
      type: "string",
      arg: "PATH|npx",
      description: "Slurm: the Deno the jobs run (npx: npx --yes deno@this version)",
      default: "this Deno's path, resolved at submit time",
    },
    image: {
      type: "string",
      arg: "IMAGE",
      description: "k8s: image with the project and deno",
      default: "ppad:latest",
    },
    workdir: { type: "string", arg: "DIR", description: "k8s: the project folder in the image", default: "/app" },
    pvc: {
      type: "string",
      arg: "CLAIM",
      description: "k8s: ReadWriteMany claim for the results, mounted at /results",
      default: K8S_DEFAULTS.pvc,
    },
    namespace: { type: "string", arg: "NS", description: "k8s: namespace of the Jobs", default: "kubectl's current" },
    ...sweepFlags,
    seeds: {
      ...sweepFlags.seeds,
      default: `the sweep's (ablate: ${DEFAULT_SWEEP.seeds}, reproduce: ${PAPER_SWEEP.seeds})`,
    },
    model: { ...sweepFlags.model, description: `${sweepFlags.model.description}; Slurm: checked here` },
    data: { ...sweepFlags.data, description: `${sweepFlags.data.description}; Slurm: checked here` },
  },
  examples: [
    'deno task submit --shards 8 --seeds 5 --sbatch "--time 8:00:00 --cpus-per-task 2"',
    "deno task submit --shards 2 --variants zeroshot,coop --steps 2 --test-limit 40 --out results/tiny --dry-run",
    "deno task submit --shards 8 --seeds 5 --only-shards missing   # resubmit failed or cancelled shards",
    "deno task submit --scheduler k8s --shards 8 --image registry.example/ppad:1 --pvc ppad-results",
  ],
});

/** `--sbatch "--time 1:00:00"`: its value starts with a dash, so it is joined as `--sbatch=…` before parsing. */
function joinSbatchValue(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--") return [...out, ...args.slice(i)];
    if (args[i] === "--sbatch" && i + 1 < args.length) out.push(`--sbatch=${args[++i]}`);
    else out.push(args[i]);
  }
  return out;
}

/** Parsed values of `deno task submit`'s flags (plus the sweep's `--shard`, which submit refuses). */
export type SubmitFlagValues = FlagValues<typeof COMMAND.flags> & SweepFlagValues;

/**
 * The submission the flags ask for. The sweep's flags are validated here as the sweep itself would (bad counts,
 * variants, --on-bad-image, --backend), so that they fail now, not in every job.
 */
export function submitRequest(v: SubmitFlagValues): SubmitRequest {
  const shards = numberFlag("shards", requireFlag("submit", "shards", v.shards, "N"), 1, { integer: true, min: 1 });
  const scheduler = parseScheduler(v.scheduler ?? "slurm");
  const task = parseSweepTask(v.task ?? "ablate");
  if (v.shard !== undefined) {
    throw new InputError(`Cannot submit ${task} with --shard: submit sets each job's shard; give --shards N instead`);
  }
  if (task === "reproduce" && !v.dataset) {
    throw new InputError("Cannot submit reproduce: --dataset is required (as for deno task reproduce)");
  }
  const settings = sweepSettings(task === "ablate" ? DEFAULT_SWEEP : PAPER_SWEEP, v, defaultSweepOut(task, v.dataset));
  return {
    scheduler,
    task,
    shards,
    only: v["only-shards"],
    out: settings.out,
    sweepArgs: passedSweepArgs(v),
    dataset: v.dataset,
    model: v.model,
    data: v.data,
    embeddedData: v.data === undefined,
    name: v.name,
    deno: v.deno,
    sbatch: v.sbatch,
    k8s: { image: v.image, workdir: v.workdir, pvc: v.pvc, namespace: v.namespace },
    dryRun: Boolean(v["dry-run"]),
  };
}

/** Runs `deno task submit` with `args`: plans, writes and submits the jobs; with `--wait`, reports their states. */
export async function main(args: string[]): Promise<void> {
  const { values: v } = parseCommand(COMMAND, joinSbatchValue(args));
  const result = await submitSweep(submitRequest(v));
  if (v["dry-run"]) {
    for (const f of result.files) console.log(`==> ${f.path} <==\n${f.text}`);
  }
  for (const line of result.next) console.error(line);
  if (v.wait && result.slurm) {
    const { arrayJob, mergeJob } = result.slurm;
    const states = await waitForJobs([arrayJob, mergeJob], { timeoutMs: 7 * 24 * 3600 * 1000, pollMs: 10_000 });
    const failed = [...states].filter(([, s]) => s !== "COMPLETED" && s !== "GONE");
    for (const [job, state] of states) console.error(`${job} ${state}`);
    if (failed.length) {
      throw new Error(
        `Cannot finish the sweep: ${failed.map(([j, s]) => `${j} ${s}`).join(", ")}; see the logs in ` +
          `${result.plan.out}/jobs/logs`,
      );
    }
    console.log(`merged into ${result.plan.out}`);
  }
}

if (import.meta.main) runMain(() => main(Deno.args));
