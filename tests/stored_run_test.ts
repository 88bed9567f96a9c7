import { assert, assertAlmostEquals, assertEquals } from "./assert.ts";
import { compareWithStoredRun, describeStoredRun } from "../lib/experiments/stored_run.ts";
import { paths, type TrainedRecord, writeJson } from "../lib/experiments/store.ts";
import { shownPath } from "../lib/util/mod.ts";

function trained(probs: number[][]): TrainedRecord {
  return {
    trainingId: "t1",
    regionNames: ["whole", "left"],
    ids: probs.map((_, i) => `img${i}`),
    labels: [0, 1, 1, 0],
    probs,
    losses: [0.7],
    seconds: 1,
  };
}

Deno.test("compareWithStoredRun: AUROC of both under the scoring rule and the largest probability difference", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ppad-stored-run-" });
  try {
    const stored = trained([[0.1, 0.2], [0.9, 0.7], [0.6, 0.3], [0.2, 0.1]]);
    await writeJson(paths.trained(dir, "t1"), stored);
    const mine = trained([[0.1, 0.2], [0.9, 0.7], [0.6, 0.3], [0.2, 0.125]]);
    const c = await compareWithStoredRun(dir, "t1", mine, "mean");
    assert(c !== null);
    assertEquals([c.path, c.storedAuroc, c.auroc], [paths.trained(dir, "t1"), 1, 1]);
    assertAlmostEquals(c.maxDifference, 0.025);
    assert(describeStoredRun(c, { sweepDir: dir, trainingId: "t1" }).includes("AUROC 100.0, this notebook 100.0"));
    assertEquals(await compareWithStoredRun(dir, "t2", mine, "mean"), null);
    assertEquals(
      describeStoredRun(null, { sweepDir: dir, trainingId: "t2" }),
      `no run t2 in ${shownPath(dir)} (other settings than the sweep's)`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
