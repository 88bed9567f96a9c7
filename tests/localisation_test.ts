import { assertAlmostEquals, assertEquals } from "./assert.ts";
import { describeSideCheck, regionMeansByClass, sideCheck } from "../lib/eval/mod.ts";

const NAMES = ["whole", "left", "right"];
// [images][regions]: image 0 normal; 1–3 abnormal with findings on the image left, right, left.
const PROBS = [[0.1, 0.2, 0.3], [0.9, 0.8, 0.4], [0.7, 0.6, 0.5], [0.8, 0.3, 0.9]];
const LABELS = [0, 1, 1, 1];
const SIDES = [undefined, "left", "right", "left"];

Deno.test("regionMeansByClass: images and mean probability of each region per class", () => {
  const rows = regionMeansByClass(LABELS, PROBS, NAMES);
  assertEquals(rows.map((r) => [r.class, r.images]), [["normal", 1], ["abnormal", 3]]);
  assertAlmostEquals(rows[0]["mean p(right)"] as number, 0.3);
  assertAlmostEquals(rows[1]["mean p(left)"] as number, (0.8 + 0.6 + 0.3) / 3);
});

Deno.test("sideCheck counts one-sided images whose more probable half is the finding's side", () => {
  const check = sideCheck(PROBS, NAMES, (i) => SIDES[i]);
  assertEquals(check, { hits: 1, total: 3 });
  assertEquals(
    describeSideCheck(check),
    "side check: the more probable lung half is the finding's side for 1 of 3 one-sided abnormal test images " +
      "(33.3 %; 50 % is chance)",
  );
  assertEquals(sideCheck(PROBS, ["whole", "a", "b"], (i) => SIDES[i]), null, "no left/right regions");
  assertEquals(sideCheck(PROBS, NAMES, () => "both"), null, "no one-sided image");
  assertEquals(
    describeSideCheck(null),
    "side check skipped: needs the left/right regions and the benchmark's manifest",
  );
});
