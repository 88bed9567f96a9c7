/**
 * `deno task submit`'s logic: builds the plan (which shards, where they write) from a request whose sweep flags the
 * command has already validated like the sweep itself would, renders the Slurm scripts or Kubernetes manifests, and
 * submits (Slurm) or writes them.
 * @module
 */
import { incompleteShards, shardStatus } from "../experiments/mod.ts";
import { ensureBenchmark } from "../data/mod.ts";
import {
  dirname,
  InputError,
  isAbsolute,
  join,
  PROJECT_ROOT,
  relative,
  resolve,
  writeFileAtomic,
} from "../util/mod.ts";
import { K8S_DEFAULTS, type K8sEnvironment, renderK8sManifests } from "./k8s.ts";
import {
  checkK8sJobName,
  defaultJobName,
  MAX_SHARDS,
  parseShardList,
  type SchedulerName,
  SCHEDULERS,
  shardDirs,
  type SubmitPlan,
  SWEEP_TASKS,
  type SweepTask,
} from "./plan.ts";
import { groupOptions, splitShellWords } from "./shell.ts";
import {
  type CommandRunner,
  renderSlurmScripts,
  runCommand,
  type SlurmEnvironment,
  type SlurmSubmission,
  submitSlurm,
} from "./slurm.ts";

/** What to submit (`deno task submit`'s flags, the sweep's validated by the command). */
export interface SubmitRequest {
  scheduler: string;
  task: string;
  shards: number;
  /** `--only-shards`: indices and ranges (`1,3`, `0-2`), or `missing` (shards whose folders are incomplete). */
  only?: string;
  /** The sweep folder: merged results, `shards/` and `jobs/` inside. */
  out: string;
  /** The sweep's own flags, given to every shard as they are (never `--out`, `--shard` or `--json`). */
  sweepArgs: string[];
  /** The sweep's `--dataset` (`reproduce` needs it: the paper table is rebuilt for it after the merge). */
  dataset?: string;
  /**
   * The sweep's `--model` and `--data`, checked before submitting (Slurm: they must exist here, on the shared file
   * system, relative ones from the project root; k8s: they are paths inside the pods' image, not checked).
   */
  model?: string;
  data?: string;
  /** The sweep has no `--data`: generate the embedded benchmark once before the shards start (Slurm). */
  embeddedData: boolean;
  name?: string;
  /** Slurm: the Deno to run (`npx` for `npx --yes deno@<this version>`, a path, or none for this Deno). */
  deno?: string;
  /** Slurm: extra sbatch options as one string. */
  sbatch?: string;
  k8s?: Partial<K8sEnvironment>;
  dryRun: boolean;
}

/** A generated file (script or manifest). */
export interface GeneratedFile {
  path: string;
  text: string;
}

/** What {@link submitSweep} did. */
export interface SubmitResult {
  scheduler: SchedulerName;
  plan: SubmitPlan;
  files: GeneratedFile[];
  /** Whether the files were written (not with `dryRun`). */
  written: boolean;
  /** Slurm job ids, when submitted. */
  slurm?: SlurmSubmission;
  /** What to do next, one line each. */
  next: string[];
}

function oneOf<T extends string>(flag: string, value: string, valid: readonly T[]): T {
  if (!(valid as readonly string[]).includes(value)) {
    throw new InputError(`Cannot use --${flag} ${JSON.stringify(value)}: expected one of ${valid.join(", ")}`);
  }
  return value as T;
}

/** The command that starts Deno in the jobs: this Deno's path (resolved now), `npx --yes deno@…`, or a given path. */
export function denoCommand(flag: string | undefined): string[] {
  if (flag === undefined || flag === "") return [Deno.execPath()];
  if (flag === "npx") return ["npx", "--yes", `deno@${Deno.version.deno}`];
  return splitShellWords(flag, "--deno");
}

/**
 * Without `--data`, generates the embedded synthetic benchmark once here (cheap when it is up to date), so that the
 * shards, which share the project folder, do not all generate it at once.
 */
async function prepareData(req: SubmitRequest): Promise<void> {
  if (req.embeddedData) await ensureBenchmark();
}

