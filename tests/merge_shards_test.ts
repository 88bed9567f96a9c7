/**
 * Shard manifests and the merge's missing-shard check: a sweep run with `--shard i/n` records `shard.json`; merging
 * names missing or unfinished shards instead of merging a partial sweep, `--allow-partial` merges what is there, and
 * shards of different sweeps are refused.
 */
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { PAPER_METHOD, type PlannedRun, type RunSpec, shardRuns } from "../lib/experiments/config.ts";
import { mergeSweepResults } from "../lib/experiments/merge.ts";
import {
  describeIncomplete,
  incompleteShards,
  readShardManifest,
  shardManifest,
  shardStatus,
  writeShardManifest,
} from "../lib/experiments/shards.ts";
import {
  paths,
  readRunRecords,
  type RunRecord,
  type TrainedRecord,
  writeJson,
  writeScores,
} from "../lib/experiments/store.ts";
import { InputError } from "../lib/util/errors.ts";
import { join } from "../lib/util/path.ts";

const SPEC: RunSpec = {
  ...PAPER_METHOD,
  seed: 0,
  model: "m.pt",
  modelHash: "abc",
  data: "/d",
  dataset: "custom",
  backend: "cpu",
  testLimit: null,
};

/** Five planned runs with ids r0…r4. */
const PLAN: PlannedRun[] = [0, 1, 2, 3, 4].map((i) => ({
  spec: { ...SPEC, seed: i },
  id: `r${i}`,
  trainingId: `t${i}`,
  questions: ["prompts"],
}));

function record(p: PlannedRun): RunRecord {
  return {
    id: p.id,
    trainingId: p.trainingId,
    spec: p.spec,
    questions: p.questions,
    metrics: { auroc: 0.5 + p.spec.seed / 100, ap: 0.6 },
    nTest: 10,
    positives: 5,
    seconds: 1,
    losses: [],
    finishedAt: "2026-01-01T00:00:00Z",
  };
}

/** The trained probabilities of `p`: 10 test images (5 abnormal), two regions, as the runner writes them. */
function trained(p: PlannedRun): TrainedRecord {
  const labels = [...Array(10).keys()].map((i) => (i < 5 ? 0 : 1));
  return {
    trainingId: p.trainingId,
    regionNames: ["whole", "left"],
    ids: labels.map((_, i) => `img${i}`),
    labels,
    probs: labels.map((l, i) => [0.1 + 0.05 * i + 0.2 * l, 0.3]),
    losses: [],
    seconds: 1,
  };
}

/** Writes the finished run `p` into the results folder `dir`: trained probabilities, scores, then its record. */
async function writeRun(dir: string, p: PlannedRun, rec: RunRecord = record(p)): Promise<void> {
  const t = trained(p);
  await writeJson(paths.trained(dir, p.trainingId), t);
  await writeScores(paths.scores(dir, p.id), t, t.probs.map((row) => row[0]));
  await writeJson(paths.run(dir, p.id), rec);
}

/** Writes shard `index` of `count` into `dir`: its manifest and the runs of its first `finished` runs (all). */
async function writeShard(dir: string, index: number, count: number, finished?: number, plan = PLAN) {
  const mine = shardRuns(plan, { index, count });
  await writeShardManifest(dir, await shardManifest("test", { index, count }, plan, mine));
  for (const p of mine.slice(0, finished ?? mine.length)) await writeRun(dir, p);
}

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ppad-merge-shards-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("shard manifest: written and read back; every shard of one sweep has the same plan hash", () =>
  withTemp(async (dir) => {
    await writeShard(join(dir, "s0"), 0, 2);
    await writeShard(join(dir, "s1"), 1, 2);
    const a = await readShardManifest(join(dir, "s0")), b = await readShardManifest(join(dir, "s1"));
    assertEquals(a?.shard, { index: 0, count: 2 });
    assertEquals(a?.runs, ["r0", "r2", "r4"]);
    assertEquals(b?.runs, ["r1", "r3"]);
    assertEquals(a?.plan, b?.plan);
    assertEquals(a?.totalRuns, 5);
    assertEquals(await readShardManifest(join(dir, "nowhere")), null);
    await Deno.writeTextFile(join(dir, "s0", "shard.json"), '{"shard": {"index": 3, "count": 2}}');
    await assertRejects(() => readShardManifest(join(dir, "s0")), InputError, "not a shard manifest");
  }));

