/**
 * `deno task submit` without a cluster: the Slurm scripts (array, per-task logs, shard folders, bash syntax), the
 * submission sequence against a fake `sbatch` (array job, then the merge job with `afterok`; a resubmission runs only
 * the given shards), the Kubernetes manifests (valid YAML, Indexed, completions = parallelism = N), the flag parsing
 * helpers, and the CLI (`--help`, `--dry-run`, one-line errors).
 */
import { parse, parseAllDocuments } from "yaml";
import { assert, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { K8S_DEFAULTS, renderK8sManifests } from "../lib/scheduler/k8s.ts";
import { arraySpec, defaultJobName, parseShardList, type SubmitPlan } from "../lib/scheduler/plan.ts";
import { groupOptions, shQuote, splitShellWords } from "../lib/scheduler/shell.ts";
import { type CommandRunner, jobStates, renderSlurmScripts, submitSlurm } from "../lib/scheduler/slurm.ts";
import { planSubmission, submitSweep } from "../lib/scheduler/submit.ts";
import { submitRequest } from "../cli/submit.ts";
import { InputError } from "../lib/util/errors.ts";
import { join, PROJECT_ROOT } from "../lib/util/path.ts";

const PLAN: SubmitPlan = {
  task: "ablate",
  shards: 4,
  run: [0, 1, 2, 3],
  sweepArgs: ["--variants", "zeroshot,coop", "--steps", "2"],
  out: "/scratch/sweep one",
  name: "ppad-ablate-x",
};
const ENV = { deno: ["/opt/deno"], projectRoot: "/home/me/ppad", sbatch: [["--time", "2:00:00"], ["-p", "cpu"]] };

async function bashSyntaxOk(text: string): Promise<boolean> {
  const o = await new Deno.Command("bash", { args: ["-n"], stdin: "piped", stdout: "null", stderr: "piped" }).spawn();
  const w = o.stdin.getWriter();
  await w.write(new TextEncoder().encode(text));
  await w.close();
  return (await o.output()).success;
}

Deno.test("slurm: the array script runs shard $SLURM_ARRAY_TASK_ID of n into <out>/shards, with per-task logs", async () => {
  const s = renderSlurmScripts(PLAN, ENV);
  assertEquals(s.shardsPath, "/scratch/sweep one/jobs/shards.sbatch");
  assert(s.shards.startsWith("#!/bin/bash\n"));
  assert(s.shards.includes("#SBATCH --array=0-3\n"), s.shards);
  assert(s.shards.includes(`#SBATCH "--output=/scratch/sweep one/jobs/logs/shard-%a-%A.log"`), s.shards);
  assert(s.shards.includes("#SBATCH --time 2:00:00\n#SBATCH -p cpu\n"), s.shards);
  assert(s.shards.includes("cd /home/me/ppad"), s.shards);
  assert(s.shards.includes("DENO=(/opt/deno)"), s.shards);
  assert(
    s.shards.includes(
      `exec "\${DENO[@]}" task ablate --variants zeroshot,coop --steps 2 --shard "$i/4" --out '/scratch/sweep one/shards'/shard-"$i"`,
    ),
    s.shards,
  );
  assert(s.merge.includes(`"\${DENO[@]}" task merge --out '/scratch/sweep one'`), s.merge);
  for (const i of [0, 1, 2, 3]) assert(s.merge.includes(`'/scratch/sweep one/shards/shard-${i}'`), s.merge);
  assert(s.merge.includes(`#SBATCH "--output=/scratch/sweep one/jobs/logs/merge-%j.log"`), s.merge);
  assert(await bashSyntaxOk(s.shards), "shards.sbatch is valid bash");
  assert(await bashSyntaxOk(s.merge), "merge.sbatch is valid bash");
  const rep = renderSlurmScripts({ ...PLAN, task: "reproduce", reportDataset: "chexpert" }, ENV);
  assert(rep.merge.includes("task reproduce --dataset chexpert --out '/scratch/sweep one' --report-only"), rep.merge);
});

Deno.test("slurm: the array script really runs the shard it is given (bash, a fake deno)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ppad-submit-" });
  try {
    const fake = join(dir, "deno");
    await Deno.writeTextFile(fake, `#!/bin/sh\nprintf '%s\\n' "$@" > "${dir}/args"\n`);
    await Deno.chmod(fake, 0o755);
    const s = renderSlurmScripts({ ...PLAN, out: join(dir, "sweep") }, { ...ENV, deno: [fake], projectRoot: dir });
    const o = await new Deno.Command("bash", {
      args: ["-c", s.shards],
      env: { SLURM_ARRAY_TASK_ID: "2" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(o.code, 0, new TextDecoder().decode(o.stderr));
    const args = (await Deno.readTextFile(join(dir, "args"))).trim().split("\n");
    assertEquals(args.slice(-4), ["--shard", "2/4", "--out", join(dir, "sweep", "shards", "shard-2")]);
    assertEquals(args.slice(0, 2), ["task", "ablate"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("slurm: submit writes the scripts, submits the array then the merge with afterok; resubmits a subset", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ppad-submit-" });
  try {
    const calls: string[][] = [];
    let next = 100;
    const fake: CommandRunner = (cmd, args) => {
      calls.push([cmd, ...args]);
      return Promise.resolve({ code: 0, stdout: `${next++};cluster\n`, stderr: "" });
    };
    const plan = { ...PLAN, out: join(dir, "sweep") };
    const sub = await submitSlurm(plan, ENV, fake);
    assertEquals([sub.arrayJob, sub.mergeJob], ["100", "101"]);
    assertEquals(calls[0], ["sbatch", "--parsable", join(dir, "sweep", "jobs", "shards.sbatch")]);
    assertEquals(calls[1], [
      "sbatch",
      "--parsable",
      "--dependency=afterok:100",
      "--kill-on-invalid-dep=yes",
      join(dir, "sweep", "jobs", "merge.sbatch"),
    ]);
    assert((await Deno.stat(join(dir, "sweep", "jobs", "logs"))).isDirectory, "the log folder exists before the jobs");
    assert((await Deno.readTextFile(join(dir, "sweep", "jobs", "shards.sbatch"))).includes("--array=0-3"));
    await submitSlurm({ ...plan, run: [1, 3] }, ENV, fake);
    assertEquals(calls[2].slice(0, 3), ["sbatch", "--parsable", "--array=1,3"]);
    assertEquals(calls[3][2], "--dependency=afterok:102");
    const log = (await Deno.readTextFile(join(dir, "sweep", "jobs", "submitted.jsonl"))).trim().split("\n");
    assertEquals(log.map((l) => JSON.parse(l).shards), [[0, 1, 2, 3], [1, 3]]);
    const failing: CommandRunner = () =>
      Promise.resolve({ code: 1, stdout: "", stderr: "sbatch: error: invalid partition specified: gpu\n" });
    await assertRejects(() => submitSlurm(plan, ENV, failing), InputError, "invalid partition specified: gpu");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("slurm: job states from scontrol, array tasks one by one; a forgotten job is GONE", async () => {
  const fake: CommandRunner = (_cmd, args) => {
    const id = args[args.length - 1];
    if (id === "7") {
      return Promise.resolve({
        code: 0,
        stdout: "JobId=8 ArrayJobId=7 ArrayTaskId=1 JobState=FAILED Reason=x\n" +
          "JobId=7 ArrayJobId=7 ArrayTaskId=0 JobState=COMPLETED Reason=None\n",
        stderr: "",
      });
    }
    if (id === "9") return Promise.resolve({ code: 0, stdout: "JobId=9 JobName=m JobState=PENDING\n", stderr: "" });
    return Promise.resolve({ code: 1, stdout: "", stderr: "slurm_load_jobs error: Invalid job id specified\n" });
  };
  const states = await jobStates(["7", "9", "10"], fake);
  assertEquals(Object.fromEntries(states), { "7_1": "FAILED", "7_0": "COMPLETED", "9": "PENDING", "10": "GONE" });
});

Deno.test("k8s: the Indexed Job is valid YAML with completions = parallelism = N and JOB_COMPLETION_INDEX as shard", () => {
  const m = renderK8sManifests({ ...PLAN, out: "/work/results/ablate" }, K8S_DEFAULTS);
  const docs = parseAllDocuments(m.shards);
  assertEquals(docs.length, 1);
  assertEquals(docs[0].errors, []);
  const job = parse(m.shards);
  assertEquals(job.apiVersion, "batch/v1");
  assertEquals(job.kind, "Job");
  assertEquals(job.metadata.name, "ppad-ablate-x-shards");
  assertEquals(job.spec.completionMode, "Indexed");
  assertEquals(job.spec.completions, 4);
  assertEquals(job.spec.parallelism, 4);
  const c = job.spec.template.spec.containers[0];
  assertEquals(job.spec.template.spec.restartPolicy, "Never");
  assertEquals(c.image, "ppad:latest");
  assertEquals(c.workingDir, "/app");
  const script: string = c.command[2];
  assert(script.includes('i="$JOB_COMPLETION_INDEX"'), script);
  assert(script.includes('--shard "$i/4" --out /results/ablate/shards/shard-"$i"'), script);
  assertEquals(job.spec.template.spec.volumes[0].persistentVolumeClaim.claimName, "ppad-results");
  assertEquals(c.volumeMounts[0].mountPath, "/results");
  const merge = parse(m.merge);
  assertEquals(merge.kind, "Job");
  assertEquals(merge.spec.completionMode, undefined);
  const mc: string = merge.spec.template.spec.containers[0].command[2];
  assert(mc.startsWith("deno task merge --out /results/ablate /results/ablate/shards/shard-0"), mc);
  assert(mc.includes("/results/ablate/shards/shard-3"), mc);
  assert(m.shards.startsWith("# Sharded sweep"), "the manifest is documented");
});

Deno.test("k8s: a resubmission of shards 1,3 is an Indexed Job of 2 that maps index k to the k-th shard", async () => {
  const m = renderK8sManifests({ ...PLAN, run: [1, 3] }, { ...K8S_DEFAULTS, namespace: "lab" });
  const job = parse(m.shards);
  assertEquals([job.spec.completions, job.spec.parallelism], [2, 2]);
  assertEquals(job.metadata.namespace, "lab");
  const c = job.spec.template.spec.containers[0];
  assertEquals(c.env, [{ name: "SHARDS", value: "1 3" }]);
  for (const [k, shard] of [[0, "1"], [1, "3"]] as const) {
    const o = await new Deno.Command("sh", {
      args: ["-c", `set -- $SHARDS; shift "$JOB_COMPLETION_INDEX"; echo "$1"`],
      env: { SHARDS: "1 3", JOB_COMPLETION_INDEX: String(k) },
      stdout: "piped",
    }).output();
    assertEquals(new TextDecoder().decode(o.stdout).trim(), shard);
  }
  assert(c.command[2].includes('set -- $SHARDS; shift "$JOB_COMPLETION_INDEX"; i="$1"'), c.command[2]);
});

Deno.test("submit helpers: shard lists, array specs, shell words, job names", () => {
  assertEquals(parseShardList("3,1,0-1", 4), [0, 1, 3]);
  assertThrows(() => parseShardList("4", 4), InputError, "out of range");
  assertThrows(() => parseShardList("2-1", 4), InputError, "reversed");
  assertThrows(() => parseShardList("a", 4), InputError, "not an index");
  assertEquals(arraySpec([0, 1, 2, 3]), "0-3");
  assertEquals(arraySpec([1, 3, 5, 6, 7]), "1,3,5-7");
  assertEquals(splitShellWords(`--time 2:00:00 --comment "a b" -p 'x y' --x=\\"q`), [
    "--time",
    "2:00:00",
    "--comment",
    "a b",
    "-p",
    "x y",
    '--x="q',
  ]);
  assertThrows(() => splitShellWords(`--comment "a`), InputError, "unclosed");
  assertEquals(groupOptions(["--time", "1:00", "--mem=8G", "-p", "cpu"]), [["--time", "1:00"], ["--mem=8G"], [
    "-p",
    "cpu",
  ]]);
  assertThrows(() => groupOptions(["cpu"]), InputError, "is not an option");
  assertEquals(shQuote("/a/b-c.d"), "/a/b-c.d");
  assertEquals(shQuote("it's"), `'it'"'"'s'`);
  assertEquals(defaultJobName("ablate", "/x/Results 2024"), "ppad-ablate-results-2024");
});

Deno.test("submit: plans pass the sweep flags through, refuse --shard and bad sweep flags before submitting", async () => {
  const request = submitRequest({
    scheduler: "slurm",
    task: "ablate",
    shards: "3",
    variants: "coop",
    steps: "5",
    "no-charts": true,
    out: "/tmp/x",
    "dry-run": true,
  });
  assertEquals(request.embeddedData, true);
  const plan = await planSubmission(request);
  assertEquals(plan.sweepArgs, ["--steps", "5", "--variants", "coop", "--no-charts"]);
  assertEquals(plan.run, [0, 1, 2]);
  assertEquals(plan.out, "/tmp/x");
  const flags = { scheduler: "slurm", task: "ablate", shards: "2", "dry-run": true };
  assertThrows(() => submitRequest({ ...flags, shard: "0/2" }), InputError, "--shards N instead");
  assertThrows(() => submitRequest({ ...flags, steps: "0" }), InputError, "--steps");
  assertThrows(() => submitRequest({ ...flags, variants: "coopp" }), InputError, "coopp");
  assertThrows(() => submitRequest({ ...flags, task: "reproduce" }), InputError, "--dataset");
  assertThrows(() => submitRequest({ ...flags, scheduler: "pbs" }), InputError, "slurm, k8s");
  // The library checks what it is given, whoever calls it.
  const base = {
    scheduler: "slurm",
    task: "ablate",
    shards: 2,
    out: "/tmp/x",
    sweepArgs: [],
    embeddedData: false,
    dryRun: true,
  };
  await assertRejects(() => planSubmission({ ...base, task: "reproduce" }), InputError, "--dataset");
  await assertRejects(() => planSubmission({ ...base, shards: 0 }), InputError, "--shards");
  await assertRejects(() => submitSweep({ ...base, scheduler: "pbs" }), InputError, "slurm, k8s");
  await assertRejects(
    () => submitSweep({ ...base, scheduler: "k8s", sbatch: "-p x" }),
    InputError,
    "Slurm options",
  );
});

const CLI = join(PROJECT_ROOT, "cli", "submit.ts");
async function submit(args: string[]) {
  const o = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    cwd: PROJECT_ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: o.code, stdout: dec.decode(o.stdout), stderr: dec.decode(o.stderr) };
}

Deno.test("submit CLI: --help, --dry-run prints both scripts (or manifests), errors are one line with exit 2", async () => {
  const help = await submit(["--help"]);
  assertEquals(help.code, 0);
  for (const flag of ["--scheduler", "--shards", "--only-shards", "--sbatch", "--dry-run", "--image", "--variants"]) {
    assert(help.stdout.includes(flag), flag);
  }
  assert(help.stdout.includes("Examples"), help.stdout);
  assert(help.stdout.includes("--grid is not one of them"), help.stdout);
  assert(/--seeds N .*\(default: the sweep's \(ablate: 1, reproduce: 5\)\)/.test(help.stdout), help.stdout);
  const dry = await submit([
    "--shards",
    "2",
    "--variants",
    "zeroshot,coop",
    "--out",
    "/tmp/ppad-submit-dry",
    "--sbatch",
    "--time 1:00:00",
    "--dry-run",
  ]);
  assertEquals(dry.code, 0, dry.stderr);
  assert(dry.stdout.includes("==> /tmp/ppad-submit-dry/jobs/shards.sbatch <=="), dry.stdout);
  assert(dry.stdout.includes("#SBATCH --time 1:00:00"), dry.stdout);
  assert(dry.stdout.includes("==> /tmp/ppad-submit-dry/jobs/merge.sbatch <=="), dry.stdout);
  assert(dry.stderr.includes("--dependency=afterok:<array job id>"), dry.stderr);
  assertEquals(
    await Deno.stat("/tmp/ppad-submit-dry").then(() => true, () => false),
    false,
    "a dry run writes nothing",
  );
  const k8s = await submit(["--scheduler", "k8s", "--shards", "3", "--out", "/tmp/ppad-submit-dry", "--dry-run"]);
  assertEquals(k8s.code, 0, k8s.stderr);
  const yaml = k8s.stdout.split("==> ")[1].split("\n").slice(1).join("\n");
  assertEquals(parse(yaml).spec.completions, 3);
  for (
    const [args, text] of [
      [["--variants", "coop"], "--shards"],
      [["--shards", "2", "--shard", "0/2"], "did you mean --shards?"],
      [["--shards", "0"], "--shards"],
      [["--shards", "2", "--only-shards", "5"], "out of range"],
    ] as const
  ) {
    const r = await submit([...args, "--dry-run"]);
    assertEquals(r.code, 2, r.stderr);
    const lines = r.stderr.trim().split("\n").filter((l) => l.startsWith("error: "));
    assertEquals(lines.length, 1, r.stderr);
    assert(lines[0].includes(text), lines[0]);
  }
});

Deno.test("submit CLI: refuses missing --model/--data/--deno, a file as --out, too many shards, a bad k8s --name", async () => {
  const file = await Deno.makeTempFile();
  try {
    for (
      const [args, text] of [
        [["--shards", "2", "--model", "/nope"], "--model /nope"],
        [["--shards", "2", "--data", "/nope"], "--data /nope"],
        [["--shards", "2", "--data", file], "not a folder"],
        [["--shards", "2", "--deno", "/nope/deno"], "--deno /nope/deno"],
        [["--shards", "2", "--out", file], "is a file"],
        [["--shards", "2", "--out", join(file, "sub")], "is a file"],
        [["--shards", "100000"], "1 to 1000"],
        [["--scheduler", "k8s", "--shards", "2", "--name", "My Job"], "--name"],
        [["--scheduler", "k8s", "--shards", "2", "--name", "a".repeat(57)], "at most 56"],
      ] as const
    ) {
      const out = (args as readonly string[]).includes("--out") ? [] : ["--out", "/tmp/ppad-submit-x"];
      const r = await submit([...args, ...out, "--dry-run"]);
      assertEquals(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      const lines = r.stderr.trim().split("\n").filter((l) => l.startsWith("error: "));
      assertEquals(lines.length, 1, r.stderr);
      assert(lines[0].includes(text), lines[0]);
    }
    // k8s --model/--data are paths inside the image: not checked here.
    const k8s = await submit([
      "--scheduler",
      "k8s",
      "--shards",
      "2",
      "--data",
      "/in/image",
      "--out",
      "/tmp/ppad-submit-x",
      "--dry-run",
    ]);
    assertEquals(k8s.code, 0, k8s.stderr);
  } finally {
    await Deno.remove(file);
  }
});
