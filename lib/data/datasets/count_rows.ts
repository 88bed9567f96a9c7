/**
 * A data set's split counts as one flat table row (for listings of several data sets or layouts).
 * @module
 */
import type { Counts } from "./types.ts";

/** One data set's counts: `train normal`, `train abnormal`, `val` (both classes), `test normal`, `test abnormal`. */
export type CountsRow = {
  "train normal": number;
  "train abnormal": number;
  val: number;
  "test normal": number;
  "test abnormal": number;
};

/** The counts of a data set (`Dataset.counts()`) as one row. */
export function countsRow(counts: Counts): CountsRow {
  return {
    "train normal": counts.train.normal,
    "train abnormal": counts.train.abnormal,
    val: counts.val.normal + counts.val.abnormal,
    "test normal": counts.test.normal,
    "test abnormal": counts.test.abnormal,
  };
}

/** True when two count records agree on every split and class. */
export function sameCounts(a: Counts, b: Counts): boolean {
  return (["train", "val", "test"] as const).every((s) =>
    a[s].normal === b[s].normal && a[s].abnormal === b[s].abnormal
  );
}
