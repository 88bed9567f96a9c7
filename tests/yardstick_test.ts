import { assert, assertAlmostEquals, assertEquals, assertRejects } from "./assert.ts";
import {
  listYardstickTables,
  readYardstickTables,
  yardstickChart,
  yardstickPanel,
  yardstickReferences,
  yardstickSummary,
} from "../lib/experiments/mod.ts";
import { renderPlot } from "../lib/report/mod.ts";
import { InputError, join } from "../lib/util/mod.ts";

const HEADER = "recipe,machine,seed,epoch,role,metric,value";
const HELD = "held-out real (model selection)", ZHANG = "ZhangLab test (reported only)";
/** A yardstick table as classifier.py writes it: per seed and epoch, two AUROCs and the wall time. */
function table(epochs: number, values: Record<number, [number, number][]>, network = "ViT w192 L4 p32"): string {
  const recipe = `"${network}, BCE, light augmentation, ${epochs} epochs x 64, AdamW 0.0003"`;
  const lines = [HEADER];
  for (const [seed, perEpoch] of Object.entries(values)) {
    perEpoch.forEach(([held, zhang], i) => {
      lines.push(`${recipe},cpu,${seed},${i + 1},${HELD},auroc,${held}`);
      lines.push(`${recipe},cpu,${seed},${i + 1},${ZHANG},auroc,${zhang}`);
      lines.push(`${recipe},cpu,${seed},${i + 1},,wall_s,${60 * (i + 1)}`);
    });
  }
  return lines.join("\n") + "\n";
}

