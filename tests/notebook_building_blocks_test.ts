/**
 * The building blocks the result notebooks call, each from its folder's public surface (`mod.ts`): display layout,
 * embedding similarity and its chart, text helpers, the region probe's masking, example picking, parameters from the
 * environment, the benchmark manifest, the ablation and paper-comparison reports, provenance, and synthesis measures.
 */
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "./assert.ts";
import { DISPLAY, renderPlot, showBullets, showGrid, showPng, showText, similarityChart } from "../lib/report/mod.ts";
import { cosineRows } from "../lib/encoders/mod.ts";
import { maskOutside } from "../lib/eval/mod.ts";
import { pickExamples, readBenchmarkManifest } from "../lib/data/mod.ts";
import { changeInside } from "../lib/synthesis/mod.ts";
import { compressRuns, envNumber, envPath, join, PROJECT_ROOT, truncate } from "../lib/util/mod.ts";
import {
  ablationBarRows,
  ablationDiscussion,
  ablationLevels,
  ablationTableRows,
  baseLevel,
  baseLevels,
  describeLevel,
  type LevelSummary,
} from "../lib/experiments/ablation_report.ts";
import { paperChart, paperPoints, sideBySideRows } from "../lib/experiments/paper_comparison_report.ts";
import { PAPER_DATASET_LABELS, paperTableRows } from "../lib/experiments/paper_numbers.ts";
import type { MeasuredSummary } from "../lib/experiments/paper_comparison.ts";
import { runProvenance } from "../lib/experiments/provenance.ts";
import { PAPER_METHOD, type Question, type RunSpec } from "../lib/experiments/config.ts";
import type { RunRecord } from "../lib/experiments/store.ts";

Deno.test("cosineRows gives every pair's cosine, row-major, and rejects mismatched input", () => {
  const rows = cosineRows(["a", "b", "c"], [[1, 0], [0, 2], [1, 1]]);
  assertEquals(rows.length, 9);
  assertEquals(rows.map((r) => `${r.a}${r.b}`).slice(0, 3), ["aa", "ab", "ac"]);
  assertAlmostEquals(rows[0].cosine, 1);
  assertAlmostEquals(rows[1].cosine, 0);
  assertAlmostEquals(rows[2].cosine, Math.SQRT1_2);
  assert(Number.isNaN(cosineRows(["z", "y"], [[0, 0], [1, 0]])[1].cosine), "a zero vector has no cosine");
  assertThrows(() => cosineRows(["a"], [[1], [2]]), RangeError, "1 labels for 2 feature rows");
  assertThrows(() => cosineRows(["a", "a"], [[1], [2]]), RangeError, "unique");
  assertThrows(() => cosineRows(["a", "b"], [[1], [2, 3]]), RangeError, "have 1 and 2 values");
});

Deno.test("similarityChart renders one cell and one label per pair, with shortened axis labels", () => {
  const long = "a very long sentence that would not fit on the axis at all";
  const rendered = renderPlot(similarityChart(cosineRows(["x", long], [[1, 0], [1, 1]]), { title: "t" }));
  assert(rendered.svg.startsWith("<svg"), "an SVG document");
  assertEquals((rendered.svg.match(/<rect/g) ?? []).length >= 4, true);
  assert(rendered.svg.includes("0.71"), "cell values are printed");
  assert(rendered.svg.includes(truncate(long, 32)) && !rendered.svg.includes(long), "long labels are cut");
});

Deno.test("truncate and compressRuns", () => {
  assertEquals(truncate("abcdef", 10), "abcdef");
  assertEquals(truncate("abcdef", 4), "abc…");
  assertEquals(compressRuns(["<s>", "x", "x", "x", "x", "a", "a", "</s>"]), "<s> x×4 a a </s>");
  assertEquals(compressRuns([]), "");
});

Deno.test("maskOutside keeps the region and fills the rest", () => {
  assertEquals(Array.from(maskOutside([0.25, 0.5, 0.75, 1], [1, 0, 1, 0], 0.5)), [0.25, 0.5, 0.75, 0.5]);
  assertThrows(() => maskOutside([1, 2], [1]), RangeError, "2 pixels with a mask of 1");
});

Deno.test("pickExamples takes preferred indices first, one per key, then the rest in order", () => {
  const labels = [1, 0, 1, 1, 1, 0, 1];
  const kind = ["a", "-", "a", "b", "c", "-", "b"];
  assertEquals(pickExamples(labels, 0, 5), [1, 5]);
  assertEquals(pickExamples(labels, 1, 3), [0, 2, 3]);
  assertEquals(pickExamples(labels, 1, 4, { key: (i) => kind[i] }), [0, 3, 4, 2]);
  assertEquals(pickExamples(labels, 1, 3, { prefer: (i) => kind[i] !== "a", key: (i) => kind[i] }), [3, 4, 6]);
  assertEquals(pickExamples(labels, 1, 0), []);
});

