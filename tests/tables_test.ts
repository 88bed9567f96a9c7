import { assert, assertAlmostEquals, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import {
  formatMeanStd,
  markdownTable,
  meanStd,
  readCsvTable,
  summarise,
  toTidy,
  writeCsvAtomic,
} from "../lib/report/tables.ts";
import { InputError } from "../lib/util/errors.ts";

Deno.test("toTidy flattens nested records and takes the union of columns", () => {
  const t = toTidy([
    { run: 1, config: { lr: 0.001, regions: "ppad5" }, metrics: { auroc: 0.9 } },
    { run: 2, metrics: { auroc: 0.8, ap: 0.7 }, tags: ["a", "b"] },
  ]);
  assertEquals(t.columnNames(), ["run", "config_lr", "config_regions", "metrics_auroc", "metrics_ap", "tags"]);
  assertEquals(t.objects(), [
    { run: 1, config_lr: 0.001, config_regions: "ppad5", metrics_auroc: 0.9, metrics_ap: null, tags: null },
    { run: 2, config_lr: null, config_regions: null, metrics_auroc: 0.8, metrics_ap: 0.7, tags: '["a","b"]' },
  ]);
});

Deno.test("summarise gives mean ± sample std per group, in first-seen order", () => {
  const runs = [
    { q: "prompts", v: "both", auc: 1 },
    { q: "prompts", v: "both", auc: 2 },
    { q: "prompts", v: "both", auc: 3 },
    { q: "prompts", v: "both", auc: 4 },
    { q: "prompts", v: "text", auc: 0.5 },
    { q: "prompts", v: "text", auc: null },
  ];
  const s = summarise(runs, ["q", "v"], "auc", { digits: 2 }).objects() as Record<string, unknown>[];
  assertEquals(s.length, 2);
  assertEquals([s[0].q, s[0].v, s[0].n, s[0].mean], ["prompts", "both", 4, 2.5]);
  assertAlmostEquals(s[0].std as number, Math.sqrt(5 / 3), 1e-12); // Σ(x−2.5)² = 5, n − 1 = 3
  assertEquals(s[0].text, "2.50 ± 1.29");
  assertEquals([s[1].v, s[1].n, s[1].mean, s[1].text], ["text", 1, 0.5, "0.50"]);
  assert(Number.isNaN(s[1].std as number));
  const pct = summarise(runs.slice(0, 2), "v", "auc", { scale: 100 }).objects()[0] as Record<string, unknown>;
  assertEquals(pct.mean, 150);
  assertThrows(() => summarise(runs, "missing", "auc"), InputError, "missing");
});

Deno.test("meanStd and formatMeanStd handle edge cases", () => {
  assertEquals(meanStd([]).mean, NaN);
  assertEquals(meanStd([2, 2]), { mean: 2, std: 0 });
  assertEquals(formatMeanStd(96.66, 0.44), "96.7 ± 0.4");
  assertEquals(formatMeanStd(NaN, NaN), "–");
  assertEquals(formatMeanStd(96.66, null), "96.7");
  assertEquals(formatMeanStd(null, 0.44), "–");
  assertEquals(formatMeanStd(1.234, 0.05, 2), "1.23 ± 0.05");
});

Deno.test("CSV round trip: quoting, numbers and missing cells survive", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ppad-tables-" });
  try {
    const path = `${dir}/sub/runs.csv`;
    const t = toTidy([{ name: 'a, "quoted"', auroc: 0.5, ok: true }, { name: "b\nline", auroc: null, ok: false }]);
    await writeCsvAtomic(path, t);
    const back = await readCsvTable(path);
    assertEquals(back.objects(), t.objects());
    assertEquals([...Deno.readDirSync(`${dir}/sub`)].map((e) => e.name), ["runs.csv"]); // no temp file left
    await assertRejects(() => readCsvTable(`${dir}/none.csv`), InputError, "none.csv");
    await Deno.writeTextFile(`${dir}/empty.csv`, "");
    await assertRejects(() => readCsvTable(`${dir}/empty.csv`), InputError, "empty");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("markdownTable aligns numbers right and escapes pipes", () => {
  const t = toTidy([{ variant: "a|b", n: 5, auroc: 0.96666 }, { variant: "c", n: 4, auroc: null }]);
  assertEquals(
    markdownTable(t, { digits: 2 }),
    "| variant | n | auroc |\n|:---|---:|---:|\n| a\\|b | 5 | 0.97 |\n| c | 4 |  |\n",
  );
  assertEquals(markdownTable(t, { limit: 1 }).trim().split("\n").length, 3);
});