async function withTables<T>(files: Record<string, string>, f: (paths: string[]) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir();
  try {
    const paths = Object.entries(files).map(([name, text]) => {
      Deno.writeTextFileSync(join(dir, name), text);
      return join(dir, name);
    });
    return await f(paths);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("readYardstickTables: AUROC rows in percent with recipe length, seed, epoch and set; wall times left out", async () => {
  const rows = await withTables(
    { "a.csv": table(2, { 1: [[0.7, 0.6], [0.8, 0.75]], 2: [[0.72, 0.5], [0.84, 0.65]] }) },
    readYardstickTables,
  );
  assertEquals(rows.length, 8);
  assertEquals(rows[0], {
    recipe: "ViT w192 L4 p32, BCE, light augmentation, 2 epochs x 64, AdamW 0.0003",
    network: "ViT",
    epochs: 2,
    seed: 1,
    epoch: 1,
    set: "held-out real",
    auroc: 70,
  });
  assertEquals(rows[1].set, "ZhangLab test (reported only)");
});

Deno.test("readYardstickTables: a recipe naming a variant after its optimiser is a network of its own", async () => {
  const averaged = table(2, { 1: [[0.7, 0.6], [0.8, 0.75]] })
    .replaceAll("AdamW 0.0003", "AdamW 0.0003, weights EMA 0.99");
  const rows = await withTables(
    { "a.csv": table(2, { 1: [[0.7, 0.6], [0.8, 0.75]] }), "b.csv": averaged },
    readYardstickTables,
  );
  assertEquals([...new Set(rows.map((r) => r.network))], ["ViT", "ViT, weights EMA 0.99"]);
  assertEquals(yardstickSummary(rows).map((s) => yardstickPanel(s)), [
    "ViT · 2 epochs",
    "ViT · 2 epochs",
    "ViT, weights EMA 0.99 · 2 epochs",
    "ViT, weights EMA 0.99 · 2 epochs",
  ]);
});

Deno.test("readYardstickTables: a wrong table is an InputError naming the file", async () => {
  await withTables({ "bad.csv": "seed,epoch\n1,1\n" }, async ([path]) => {
    const err = await assertRejects(() => readYardstickTables([path]), InputError);
    assert(err.message.includes(path) && err.message.includes("missing recipe"), err.message);
  });
  await withTables({ "range.csv": table(1, { 1: [[1.7, 0.6]] }) }, async ([path]) => {
    const err = await assertRejects(() => readYardstickTables([path]), InputError);
    assert(err.message.includes(path) && err.message.includes("1.7"), err.message);
  });
  await withTables({ "role.csv": table(1, { 1: [[0.7, 0.6]] }).replace(ZHANG, "test") }, async ([path]) => {
    await assertRejects(() => readYardstickTables([path]), InputError, "not a yardstick row");
  });
  await withTables({ "proto.csv": table(1, { 1: [[0.7, 0.6]] }).replace(ZHANG, "constructor") }, async ([path]) => {
    await assertRejects(() => readYardstickTables([path]), InputError, "not a yardstick row");
  });
  await withTables({ "late.csv": table(1, { 1: [[0.7, 0.6], [0.8, 0.7]] }) }, async ([path]) => {
    await assertRejects(() => readYardstickTables([path]), InputError, "seed 1, epoch 2 is not a yardstick row");
  });
});

Deno.test("yardstickSummary: the seeds' spread after the last epoch, per network, run length and set", async () => {
  const rows = await withTables({
    "six.csv": table(2, { 1: [[0.7, 0.6], [0.8, 0.75]], 2: [[0.72, 0.5], [0.84, 0.65]] }),
    "twelve.csv": table(3, { 1: [[0.7, 0.6], [0.8, 0.7], [0.9, 0.55]] }),
    "resnet.csv": table(2, { 1: [[0.6, 0.6], [0.7, 0.9]] }, "ResNet-18 layout, quarter width"),
  }, readYardstickTables);
  const summary = yardstickSummary(rows);
  assertEquals(summary.map((s) => [yardstickPanel(s), s.set, s.seeds]), [
    ["ViT · 2 epochs", "held-out real", 2],
    ["ViT · 2 epochs", "ZhangLab test (reported only)", 2],
    ["ViT · 3 epochs", "held-out real", 1],
    ["ViT · 3 epochs", "ZhangLab test (reported only)", 1],
    ["ResNet-18 · 2 epochs", "held-out real", 1],
    ["ResNet-18 · 2 epochs", "ZhangLab test (reported only)", 1],
  ]);
  assertAlmostEquals(summary[0].mean, 82, 1e-9);
  assertEquals([summary[1].min, summary[1].max], [65, 75]);
  assertAlmostEquals(summary[3].mean, 55, 1e-9);
  assertAlmostEquals(summary[5].mean, 90, 1e-9);
});

Deno.test("yardstickChart: a panel per set, network and run length, the seeds' mean only where every seed reached", async () => {
  const rows = await withTables({
    "a.csv": table(3, { 1: [[0.7, 0.6], [0.8, 0.7], [0.9, 0.8]], 2: [[0.6, 0.5], [0.7, 0.6]] }),
    "b.csv": table(2, { 1: [[0.7, 0.6], [0.8, 0.7]] }),
    "c.csv": table(2, { 1: [[0.7, 0.6], [0.8, 0.7]] }, "ResNet-18 layout, quarter width"),
    "d.csv": table(2, { 1: [[0.7, 0.6], [0.8, 0.7]] }).replaceAll("AdamW 0.0003", "AdamW 0.0003, input equalised"),
  }, readYardstickTables);
  const options = yardstickChart(rows, {
    references: [{ set: "ZhangLab test (reported only)", value: 85, label: "goal" }],
  });
  const svg = renderPlot(options).svg;
  const panels = ["ViT · 2 epochs", "ViT · 3 epochs", "ViT, input equalised · 2 epochs", "ResNet-18 · 2 epochs"];
  for (const text of ["held-out real", "ZhangLab test (reported only)", ...panels, "goal 85.0"]) {
    assert(svg.includes(text), `missing ${text}`);
  }
  // Rows of panels: the ViT's lengths shortest first, then its variant, then the ResNet (networks in order of
  // appearance, a variant after its network even when it appears later).
  assertEquals(panels.map((p) => svg.indexOf(p)).toSorted((x, y) => x - y), panels.map((p) => svg.indexOf(p)));
  // The mean line of the 3-epoch runs stops at epoch 2 (seed 2 never reached epoch 3): 2 dots × 2 sets, + 2 × 2 for
  // each of b, c and d.
  assertEquals((svg.match(/<circle/g) ?? []).length, 16);
});

Deno.test("yardstickReferences: each backbone's held-out and ZhangLab AUROC where it has them, then the goal", () => {
  const points = [
    { model: "a", role: "held-out real (chooses)", auroc: 90.9 },
    { model: "a", role: "synthetic benchmark (chooses)", auroc: 60 },
    { model: "a", role: "zhanglab-224 (reported only)", auroc: 63.7 },
    { model: "b", role: "zhanglab-224 (reported only)", auroc: 79.3 },
    { model: "c", role: "held-out real (chooses)", auroc: 80 },
  ];
  assertEquals(yardstickReferences(points, [["a", "default"], ["b", "short run"]], 85), [
    { set: "held-out real", value: 90.9, label: "default" },
    { set: "ZhangLab test (reported only)", value: 63.7, label: "default" },
    { set: "ZhangLab test (reported only)", value: 79.3, label: "short run" },
    { set: "ZhangLab test (reported only)", value: 85, label: "goal" },
  ]);
  assertEquals(yardstickReferences(points, [["missing", "x"]]), []);
});

Deno.test("listYardstickTables: the folder's yardstick-classifier*.csv in name order; none in a folder without any", async () => {
  await withTables(
    { "yardstick-classifier.csv": "", "yardstick-classifier-12-epochs.csv": "", "zero-shot.csv": "" },
    async (paths) => {
      const dir = paths[0].slice(0, paths[0].lastIndexOf("/"));
      assertEquals(await listYardstickTables(dir), [paths[1], paths[0]]);
      assertEquals(await listYardstickTables(join(dir, "missing")), []);
    },
  );
});
