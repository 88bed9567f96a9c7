import { assertEquals } from "./assert.ts";
import {
  ABLATION_METRICS,
  ablationLead,
  ablationLevels,
  ablationLevelsByMetric,
  answeredQuestions,
  type LevelSummary,
  questionLossRows,
} from "../lib/experiments/ablation_report.ts";
import type { Question } from "../lib/experiments/config.ts";
import { runRecord } from "./run_records.ts";

const PROMPTS: Question = { name: "prompts", title: "Prompts", vary: { variant: ["zeroshot", "coop", "ppad"] } };
const SYNTHESIS: Question = { name: "synthesis", title: "Synthesis", vary: { synthesis: ["sas", "fpi"] } };
const MAIN: Question = { name: "main", title: "Main", vary: { variant: ["zeroshot", "ppad"] } };

const RECORDS = [
  runRecord("base", {}, { questions: ["prompts", "synthesis"], auroc: 0.9 }),
  runRecord("zs", { variant: "zeroshot" }, { questions: ["prompts"], auroc: 0.7, losses: [] }),
  runRecord("fpi", { synthesis: "fpi" }, { questions: ["synthesis"], auroc: 0.8 }),
  runRecord("odd", { synthesis: "none" }, { questions: ["unconfigured"], auroc: 0.5 }),
];

Deno.test("answeredQuestions keeps the configs' questions the runs answer, and names the unconfigured ones", () => {
  const { questions, unknown } = answeredQuestions(RECORDS, [{ questions: [PROMPTS, SYNTHESIS] }, {
    questions: [MAIN],
  }]);
  assertEquals(questions.map((q) => q.name), ["prompts", "synthesis"]);
  assertEquals(unknown, ["unconfigured"]);
});

Deno.test("ablationLevelsByMetric summarises every report metric the way ablationLevels does", () => {
  const byMetric = ablationLevelsByMetric(RECORDS, [PROMPTS, SYNTHESIS]);
  assertEquals(Object.keys(byMetric), [...ABLATION_METRICS]);
  assertEquals(byMetric.ap, ablationLevels(RECORDS, [PROMPTS, SYNTHESIS], "ap"));
  assertEquals(byMetric.auroc.map((l) => `${l.level}:${l.mean}`), ["zeroshot:70", "ppad:90", "sas:90", "fpi:80"]);
});

Deno.test("questionLossRows: the loss of every trained run of a question, labelled by level and seed", () => {
  const rows = questionLossRows(RECORDS, PROMPTS);
  assertEquals(rows.map((r) => `${r.run}@${r.step}=${r.loss}`), ["ppad s0@1=0.7", "ppad s0@2=0.6", "ppad s0@3=0.5"]);
  assertEquals(questionLossRows(RECORDS, MAIN), []);
});

Deno.test("ablationLead compares the base with zero-shot and says what the numbers are", () => {
  const levels = ablationLevelsByMetric(RECORDS, [PROMPTS, SYNTHESIS]).auroc;
  const facts = { seeds: 1, testImages: "60", dataset: "synthetic-cxr", modelHash: "hash0001" };
  assertEquals(ablationLead(levels, facts), [
    "The base configuration (ppad) reaches AUROC 90.0 %, 20.0 points above the frozen model's zero-shot 70.0 %.",
    "These are 1 seed on 60 test images of synthetic-cxr with model hash0001 (the synthetic benchmark and the " +
    "embedded model, not the paper's data).",
  ]);
  const noBase: LevelSummary[] = levels.map((l) => ({ ...l, base: false }));
  assertEquals(ablationLead(noBase, { ...facts, seeds: 3, dataset: "zhanglab" }), [
    "These are 3 seeds on 60 test images of zhanglab with model hash0001.",
  ]);
});
