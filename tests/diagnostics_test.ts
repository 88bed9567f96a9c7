import { assert, assertAlmostEquals, assertEquals } from "./assert.ts";
import { diagnosticValues, regionAurocs, relativeShift, ruleFiredFraction } from "../lib/eval/diagnostics.ts";
import { diagnosticRows, type RunRecord } from "../lib/experiments/store.ts";
import { PAPER_METHOD } from "../lib/experiments/config.ts";
import { diagnosticsByConfig, diagnosticsDiscussion, percent } from "../lib/experiments/diagnostics_report.ts";

/** A run spec with the paper's method (seed 0) in a placeholder context. */
const SPEC = {
  ...PAPER_METHOD,
  seed: 0,
  model: "m",
  modelHash: "h",
  data: "d",
  dataset: "x",
  backend: "cpu",
  testLimit: null,
};

Deno.test("diagnostics: relative shift is ‖after − before‖ / ‖before‖ (hand-computed)", () => {
  // before (3, 4): norm 5; after (3, 7): difference (0, 3), norm 3 → 0.6
  assertAlmostEquals(relativeShift([3, 4], [3, 7]), 0.6, 1e-12);
  assertEquals(relativeShift([1, 2], [1, 2]), 0);
  assertEquals(relativeShift([0, 0], [0, 0]), 0);
});

Deno.test("diagnostics: region AUROCs score each branch alone; the 0.8 rule's firing rate", () => {
  const labels = [0, 0, 1, 1];
  // region a separates perfectly; region b is reversed
  const probs = [[0.1, 0.9], [0.2, 0.85], [0.7, 0.3], [0.95, 0.2]];
  const a = regionAurocs(labels, probs, ["a", "b"]);
  assertEquals(a, { a: 1, b: 0 });
  // max > 0.8 for images 0 (0.9), 1 (0.85), 3 (0.95): 3 of 4
  assertEquals(ruleFiredFraction(probs), 0.75);
  assertEquals(ruleFiredFraction([[0.8, 0.8]]), 0); // strictly above the threshold
});

Deno.test("diagnostics: flat values and tidy rows (one set per training id)", () => {
  const labels = [0, 1];
  const probs = [[0.2, 0.4], [0.6, 0.3]];
  const values = diagnosticValues(
    { contextShift: 0.5, imagePromptShift: null, syntheticAuroc: 0.7, syntheticBce: 0.65, logitScale: 50 },
    labels,
    probs,
    ["left", "whole"],
  );
  assertEquals(values, {
    context_shift: 0.5,
    synthetic_auroc: 0.7,
    synthetic_bce: 0.65,
    logit_scale: 50,
    rule_fired: 0,
    "region_auroc:left": 1,
    "region_auroc:whole": 0,
  });
  const rec = (id: string, scoring: "paper" | "max"): RunRecord => ({
    id,
    trainingId: "t1",
    spec: { ...SPEC, scoring },
    questions: [],
    metrics: {},
    nTest: 2,
    positives: 1,
    seconds: 0,
    losses: [],
    diagnostics: values,
    finishedAt: "",
  });
  const rows = diagnosticRows([rec("r1", "paper"), rec("r2", "max")]);
  assertEquals(rows.length, Object.keys(values).length);
  assert(rows.every((r) => r.id === "t1" && r.sides === "image" && r.variant === "ppad"));
});

Deno.test("diagnostics report: mean over seeds per configuration, and sentences that read the numbers", () => {
  const rec = (seed: number, synthetic: number, auroc: number): RunRecord => ({
    id: `r${seed}`,
    trainingId: `t${seed}`,
    spec: { ...SPEC, seed },
    questions: [],
    metrics: { auroc },
    nTest: 2,
    positives: 1,
    seconds: 0,
    losses: [],
    diagnostics: {
      synthetic_auroc: synthetic,
      synthetic_bce: 0.8,
      context_shift: 0.5,
      image_prompt_shift: 0.0005,
      rule_fired: 0,
      "region_auroc:left": 0.4,
      "region_auroc:whole": 0.7,
    },
    finishedAt: "",
  });
  const rows = diagnosticsByConfig([rec(0, 0.5, 0.6), rec(1, 0.54, 0.62)]);
  assertEquals(rows.length, 1);
  assertEquals(rows[0].seeds, 2);
  assertAlmostEquals(rows[0].values.synthetic_auroc, 0.52, 1e-12);
  assertAlmostEquals(rows[0].testAuroc, 61, 1e-9);
  const text = diagnosticsDiscussion(rows).join(" ");
  assert(text.includes("AUROC 52.0") && text.includes("did not learn"), text);
  assert(text.includes("image prompts 0.050 %"), text);
  assert(text.includes("best single region branch is whole (AUROC 70.0)") && text.includes("9.0 points below"), text);
  assert(text.includes("never fired"), text);
  assertEquals(percent(0.0005), "0.050");
  assertEquals(percent(0.5), "50.0");
});
