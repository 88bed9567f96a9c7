import { assertEquals } from "./assert.ts";
import { effectiveRegions, ignoredFields, VARIANTS } from "../lib/prompts/variants.ts";
import { regionSet } from "../lib/prompts/regions.ts";

Deno.test("ignoredFields: what each variant ignores, in the order it is fixed", () => {
  assertEquals(ignoredFields(VARIANTS.ppad, "ppad5"), []);
  assertEquals(ignoredFields(VARIANTS.ppad, "whole"), ["sides"]);
  assertEquals(ignoredFields(VARIANTS.zeroshot, "ppad5"), [
    "shots",
    "steps",
    "synthesis",
    "lr",
    "momentum",
    "regions",
    "nCtx",
    "sides",
  ]);
  assertEquals(ignoredFields(VARIANTS.coop, "lr"), ["regions", "sides"]);
  assertEquals(ignoredFields(VARIANTS["image-only"], "lr"), ["nCtx"]);
  assertEquals(ignoredFields(VARIANTS["no-position"], "ppad5"), ["sides"]);
});

Deno.test("effectiveRegions: whole for whole-image variants, collapsed copies for no-position", () => {
  const set = regionSet("lr", 224);
  assertEquals(effectiveRegions(VARIANTS.ppad, set), set);
  assertEquals(effectiveRegions(VARIANTS.coop, set).regions.map((r) => r.name), ["whole"]);
  const c = effectiveRegions(VARIANTS["no-position"], set);
  assertEquals([c.name, c.regions.length], ["lr-collapsed", set.regions.length]);
  assertEquals(c.regions.map((r) => r.name), set.regions.map((r) => `whole-as-${r.name}`));
});
