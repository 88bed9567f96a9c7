/**
 * `deno task reproduce`: the paper table as data (in process), and the CLI end to end on tiny fake data sets in every
 * layout with the tests' mini CLIP (spawned): counts, summary, outputs, resume, sharding + merge + `--report-only`,
 * and the one-line errors.
 */
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "./assert.ts";
import { type FakeDataset, makeFakeDataset } from "../testing/fake_datasets.ts";
import type { LayoutName } from "../lib/data/datasets/mod.ts";
import { PAPER_METHOD } from "../lib/experiments/config.ts";
import { mergeSweepResults } from "../lib/experiments/merge.ts";
import {
  compareWithPaper,
  comparisonCsv,
  comparisonMarkdown,
  measuredSummary,
  requireOneConfiguration,
} from "../lib/experiments/paper_comparison.ts";
import { PAPER_RESULTS, parseReproduceDataset } from "../lib/experiments/paper_numbers.ts";
import { readRunRecords, type RunRecord } from "../lib/experiments/store.ts";
import { InputError } from "../lib/util/errors.ts";
import { join, PROJECT_ROOT } from "../lib/util/path.ts";
import { Rng } from "../lib/util/rng.ts";
import { TEST_MODEL_PATH } from "../testing/test_model.ts";

/** The tests' mini CLIP in CheXzero's `.pt` format (`testing/test_model.ts`). */
const FIXTURE = TEST_MODEL_PATH;

