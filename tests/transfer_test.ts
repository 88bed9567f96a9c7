import { assert, assertAlmostEquals, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import {
  backboneTransferPoints,
  spearman,
  stepsFromName,
  transferChart,
  transferCorrelations,
  type TransferPoint,
  transferTable,
  type YardstickRow,
  yardstickTransferPoints,
} from "../lib/experiments/mod.ts";
import { readCsvTable, renderPlot } from "../lib/report/mod.ts";
import { InputError, join, Rng } from "../lib/util/mod.ts";
import { main } from "../cli/transfer.ts";

Deno.test("spearman: Pearson's correlation of average ranks; NaN below 3 pairs or for a constant side", () => {
  assertAlmostEquals(spearman([1, 2, 3, 4], [10, 20, 30, 400]), 1, 1e-12);
  assertAlmostEquals(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1, 1e-12);
  // Ties share their average rank: x ranks [1, 2.5, 2.5], y ranks [3, 1, 2] → −1.5 / √3 (scipy.stats.spearmanr).
  assertAlmostEquals(spearman([1, 2, 2], [3, 1, 2]), -Math.sqrt(3) / 2, 1e-12);
  assertAlmostEquals(spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]), 0.8, 1e-12);
  assert(Number.isNaN(spearman([1, 2], [1, 2])));
  assert(Number.isNaN(spearman([1, 1, 1], [1, 2, 3])));
  assertThrows(() => spearman([1, 2, 3], [1, 2]), RangeError, "3 values with 2");
});

Deno.test("backboneTransferPoints: backbones with both sets, recipe without -seedN, family from the length", () => {
  const points = [
    { model: "real-1200", role: "held-out real (chooses)", auroc: 87 },
    { model: "real-1200", role: "zhanglab-224 (reported only)", auroc: 72 },
    { model: "real-1200-seed2", role: "held-out real (chooses)", auroc: 85 },
    { model: "real-1200-seed2", role: "zhanglab-224 (reported only)", auroc: 71 },
    { model: "default", role: "held-out real (chooses)", auroc: 91 },
    { model: "default", role: "zhanglab-224 (reported only)", auroc: 64 },
    { model: "synthetic", role: "held-out real (chooses)", auroc: 69 },
    { model: "synthetic", role: "zhanglab-224 (reported only)", auroc: 66 },
    { model: "no-zhanglab-500", role: "held-out real (chooses)", auroc: 80 },
    { model: "probe-500", role: "held-out real (chooses)", auroc: 80, series: "class means" },
    { model: "probe-500", role: "zhanglab-224 (reported only)", auroc: 70, series: "class means" },
  ];
  const got = backboneTransferPoints(points, (recipe) => stepsFromName(recipe, { default: 3000 }));
  assertEquals(got.map((p) => [p.run, p.recipe, p.family, p.heldOut, p.zhangLab]), [
    ["real-1200", "real-1200", "CLIP · 1200 steps", 87, 72],
    ["real-1200-seed2", "real-1200", "CLIP · 1200 steps", 85, 71],
    ["default", "default", "CLIP · 3000 steps", 91, 64],
  ]);
  assert(got.every((p) => p.kind === "CLIP" && !p.averaged));
  assertEquals(stepsFromName("prompts-real100-500"), 500);
  assertEquals(stepsFromName("synthetic"), undefined);
  assertEquals(stepsFromName("constructor", {}), undefined);
  assertEquals(stepsFromName("default", { default: NaN }), undefined);
});

/** Yardstick rows of one network: per seed, `[held-out, ZhangLab]` after each epoch. */
function yardstick(network: string, perSeed: Record<number, [number, number][]>): YardstickRow[] {
  return Object.entries(perSeed).flatMap(([seed, epochs]) =>
    epochs.flatMap(([held, zhang], i) =>
      [
        {
          recipe: "r",
          network,
          epochs: epochs.length,
          seed: Number(seed),
          epoch: i + 1,
          set: "held-out real",
          auroc: held,
        },
        {
          recipe: "r",
          network,
          epochs: epochs.length,
          seed: Number(seed),
          epoch: i + 1,
          set: "ZhangLab test (reported only)",
          auroc: zhang,
        },
      ] as YardstickRow[]
    )
  );
}

