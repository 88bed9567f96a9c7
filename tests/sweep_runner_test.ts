import { assert, assertEquals } from "./assert.ts";
import { initBackend } from "../lib/backend.ts";
import { loadModelBundle } from "../lib/encoders/bundle.ts";
import { makeFakeDataset } from "../testing/fake_datasets.ts";
import { PAPER_METHOD, planSweep, shardRuns, type SweepConfig } from "../lib/experiments/config.ts";
import { ExperimentData } from "../lib/experiments/data.ts";
import { runSweep } from "../lib/experiments/runner.ts";
import { mergeSweepResults } from "../lib/experiments/merge.ts";
import { readRunRecords } from "../lib/experiments/store.ts";
import { join } from "../lib/util/path.ts";
import { ensureTestModel } from "../testing/test_model.ts";
import { Rng } from "../lib/util/rng.ts";

// The project's own random CLIP in CheXzero's .pt format (testing/test_model.ts): no ../shared needed.
const { model: FIXTURE } = await ensureTestModel();

const SWEEP: SweepConfig = {
  name: "tiny",
  description: "test",
  base: { ...PAPER_METHOD, shots: 4, steps: 2, nCtx: 2 },
  questions: [
    { name: "prompts", title: "Prompts", vary: { variant: ["zeroshot", "coop", "ppad"] } },
    { name: "scoring", title: "Scoring", vary: { scoring: ["paper", "mean"] } },
  ],
  seeds: 2,
};

Deno.test({
  name: "sweep: plans distinct runs, runs them, resumes without rework, shards and merges",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await initBackend("wasm", { quiet: true });
    const dir = await Deno.makeTempDir();
    try {
      const fake = await makeFakeDataset(join(dir, "data"), "zhanglab-squid", {
        normal: 4,
        abnormal: 4,
        trainNormal: 6,
        rng: new Rng(5),
      });
      const bundle = await loadModelBundle(FIXTURE);
      const data = await ExperimentData.load(fake.root, { resolution: 224, quiet: true });
      const context = {
        model: "mini",
        modelHash: bundle.hash,
        data: fake.root,
        dataset: "fake",
        backend: "wasm",
        testLimit: null,
      };
      const planned = await planSweep(SWEEP, context);
      // zeroshot once (seed-free) + coop ×2 seeds + ppad ×2 seeds (paper scoring) + ppad ×2 seeds (mean scoring)
      assertEquals(planned.length, 7);
      const base = planned.filter((p) => p.spec.variant === "ppad" && p.spec.scoring === "paper");
      assert(base.every((p) => p.questions.includes("prompts") && p.questions.includes("scoring")));
      // runs differing only in scoring share their training
      const mean = planned.find((p) => p.spec.scoring === "mean" && p.spec.seed === 0)!;
      assertEquals(mean.trainingId, base.find((p) => p.spec.seed === 0)!.trainingId);

      const shards = [0, 1].map((i) => shardRuns(planned, { index: i, count: 2 }));
      assertEquals(shards[0].length + shards[1].length, planned.length);
      const outA = join(dir, "a"), outB = join(dir, "b"), merged = join(dir, "merged");
      await runSweep(shards[0], { out: outA, bundle, data, quiet: true, bootstrap: 50 });
      await runSweep(shards[1], { out: outB, bundle, data, quiet: true, bootstrap: 50 });
      assertEquals(await mergeSweepResults([outA, outB], merged), planned.length);

      const csv = (await Deno.readTextFile(join(merged, "runs.csv"))).trim().split("\n");
      assert(csv[0].startsWith("run_id,variant,regions,synthesis,scoring,sides,seed"), csv[0]);
      assertEquals(csv.length - 1, planned.length * 9);
      const summary = await Deno.readTextFile(join(merged, "summary.csv"));
      assert(summary.includes("ppad") && summary.includes("auroc"));
      // Diagnostics of every trained configuration, tidy, beside runs.csv.
      const diag = (await Deno.readTextFile(join(merged, "diagnostics.csv"))).trim().split("\n");
      assertEquals(diag[0], "id,variant,regions,synthesis,sides,seed,metric,value");
      for (const m of ["synthetic_auroc", "synthetic_bce", "context_shift", "logit_scale", "rule_fired"]) {
        assert(diag.some((l) => l.includes(`,${m},`)), `no ${m} in diagnostics.csv`);
      }

      // Resume: nothing is re-run (every run is skipped), records unchanged.
      const before = await readRunRecords(merged);
      let reran = 0;
      await runSweep(planned, {
        out: merged,
        bundle,
        data,
        quiet: true,
        onRun: (_r, skipped) => void (reran += skipped ? 0 : 1),
      });
      assertEquals(reran, 0);
      assertEquals((await readRunRecords(merged)).map((r) => r.finishedAt), before.map((r) => r.finishedAt));
      // A later plan in which the same runs answer one more question reuses them and records the question.
      await runSweep(planned.map((p) => ({ ...p, questions: [...p.questions, "extra"] })), {
        out: merged,
        bundle,
        data,
        quiet: true,
        onRun: (_r, skipped) => void (reran += skipped ? 0 : 1),
      });
      assertEquals(reran, 0);
      assert((await readRunRecords(merged)).every((r) => r.questions.includes("extra")));
      for (const r of before) {
        assertEquals(r.nTest, 8);
        for (const m of ["auroc", "ap", "acc", "f1", "f1max"]) {
          assert(r.metrics[m] >= 0 && r.metrics[m] <= 1, `${m} = ${r.metrics[m]}`);
        }
      }
      bundle.clip.dispose();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