Deno.test("showGrid, showPng and showBullets produce escaped text/html", () => {
  const grid = showGrid([showText("<a>"), showText("b")], { columns: 2, caption: "c & d" })[DISPLAY]();
  assert(grid["text/html"].includes("repeat(2,"), "two columns");
  assert(grid["text/html"].includes("&lt;a&gt;") && grid["text/html"].includes("c &amp; d"), "escaped");
  assertThrows(() => showGrid([], { columns: 0 }), RangeError, "0 columns");
  const png = showPng(new Uint8Array([137, 80, 78, 71]), { caption: "x" })[DISPLAY]();
  assertEquals(png["image/png"], "iVBORw==");
  assert(png["text/html"].includes('src="data:image/png;base64,iVBORw=="'), "inline image");
  const list = showBullets(["one < two", "three"], { caption: "L" })[DISPLAY]();
  assertEquals((list["text/html"].match(/<li/g) ?? []).length, 2);
  assert(list["text/html"].includes("one &lt; two"), "escaped");
  assertEquals(list["text/plain"], "- one < two\n- three");
});

Deno.test("envPath and envNumber read parameters from the environment", () => {
  const name = "PPAD_TEST_NOTEBOOK_PARAM";
  try {
    Deno.env.delete(name);
    assertEquals(envPath(name), undefined);
    assertEquals(envNumber(name, 7), 7);
    Deno.env.set(name, "data/x");
    assertEquals(envPath(name), join(PROJECT_ROOT, "data/x"));
    Deno.env.set(name, "/abs/x");
    assertEquals(envPath(name), "/abs/x");
    Deno.env.set(name, "12");
    assertEquals(envNumber(name, 7), 12);
    Deno.env.set(name, "twelve");
    assertThrows(() => envNumber(name, 7), TypeError, "expected a number");
  } finally {
    Deno.env.delete(name);
  }
});

