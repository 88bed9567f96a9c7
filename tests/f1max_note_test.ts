/** F1-max is shown with what it means: its threshold (metrics CLI), or that it equals the all-abnormal F1. */
import { assert, assertAlmostEquals, assertEquals } from "./assert.ts";
import { allAbnormalF1, f1MaxNote } from "../lib/experiments/paper_comparison.ts";
import { f1MaxNote as cliNote } from "../cli/metrics.ts";

Deno.test("F1-max note: at the all-abnormal floor it says so; otherwise it gives the floor", () => {
  const counts = { train: { normal: 1200 }, test: { normal: 234, abnormal: 390 } };
  assertAlmostEquals(allAbnormalF1(counts.test), 76.92, 0.01);
  const rows = [
    { method: "PPAD", metric: "f1max", measured_mean: 76.92 },
    { method: "CoOp", metric: "f1max", measured_mean: 80.1 },
    { method: "CoOp", metric: "auroc", measured_mean: 64.3 },
  ];
  const note = f1MaxNote(rows, counts)!;
  assert(note.includes("Calling every image abnormal already gives F1 = 76.9 %"), note);
  assert(note.includes("PPAD reaches exactly that") && !note.includes("CoOp reach"), note);
  assertEquals(f1MaxNote(rows.slice(2), counts), null);
});

Deno.test("metrics CLI: F1-max shows its threshold, and says when it calls everything abnormal", () => {
  assertEquals(cliNote([1, 0, 1], [0.9, 0.2, 0.6]), "at score ≥ 0.6");
  assertEquals(cliNote([1, 1, 0], [0.1, 0.3, 0.2]), "at score ≥ 0.1: every image called abnormal");
});