Deno.test("merge: every shard complete → merged; idempotent", () =>
  withTemp(async (dir) => {
    const dirs = [0, 1, 2].map((i) => join(dir, `shard-${i}`));
    for (const [i, d] of dirs.entries()) await writeShard(d, i, 3);
    assertEquals(await mergeSweepResults(dirs, join(dir, "out")), 5);
    assertEquals(await mergeSweepResults(dirs, join(dir, "out")), 5);
    assertEquals((await readRunRecords(join(dir, "out"))).map((r) => r.id), ["r0", "r1", "r2", "r3", "r4"]);
    assert((await Deno.readTextFile(join(dir, "out", "runs.csv"))).includes("auroc"));
  }));

Deno.test("merge: a missing shard (folder absent or not given) is named, and nothing is merged", () =>
  withTemp(async (dir) => {
    const dirs = [0, 1, 2, 3].map((i) => join(dir, `shard-${i}`));
    await writeShard(dirs[0], 0, 4);
    await writeShard(dirs[2], 2, 4);
    const status = await shardStatus(dirs);
    assertEquals(status.missing, [1, 3]);
    assertEquals(incompleteShards(status), [1, 3]);
    assertEquals(status.unknown, [dirs[1], dirs[3]]);
    const err = await assertRejects(
      () => mergeSweepResults(dirs, join(dir, "out")),
      InputError,
      "shards 1, 3 of 4 missing",
    );
    assert(err.message.includes("--only-shards 1,3"), err.message);
    assert(err.message.includes("--allow-partial"), err.message);
    assertEquals(err.message.split("\n").length, 1);
    assertEquals(await readRunRecords(join(dir, "out")), []);
    // Only some shard folders given: the others are missing too.
    await assertRejects(
      () => mergeSweepResults([dirs[0]], join(dir, "out")),
      InputError,
      "shards 1, 2, 3 of 4 missing",
    );
  }));

Deno.test("merge: an unfinished shard is named with its count; --allow-partial merges what is there", () =>
  withTemp(async (dir) => {
    const dirs = [0, 1].map((i) => join(dir, `shard-${i}`));
    await writeShard(dirs[0], 0, 2, 1); // 1 of its 3 runs finished
    await writeShard(dirs[1], 1, 2);
    const status = await shardStatus(dirs);
    assertEquals(status.unfinished, [{ index: 0, dir: dirs[0], finished: 1, total: 3 }]);
    assertEquals(describeIncomplete(status), `shard 0 unfinished (1 of 3 runs in ${dirs[0]})`);
    await assertRejects(() => mergeSweepResults(dirs, join(dir, "out")), InputError, "shard 0 unfinished (1 of 3 runs");
    const heard: string[] = [];
    const n = await mergeSweepResults(dirs, join(dir, "out"), { allowPartial: true, onPartial: (w) => heard.push(w) });
    assertEquals(n, 3);
    assertEquals(heard.length, 1);
  }));

Deno.test("merge: an empty shard (more shards than runs) is complete; folders without manifests merge as before", () =>
  withTemp(async (dir) => {
    const dirs = [0, 1, 2, 3, 4, 5].map((i) => join(dir, `shard-${i}`));
    for (const [i, d] of dirs.entries()) await writeShard(d, i, 6);
    assertEquals((await shardStatus(dirs)).complete, [0, 1, 2, 3, 4, 5]);
    assertEquals(await mergeSweepResults(dirs, join(dir, "out")), 5);
    // Plain results folders (no shard.json): merged as they are; an empty one is still an error.
    await writeRun(join(dir, "plain"), PLAN[0]);
    assertEquals(await mergeSweepResults([join(dir, "plain")], join(dir, "out2")), 1);
    await Deno.mkdir(join(dir, "empty", "runs"), { recursive: true });
    await assertRejects(
      () => mergeSweepResults([join(dir, "empty")], join(dir, "out3")),
      InputError,
      "no finished runs",
    );
    await assertRejects(
      () => mergeSweepResults([join(dir, "nowhere")], join(dir, "out3")),
      InputError,
      `Cannot merge ${join(dir, "nowhere")}: no such folder`,
    );
  }));

Deno.test("merge: shards of different sweeps (other count or plan) are refused, naming both folders", () =>
  withTemp(async (dir) => {
    await writeShard(join(dir, "a"), 0, 2);
    await writeShard(join(dir, "b"), 1, 3);
    await assertRejects(
      () => mergeSweepResults([join(dir, "a"), join(dir, "b")], join(dir, "out")),
      InputError,
      `Cannot combine shards ${join(dir, "a")} and ${join(dir, "b")}`,
    );
    await writeShard(join(dir, "c"), 1, 2, undefined, PLAN.slice(0, 4)); // same count, another plan
    await assertRejects(
      () => mergeSweepResults([join(dir, "a"), join(dir, "c")], join(dir, "out")),
      InputError,
      "different sweeps",
    );
  }));
