/**
 * Renders every standard chart from fake tidy data, to look at them: `deno run -A testing/report_demo.ts [outDir]`
 * (default `/tmp/ppad-report-demo`). Prints the written paths.
 * @module
 */
import { Rng } from "../lib/util/rng.ts";
import { runMain } from "../lib/util/errors.ts";
import { join } from "../lib/util/path.ts";
import { writeFileAtomic } from "../lib/util/atomic.ts";
import { ablationBars, lossCurve, prCurves, rocCurves, scoreDistributions } from "../lib/report/charts.ts";
import { regionHeatmap, regionHeatmapSvg } from "../lib/report/heatmap.ts";
import { encodePng } from "../lib/data/png.ts";
import { saveChart, saveSvg } from "../lib/report/save.ts";
import { markdownTable, summarise, toTidy } from "../lib/report/tables.ts";

/** Fake scores: `n` normals and `n` abnormals per variant, abnormal shifted by `sep`. */
function fakeScores(rng: Rng, variants: Record<string, number>, n: number) {
  const rows: { variant: string; label: number; score: number }[] = [];
  const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
  for (const [variant, sep] of Object.entries(variants)) {
    for (let i = 0; i < n; i++) {
      rows.push({ variant, label: 0, score: sigmoid(rng.normal(-sep / 2, 1)) });
      rows.push({ variant, label: 1, score: sigmoid(rng.normal(sep / 2, 1)) });
    }
  }
  return rows;
}

/** ROC and PR points of scores/labels `[n]`, thresholds at every distinct score. */
function curves(scores: number[], labels: number[]) {
  const order = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const P = labels.filter((l) => l === 1).length;
  const N = labels.length - P;
  let tp = 0;
  let fp = 0;
  const fpr = [0];
  const tpr = [0];
  const recall: number[] = [];
  const precision: number[] = [];
  let auc = 0;
  let ap = 0;
  for (const i of order) {
    if (labels[i] === 1) tp++;
    else fp++;
    auc += labels[i] === 1 ? 0 : tp / P / N;
    if (labels[i] === 1) ap += tp / (tp + fp) / P;
    fpr.push(fp / N);
    tpr.push(tp / P);
    recall.push(tp / P);
    precision.push(tp / (tp + fp));
  }
  return { fpr, tpr, recall, precision, auc, ap };
}

/** A fake 224² chest X-ray: dark lung fields and a bright spine inside a bright body, on a dark background. */
function fakeXray(rng: Rng, size = 224): Float32Array {
  const img = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const ell = (cx: number, cy: number, rx: number, ry: number) => ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2;
      const body = 1 / (1 + Math.exp(8 * (ell(112, 130, 100, 130) - 1)));
      const lungs = 1 / (1 + Math.exp(10 * (ell(68, 105, 38, 72) - 1))) +
        1 / (1 + Math.exp(10 * (ell(156, 105, 38, 72) - 1)));
      const spine = Math.exp(-(((x - 112) / 10) ** 2));
      const v = 0.08 + 0.62 * body - 0.42 * lungs + 0.2 * spine * body + rng.normal(0, 0.015);
      img[y * size + x] = Math.min(1, Math.max(0, v));
    }
  }
  return img;
}