Deno.test("yardstickTransferPoints: each run after its last epoch; averages of weights are one family, marked", () => {
  const rows = [
    ...yardstick("ViT", { 1: [[70, 60], [80, 75]], 2: [[72, 50], [84, 65]] }),
    ...yardstick("ViT, weights EMA 0.99", { 1: [[71, 61], [79, 74]] }),
    ...yardstick("ViT, weights tail average after epoch 1", { 1: [[78, 73], [78, 73]] }),
  ];
  assertEquals(
    yardstickTransferPoints(rows).map((p) => [p.run, p.recipe, p.family, p.averaged, p.heldOut, p.zhangLab]),
    [
      ["ViT · 2 epochs / seed 1", "ViT · 2 epochs", "ViT · 2 epochs", false, 80, 75],
      ["ViT · 2 epochs / seed 2", "ViT · 2 epochs", "ViT · 2 epochs", false, 84, 65],
      [
        "ViT, weights EMA 0.99 · 2 epochs / seed 1",
        "ViT, weights EMA 0.99 · 2 epochs",
        "ViT, averaged weights · 2 epochs",
        true,
        79,
        74,
      ],
      [
        "ViT, weights tail average after epoch 1 · 2 epochs / seed 1",
        "ViT, weights tail average after epoch 1 · 2 epochs",
        "ViT, averaged weights · 2 epochs",
        true,
        78,
        73,
      ],
    ],
  );
});

/** A transfer point of a recipe's seed. */
const point = (recipe: string, seed: number, heldOut: number, zhangLab: number, averaged = false): TransferPoint => ({
  run: `${recipe}/${seed}`,
  recipe,
  family: recipe,
  kind: recipe.startsWith("clip") ? "CLIP" : "classifier",
  averaged,
  heldOut,
  zhangLab,
});

// Three recipes whose means fall on ZhangLab as they rise on the held-out slice, while within each recipe the seeds
// rise together; an average of weights that would reverse both if it counted.
const POINTS = [
  point("a", 1, 70, 79),
  point("a", 2, 72, 81),
  point("a", 3, 74, 83),
  point("b", 1, 80, 69),
  point("b", 2, 82, 71),
  point("c", 1, 90, 60),
  point("c", 2, 92, 62),
  point("c", 3, 94, 64),
  point("clip-x", 1, 60, 50),
  point("clip-y", 1, 70, 45),
  point("clip-z", 1, 80, 40),
  point("a, avg", 1, 99, 99, true),
  point("a, avg", 2, 50, 99.5, true),
];

Deno.test("transferCorrelations: across recipes from their means, within from seeds' deviations; averages left out", () => {
  const got = transferCorrelations(POINTS, new Rng(7), 200);
  assertEquals(got.map((c) => [c.networks, c.comparison, c.n]), [
    ["CLIP", "across recipes", 3],
    ["classifier", "across recipes", 3],
    ["classifier", "within recipes", 8],
    ["every network", "across recipes", 6],
    ["every network", "within recipes", 8],
  ]);
  for (const c of got.slice(0, 2)) assertAlmostEquals(c.spearman, -1, 1e-12);
  // Every network across recipes: the six recipes' means.
  const means = [[72, 81], [81, 70], [92, 62], [60, 50], [70, 45], [80, 40]];
  assertAlmostEquals(got[3].spearman, spearman(means.map((m) => m[0]), means.map((m) => m[1])), 1e-12);
  for (const c of got.filter((c) => c.comparison === "within recipes")) assertAlmostEquals(c.spearman, 1, 1e-12);
  for (const c of got) assert(c.lo <= c.spearman + 1e-12 && c.spearman <= c.hi + 1e-12, JSON.stringify(c));
  // The same seed draws the same intervals; another seed may not.
  assertEquals(transferCorrelations(POINTS, new Rng(7), 200), got);
});

