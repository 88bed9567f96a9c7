import { assert, assertAlmostEquals, assertEquals, assertThrows } from "./assert.ts";
import {
  accuracyAt,
  auroc,
  averagePrecision,
  bootstrapCI,
  computeMetrics,
  confusionAt,
  f1At,
  f1Max,
  f1MaxWithThreshold,
  parseScoresCsv,
  prCurve,
  rocCurve,
} from "../lib/metrics/mod.ts";
import { splitCsvLine } from "../lib/util/csv.ts";
import { _percentile } from "../lib/metrics/bootstrap.ts";
import { InputError } from "../lib/util/errors.ts";
import { Rng } from "../lib/util/rng.ts";

// Case T (ties): labels [1,0,1,0,1,0], scores [0.9,0.9,0.5,0.5,0.5,0.1].
// Ascending mid-ranks: 0.1 → 1; the three 0.5s → ranks 2,3,4 → 3; the two 0.9s → ranks 5,6 → 5.5.
// Positive rank sum = 5.5 + 3 + 3 = 11.5; U = 11.5 − 3·4/2 = 5.5; AUROC = 5.5 / (3·3) = 0.6111…
// Pairwise check: 0.9 vs {0.9,0.5,0.1} = ½+1+1 = 2.5; each 0.5 vs {0.9,0.5,0.1} = 0+½+1 = 1.5 → 2.5+3 = 5.5. ✓
// Distinct thresholds (desc): 0.9 → TP1 FP1 (P ½, R ⅓); 0.5 → TP3 FP2 (P 0.6, R 1); 0.1 → TP3 FP3 (P ½, R 1).
// AP = ⅓·½ + ⅔·0.6 + 0·½ = 1/6 + 0.4 = 0.5666…
// At 0.5 with `score > 0.5`: predictions [1,1,0,0,0,0] → TP1 FP1 FN2 TN2: ACC 3/6, F1 = 2/(2+1+2) = 0.4.
// (With `>=` ACC would be 4/6: the test pins the strict rule.)
// F1 over PR points: (P1,R0) → 0, (½,⅓) → 0.4, (0.6,1) → 0.75, (½,1) → ⅔ → F1-max 0.75 at threshold 0.5.
const TY = [1, 0, 1, 0, 1, 0];
const TS = [0.9, 0.9, 0.5, 0.5, 0.5, 0.1];

Deno.test("auroc: hand-computed case with ties (mid-ranks)", () => {
  assertAlmostEquals(auroc(TY, TS), 5.5 / 9, 1e-12);
});

Deno.test("auroc: classic example, perfect, reversed, all tied", () => {
  // sklearn docs example: pairs (0.35 > 0.1 ✓, 0.35 < 0.4 ✗, 0.8 > both ✓✓) → 3/4.
  assertAlmostEquals(auroc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.75, 1e-12);
  assertEquals(auroc([0, 0, 1, 1], [1, 2, 3, 4]), 1);
  assertEquals(auroc([0, 0, 1, 1], [4, 3, 2, 1]), 0);
  assertEquals(auroc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]), 0.5);
});

Deno.test("auroc: equals brute-force pair counting on random scores with many ties", () => {
  const rng = new Rng(3);
  for (let trial = 0; trial < 20; trial++) {
    const n = 30 + trial;
    const y = Array.from({ length: n }, (_, i) => (i < 5 ? i % 2 : rng.bernoulli(0.4) ? 1 : 0));
    const s = Array.from({ length: n }, () => rng.int(0, 6) / 6); // 7 levels → many ties
    let wins = 0, pairs = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (y[i] === 1 && y[j] === 0) {
          pairs++;
          wins += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
        }
      }
    }
    assertAlmostEquals(auroc(y, s), wins / pairs, 1e-12);
    // The trapezoidal area under rocCurve is the same number.
    const { fpr, tpr } = rocCurve(y, s);
    let area = 0;
    for (let k = 1; k < fpr.length; k++) area += (fpr[k] - fpr[k - 1]) * (tpr[k] + tpr[k - 1]) / 2;
    assertAlmostEquals(area, wins / pairs, 1e-12);
  }
});

Deno.test("auroc: one class or bad input → RangeError", () => {
  assertThrows(() => auroc([0, 0, 0], [0.1, 0.2, 0.3]), RangeError, "only one class");
  assertThrows(() => auroc([1, 1], [0.1, 0.2]), RangeError, "only one class");
  assertThrows(() => auroc([0, 1], [0.1]), RangeError, "2 labels but 1 scores");
  assertThrows(() => auroc([0, 2], [0.1, 0.2]), RangeError, "must be 0 or 1");
  assertThrows(() => auroc([0, 1], [0.1, NaN]), RangeError, "not finite");
  assertThrows(() => auroc([], []), RangeError, "no samples");
});

Deno.test("averagePrecision: hand-computed cases with ties", () => {
  assertAlmostEquals(averagePrecision(TY, TS), 1 / 6 + 0.4, 1e-12);
  // sklearn docs example: desc 0.8(1) P1 R½; 0.4(0) P½ R½; 0.35(1) P⅔ R1; 0.1(0) → AP = ½·1 + ½·⅔ = 0.8333…
  assertAlmostEquals(averagePrecision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 5 / 6, 1e-12);
  // All tied: one threshold, P = ½, R 0 → 1: AP = ½ (not interpolated upwards).
  assertAlmostEquals(averagePrecision([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]), 0.5, 1e-12);
  // No negatives: AP = 1 (defined); no positives: error.
  assertEquals(averagePrecision([1, 1], [0.2, 0.7]), 1);
  assertThrows(() => averagePrecision([0, 0], [0.2, 0.7]), RangeError, "no positive");
});

