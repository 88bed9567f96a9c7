// A results folder is shared by every sweep run into it: a partial sweep (`--variants`) must leave its shared outputs
// (per_finding.csv, every chart, test-set.json) describing all of the folder's runs, as runs.csv does; a sweep on
// another test set must be refused before any work, the folder left byte for byte as it was.
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { writeBenchmark } from "../lib/data/mod.ts";
import { offBase, sweepLevels } from "../lib/experiments/charts.ts";
import {
  canonicalMethod,
  type MethodSpec,
  PAPER_METHOD,
  type RunSpec,
  type SweepConfig,
} from "../lib/experiments/config.ts";
import type { RunRecord, TrainedRecord } from "../lib/experiments/store.ts";
import { executeSweep, type SweepSettings } from "../lib/experiments/sweep.ts";
import { InputError } from "../lib/util/errors.ts";
import { join, PROJECT_ROOT, relative } from "../lib/util/path.ts";
import { ensureTestModel } from "../testing/test_model.ts";

// The project's own random CLIP (testing/test_model.ts): no ../shared needed.
const { model: FIXTURE } = await ensureTestModel();

const SWEEP: SweepConfig = {
  name: "tiny",
  description: "test",
  base: { ...PAPER_METHOD, shots: 2, steps: 1, nCtx: 2 },
  questions: [
    { name: "prompts", title: "Prompts", vary: { variant: ["zeroshot", "coop", "ppad"] } },
    { name: "scoring", title: "Scoring", vary: { scoring: ["paper", "mean"] } },
  ],
  seeds: 1,
};

/** Settings of a quiet sweep of {@link SWEEP} on the test model and the benchmark at `data` into `out`. */
function settings(out: string, data: string, more: Partial<SweepSettings> = {}): SweepSettings {
  return {
    sweep: SWEEP,
    out,
    overrides: {},
    testLimit: null,
    model: FIXTURE,
    data,
    backend: "wasm",
    onBadImage: "fail",
    charts: true,
    featureCache: true,
    quiet: true,
    ...more,
  };
}

/** A tiny synthetic benchmark (its manifest names each abnormal image's finding): 4 + 6 test images. */
async function benchmark(dir: string, seed: number): Promise<string> {
  await writeBenchmark(dir, { seed, size: 128, trainNormal: 4, testNormal: 4, testAbnormal: 6, quiet: true });
  return dir;
}

/** Every file under `dir`, by path relative to it, with its bytes. */
async function snapshot(dir: string, prefix = ""): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for await (const e of Deno.readDir(join(dir, prefix))) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory) { for (const [k, v] of await snapshot(dir, rel)) files.set(k, v); }
    else files.set(rel, await Deno.readFile(join(dir, rel)));
  }
  return files;
}

function assertSameFiles(actual: Map<string, Uint8Array>, expected: Map<string, Uint8Array>, what: string): void {
  assertEquals([...actual.keys()].sort(), [...expected.keys()].sort(), `${what}: files`);
  for (const [k, v] of expected) assertEquals(actual.get(k), v, `${what}: ${k}`);
}

/** The shared outputs of a sweep folder: the per-finding table, test-set.json and every chart. */
function sharedOutputs(files: Map<string, Uint8Array>): Map<string, Uint8Array> {
  return new Map(
    [...files].filter(([k]) => k === "per_finding.csv" || k === "test-set.json" || k.startsWith("charts/")),
  );
}

/** Runs listed in a folder's `runs.csv` and `per_finding.csv`. */
async function runIds(out: string): Promise<{ runs: string[]; perFinding: string[] }> {
  const column0 = async (file: string) =>
    [...new Set((await Deno.readTextFile(join(out, file))).trim().split("\n").slice(1).map((l) => l.split(",")[0]))]
      .sort();
  return { runs: await column0("runs.csv"), perFinding: await column0("per_finding.csv") };
}