function statOrNull(path: string): Deno.FileInfo | null {
  try {
    return Deno.statSync(path);
  } catch {
    return null;
  }
}

/** A path as the jobs see it: relative ones from the project root (the scripts `cd` there). */
const fromRoot = (path: string) => isAbsolute(path) ? path : join(PROJECT_ROOT, path);

/**
 * Checks, before anything is written or submitted, what every job would otherwise fail on: `--out` (and the folders
 * on its way) must not be a file; for Slurm, whose jobs share this machine's file system, `--model` must be a file or
 * a model folder, `--data` a folder, and a `--deno` path an executable file. (For k8s, `--model`/`--data` are paths
 * inside the image and are not checked here.)
 */
export function checkSubmitInputs(req: SubmitRequest, scheduler: SchedulerName): void {
  for (let p = resolve(req.out);; p = dirname(p)) {
    const st = statOrNull(p);
    if (st && !st.isDirectory) {
      throw new InputError(
        `Cannot use --out ${req.out}: ${p === resolve(req.out) ? "it" : p} is a file, not a folder`,
      );
    }
    if (st || dirname(p) === p) break;
  }
  if (scheduler !== "slurm") return;
  if (req.model !== undefined) {
    const st = statOrNull(fromRoot(req.model));
    if (!st) throw new InputError(`Cannot submit with --model ${req.model}: no such file or model folder`);
  }
  if (req.data !== undefined) {
    const st = statOrNull(fromRoot(req.data));
    if (!st?.isDirectory) {
      throw new InputError(`Cannot submit with --data ${req.data}: ${st ? "not a folder" : "no such folder"}`);
    }
  }
  if (req.deno !== undefined && req.deno !== "" && req.deno !== "npx") {
    const exe = splitShellWords(req.deno, "--deno")[0];
    if (exe !== undefined && exe.includes("/")) {
      const st = statOrNull(fromRoot(exe));
      if (!st?.isFile || ((st.mode ?? 0o111) & 0o111) === 0) {
        throw new InputError(`Cannot submit with --deno ${req.deno}: ${exe} is not an executable file`);
      }
    }
  }
}

/** Validates a `--scheduler` value. */
export function parseScheduler(value: string): SchedulerName {
  return oneOf("scheduler", value, SCHEDULERS);
}

/** Validates a `--task` value: a sweep command that can be sharded. */
export function parseSweepTask(value: string): SweepTask {
  return oneOf("task", value, SWEEP_TASKS);
}

/** The results folder a sweep writes without `--out` (relative to the project root). */
export function defaultSweepOut(task: SweepTask, dataset?: string): string {
  return task === "ablate" ? "results/ablate" : `results/reproduce/${dataset}`;
}

/** Builds the plan from a request: the sweep folder, the shards to run, the flags every shard gets. */
export async function planSubmission(req: SubmitRequest): Promise<SubmitPlan> {
  const task = parseSweepTask(req.task);
  if (!Number.isInteger(req.shards) || req.shards < 1 || req.shards > MAX_SHARDS) {
    throw new InputError(
      `Cannot submit ${task}: --shards must be an integer from 1 to ${MAX_SHARDS}, got ${req.shards}`,
    );
  }
  if (task === "reproduce" && !req.dataset) {
    throw new InputError("Cannot submit reproduce: --dataset is required (as for deno task reproduce)");
  }
  const out = resolve(req.out);
  let run = [...Array(req.shards).keys()];
  if (req.only === "missing") {
    const status = await shardStatus(shardDirs(out, req.shards));
    if (status.count !== null && status.count !== req.shards) {
      throw new InputError(
        `Cannot resubmit the missing shards of ${out}: its shards were submitted as ${status.count}, not ${req.shards}`,
      );
    }
    run = status.count === null ? run : incompleteShards(status);
    if (run.length === 0) {
      throw new InputError(
        `Cannot resubmit the missing shards of ${out}: every shard is complete; run deno task merge`,
      );
    }
  } else if (req.only !== undefined) run = parseShardList(req.only, req.shards);
  return {
    task,
    shards: req.shards,
    run,
    sweepArgs: [...req.sweepArgs],
    out,
    name: req.name ?? defaultJobName(task, out),
    ...(task === "reproduce" ? { reportDataset: req.dataset } : {}),
  };
}

