import { assert, assertEquals } from "./assert.ts";
import {
  compareWithPaper,
  findPaperDatasetResults,
  type MeasuredSummary,
  measuredSummary,
  paperVariantRuns,
} from "../lib/experiments/paper_comparison.ts";
import {
  comparisonDisplayRows,
  comparisonProvenanceRows,
  describeDatasetResult,
  measuredRows,
  paperSummarySentences,
} from "../lib/experiments/paper_comparison_report.ts";
import { PAPER_SOURCE } from "../lib/experiments/paper_numbers.ts";
import { provenanceRows, runProvenance } from "../lib/experiments/provenance.ts";
import { paths, type RunRecord, writeJson } from "../lib/experiments/store.ts";
import { join } from "../lib/util/mod.ts";
import { runRecord } from "./run_records.ts";

const MEASURED: MeasuredSummary[] = [
  { variant: "zeroshot", metric: "auroc", mean: 70, std: null, n: 1 },
  { variant: "ppad", metric: "auroc", mean: 90, std: 1, n: 3 },
];

Deno.test("paperVariantRuns keeps the prompt (or main) question's zero-shot, CoOp and PPAD runs", () => {
  const records = [
    runRecord("a", {}, { questions: ["prompts", "synthesis"] }),
    runRecord("b", { variant: "coop" }, { questions: ["main"] }),
    runRecord("c", { variant: "text-only" }, { questions: ["prompts"] }),
    runRecord("d", { synthesis: "fpi" }, { questions: ["synthesis"] }),
  ];
  assertEquals(paperVariantRuns(records).map((r) => r.id), ["a", "b"]);
});

async function writeRuns(dir: string, records: readonly RunRecord[]): Promise<void> {
  for (const r of records) await writeJson(paths.run(dir, r.id), r);
}

Deno.test("findPaperDatasetResults reads grid folders and reproduce/<data set>/ folders, paper protocol only", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ppad-paper-results-" });
  try {
    await writeRuns(join(dir, "zhanglab"), [
      runRecord("p", {}, { dataset: "zhanglab" }),
      runRecord("f", { synthesis: "fpi" }, { dataset: "zhanglab" }), // not the paper's protocol
      runRecord("t", { variant: "text-only" }, { dataset: "zhanglab" }), // not a paper variant
    ]);
    await writeRuns(join(dir, "reproduce", "chexpert"), [runRecord("c", { variant: "coop" }, { dataset: "chexpert" })]);
    await writeRuns(join(dir, "reproduce", "nameless"), [runRecord("n", {}, { dataset: "" })]);
    await Deno.mkdir(join(dir, "empty"));
    const found = await findPaperDatasetResults([join(dir, "zhanglab"), join(dir, "empty")], join(dir, "reproduce"));
    assertEquals(found.map((f) => [f.dataset, f.records.map((r) => r.id).join()]), [
      ["chexpert", "c"],
      ["nameless", "n"],
      ["zhanglab", "p"],
    ]);
    assertEquals(await findPaperDatasetResults([], join(dir, "missing")), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("measuredRows and comparisonDisplayRows write values as mean ± std and signed differences", () => {
  assertEquals(measuredRows(MEASURED), [
    { variant: "zeroshot", metric: "AUC", "measured (%)": "70.0", runs: 1 },
    { variant: "ppad", metric: "AUC", "measured (%)": "90.0 ± 1.0", runs: 3 },
  ]);
  const rows = comparisonDisplayRows(compareWithPaper("zhanglab", MEASURED));
  const ppad = rows.find((r) => r.method === "PPAD" && r.metric === "AUC")!;
  assertEquals(ppad, {
    method: "PPAD",
    metric: "AUC",
    "paper (%)": "96.7 ± 0.4",
    "measured (%)": "90.0 ± 1.0",
    runs: 3,
    difference: "-6.7",
    source: "MICCAI 2024 Table 1",
  });
  assertEquals(rows.find((r) => r.method === "SQUID" && r.metric === "AUC")!.difference, "–");
});

Deno.test("comparisonProvenanceRows and provenanceRows list where the numbers come from", () => {
  const records = [runRecord("a", {}), runRecord("z", { variant: "zeroshot" })];
  const rows = comparisonProvenanceRows(records, "results/ablate");
  assertEquals(rows[0], { numbers: "paper columns", source: PAPER_SOURCE });
  assertEquals(rows.find((r) => r.numbers === "measured: model_hash")!.source, "hash0001");
  assertEquals(comparisonProvenanceRows([], "x"), [
    { numbers: "paper columns", source: PAPER_SOURCE },
    { numbers: "measured", source: "none (no results folder)" },
  ]);
  const prov = provenanceRows(runProvenance(records, "r"), [["compute", "1 min"]]);
  assertEquals(prov[0], { field: "results", value: "r" });
  assertEquals(prov.at(-1), { field: "compute", value: "1 min" });
});

Deno.test("describeDatasetResult and paperSummarySentences are generated from the numbers", () => {
  const result = { dir: "/r/zhanglab", dataset: "zhanglab", records: [runRecord("p", {}, { auroc: 0.95 })] };
  const line = describeDatasetResult(result, "results/zhanglab");
  assert(line.startsWith("zhanglab: model models/m.safetensors (hash0001); data data/x; seeds 1 seed (0)"), line);
  assert(!line.includes("reports no numbers"), line);
  assert(
    describeDatasetResult({ ...result, dataset: "rsna" }, "x").endsWith(
      "(the paper reports no numbers for this data set)",
    ),
  );
  const sentences = paperSummarySentences(MEASURED, "synthetic-cxr", [result], (p) => p.replace("/r/", "results/"));
  assertEquals(
    sentences[0],
    "On synthetic-cxr (the synthetic benchmark, not a paper data set), PPAD's AUC is 90.0 % " +
      "against the frozen model's zero-shot 70.0 % (+20.0 points, 3 PPAD runs).",
  );
  assertEquals(sentences[1], "The paper reports PPAD 96.7 % against zero-shot 92.7 % AUC on ZhangLab (+4.0 points).");
  assertEquals(sentences.length, 5);
  assertEquals(
    sentences[4],
    "Measured on zhanglab (results/zhanglab, model hash0001, 1 run): PPAD AUC 95.0 % " +
      "against the paper's 96.7 % (-1.7 points).",
  );
  const none = paperSummarySentences([], "not run", []);
  assertEquals(none.length, 4);
  assert(none[3].startsWith("No result on the paper's data sets is available here"));
  assertEquals(measuredSummary(result.records).find((m) => m.metric === "auroc")?.mean, 95);
});
