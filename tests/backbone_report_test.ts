import { assert, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import {
  backboneChart,
  backboneName,
  chexzeroReferences,
  groupSeeds,
  IMAGE_PROBES,
  imageProbeChart,
  NO_WEIGHTS,
  readHeldOutCurve,
  readHeldOutCurves,
  readZeroShotTables,
  seedRecipe,
  seedSpread,
  zeroShotPanel,
  zeroShotPoints,
} from "../lib/experiments/mod.ts";
import { renderPlot } from "../lib/report/mod.ts";
import { InputError, join } from "../lib/util/mod.ts";

const HELD = "held-out real (model selection)";
/** The text of an SVG's text nodes, joined by spaces (a wrapped subtitle reads as one line again). */
const svgText = (svg: string) => [...svg.matchAll(/>([^<]+)</g)].map((m) => m[1]).join(" ");
/** Tidy rows of one model on one data set, as `deno task zeroshot` writes them. */
function rows(model: string, hash: string, data: string, role: string, auroc: number, lo: number, hi: number) {
  return [["auroc", auroc], ["auroc_lo", lo], ["auroc_hi", hi]].map(([metric, value]) => ({
    model,
    model_hash: hash,
    data,
    role,
    n: 600,
    metric,
    value,
  }));
}

Deno.test("backboneName: the folder of a model.* file, else the file name without extension", () => {
  assertEquals(backboneName("models/ppad-mini-cxr-real/model.safetensors"), "ppad-mini-cxr-real");
  assertEquals(backboneName("data/candidates/lr/checkpoint.safetensors"), "lr");
  assertEquals(backboneName("/weights/chexzero.pt"), "chexzero");
});

Deno.test("zeroShotPanel: the choosing sets and the diagnostic by role, each reported data set by its folder", () => {
  assertEquals(zeroShotPanel(HELD, "corpus"), "held-out real (chooses)");
  assertEquals(zeroShotPanel("synthetic benchmark test", "data/synthetic-cxr-v1"), "synthetic benchmark (chooses)");
  assertEquals(zeroShotPanel("lesion probe (diagnostic)", "x"), "lesion probe (diagnostic)");
  assertEquals(zeroShotPanel("reported only", "../shared/data/zhanglab-224"), "zhanglab-224 (reported only)");
});

Deno.test("zeroShotPoints: one point per backbone × panel in percent; a shared name becomes the path", () => {
  const points = zeroShotPoints([
    ...rows("models/a/model.safetensors", "h1", "corpus", HELD, 0.9, 0.88, 0.93),
    ...rows("models/a/model.safetensors", "h1", "../zl", "reported only", 0.64, 0.6, 0.68),
    ...rows("models/b/model.safetensors", "h3", "corpus", HELD, 0.7, 0.65, 0.75),
    ...rows("models/b/model.safetensors", "h3", "corpus", HELD, 0.1, 0.05, 0.15), // a second table's repeat
    ...rows("other/a/model.safetensors", "h2", "corpus", HELD, 0.5, 0.4, 0.6), // same short name, other weights
  ]);
  assertEquals(points.map((p) => [p.model, p.role]), [
    ["models/a/model.safetensors", "held-out real (chooses)"],
    ["models/a/model.safetensors", "zl (reported only)"],
    ["b", "held-out real (chooses)"],
    ["other/a/model.safetensors", "held-out real (chooses)"],
  ]);
  assertEquals(points[0].auroc, 90);
  assertEquals([points[2].auroc, points[2].lo, points[2].hi], [70, 65, 75]);
  assertThrows(
    () => zeroShotPoints([{ model: "m", data: "d", role: HELD, metric: "auroc", value: "n/a" }]),
    InputError,
    "no numeric value",
  );
});

Deno.test("chexzeroReferences: the paper's CheXzero zero-shot AUROC on a ZhangLab panel, none on other panels", () => {
  const points = zeroShotPoints([
    ...rows("m.pt", "h", "../shared/data/zhanglab-224", "reported only", 0.7, 0.65, 0.75),
    ...rows("m.pt", "h", "/data/other", "reported only", 0.7, 0.65, 0.75),
    ...rows("m.pt", "h", "corpus", HELD, 0.7, 0.65, 0.75),
  ]);
  assertEquals(chexzeroReferences(points), [
    { role: "zhanglab-224 (reported only)", x: 92.7, label: "CheXzero (paper)" },
  ]);
});

Deno.test("backboneChart: choosing panels first, every backbone a row, the reference line labelled", () => {
  const svg = renderPlot(backboneChart([
    ...rows("models/first/model.safetensors", "h1", "../zhanglab-224", "reported only", 0.64, 0.6, 0.68),
    ...rows("models/first/model.safetensors", "h1", "corpus", HELD, 0.9, 0.88, 0.93),
    ...rows("models/second/model.safetensors", "h2", "corpus", HELD, 0.8, 0.78, 0.83),
  ])).svg;
  for (const text of ["first", "second", "held-out real (chooses)", "CheXzero (paper) 92.7", "90.0", "64.0"]) {
    assert(svg.includes(text), `chart lacks ${text}`);
  }
  assert(svg.indexOf("held-out real (chooses)") < svg.indexOf("zhanglab-224 (reported only)"), "panel order");
});

Deno.test("seedSpread: one band per panel all of a recipe's seeds have, from the lowest to the highest AUROC", () => {
  assertEquals(seedRecipe("real-1200-seed3"), "real-1200");
  assertEquals(seedRecipe("real-1200"), "real-1200");
  assertEquals(seedRecipe("seed3-real"), "seed3-real");
  const points = zeroShotPoints([
    ...rows("c/real-1200/model.safetensors", "h1", "corpus", HELD, 0.874, 0.85, 0.9),
    ...rows("c/real-1200/model.safetensors", "h1", "../zl", "reported only", 0.72, 0.68, 0.76),
    ...rows("c/real-1200-seed2/model.safetensors", "h2", "corpus", HELD, 0.856, 0.83, 0.88),
    ...rows("c/real-1200-seed3/model.safetensors", "h3", "corpus", HELD, 0.869, 0.84, 0.89),
    ...rows("c/real-1200-seed3/model.safetensors", "h3", "../zl", "reported only", 0.688, 0.65, 0.73),
    ...rows("c/lr-1200/model.safetensors", "h4", "corpus", HELD, 0.84, 0.81, 0.87), // one run: no band
  ]);
  const { bands, recipes } = seedSpread(points);
  assertEquals(recipes, [{ recipe: "real-1200", runs: 3 }]);
  // ZhangLab is a panel only two of the three seeds have: no band there, it would not be the seeds' range.
  assertEquals(bands.map((b) => b.role), ["held-out real (chooses)"]);
  const held = bands[0];
  assertEquals([held.lo, held.hi].map((x) => Math.round(x * 10) / 10), [85.6, 87.4]);
  const withZl = seedSpread(zeroShotPoints([
    ...rows("c/real-1200/model.safetensors", "h1", "../zl", "reported only", 0.72, 0.68, 0.76),
    ...rows("c/real-1200-seed2/model.safetensors", "h2", "../zl", "reported only", 0.70, 0.66, 0.74),
    ...rows("c/real-1200-seed3/model.safetensors", "h3", "../zl", "reported only", 0.688, 0.65, 0.73),
  ])).bands;
  assertEquals(withZl.map((b) => [b.role, Math.round(b.lo * 10) / 10, Math.round(b.hi * 10) / 10]), [
    ["zl (reported only)", 68.8, 72],
  ]);
  const svg = renderPlot(backboneChart([
    ...rows("c/real-1200/model.safetensors", "h1", "corpus", HELD, 0.874, 0.85, 0.9),
    ...rows("c/real-1200-seed2/model.safetensors", "h2", "corpus", HELD, 0.856, 0.83, 0.88),
  ])).svg;
  assert(svgText(svg).includes("Grey band: real-1200's range over 2 seeds."), "the subtitle names the band");
  assert(svg.includes('fill-opacity="0.14"'), "the band is drawn");
});

Deno.test("backboneChart: the highlighted backbone's own seed range in its colour when it is not the yardstick", () => {
  const seeds = (recipe: string, values: number[]) =>
    values.flatMap((v, i) =>
      rows(
        `c/${recipe}${i === 0 ? "" : `-seed${i + 1}`}/model.safetensors`,
        `${recipe}${i}`,
        "c",
        HELD,
        v,
        v - 0.03,
        v + 0.03,
      )
    );
  const twoRecipes = [...seeds("default", [0.909, 0.897]), ...seeds("real-1200", [0.874, 0.856, 0.869])];
  const svg = renderPlot(backboneChart(twoRecipes)).svg;
  assert(
    svgText(svg).includes("Grey band: real-1200's range over 3 seeds; red band: default's over 2."),
    "the subtitle names both bands",
  );
  assert(svg.includes('fill-opacity="0.14"') && svg.includes('fill-opacity="0.16"'), "both bands are drawn");
  // As many seeds of the highlighted recipe as of the other: the other is still the grey yardstick.
  const tie = [...seeds("default", [0.909, 0.897, 0.896]), ...seeds("real-1200", [0.874, 0.856, 0.869])];
  assert(
    svgText(renderPlot(backboneChart(tie)).svg).includes(
      "Grey band: real-1200's range over 3 seeds; red band: default's over 3.",
    ),
    "a tie in seeds keeps the other recipe as the yardstick",
  );
  // The highlighted recipe is the yardstick itself, or was run once: one grey band, no red one.
  for (const single of [seeds("real-1200", [0.874, 0.856]), [...seeds("default", [0.909]), ...twoRecipes.slice(6)]]) {
    const chart = renderPlot(backboneChart(single)).svg;
    assert(!chart.includes("red band") && !chart.includes('fill-opacity="0.16"'), "no red band");
    assert(chart.includes('fill-opacity="0.14"'), "the grey band stays");
  }
});

Deno.test("groupSeeds: each recipe's seeds follow its first row, recipes and rows otherwise in order", () => {
  const names = ["default", "real-1200", "other", "real-1200-seed2", "default-seed2", "real-1200-seed3"];
  const points = names.map((model) => ({ model, role: "held-out real (chooses)", auroc: 80 }));
  assertEquals(groupSeeds(points).map((p) => p.model), [
    "default",
    "default-seed2",
    "real-1200",
    "real-1200-seed2",
    "real-1200-seed3",
    "other",
  ]);
});

Deno.test("readZeroShotTables, readHeldOutCurve and readHeldOutCurves read what zeroshot and pretrain wrote, refusing other tables", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ppad-zs-tables-" });
  try {
    const table = join(dir, "zs.csv");
    await Deno.writeTextFile(
      table,
      "model,model_hash,data,role,n,metric,value\nm/model.safetensors,h,corpus,held-out real (model selection),600,auroc,0.9\n",
    );
    const rows = await readZeroShotTables([table, join(dir, "absent.csv")], { skipMissing: true });
    assertEquals(rows.length, 1);
    assertEquals(rows[0].value, 0.9);
    await assertRejects(() => readZeroShotTables([join(dir, "absent.csv")]), InputError);
    const other = join(dir, "a.heldout.csv");
    await Deno.writeTextFile(other, "step,auroc,logit_scale\n100,0.7,12\n200,0.8,11\n");
    await Deno.writeTextFile(join(dir, "candidate-b-1200-steps.heldout.csv"), "step,auroc,logit_scale\n100,0.75,12\n");
    assertEquals(await readHeldOutCurves(dir, /1200-steps/), [{ step: 100, loss: 75, run: "b-1200-steps" }]);
    assertEquals((await readHeldOutCurves(dir)).map((r) => [r.run, r.step, r.loss]), [
      ["a", 100, 70],
      ["a", 200, 80],
      ["b-1200-steps", 100, 75],
    ]);
    assertEquals(await readHeldOutCurve(other, "default"), [
      { step: 100, loss: 70, run: "default" },
      { step: 200, loss: 80, run: "default" },
    ]);
    await Deno.writeTextFile(join(dir, "c.heldout.csv"), "epoch,score\n1,0.5\n");
    await assertRejects(() => readHeldOutCurve(join(dir, "c.heldout.csv"), "c"), InputError, "c.heldout.csv: not a");
    await assertRejects(() => readHeldOutCurves(dir), InputError, "not a held-out curve");
    await assertRejects(() => readZeroShotTables([other]), InputError, "not a zero-shot table");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("imageProbeChart: one row per backbone, one dot per probe in its own colour, the text prompts' values written", () => {
  const probeRows = IMAGE_PROBES.flatMap((probe, k) =>
    ["a", "b"].flatMap((m) =>
      rows(`models/${m}/model.safetensors`, `h${m}`, "corpus", HELD, 0.8 + 0.01 * k, 0.78, 0.9)
        .map((r) => ({ ...r, probe }))
    )
  );
  const points = zeroShotPoints(probeRows);
  assertEquals(points.length, 2 * IMAGE_PROBES.length); // the probe keeps the points of one backbone apart
  assertEquals(points.filter((p) => p.model === "a").map((p) => p.series), [...IMAGE_PROBES]);
  const svg = renderPlot(imageProbeChart(probeRows)).svg;
  assertEquals(svg.match(/<circle/g)?.length, 2 * IMAGE_PROBES.length);
  for (const probe of IMAGE_PROBES) assert(svg.includes(probe), `legend lacks ${probe}`);
  assert(svg.includes("80.0") && !svg.includes("81.0"), "only the first series' values are written");
  assertThrows(() => imageProbeChart(rows("m", "h", "corpus", HELD, 0.8, 0.7, 0.9)), InputError, "probe");
});

Deno.test("imageProbeChart: a baseline row with one probe gets its value written, once; the subtitle says what it is", () => {
  const probeRows = (model: string, hash: string, probe: string, auroc: number) =>
    rows(model, hash, "corpus", HELD, auroc, auroc - 0.02, auroc + 0.02).map((r) => ({ ...r, probe }));
  const svg = renderPlot(imageProbeChart([
    ...IMAGE_PROBES.flatMap((probe, k) => probeRows("c/real-1200/model.safetensors", "h1", probe, 0.801 + 0.02 * k)),
    ...probeRows("pixels 32×32: whole film", NO_WEIGHTS, "logistic", 0.909),
  ])).svg;
  const texts = svgText(svg);
  // The backbone's first series (the text prompts) and the baseline's only one are written; no other probe value is.
  assert(texts.includes("80.1") && texts.includes("90.9"), texts);
  for (const other of ["82.1", "84.1", "86.1"]) assert(!texts.includes(other), `${other} written`);
  assertEquals(texts.split("90.9").length - 1, 1, "the baseline's value written once");
  assert(texts.includes("no network"), "the subtitle names the baseline rows");
  assert(
    !svgText(renderPlot(imageProbeChart(probeRows("c/a/model.safetensors", "h", "text prompts", 0.8))).svg)
      .includes("no network"),
    "no baseline rows, no such sentence",
  );
});
