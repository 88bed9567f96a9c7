import { assert, assertEquals } from "./assert.ts";
import { type Counts, countsRow, sameCounts } from "../lib/data/mod.ts";

const COUNTS: Counts = {
  train: { normal: 4, abnormal: 1 },
  val: { normal: 1, abnormal: 2 },
  test: { normal: 3, abnormal: 5 },
};

Deno.test("countsRow flattens a data set's counts into one row, val summed over classes", () => {
  assertEquals(countsRow(COUNTS), {
    "train normal": 4,
    "train abnormal": 1,
    val: 3,
    "test normal": 3,
    "test abnormal": 5,
  });
});

Deno.test("sameCounts compares every split and class, not the key order", () => {
  const reordered: Counts = { test: { abnormal: 5, normal: 3 }, val: COUNTS.val, train: COUNTS.train };
  assert(sameCounts(COUNTS, reordered));
  assert(!sameCounts(COUNTS, { ...COUNTS, val: { normal: 1, abnormal: 1 } }));
});