async function main(): Promise<void> {
  const out = Deno.args[0] ?? "/tmp/ppad-report-demo";
  const rng = new Rng(7);
  const written: string[] = [];
  const save = async (name: string, p: Promise<{ svgPath: string; pngPath: string }>) => {
    const r = await p;
    written.push(r.svgPath, r.pngPath);
    console.error(`wrote ${name}`);
  };

  // Ablation: 5 runs per variant → summarise → bars.
  const questions: Record<string, Record<string, number>> = {
    "Which prompts?": { "PPAD (text + image)": 96.7, "text prompts only": 94.9, "image prompts only": 93.1 },
    "Position guidance?": { "5 regions (PPAD)": 96.7, "whole image only": 95.0, "3×3 grid + whole": 96.1 },
    "Which synthesis?": { "SAS (PPAD)": 96.7, "FPI patches": 95.4, "none": 94.6 },
  };
  const runs = Object.entries(questions).flatMap(([group, vs]) =>
    Object.entries(vs).flatMap(([variant, m]) =>
      Array.from({ length: 5 }, (_, seed) => ({ group, variant, seed, auroc: m + rng.normal(0, 0.5) }))
    )
  );
  const summary = summarise(runs, ["group", "variant"], "auroc", { digits: 1 });
  console.log(markdownTable(summary, { digits: 2 }));
  const bars = summary.objects() as { group: string; variant: string; mean: number; std: number }[];
  await save(
    "ablation",
    saveChart(
      out,
      "ablation",
      ablationBars(bars, {
        metric: "AUROC (%)",
        title: "Ablations on the synthetic benchmark",
        subtitle: "mean ± std over 5 runs",
        domain: [85, 100],
        highlight: ["PPAD (text + image)", "5 regions (PPAD)", "SAS (PPAD)"],
      }),
    ),
  );

  const scores = fakeScores(rng, { "CheXzero zero-shot": 1.5, "CoOp": 2.5, "PPAD": 3.5 }, 200);
  const byVariant = Object.groupBy(scores, (r) => r.variant);
  const cs = Object.entries(byVariant).map(([variant, rs]) => ({
    variant,
    ...curves(rs!.map((r) => r.score), rs!.map((r) => r.label)),
  }));
  await save("roc", saveChart(out, "roc", rocCurves(cs, { title: "ROC, synthetic test set" })));
  await save(
    "pr",
    saveChart(out, "pr", prCurves(cs, { title: "Precision–recall, synthetic test set", prevalence: 0.5 })),
  );
  await save(
    "scores",
    saveChart(out, "scores", scoreDistributions(scores, { title: "Anomaly score by class", threshold: 0.5 })),
  );

  const loss = Array.from({ length: 3 }, (_, r) => {
    let l = 0.75 + rng.normal(0, 0.02);
    return Array.from({ length: 100 }, (_, step) => {
      l = Math.max(0.05, l * 0.975 + rng.normal(0, 0.01));
      return { step, loss: l + Math.abs(rng.normal(0, 0.04)), run: `seed ${r}` };
    });
  }).flat();
  await save("loss", saveChart(out, "loss", lossCurve(loss, { title: "Prompt training loss", smooth: 8 })));

  const size = 224;
  const mask = (f: (x: number, y: number) => boolean) => {
    const m = new Uint8Array(size * size);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) m[y * size + x] = f(x, y) ? 1 : 0;
    return m;
  };
  const regions = [
    { name: "left lung", mask: mask((x) => x < 112) },
    { name: "right lung", mask: mask((x) => x >= 112) },
    { name: "upper lung", mask: mask((_, y) => y < 120) },
    { name: "lower lung", mask: mask((_, y) => y >= 120) },
    { name: "", mask: mask(() => true) },
  ];
  const xray = fakeXray(rng);
  const probs = [0.31, 0.88, 0.42, 0.67, 0.55];
  const raster = regionHeatmap(xray, probs, regions);
  const rasterPath = join(out, "heatmap-raw.png");
  await writeFileAtomic(rasterPath, encodePng(raster));
  written.push(rasterPath);
  await save(
    "heatmap",
    saveSvg(out, "heatmap", regionHeatmapSvg(xray, probs, regions, { title: "Region probabilities (fake)" })),
  );
  const tidy = toTidy([{ run: 1, metrics: { auroc: 0.95, ap: 0.93 } }, { run: 2, metrics: { auroc: 0.96 } }]);
  console.log(markdownTable(tidy));
  console.log(written.join("\n"));
}

if (import.meta.main) runMain(main);
