/**
 * `deno task submit` end to end on a real Slurm: a tiny sweep (zeroshot + coop, 2 steps, 4 shots, 4 test images of a
 * fake data set, the tests' mini CLIP) submitted as 2 shards, waited for, merged by the dependent merge job; the
 * merged `runs.csv` / `summary.csv` equal an unsharded run of the same flags (timing column aside). Then a lost
 * shard: merge names it, `--only-shards missing` resubmits it alone, and the new merge job completes the sweep.
 *
 * Runs when `sbatch` is on the PATH and `sinfo` reaches a controller (`.ci/run` starts a one-node cluster with
 * `.ci/slurm-up.sh`; by hand: `eval "$(.ci/slurm-up.sh /tmp/slurm)"`); otherwise it is skipped, saying why.
 */
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { makeFakeDataset } from "../testing/fake_datasets.ts";
import { mergeSweepResults } from "../lib/experiments/merge.ts";
import { readShardManifest } from "../lib/experiments/shards.ts";
import { shardDirs } from "../lib/scheduler/plan.ts";
import { submitSweep } from "../lib/scheduler/submit.ts";
import { submitRequest } from "../cli/submit.ts";
import { waitForJobs } from "../lib/scheduler/slurm.ts";
import { InputError } from "../lib/util/errors.ts";
import { join, PROJECT_ROOT } from "../lib/util/path.ts";
import { Rng } from "../lib/util/rng.ts";
import { TEST_MODEL_PATH } from "../testing/test_model.ts";

/** The tests' mini CLIP in CheXzero's `.pt` format (`testing/test_model.ts`). */
const FIXTURE = TEST_MODEL_PATH;

async function ok(cmd: string, args: string[]): Promise<boolean> {
  try {
    const o = await new Deno.Command(cmd, { args, stdout: "null", stderr: "null", stdin: "null" }).output();
    return o.success;
  } catch {
    return false;
  }
}

async function skipReason(): Promise<string | null> {
  if (!await ok("sbatch", ["--version"])) return "sbatch is not on the PATH";
  if (!await ok("sinfo", ["-h"])) return "sinfo cannot reach a Slurm controller (SLURM_CONF? see .ci/slurm-up.sh)";
  return null;
}

const why = await skipReason();
if (why) console.warn(`skipping the Slurm end-to-end test: ${why}`);

/** A CSV without its `seconds` column (wall-clock time differs between runs). */
async function withoutTiming(path: string): Promise<string[]> {
  const lines = (await Deno.readTextFile(path)).trim().split("\n").map((l) => l.split(","));
  const drop = lines[0].indexOf("seconds");
  return lines.map((cells) => cells.filter((_, i) => i !== drop).join(","));
}

Deno.test({
  name: "submit: 2 shards on a real one-node Slurm, merged by the dependent job, equal the unsharded sweep",
  ignore: why !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "ppad-slurm-e2e-" });
    try {
      const fake = await makeFakeDataset(join(dir, "data"), "chexpert-squid", {
        normal: 3,
        abnormal: 3,
        trainNormal: 4,
        size: 40,
        rng: new Rng(5),
      });
      const flags = {
        data: fake.root,
        model: FIXTURE,
        variants: "zeroshot,coop",
        steps: "2",
        shots: "4",
        "test-limit": "4",
        backend: "wasm",
        "no-charts": true,
        quiet: true,
      };
      const sharded = join(dir, "sharded"), full = join(dir, "full");
      const start = performance.now();
      const result = await submitSweep(
        submitRequest({ scheduler: "slurm", task: "ablate", shards: "2", ...flags, out: sharded, name: "ppad-e2e" }),
      );
      const jobs = result.slurm!;
      // The unsharded reference run, while the cluster runs the shards.
      const args = Object.entries(flags).flatMap(([k, v]) => v === true ? [`--${k}`] : [`--${k}`, String(v)]);
      const reference = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", join(PROJECT_ROOT, "cli", "ablate.ts"), ...args, "--out", full],
        cwd: PROJECT_ROOT,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assertEquals(reference.code, 0, new TextDecoder().decode(reference.stderr));
      const states = await waitForJobs([jobs.arrayJob, jobs.mergeJob], { timeoutMs: 240_000, pollMs: 1000 });
      const logs = async () => {
        const out: string[] = [];
        for await (const e of Deno.readDir(join(sharded, "jobs", "logs"))) {
          out.push(`--- ${e.name}\n${await Deno.readTextFile(join(sharded, "jobs", "logs", e.name))}`);
        }
        return out.join("\n");
      };
      for (const [job, state] of states) assertEquals(state, "COMPLETED", `${job}: ${state}\n${await logs()}`);
      assertEquals(states.size, 3, [...states.keys()].join(", ")); // 2 array tasks + the merge job
      console.log(`slurm: 2 shards + merge in ${((performance.now() - start) / 1000).toFixed(1)} s`);
      for (const i of [0, 1]) {
        const m = await readShardManifest(join(sharded, "shards", `shard-${i}`));
        assertEquals(m?.shard, { index: i, count: 2 });
      }
      assertEquals(await withoutTiming(join(sharded, "runs.csv")), await withoutTiming(join(full, "runs.csv")));
      assertEquals(
        await Deno.readTextFile(join(sharded, "summary.csv")),
        await Deno.readTextFile(join(full, "summary.csv")),
      );
      const runs = (await withoutTiming(join(sharded, "runs.csv"))).length - 1;
      assert(runs > 0, "the merged sweep has runs");

      // A lost shard: merge names it; `--only-shards missing` resubmits it alone, and its merge job completes the sweep.
      await Deno.remove(join(sharded, "shards", "shard-1"), { recursive: true });
      await Deno.remove(join(sharded, "runs"), { recursive: true });
      await assertRejects(() => mergeSweepResults(shardDirs(sharded, 2), sharded), InputError, "shard 1 of 2 missing");
      const again = await submitSweep(
        submitRequest({
          scheduler: "slurm",
          task: "ablate",
          shards: "2",
          "only-shards": "missing",
          ...flags,
          out: sharded,
          name: "ppad-e2e",
        }),
      );
      assertEquals(again.plan.run, [1]);
      const states2 = await waitForJobs([again.slurm!.arrayJob, again.slurm!.mergeJob], {
        timeoutMs: 240_000,
        pollMs: 1000,
      });
      for (const [job, state] of states2) assertEquals(state, "COMPLETED", `${job}: ${state}\n${await logs()}`);
      assertEquals(states2.size, 2, [...states2.keys()].join(", ")); // one array task + the merge job
      assertEquals(await withoutTiming(join(sharded, "runs.csv")), await withoutTiming(join(full, "runs.csv")));
      console.log(`slurm: with the resubmission, ${((performance.now() - start) / 1000).toFixed(1)} s`);
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
