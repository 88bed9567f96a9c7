import { assertAlmostEquals, assertEquals, assertThrows } from "./assert.ts";
import { aggregateScore, aggregateScores } from "../lib/eval/score_rule.ts";

Deno.test("scoring: the paper's rule takes the max only when it exceeds 0.8, else the mean (hand-computed)", () => {
  // max 0.9 > 0.8 → 0.9.
  assertEquals(aggregateScore([0.9, 0.1, 0.2, 0.3, 0.5], "paper"), 0.9);
  // max exactly 0.8 is not above 0.8 → mean (0.8 + 0.2 + 0.5) / 3 = 0.5.
  assertAlmostEquals(aggregateScore([0.8, 0.2, 0.5], "paper"), 0.5, 1e-15);
  // all low → mean (0.1 + 0.3 + 0.2 + 0.6) / 4 = 0.3.
  assertAlmostEquals(aggregateScore([0.1, 0.3, 0.2, 0.6], "paper"), 0.3, 1e-15);
  // mean and max ignore the threshold.
  assertAlmostEquals(aggregateScore([0.9, 0.1, 0.2], "mean"), 0.4, 1e-15);
  assertEquals(aggregateScore([0.1, 0.3, 0.2], "max"), 0.3);
  // A custom threshold: 0.6 > 0.5 → 0.6.
  assertEquals(aggregateScore([0.6, 0.0], "paper", 0.5), 0.6);
  // One region: every rule is that probability.
  for (const s of ["paper", "mean", "max"] as const) assertEquals(aggregateScore([0.42], s), 0.42);
  // Per image.
  assertEquals(Array.from(aggregateScores([[0.9, 0.1], [0.2, 0.4]], "paper")).map((v) => +v.toFixed(12)), [0.9, 0.3]);
  assertThrows(() => aggregateScore([], "mean"), RangeError, "empty");
});