Deno.test("transferCorrelations: the within-recipe interval resamples whole recipes, never single seeds", () => {
  // Two recipes of two seeds: deviations (±1, ±3) and (±3, ±1), ρ = 0.6 over the four. A resample of recipes holds
  // a, b (ρ 0.6), a twice or b twice (ρ 1): the interval is [0.6, 1]. Resampling seeds one by one could draw
  // (1, 3), (3, 1), (−3, −1), whose ρ is 0.5.
  const points = [
    point("a", 1, 71, 83),
    point("a", 2, 69, 77),
    point("b", 1, 83, 71),
    point("b", 2, 77, 69),
  ];
  const [within] = transferCorrelations(points, new Rng(3), 400).filter((c) => c.comparison === "within recipes");
  assertAlmostEquals(within.spearman, 0.6, 1e-12);
  assertAlmostEquals(within.lo, 0.6, 1e-12);
  assertAlmostEquals(within.hi, 1, 1e-12);
});

Deno.test("transferTable: one row per run and set", () => {
  const table = transferTable(POINTS.slice(0, 2));
  assertEquals(table.columnNames(), ["run", "recipe", "family", "kind", "set", "auroc"]);
  assertEquals(table.numRows(), 4);
  assertEquals(table.objects()[1], {
    run: "a/1",
    recipe: "a",
    family: "a",
    kind: "classifier",
    set: "ZhangLab test (reported only)",
    auroc: 79,
  });
});

Deno.test("transferChart: a dot per run, a line per recipe of ≥ 3 seeds, the goal and labels; CLIP families first", () => {
  const svg = renderPlot(transferChart(POINTS, { goal: 85, labels: [["c/2", "a label"]] })).svg;
  for (const text of ["goal 85", "a label", "held-out real AUROC", "ZhangLab test AUROC"]) {
    assert(svg.includes(text), `missing ${text}`);
  }
  // Legend: the CLIP families, then plain classifiers by mean held-out AUROC, then variants.
  const legend = ["clip-x", "clip-y", "clip-z", "a", "b", "c", "a, avg"].map((f) => svg.indexOf(`>${f}<`));
  assert(legend.every((i) => i >= 0), `legend ${legend}`);
  assertEquals(legend.toSorted((x, y) => x - y), legend);
  // Least-squares lines only through recipes a and c (3 seeds each).
  const regression = /aria-label="linear-regression">(.*?)<\/g>/s.exec(svg)?.[1] ?? "";
  assertEquals((regression.match(/<path /g) ?? []).length, 2);
  // Dots: 3 CLIP triangles, 10 classifier circles.
  assertEquals((svg.match(/<circle/g) ?? []).length, 10);
});

Deno.test("deno task transfer: writes the tidy tables and the chart; a folder without networks is an InputError", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const zeroShot = ["model,model_hash,data,role,n,metric,value"];
    const backbones = [["a-500", 0.8, 0.7], ["a-500-seed2", 0.82, 0.72], ["b-1200", 0.9, 0.6], ["c-3000", 0.95, 0.5]];
    for (const [model, held, zhang] of backbones) {
      zeroShot.push(`data/${model}/model.safetensors,h,corpus,held-out real (model selection),600,auroc,${held}`);
      zeroShot.push(`data/${model}/model.safetensors,h,../zhanglab-224,reported only,624,auroc,${zhang}`);
    }
    await Deno.writeTextFile(join(dir, "zero-shot.csv"), zeroShot.join("\n") + "\n");
    await main(["--dir", dir, "--resamples", "50"]);
    const points = await readCsvTable(join(dir, "transfer.csv"));
    assertEquals(points.numRows(), 8);
    const correlations = await readCsvTable(join(dir, "transfer-correlation.csv"));
    // Three recipes across; one recipe of two seeds is too few within.
    assertEquals(correlations.array("comparison"), ["across recipes", "across recipes"]);
    assertEquals(correlations.array("networks"), ["CLIP", "every network"]);
    for (const rho of correlations.array("spearman")) assertAlmostEquals(Number(rho), -1, 1e-12);
    assertEquals(correlations.array("resamples"), [50, 50]);
    for (const ext of ["svg", "png"]) assert((await Deno.stat(join(dir, `transfer.${ext}`))).size > 0);

    const empty = await Deno.makeTempDir();
    try {
      await assertRejects(() => main(["--dir", empty]), InputError, "0 networks with both");
      await assertRejects(() => main(["--dir", dir, "--resamples", "0"]), InputError, "--resamples");
    } finally {
      await Deno.remove(empty, { recursive: true });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