Deno.test({
  name: "sweep folder: a second partial sweep keeps the earlier runs in per_finding.csv, the charts and test-set.json",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "sweep_shared_" });
    try {
      const data = await benchmark(join(dir, "data"), 7);
      const out = join(dir, "out");
      // (The first sweep draws no charts, to keep the test short: the second's must cover its runs too.)
      const first = await executeSweep(settings(out, data, { variants: ["zeroshot", "coop"], charts: false }));
      assertEquals(first.records.length, 2);
      const second = await executeSweep(settings(out, data, { variants: ["ppad"] }));
      assertEquals(second.records.length, 2); // ppad with paper and with mean scoring
      // Every run of the folder, in per_finding.csv as in runs.csv: the first sweep's rows were kept.
      const ids = await runIds(out);
      assertEquals(ids.runs.length, 4);
      assertEquals(ids.perFinding, ids.runs);
      const perFinding = await Deno.readTextFile(join(out, "per_finding.csv"));
      for (const v of ["zeroshot", "coop", "ppad"]) assert(perFinding.includes(`,${v},`), `no ${v} in per_finding.csv`);
      const roc = await Deno.readTextFile(join(out, "charts", "roc.svg"));
      for (const v of ["zeroshot", "coop", "ppad"]) assert(roc.includes(v), `no ${v} curve in roc.svg`);

      // The shared outputs are exactly those of the whole sweep redrawn from the same runs in one go.
      const after = await snapshot(out);
      const whole = join(dir, "whole");
      for (const sub of ["runs", "scores", "trained", "prompts"]) {
        await Deno.mkdir(join(whole, sub), { recursive: true });
        for await (const e of Deno.readDir(join(out, sub))) {
          await Deno.copyFile(join(out, sub, e.name), join(whole, sub, e.name));
        }
      }
      const redrawn = await executeSweep(settings(whole, data));
      assertEquals([redrawn.reused, redrawn.computed], [4, 0]);
      assertSameFiles(sharedOutputs(after), sharedOutputs(await snapshot(whole)), "partial sweeps vs whole sweep");
      assert(after.has("charts/ablation-auroc.svg") && after.has("test-set.json"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "sweep folder: a sweep on another test set is refused before any work, the folder left byte-identical",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "sweep_shared_" });
    try {
      const data = await benchmark(join(dir, "data"), 7);
      const other = await benchmark(join(dir, "other"), 8);
      const out = join(dir, "out");
      await executeSweep(settings(out, data, { variants: ["zeroshot"] }));
      const before = await snapshot(out);
      const refused = async (more: Partial<SweepSettings>, ...parts: string[]) => {
        const err = await assertRejects(() => executeSweep(settings(out, data, more)), InputError, out);
        for (const p of [`Cannot sweep into ${out}: its 1 run was scored on another test set`, ...parts, "--out"]) {
          assert(err.message.includes(p), `${JSON.stringify(p)} not in ${err.message}`);
        }
        assert(!err.message.includes("\n"), err.message);
        assertSameFiles(await snapshot(out), before, `after ${JSON.stringify(more)}`);
      };
      // Another --test-limit, another data set: refused from the flags alone.
      await refused({ testLimit: 6, variants: ["zeroshot"] }, "the folder's: --test-limit all", "--test-limit 6");
      await refused(
        { data: other, variants: ["coop"] },
        `the folder's: data ${relative(PROJECT_ROOT, data)}`,
        `this sweep's: data ${relative(PROJECT_ROOT, other)}`,
      );
      // Other test images than the folder's runs were scored on (as another test-set seed would draw): refused once
      // the data is loaded, still before any run.
      const trainedFile = join(out, "trained", [...before.keys()].find((k) => k.startsWith("trained/"))!.slice(8));
      const trained = JSON.parse(await Deno.readTextFile(trainedFile)) as TrainedRecord;
      trained.ids = [...trained.ids].reverse();
      await Deno.writeTextFile(trainedFile, JSON.stringify(trained, null, 1) + "\n");
      const tampered = await snapshot(out);
      const err = await assertRejects(() => executeSweep(settings(out, data)), InputError, "other test images");
      assert(err.message.includes(`Cannot sweep into ${out}`) && err.message.includes("--out"), err.message);
      assertSameFiles(await snapshot(out), tampered, "after other test images");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** A finished run of `method` (canonical, as a sweep plans it) for the chart helpers (no files behind it). */
function record(id: string, method: Partial<MethodSpec>, questions: string[], auroc: number): RunRecord {
  const spec: RunSpec = {
    ...canonicalMethod({ ...SWEEP.base, ...method }),
    model: "m",
    modelHash: "h",
    data: "d",
    dataset: "synthetic-cxr",
    backend: "wasm",
    testLimit: null,
    seed: 0,
  };
  return {
    id,
    trainingId: id,
    spec,
    questions,
    metrics: { auroc },
    nTest: 10,
    positives: 6,
    seconds: 0,
    losses: [],
    finishedAt: "",
  };
}

Deno.test("sweep charts: runs off the sweep's base (another --steps) are labelled apart, not pooled as seeds", () => {
  const base = record("a", { variant: "ppad" }, ["prompts", "scoring"], 0.6);
  const more = record("b", { variant: "ppad", steps: 5 }, ["prompts", "scoring"], 0.8);
  const coop = record("c", { variant: "coop", steps: 5 }, ["prompts"], 0.7);
  const shape = { base: SWEEP.base, questions: SWEEP.questions, context: { modelHash: "h" } };
  assertEquals(offBase(base, shape, ["variant"]), "");
  assertEquals(offBase(more, shape, ["variant"]), "steps 5");
  assertEquals(offBase({ ...more, spec: { ...more.spec, modelHash: "g" } }, shape, []), "steps 5, model hash g");
  assertEquals(offBase(coop, shape, ["variant"]), "steps 5"); // not the regions coop ignores
  const levels = sweepLevels([base, more, coop], shape, "auroc").filter((l) => l.question === "prompts");
  assertEquals(
    levels.map((l) => [l.level, l.n, Math.round(l.mean), l.base]),
    [["ppad", 1, 60, true], ["coop (steps 5)", 1, 70, false], ["ppad (steps 5)", 1, 80, false]],
  );
});

Deno.test({
  name: "sweep folder: more shots than the train split holds is refused before the first run is written",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "sweep_shots_" });
    try {
      const data = await benchmark(join(dir, "data"), 7);
      const out = join(dir, "out");
      await assertRejects(
        () => executeSweep(settings(out, data, { overrides: { shots: 5 } })),
        InputError,
        "a run draws 5 shots and the train split",
      );
      const written = await Array.fromAsync(Deno.readDir(out)).catch(() => []);
      assertEquals(written.filter((e) => e.name !== ".ppad.lock").map((e) => e.name), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