/**
 * Plans, renders and (unless `dryRun`) writes the jobs; Slurm submits the array job and the merge job with `sbatch`,
 * Kubernetes only writes the manifests (apply them with kubectl).
 */
export async function submitSweep(req: SubmitRequest, run: CommandRunner = runCommand): Promise<SubmitResult> {
  const scheduler = parseScheduler(req.scheduler);
  if (scheduler === "k8s" && (req.sbatch !== undefined || req.deno !== undefined)) {
    throw new InputError("Cannot submit to k8s with --sbatch or --deno: they are Slurm options (see --image, --pvc)");
  }
  if (scheduler === "slurm" && req.k8s && Object.values(req.k8s).some((v) => v !== undefined)) {
    throw new InputError("Cannot submit to slurm with --image, --pvc, --workdir or --namespace: they are k8s options");
  }
  checkSubmitInputs(req, scheduler);
  const plan = await planSubmission(req);
  if (scheduler === "k8s") checkK8sJobName(plan.name);
  const rel = (p: string) => {
    const r = relative(Deno.cwd(), p);
    return r === "" ? "." : r.startsWith("..") ? p : r;
  };
  const resubmit = plan.run.length < plan.shards ? ` (shards ${plan.run.join(", ")} of ${plan.shards})` : "";
  if (scheduler === "slurm") {
    const env: SlurmEnvironment = {
      deno: denoCommand(req.deno),
      projectRoot: PROJECT_ROOT,
      sbatch: req.sbatch ? groupOptions(splitShellWords(req.sbatch, "--sbatch"), "--sbatch") : [],
    };
    const s = renderSlurmScripts(plan, env);
    const files = [{ path: s.shardsPath, text: s.shards }, { path: s.mergePath, text: s.merge }];
    if (req.dryRun) {
      return {
        scheduler,
        plan,
        files,
        written: false,
        next: [
          `dry run: nothing written or submitted${resubmit}; without --dry-run, submit runs:`,
          ...[
            `sbatch --parsable${resubmit ? ` --array=${plan.run.join(",")}` : ""} ${rel(s.shardsPath)}`,
            `sbatch --parsable --dependency=afterok:<array job id> --kill-on-invalid-dep=yes ${rel(s.mergePath)}`,
          ].map((l) => `  ${l}`),
        ],
      };
    }
    await prepareData(req);
    const sub = await submitSlurm(plan, env, run);
    return {
      scheduler,
      plan,
      files,
      written: true,
      slurm: sub,
      next: [
        `submitted array job ${sub.arrayJob}${resubmit} and merge job ${sub.mergeJob} (after every shard succeeded)`,
        `logs: ${rel(s.logsDir)}/shard-<i>-${sub.arrayJob}.log, merge-${sub.mergeJob}.log`,
        `watch: squeue -j ${sub.arrayJob},${sub.mergeJob}; failed shards: deno task submit <same flags> --only-shards missing`,
      ],
    };
  }
  const env: K8sEnvironment = { ...K8S_DEFAULTS };
  for (const [k, v] of Object.entries(req.k8s ?? {})) if (v !== undefined) Object.assign(env, { [k]: v });
  const m = renderK8sManifests(plan, env);
  const files = [{ path: m.shardsPath, text: m.shards }, { path: m.mergePath, text: m.merge }];
  if (!req.dryRun) { for (const f of files) await writeFileAtomic(f.path, f.text); }
  // (k8s pods generate the embedded benchmark in their own image when --data is not given.)
  return {
    scheduler,
    plan,
    files,
    written: !req.dryRun,
    next: [
      req.dryRun
        ? `dry run: nothing written${resubmit}`
        : `wrote ${files.map((f) => rel(f.path)).join(" and ")}${resubmit}`,
      `apply: kubectl apply -f ${rel(m.shardsPath)}`,
      `then:  kubectl wait --for=condition=complete --timeout=24h job/${plan.name}-shards && kubectl apply -f ${
        rel(m.mergePath)
      }`,
    ],
  };
}
