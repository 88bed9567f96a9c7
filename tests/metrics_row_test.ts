import { assert, assertEquals } from "./assert.ts";
import { auroc, bootstrapCI, computeMetrics } from "../lib/metrics/mod.ts";
import { metricsRow } from "../lib/report/mod.ts";
import { Rng } from "../lib/util/mod.ts";

const LABELS = [0, 0, 0, 1, 1, 1, 0, 1];
const SCORES = [0.1, 0.4, 0.35, 0.8, 0.7, 0.3, 0.6, 0.9];

Deno.test("metricsRow: AUROC with its seeded bootstrap interval, AP, ACC and F1 at 0.5, F1-max, in %", () => {
  const row = metricsRow(LABELS, SCORES, { resamples: 200 });
  const m = computeMetrics(LABELS, SCORES);
  const ci = bootstrapCI(LABELS, SCORES, auroc, { rng: new Rng(0), n: 200 });
  const pct = (x: number) => (100 * x).toFixed(1);
  assertEquals(row, {
    "AUROC (%)": `${pct(m.auroc)} [${pct(ci.lo)}, ${pct(ci.hi)}]`,
    "AP (%)": pct(m.ap),
    "ACC@0.5 (%)": pct(m.acc),
    "F1@0.5 (%)": pct(m.f1),
    "F1-max (%)": pct(m.f1max),
  });
});

Deno.test("metricsRow: counts first and an AP interval when asked", () => {
  const row = metricsRow(LABELS, SCORES, { resamples: 100, apInterval: true, counts: true });
  assertEquals(Object.keys(row).slice(0, 3), ["test images", "abnormal", "AUROC (%)"]);
  assertEquals([row["test images"], row.abnormal], [8, 4]);
  assert(/^\d+\.\d \[\d+\.\d, \d+\.\d\]$/.test(String(row["AP (%)"])), String(row["AP (%)"]));
});
