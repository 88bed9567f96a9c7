import { assertEquals, assertThrows } from "./assert.ts";
import { namesSides, parseSides, ppad5, regionSet, sideWords } from "../lib/prompts/regions.ts";
import { canonicalMethod, PAPER_METHOD, planSweep, type SweepConfig } from "../lib/experiments/config.ts";
import { InputError } from "../lib/util/errors.ts";

Deno.test("sides: patient sides swap left and right as whole words only", () => {
  assertEquals(sideWords("left lung", "patient"), "right lung");
  assertEquals(sideWords("right lung", "patient"), "left lung");
  assertEquals(sideWords("upper left lung", "patient"), "upper right lung");
  assertEquals(sideWords("upper lung", "patient"), "upper lung");
  assertEquals(sideWords("leftover rightmost", "patient"), "leftover rightmost");
  assertEquals(sideWords("left lung", "image"), "left lung");
});

Deno.test("sides: ppad5's image-left region (columns 0–111) is called 'right lung' under patient sides", () => {
  const set = ppad5(224);
  const left = set.regions[0];
  assertEquals(left.words, "left lung");
  assertEquals(left.mask[0], 1); // column 0 is inside
  assertEquals(left.mask[112], 0); // column 112 is outside
  assertEquals(sideWords(left.words, "patient"), "right lung");
  assertEquals(namesSides(set), true);
  assertEquals(namesSides(regionSet("whole")), false);
});

Deno.test("sides: unknown values are refused naming the valid ones", () => {
  assertThrows(() => parseSides("anatomical"), InputError, "expected one of image, patient");
});

Deno.test("sides: canonicalisation fixes sides where no position word names a side", () => {
  const base = { ...PAPER_METHOD, sides: "patient" as const };
  assertEquals(canonicalMethod(base).sides, "patient");
  assertEquals(canonicalMethod({ ...base, variant: "coop" }).sides, "image"); // no position words
  assertEquals(canonicalMethod({ ...base, variant: "no-position" }).sides, "image");
  assertEquals(canonicalMethod({ ...base, regions: "whole" }).sides, "image"); // no side in the words
  assertEquals(canonicalMethod({ ...base, variant: "image-only", regions: "lr" }).sides, "patient");
});

Deno.test("sides: a sides question adds exactly one run (PPAD with patient sides) to a grid", async () => {
  const sweep: SweepConfig = {
    name: "t",
    description: "t",
    base: { ...PAPER_METHOD },
    questions: [
      { name: "prompts", title: "p", vary: { variant: ["coop", "ppad"] } },
      { name: "sides", title: "s", vary: { sides: ["image", "patient"] } },
    ],
    seeds: 1,
  };
  const ctx = { model: "m", modelHash: "h", data: "d", dataset: "x", backend: "cpu", testLimit: null };
  const runs = await planSweep(sweep, ctx);
  assertEquals(runs.length, 3);
  const patient = runs.filter((r) => r.spec.sides === "patient");
  assertEquals(patient.length, 1);
  assertEquals(patient[0].spec.variant, "ppad");
  assertEquals(patient[0].questions, ["sides"]);
  const base = runs.find((r) => r.spec.variant === "ppad" && r.spec.sides === "image")!;
  assertEquals(base.questions.sort(), ["prompts", "sides"]);
});