Deno.test("readBenchmarkManifest keeps bbox as text although the first 1,000 rows leave it empty", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ppad-manifest-" });
  try {
    assertEquals(await readBenchmarkManifest(dir), null);
    const rows = ["file,split,label,finding,side,zone,bbox,mask,report"];
    for (let i = 0; i < 1100; i++) rows.push(`train/n${i}.png,train,0,normal,none,none,,,"Clear."`);
    rows.push('test/a.png,test,1,nodule,left,upper,66 58 11 12,masks/a.png,"A nodule, 1 cm."');
    await Deno.writeTextFile(join(dir, "manifest.csv"), rows.join("\n") + "\n");
    const table = await readBenchmarkManifest(dir);
    const last = table!.objects().at(-1) as Record<string, unknown>;
    assertEquals(last.bbox, "66 58 11 12");
    assertEquals(last.mask, "masks/a.png");
    assertEquals(last.label, 1);
    assertEquals(last.report, "A nodule, 1 cm.");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ------------------------------------------------------------------------------------------------ ablation report

function run(id: string, spec: Partial<RunSpec>, questions: string[], auroc: number, lo = NaN, hi = NaN): RunRecord {
  return {
    id,
    trainingId: id,
    spec: {
      variant: "ppad",
      regions: "ppad5",
      synthesis: "sas",
      scoring: "paper",
      shots: 64,
      steps: 100,
      lr: 1e-3,
      momentum: 0.9,
      nCtx: 16,
      classWords: ["normal", "pneumonia"],
      model: "m",
      modelHash: "h",
      data: "d",
      dataset: "synthetic-cxr",
      backend: "wasm",
      testLimit: null,
      seed: 0,
      ...spec,
    } as RunSpec,
    questions,
    metrics: { auroc, auroc_lo: lo, auroc_hi: hi, ap: auroc },
    nTest: 100,
    positives: 60,
    seconds: 1,
    losses: [1, 0.5],
    finishedAt: `2026-01-01T00:00:0${id.length % 10}Z`,
  };
}

const QUESTIONS: Question[] = [
  { name: "prompts", title: "Prompts", vary: { variant: ["zeroshot", "coop", "ppad"] } },
  { name: "synthesis", title: "Synthesis", vary: { synthesis: ["sas", "fpi", "none"] } },
];

const RECORDS = [
  run("base", {}, ["prompts", "synthesis"], 0.9, 0.85, 0.95),
  run("zs", { variant: "zeroshot", synthesis: "none", shots: 0, steps: 0 }, ["prompts"], 0.7, 0.6, 0.8),
  run("coop", { variant: "coop", regions: "whole" }, ["prompts"], 0.88, 0.8, 0.93),
  run("fpi", { synthesis: "fpi" }, ["synthesis"], 0.8, 0.7, 0.9),
  run("none", { synthesis: "none" }, ["synthesis"], 0.8, 0.7, 0.88),
];

Deno.test("ablationLevels summarises each question × level in %, in the question's order, marking the base", () => {
  const levels = ablationLevels(RECORDS, QUESTIONS);
  assertEquals(levels.map((l) => `${l.question}:${l.level}`), [
    "prompts:zeroshot",
    "prompts:coop",
    "prompts:ppad",
    "synthesis:sas",
    "synthesis:fpi",
    "synthesis:none",
  ]);
  const base = levels.find((l) => l.level === "ppad")!;
  assertEquals([base.base, base.n], [true, 1]);
  assertAlmostEquals(base.mean, 90);
  assertAlmostEquals(base.lo, 85);
  assert(Number.isNaN(base.std), "one seed has no std");
  assertEquals(levels.filter((l) => l.base).map((l) => l.level), ["ppad", "sas"]);
  // two seeds: mean and sample std
  const two = ablationLevels([...RECORDS, run("base1", { seed: 1 }, ["prompts", "synthesis"], 0.8)], QUESTIONS);
  const b = two.find((l) => l.level === "ppad")!;
  assertEquals(b.n, 2);
  assertAlmostEquals(b.mean, 85);
  assertAlmostEquals(b.std, Math.sqrt(50));
  assertEquals(describeLevel(b), "85.0 ± 7.1 (2 seeds)");
  assertEquals(describeLevel(base), "90.0 (95% CI 85.0–95.0)");
});

Deno.test("ablationBarRows and ablationTableRows shape the levels for the chart and the table", () => {
  const auroc = ablationLevels(RECORDS, QUESTIONS);
  const bars = ablationBarRows(auroc);
  assertEquals(bars[0], { group: "Prompts", variant: "zeroshot", mean: 70, std: 0 });
  const table = ablationTableRows({ auroc, ap: ablationLevels(RECORDS, QUESTIONS, "ap") }, {
    labels: { auroc: "AUROC" },
  });
  assertEquals(table[2], { question: "Prompts", level: "ppad (base)", seeds: 1, AUROC: "90.0", ap: "90.0" });
});

Deno.test("ablationLevels with the sweep's base: the base levels come from the config; bars carry intervals", () => {
  const levels = ablationLevels(RECORDS, QUESTIONS, "auroc", { base: { ...PAPER_METHOD, synthesis: "fpi" } });
  assertEquals(baseLevels(levels), ["ppad", "fpi"]);
  assertEquals(baseLevels(ablationLevels(RECORDS, QUESTIONS)), ["ppad", "sas"]); // without a base: the records' rule
  // a one-question sweep has a base too (the records' rule needs two questions)
  assertEquals(baseLevels(ablationLevels(RECORDS, QUESTIONS.slice(0, 1), "auroc", { base: PAPER_METHOD })), ["ppad"]);
  assertEquals(baseLevels(ablationLevels(RECORDS, QUESTIONS.slice(0, 1))), []);
  // the base as its runs record it: a zero-shot base trains nothing, so its synthesis is none
  assertEquals(baseLevel(QUESTIONS[1], { ...PAPER_METHOD, variant: "zeroshot" }), "none");
  const bar = ablationBarRows(levels, { intervals: true })[0];
  assertEquals([bar.variant, bar.mean, bar.std], ["zeroshot", 70, 0]);
  assertAlmostEquals(bar.lo!, 60);
  assertAlmostEquals(bar.hi!, 80);
});

Deno.test("ablationDiscussion reads best, worst, spread and the base's band from the numbers", () => {
  const text = ablationDiscussion(ablationLevels(RECORDS, QUESTIONS), "AUROC");
  assertEquals(text.length, 3);
  assertEquals(
    text[0],
    "Prompts: ppad scores highest, AUROC 90.0 (95% CI 85.0–95.0); zeroshot scores lowest, 70.0 (95% CI 60.0–80.0) " +
      "(a spread of 20.0 points). Against the base (ppad, 95% bootstrap interval 85.0–95.0), below it: zeroshot; " +
      "within it: coop.",
  );
  assert(text[1].startsWith("Synthesis: sas scores highest"), text[1]);
  assert(text[1].includes("fpi and none score lowest"), text[1]);
  assert(text[1].includes("below it: fpi, none"), text[1]);
  assertEquals(text[2], 'Of the questions, "Prompts" moves AUROC the most (20.0 points).');
  const single: LevelSummary[] = [{ ...ablationLevels(RECORDS, QUESTIONS)[0] }];
  assertEquals(ablationDiscussion(single, "AUROC"), ["Prompts: only zeroshot was run, AUROC 70.0 (95% CI 60.0–80.0)."]);
});

// ------------------------------------------------------------------------------------------------ paper report

const MEASURED: MeasuredSummary[] = [
  { variant: "zeroshot", metric: "auroc", mean: 70, std: null, n: 1 },
  { variant: "ppad", metric: "auroc", mean: 90, std: 1, n: 3 },
];

Deno.test("paperTableRows flattens Table 1 with a column per data set and metric", () => {
  const rows = paperTableRows();
  const ppad = rows.find((r) => r.method === "PPAD")!;
  assertEquals(ppad["ZhangLab AUC"], "96.7 ± 0.4");
  assertEquals(ppad["VinDr-CXR AP"], "82.1 ± 1.1");
  assertEquals(rows.find((r) => r.method === "CoOp*")!["CheXpert ACC"], "80.4");
  assertEquals(rows.find((r) => r.method === "DDAD")!["ZhangLab ACC"], "–");
  assertEquals(Object.keys(ppad).length, 1 + 3 + 3 + 2);
});

Deno.test("sideBySideRows and paperPoints put measured values next to the paper's", () => {
  const rows = sideBySideRows(MEASURED, "synthetic-cxr", ["auroc"]);
  assertEquals(rows.map((r) => r.variant), ["zeroshot", "coop", "ppad"]);
  assertEquals(rows[2]["ZhangLab (paper)"], "96.7 ± 0.4");
  assertEquals(rows[2]["synthetic-cxr (measured)"], "90.0 ± 1.0");
  assertEquals(rows[1]["synthetic-cxr (measured)"], "not run");
  assertEquals([rows[0].runs, rows[1].runs, rows[2].runs], [1, 0, 3]);
  const points = paperPoints(MEASURED, "synthetic-cxr", "auroc");
  assertEquals(points.filter((p) => p.measured).map((p) => [p.method, p.value]), [["CheXzero zero-shot*", 70], [
    "PPAD",
    90,
  ]]);
  assertEquals(points.filter((p) => p.dataset === PAPER_DATASET_LABELS.vindr).length, 5);
  const svg = renderPlot(paperChart(points, { metric: "AUC", title: "t" })).svg;
  assert(svg.includes("synthetic-cxr (measured)"), "the legend names the measured data set");
});

Deno.test("runProvenance lists where the runs come from", () => {
  const p = runProvenance(RECORDS, "results/ablate");
  assertEquals(p.results, "results/ablate");
  assertEquals(p.variants, "ppad, zeroshot, coop");
  assertEquals(p.model_hash, "h");
  assertEquals(p.test_images, "100");
});

Deno.test("runProvenance never reads 'seeds 0' or 'shots 64, 0': seeds are counted, zero-shot said apart", () => {
  const p = runProvenance(RECORDS, "results/ablate");
  assertEquals(p.seeds, "1 seed (0)");
  assertEquals(p.shots, `${RECORDS[0].spec.shots} (zero-shot runs: none)`);
  assertEquals(p.steps, `${RECORDS[0].spec.steps} (zero-shot runs: none)`);
  const zs = runProvenance(RECORDS.filter((r) => r.spec.shots === 0), "x");
  assertEquals([zs.seeds, zs.shots], ["none (zero-shot only)", "none (zero-shot only)"]);
});

Deno.test("changeInside measures the area and the mean grey-level change inside a mask", () => {
  const c = changeInside([0, 0.5, 0.5, 1], [0, 0.75, 0.25, 1], [0, 1, 1, 0]);
  assertEquals(c.areaPercent, 50);
  assertAlmostEquals(c.meanChange, 0);
  assertAlmostEquals(changeInside([0, 0], [0.2, 0.4], [1, 1]).meanChange, 0.3 * 255);
  assertEquals(changeInside([0], [1], [0]), { areaPercent: 0, meanChange: 0 });
  assertThrows(() => changeInside([0], [0, 1], [0]), RangeError, "1 and 2 pixels");
});