Deno.test("accuracyAt / f1At use score > threshold; confusion counts", () => {
  assertEquals(confusionAt(TY, TS), { tp: 1, fp: 1, tn: 2, fn: 2 });
  assertAlmostEquals(accuracyAt(TY, TS), 0.5, 1e-12);
  assertAlmostEquals(f1At(TY, TS), 0.4, 1e-12);
  assertAlmostEquals(accuracyAt(TY, TS, 0.4), 4 / 6, 1e-12); // 0.5 > 0.4 now counts as abnormal
  assertEquals(f1At([0, 0, 1], [0.1, 0.2, 0.3], 0.9), 0); // no predicted positive, TP = 0 → 0
});

Deno.test("f1Max: best F1 over the PR curve with its threshold", () => {
  const r = f1MaxWithThreshold(TY, TS);
  assertAlmostEquals(r.f1, 0.75, 1e-12);
  assertEquals(r.threshold, 0.5);
  assertAlmostEquals(f1Max([0, 0, 1, 1], [1, 2, 3, 4]), 1, 1e-12);
});

Deno.test("rocCurve and prCurve points match sklearn's, with (0,0) and (R0,P1) first", () => {
  const roc = rocCurve(TY, TS);
  assertEquals(Array.from(roc.thresholds), [Infinity, 0.9, 0.5, 0.1]);
  assertEquals(Array.from(roc.fpr), [0, 1 / 3, 2 / 3, 1]);
  assertEquals(Array.from(roc.tpr), [0, 1 / 3, 1, 1]);
  const pr = prCurve(TY, TS);
  assertEquals(Array.from(pr.precision), [1, 0.5, 0.6, 0.5]);
  assertEquals(Array.from(pr.recall), [0, 1 / 3, 1, 1]);
  assertEquals(Array.from(pr.thresholds), [Infinity, 0.9, 0.5, 0.1]);
  assertThrows(() => rocCurve([1, 1], [0, 1]), RangeError, "only one class");
});

Deno.test("computeMetrics: record of all metrics; one class → error", () => {
  const m = computeMetrics(TY, TS);
  assertAlmostEquals(m.auroc, 5.5 / 9, 1e-12);
  assertAlmostEquals(m.ap, 1 / 6 + 0.4, 1e-12);
  assertAlmostEquals(m.acc, 0.5, 1e-12);
  assertAlmostEquals(m.f1, 0.4, 1e-12);
  assertAlmostEquals(m.f1max, 0.75, 1e-12);
  assertEquals([m.n, m.positives], [6, 3]);
  assertThrows(() => computeMetrics([0, 0], [0.1, 0.9]), RangeError, "only one class");
});

Deno.test("bootstrapCI: seeded, stratified, brackets the estimate, percentile interpolation", () => {
  assertEquals(_percentile(Float64Array.from([1, 2, 3, 4]), 0.5), 2.5);
  assertEquals(_percentile(Float64Array.from([1, 2, 3, 4]), 0), 1);
  const rng = new Rng(11);
  const y = Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const s = y.map((v) => v * 0.8 + rng.normal(0, 0.5));
  const a = bootstrapCI(y, s, auroc, { rng: new Rng(1), n: 300 });
  const b = bootstrapCI(y, s, auroc, { rng: new Rng(1), n: 300 });
  assertEquals(a, b);
  assert(a.lo < a.estimate && a.estimate < a.hi, JSON.stringify(a));
  assert(a.hi - a.lo > 0.02 && a.hi - a.lo < 0.3, JSON.stringify(a));
  // Stratified: every resample of a tiny set keeps both classes, so auroc never throws.
  const tiny = bootstrapCI([0, 1, 0], [0.1, 0.9, 0.3], auroc, { rng: new Rng(2), n: 50 });
  assertEquals([tiny.lo, tiny.hi], [1, 1]);
  assertThrows(() => bootstrapCI([0, 1], [0, 1], auroc, { rng: new Rng(1), n: 0 }), RangeError, "n must be");
});

Deno.test("parseScoresCsv: columns in any order, quotes, CRLF, line-numbered errors", () => {
  assertEquals(splitCsvLine('a,"b,c","d""e",'), ["a", "b,c", 'd"e', ""]);
  assertEquals(splitCsvLine('"open'), null);
  const t = parseScoresCsv('score,id,label,extra\r\n0.5,"x,1",1,q\r\n\r\n0.25,y,0,r\r\n', "s.csv");
  assertEquals(t.ids, ["x,1", "y"]);
  assertEquals(Array.from(t.labels), [1, 0]);
  assertEquals(Array.from(t.scores), [0.5, 0.25]);
  const bad = (text: string, msg: string) => assertThrows(() => parseScoresCsv(text, "scores.csv"), InputError, msg);
  bad("id,label\na,1\n", 'scores.csv:1: missing column "score"');
  bad("id,label,score\na,0,0.1\nb,2,0.3\n", 'scores.csv:3: label must be 0 or 1, got "2"');
  bad("id,label,score\na,0,0.1\nb,1,abc\n", 'scores.csv:3: score must be a finite number, got "abc"');
  bad("id,label,score\na,0,0.1\nb,1,Infinity\n", "scores.csv:3: score must be a finite number");
  bad("id,label,score\na,0,0.1\na,1,0.2\n", 'scores.csv:3: duplicate id "a" (first on line 2)');
  bad("id,label,score\na,0\n", "scores.csv:2: expected 3 fields");
  bad("id,label,score\n", "scores.csv: no data rows");
  bad("", "scores.csv:1: expected a header");
});
