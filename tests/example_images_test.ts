import { assert, assertEquals } from "./assert.ts";
import { caseCaption, type CaseInfo, isOneSided, showcaseExamples } from "../lib/data/mod.ts";

const LABELS = [0, 1, 1, 0, 1, 1, 1];
const CASES: (CaseInfo | undefined)[] = [
  undefined,
  { finding: "effusion", side: "both", zone: "lower" },
  { finding: "nodule", side: "left", zone: "upper" },
  undefined,
  { finding: "nodule", side: "right", zone: "middle" },
  { finding: "consolidation", side: "right", zone: "lower" },
  { finding: "cardiomegaly", side: "none", zone: "none" },
];

Deno.test("showcaseExamples: normals first, then one-sided abnormal images, one per finding before repeats", () => {
  const caseOf = (i: number) => CASES[i];
  assertEquals(showcaseExamples(LABELS, { normals: 1, abnormal: 3, caseOf }), [0, 2, 5, 4]);
  assertEquals(showcaseExamples(LABELS, { normals: 2, abnormal: 5, caseOf }), [0, 3, 2, 5, 4, 1, 6]);
  assertEquals(showcaseExamples(LABELS, { normals: 0, abnormal: 2 }), [1, 2], "without findings: index order");
});

Deno.test("isOneSided and caseCaption name the finding and its image side", () => {
  assert(isOneSided(CASES[2]) && isOneSided(CASES[4]));
  assert(!isOneSided(CASES[1]) && !isOneSided(CASES[6]) && !isOneSided(undefined));
  assertEquals(caseCaption(CASES[2], 1), "nodule, image left");
  assertEquals(caseCaption(CASES[1], 1), "effusion");
  assertEquals(caseCaption(undefined, 1), "abnormal");
  assertEquals(caseCaption(undefined, 0), "normal");
  assertEquals(caseCaption({ finding: "", side: "left", zone: "" }, 0), "normal");
});