const CLI = join(PROJECT_ROOT, "cli", "reproduce.ts");
/** Flags that make a run take seconds: one seed, 4 shots, 2 steps, no charts. */
const FAST = ["--model", FIXTURE, "--seeds", "1", "--shots", "4", "--steps", "2", "--no-charts", "--backend", "wasm"];

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function reproduce(args: string[]): Promise<CliResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", join(PROJECT_ROOT, "deno.json"), CLI, ...args],
    cwd: PROJECT_ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { PPAD_QUIET: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** The error line of a failed CLI: exactly one line starting with `error: `. */
function errorLine(r: CliResult): string {
  const lines = r.stderr.trim().split("\n").filter((l) => l.startsWith("error: "));
  assertEquals(lines.length, 1, r.stderr);
  return lines[0];
}

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ppad-reproduce-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function record(variant: "zeroshot" | "coop" | "ppad", seed: number, metrics: Record<string, number>): RunRecord {
  return {
    id: `${variant}${seed}`,
    trainingId: `t${variant}${seed}`,
    spec: {
      ...PAPER_METHOD,
      variant,
      seed,
      model: "m.pt",
      modelHash: "abc",
      data: "/d",
      dataset: "zhanglab",
      backend: "wasm",
      testLimit: null,
    },
    questions: ["main"],
    metrics,
    nTest: 10,
    positives: 5,
    seconds: 1,
    losses: [],
    finishedAt: "2024-01-01T00:00:00Z",
  };
}

Deno.test("paper table: the published numbers, as typed data", () => {
  const ppad = PAPER_RESULTS.find((p) => p.method === "PPAD")!;
  assertEquals(ppad.variant, "ppad");
  assertEquals(ppad.results.zhanglab, {
    acc: { mean: 89.4, std: 0.6 },
    auroc: { mean: 96.7, std: 0.4 },
    f1: { mean: 91.8, std: 0.5 },
  });
  assertEquals(ppad.results.chexpert?.auroc, { mean: 88.5, std: 0.9 });
  assertEquals(ppad.results.vindr, { auroc: { mean: 81.9, std: 0.9 }, ap: { mean: 82.1, std: 1.1 } });
  const zs = PAPER_RESULTS.find((p) => p.variant === "zeroshot")!;
  assertEquals([zs.results.zhanglab?.acc?.mean, zs.results.chexpert?.f1?.mean, zs.results.vindr?.ap?.mean], [
    83.0,
    79.7,
    78.4,
  ]);
  const coop = PAPER_RESULTS.find((p) => p.variant === "coop")!;
  assertEquals(
    [coop.results.zhanglab?.auroc?.mean, coop.results.chexpert?.acc?.mean, coop.results.vindr?.auroc?.mean],
    [
      94.6,
      80.4,
      79.9,
    ],
  );
  // Context rows are not run.
  for (const name of ["SQUID", "DDAD", "MaPLe"]) {
    assertEquals(PAPER_RESULTS.find((p) => p.method === name)?.variant, null);
  }
  assertEquals(parseReproduceDataset("vindr"), "vindr");
  assertThrows(() => parseReproduceDataset("mimic"), InputError, 'Cannot use --dataset "mimic"');
  assertThrows(() => parseReproduceDataset(undefined), InputError, "--dataset is required");
});

Deno.test("paper table: measured mean ± std in %, differences, CSV and Markdown", () => {
  const records = [
    record("ppad", 0, { auroc: 0.9, ap: 0.8, acc: 0.7, f1: 0.6, f1max: 0.65 }),
    record("ppad", 1, { auroc: 0.8, ap: 0.9, acc: 0.9, f1: 0.8, f1max: 0.85 }),
    record("zeroshot", 0, { auroc: 0.5, ap: 0.5, acc: 0.5, f1: 0.5, f1max: 0.5 }),
  ];
  const summary = measuredSummary(records);
  assertEquals(summary.map((s) => `${s.variant}/${s.metric}`).slice(0, 6), [
    "zeroshot/auroc",
    "zeroshot/ap",
    "zeroshot/acc",
    "zeroshot/f1",
    "zeroshot/f1max",
    "ppad/auroc",
  ]);
  const auc = summary.find((s) => s.variant === "ppad" && s.metric === "auroc")!;
  assertAlmostEquals(auc.mean, 85, 1e-9);
  assertAlmostEquals(auc.std!, Math.sqrt(50), 1e-9); // (90 − 85)² + (80 − 85)² over n − 1 = 1
  assertEquals(auc.n, 2);
  assertEquals(summary.find((s) => s.variant === "zeroshot")!.std, null);

  const rows = compareWithPaper("zhanglab", summary);
  // SQUID, zero-shot, CoOp, MaPLe, PPAD × ACC/AUC/F1
  assertEquals(rows.length, 15);
  const ppadAuc = rows.find((r) => r.variant === "ppad" && r.metric === "auroc")!;
  assertEquals([ppadAuc.paper_mean, ppadAuc.paper_std, ppadAuc.measured_n], [96.7, 0.4, 2]);
  assertAlmostEquals(ppadAuc.difference!, 85 - 96.7, 1e-9);
  const coopAcc = rows.find((r) => r.variant === "coop" && r.metric === "acc")!;
  assertEquals([coopAcc.measured_mean, coopAcc.difference, coopAcc.measured_n], [null, null, 0]);
  const squid = rows.filter((r) => r.method === "SQUID");
  assert(squid.every((r) => r.variant === null && r.measured_mean === null), JSON.stringify(squid));

  const vindr = compareWithPaper("vindr", summary);
  assertEquals([...new Set(vindr.map((r) => r.metric))], ["auroc", "ap"]);
  assert(vindr.some((r) => r.method === "DDAD") && !vindr.some((r) => r.method === "SQUID"));

  const rsna = compareWithPaper("rsna", summary);
  assert(rsna.length > 0 && rsna.every((r) => r.paper_mean === null && r.difference === null));
  const protocol = { dataset: "rsna", shots: 64, steps: 100, seeds: 2, testLimit: null, modelHash: "abc" };
  assert(comparisonMarkdown(rsna, protocol).includes("The paper reports no numbers for rsna"));

  const csv = comparisonCsv(rows).trim().split("\n");
  assertEquals(
    csv[0],
    "method,variant,metric,paper_mean,paper_std,measured_mean,measured_std,measured_n,difference,source",
  );
  assert(csv.includes("PPAD,ppad,auroc,96.70,0.40,85.00,7.07,2,-11.70,MICCAI 2024 Table 1"), csv.join("\n"));
  const md = comparisonMarkdown(rows, { ...protocol, dataset: "zhanglab", shots: 4 });
  assert(md.includes("| PPAD | AUC | 96.7 ± 0.4 | 85.0 ± 7.1 | 2 | -11.7 |"), md);
  assert(md.includes("4 shots (paper: 64)") && md.includes("MICCAI 2024 Table 1"), md);

  // Mixed configurations of one variant cannot be averaged.
  const mixed = [...records, { ...records[0], id: "x", spec: { ...records[0].spec, shots: 16, seed: 3 } }];
  assertThrows(() => requireOneConfiguration(mixed, "/out"), InputError, "mix 2 configurations");
  requireOneConfiguration(records, "/out");
});

Deno.test({
  name: "reproduce CLI: end to end on ZhangLab (SQUID layout) with a corrupt file and a DICOM; resume; errors",
  fn: () =>
    withTemp(async (dir) => {
      const fake = await makeFakeDataset(join(dir, "zl"), "zhanglab-squid", {
        normal: 3,
        abnormal: 3,
        trainNormal: 5,
        rng: new Rng(11),
        corrupt: true,
        dicom: true,
        size: 48,
      });
      const out = join(dir, "out");
      const args = ["--dataset", "zhanglab", "--data", fake.root, ...FAST, "--out", out, "--json"];
      const r = await reproduce([...args, "--on-bad-image", "skip"]);
      assertEquals(r.code, 0, r.stderr);
      const report = JSON.parse(r.stdout); // one object, nothing else on stdout
      assertEquals(report.counts, { train: { normal: 5 }, test: { normal: 3, abnormal: 3 } }); // corrupt one excluded
      assertEquals(report.skipped.map((s: { path: string }) => s.path), [fake.corruptPath]);
      assert(r.stderr.includes("the documented split has 234"), "count warning expected on stderr");
      assertEquals([...new Set(report.summary.map((s: { variant: string }) => s.variant))], [
        "zeroshot",
        "coop",
        "ppad",
      ]);
      for (const s of report.summary) {
        assert(["auroc", "ap", "acc", "f1", "f1max"].includes(s.metric), s.metric);
        assert(s.mean >= 0 && s.mean <= 100 && s.std === null && s.n === 1, JSON.stringify(s));
      }
      const ppadAuc = report.comparison.find((c: { variant: string; metric: string }) =>
        c.variant === "ppad" && c.metric === "auroc"
      );
      const measured = report.summary.find((s: { variant: string; metric: string }) =>
        s.variant === "ppad" && s.metric === "auroc"
      );
      assertEquals(ppadAuc.paper_mean, 96.7);
      assertAlmostEquals(ppadAuc.difference, measured.mean - 96.7, 1e-9);

      // Outputs: tidy runs, summary, comparison tables, and one prompts card per trained variant.
      for (const f of ["runs.csv", "summary.csv", "paper-vs-measured.csv", "paper-vs-measured.md", "reproduce.json"]) {
        assert((await Deno.stat(join(out, f))).size > 0, f);
      }
      const md = await Deno.readTextFile(join(out, "paper-vs-measured.md"));
      assert(md.includes("| PPAD | AUC | 96.7 ± 0.4 |") && md.includes("2 steps (paper: 100)"), md);
      const records = await readRunRecords(out);
      assertEquals(records.length, 3);
      const cards = [];
      for await (const e of Deno.readDir(join(out, "prompts"))) {
        if (!e.name.endsWith(".json")) continue;
        const card = JSON.parse(await Deno.readTextFile(join(out, "prompts", e.name)));
        // Named variant_regions_synthesis_seedN_<trainingId>.json: readable, the id last.
        assert(e.name.startsWith(`${card.spec.variant}_${card.spec.regions}_${card.spec.synthesis}_seed${card.seed}_`));
        cards.push({ ...card, trainingId: e.name.replace(/\.json$/, "").split("_").at(-1) });
      }
      assertEquals(cards.map((c) => c.spec.variant).sort(), ["coop", "ppad"]);
      for (const c of cards) {
        const rec = records.find((x) => x.trainingId === c.trainingId)!;
        assertEquals([c.dataset, c.shots, c.seed, c.modelHash], ["zhanglab", 4, 0, rec.spec.modelHash]);
        assertEquals(c.metrics.paper.auroc, rec.metrics.auroc);
        assertEquals(c.test, { n: 6, abnormal: 3 });
      }

      // Resume: the same command re-runs nothing and reports the same numbers.
      const again = await reproduce([...args, "--on-bad-image", "skip"]);
      assertEquals(again.code, 0, again.stderr);
      assertEquals(
        (await readRunRecords(out)).map((x) => x.finishedAt),
        records.map((x) => x.finishedAt),
      );
      assertEquals(JSON.parse(again.stdout).summary, report.summary);

      // Errors, each one line on stderr with exit code 2 and nothing on stdout.
      const [bad, missing, noModel] = await Promise.all([
        reproduce(args), // --on-bad-image fail is the default
        reproduce(["--dataset", "zhanglab", "--data", join(dir, "nope"), ...FAST, "--out", join(dir, "o2")]),
        reproduce(["--dataset", "chexpert", "--data", fake.root]),
      ]);
      assertEquals(bad.code, 2, bad.stderr);
      assert(errorLine(bad).includes(`Cannot decode ${fake.corruptPath}`), bad.stderr);
      assertEquals(bad.stdout, "");
      assertEquals(missing.code, 2, missing.stderr);
      assert(errorLine(missing).includes(`${join(dir, "nope")}: no such folder`), missing.stderr);
      assertEquals(noModel.code, 2, noModel.stderr);
      assert(errorLine(noModel).includes("--model is required"), noModel.stderr);
    }),
});

Deno.test({
  name: "reproduce CLI: every layout end to end (zero-shot), with the right counts and paper rows",
  fn: () =>
    withTemp(async (dir) => {
      const opts = { normal: 2, abnormal: 2, trainNormal: 4, size: 40 };
      const cases: { layout: LayoutName; dataset: string; sub: string; medadName?: "VinCXR" | "RSNA" }[] = [
        { layout: "zhanglab-kaggle", dataset: "zhanglab", sub: "kaggle" },
        { layout: "chexpert-squid", dataset: "chexpert", sub: "chexpert" },
        { layout: "medad", dataset: "vindr", sub: "medad", medadName: "VinCXR" },
        { layout: "medad", dataset: "rsna", sub: "medad", medadName: "RSNA" },
        { layout: "bmad-rsna", dataset: "rsna-bmad", sub: "bmad" },
      ];
      const fakes: FakeDataset[] = [];
      for (const [i, c] of cases.entries()) {
        fakes.push(
          await makeFakeDataset(join(dir, c.sub), c.layout, {
            ...opts,
            rng: new Rng(100 + i),
            medadName: c.medadName,
            dicom: i === 0,
          }),
        );
      }
      // Med-AD: point at the folder holding both VinCXR/ and RSNA/; --dataset picks one.
      const runs = cases.map((c, i) => () =>
        reproduce([
          "--dataset",
          c.dataset,
          "--data",
          c.layout === "medad" ? join(dir, "medad") : fakes[i].root,
          ...FAST,
          "--variants",
          "zeroshot",
          "--out",
          join(dir, `out-${i}`),
          "--json",
        ])
      );
      const results: CliResult[] = [];
      for (let i = 0; i < runs.length; i += 2) results.push(...await Promise.all(runs.slice(i, i + 2).map((f) => f())));
      for (const [i, c] of cases.entries()) {
        const r = results[i];
        assertEquals(r.code, 0, `${c.layout}/${c.dataset}: ${r.stderr}`);
        const report = JSON.parse(r.stdout);
        assertEquals(report.counts, {
          train: { normal: fakes[i].counts.train.normal },
          test: { normal: fakes[i].counts.test.normal, abnormal: fakes[i].counts.test.abnormal },
        }, c.dataset);
        assertEquals([...new Set(report.summary.map((s: { variant: string }) => s.variant))], ["zeroshot"]);
        const metrics = [...new Set(report.comparison.map((x: { metric: string }) => x.metric))];
        if (c.dataset === "vindr") assertEquals(metrics, ["auroc", "ap"]);
        else if (c.dataset.startsWith("rsna")) {
          assert(report.note.includes("no numbers"), report.note);
          assert(report.comparison.every((x: { paper_mean: unknown }) => x.paper_mean === null));
        } else assertEquals(metrics, ["acc", "auroc", "f1"]);
      }
    }),
});

Deno.test({
  name: "reproduce CLI: two shards, merged, then --report-only equals the unsharded run",
  fn: () =>
    withTemp(async (dir) => {
      const fake = await makeFakeDataset(join(dir, "cx"), "chexpert-squid", {
        normal: 2,
        abnormal: 2,
        trainNormal: 4,
        size: 40,
        rng: new Rng(21),
      });
      const base = ["--dataset", "chexpert", "--data", fake.root, ...FAST, "--json"];
      const [full, s0, s1] = await Promise.all([
        reproduce([...base, "--out", join(dir, "full")]),
        reproduce([...base, "--out", join(dir, "s0"), "--shard", "0/2"]),
      ]).then(async (two) => [...two, await reproduce([...base, "--out", join(dir, "s1"), "--shard", "1/2"])]);
      for (const r of [full, s0, s1]) assertEquals(r.code, 0, r.stderr);
      assert(s0.stderr.includes("--report-only"), "a shard says how to build the full table");
      const n0 = (await readRunRecords(join(dir, "s0"))).length, n1 = (await readRunRecords(join(dir, "s1"))).length;
      assertEquals(n0 + n1, 3);
      assertEquals(await mergeSweepResults([join(dir, "s0"), join(dir, "s1")], join(dir, "merged")), 3);
      const rep = await reproduce(["--dataset", "chexpert", "--out", join(dir, "merged"), "--report-only", "--json"]);
      assertEquals(rep.code, 0, rep.stderr);
      const merged = JSON.parse(rep.stdout), whole = JSON.parse(full.stdout);
      assertEquals(merged.summary, whole.summary); // same runs, same seeds: identical numbers
      assertEquals(merged.counts.test, whole.counts.test);
      assertEquals(merged.counts.train.normal, 4);
      assert(await Deno.stat(join(dir, "merged", "paper-vs-measured.md")).then(() => true));
      // an earlier reproduce.json that did not know the training pool takes it from the runs
      const saved = join(dir, "merged", "reproduce.json");
      const old = JSON.parse(await Deno.readTextFile(saved));
      await Deno.writeTextFile(saved, JSON.stringify({ ...old, counts: { ...old.counts, train: { normal: null } } }));
      const again = await reproduce(["--dataset", "chexpert", "--out", join(dir, "merged"), "--report-only", "--json"]);
      assertEquals(JSON.parse(again.stdout).counts.train.normal, 4);
      assert((await Deno.readTextFile(join(dir, "merged", "paper-vs-measured.md"))).includes("train normal pool 4,"));
      const none = await reproduce(["--dataset", "vindr", "--out", join(dir, "merged"), "--report-only"]);
      assertEquals(none.code, 2);
      assert(errorLine(none).includes("no finished vindr runs"), none.stderr);
    }),
});
