import { assertEquals, assertThrows } from "./assert.ts";
import { curvesAgainstBand, judgeCandidates, verdictTable } from "../lib/experiments/mod.ts";
import type { ZeroShotPoint } from "../lib/report/mod.ts";
import { InputError } from "../lib/util/mod.ts";

const HELD = "held-out real (chooses)", SYN = "synthetic benchmark (chooses)", ZL = "zhanglab-224 (reported only)";
/** One backbone's points: held-out, synthetic and (never read by the rule) ZhangLab AUROC in percent. */
function backbone(model: string, held: number, syn: number, zl = 70): ZeroShotPoint[] {
  return [{ model, role: HELD, auroc: held }, { model, role: SYN, auroc: syn }, { model, role: ZL, auroc: zl }];
}
// The default recipe at 1,200 steps over three seeds, as measured: held-out 85.6–87.4, synthetic 55.6–64.0.
const SEEDS = [
  ...backbone("real-1200", 87.4, 57.5),
  ...backbone("real-1200-seed2", 85.6, 55.6),
  ...backbone("real-1200-seed3", 86.9, 64.0),
];

Deno.test("judgeCandidates: above the seed range on one choosing set and not below on the other is better", () => {
  const points = [
    ...SEEDS,
    ...backbone("longer", 88.0, 55.8, 40), // above, inside: better, whatever ZhangLab says
    ...backbone("inside", 86.8, 55.7), // inside both: not better
    ...backbone("trade", 88.5, 42.1, 99), // above one, below the other: not better
    ...backbone("worse", 81.8, 55.1), // below both
    ...backbone("synthetic-only", 87.0, 64.5), // inside, above: better
  ];
  const verdicts = judgeCandidates(points, "real-1200", ["longer", "inside", "trade", "worse", "synthetic-only"]);
  assertEquals(verdicts.map((v) => [v.candidate, v.sets.map((s) => s.position), v.better]), [
    ["longer", ["above", "inside"], true],
    ["inside", ["inside", "inside"], false],
    ["trade", ["above", "below"], false],
    ["worse", ["below", "below"], false],
    ["synthetic-only", ["inside", "above"], true],
  ]);
  assertEquals(verdicts[0].baselineRuns, 3);
  assertEquals([verdicts[0].sets[0].lo, verdicts[0].sets[0].hi], [85.6, 87.4]);
  assertEquals(verdictTable(verdicts.slice(0, 1)), [{
    candidate: "longer",
    "baseline (seeds)": "real-1200 (3)",
    "held-out real": "88.0 (above 85.6–87.4)",
    "synthetic benchmark": "55.8 (inside 55.6–64.0)",
    verdict: "better",
  }]);
});

Deno.test("judgeCandidates: a missing baseline, choosing set or candidate, or a seed judged against itself, is refused", () => {
  assertThrows(() => judgeCandidates(SEEDS, "absent", ["real-1200"]), InputError, "no backbone of the baseline");
  assertThrows(() => judgeCandidates(SEEDS, "real-1200", ["real-1200-seed2"]), InputError, "is a seed of");
  assertThrows(() => judgeCandidates(SEEDS, "real-1200", ["absent"]), InputError, "absent has no held-out");
  const noSynthetic = SEEDS.filter((p) => !(p.model === "real-1200-seed3" && p.role === SYN));
  assertThrows(() => judgeCandidates(noSynthetic, "real-1200", []), InputError, "has no synthetic benchmark");
});

Deno.test("curvesAgainstBand: each run's checks below, inside and above the band runs' range, at the steps all have", () => {
  const curve = (run: string, values: number[]) => values.map((loss, i) => ({ step: 100 * (i + 1), loss, run }));
  const rows = [
    ...curve("seed-1", [70, 80, 85, 86]),
    ...curve("seed-2", [72, 78, 84]), // no check at step 400: that step has no range
    ...curve("deeper", [69, 79, 85, 99]),
    ...curve("wider", [72.5, 80.1, 83.9]),
  ];
  assertEquals(curvesAgainstBand(rows, ["seed-1", "seed-2"]), [
    { run: "deeper", checks: 3, below: 1, inside: 2, above: 0 }, // 69 < 70; the range's ends are inside
    { run: "wider", checks: 3, below: 1, inside: 0, above: 2 },
  ]);
  assertThrows(() => curvesAgainstBand(rows, ["seed-1", "absent"]), InputError, "1 of the band's runs");
});
