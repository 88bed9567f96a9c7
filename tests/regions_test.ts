import { assert, assertEquals, assertThrows } from "./assert.ts";
import {
  customRegionSet,
  grid3x3,
  patchKeepMask,
  patchKeepMasks,
  ppad5,
  type Region,
  regionBoundingBox,
  regionSet,
  regionSetNames,
  registerRegionSet,
  wholeOnly,
} from "../lib/prompts/regions.ts";
import { InputError } from "../lib/util/errors.ts";

/** Parses a 7-line table of 0/1 characters into a `[49]` array. */
function table(rows: string[]): number[] {
  return rows.join("").split("").map(Number);
}

// Hand-written patch tables (7×7, 32 px patches) for the paper's regions at 224 px.
// left = cols 0–111: patch col 3 spans cols 96–127 and holds 96–111 → cols 0–3 kept.
// right = cols 112–223: patch col 3 holds 112–127 → cols 3–6 kept. The middle column belongs to both.
// upper = rows 0–119: patch row 3 spans 96–127 → rows 0–3; lower = rows 120–223: patch row 3 holds 120–127 → rows 3–6.
const PPAD5_TABLES: Record<string, number[]> = {
  left: table(Array(7).fill("1111000")),
  right: table(Array(7).fill("0001111")),
  upper: table(["1111111", "1111111", "1111111", "1111111", "0000000", "0000000", "0000000"]),
  lower: table(["0000000", "0000000", "0000000", "1111111", "1111111", "1111111", "1111111"]),
  whole: table(Array(7).fill("1111111")),
};

Deno.test("ppad5: the paper's five regions, words, pixel extents, whole image last", () => {
  const set = ppad5();
  assertEquals(set.size, 224);
  assertEquals(set.regions.map((r) => r.name), ["left", "right", "upper", "lower", "whole"]);
  assertEquals(set.regions.map((r) => r.words), ["left lung", "right lung", "upper lung", "lower lung", ""]);
  const boxes = set.regions.map(regionBoundingBox);
  assertEquals(boxes[0], { x0: 0, y0: 0, x1: 111, y1: 223 });
  assertEquals(boxes[1], { x0: 112, y0: 0, x1: 223, y1: 223 });
  assertEquals(boxes[2], { x0: 0, y0: 0, x1: 223, y1: 119 });
  assertEquals(boxes[3], { x0: 0, y0: 120, x1: 223, y1: 223 });
  assertEquals(boxes[4], { x0: 0, y0: 0, x1: 223, y1: 223 });
  const count = (r: Region) => r.mask.reduce((a, b) => a + b, 0);
  assertEquals(set.regions.map(count), [112 * 224, 112 * 224, 120 * 224, 104 * 224, 224 * 224]);
});

Deno.test("patchKeepMask: hand-written 7×7 tables for every ppad5 region (any pixel inside → kept)", () => {
  for (const r of ppad5().regions) assertEquals(Array.from(patchKeepMask(r)), PPAD5_TABLES[r.name], r.name);
  const stacked = patchKeepMasks(ppad5());
  assertEquals(stacked.length, 5 * 49);
  assertEquals(Array.from(stacked.subarray(3 * 49, 4 * 49)), PPAD5_TABLES.lower);
  assertThrows(() => patchKeepMask(ppad5().regions[0], 7, 16), RangeError, "do not tile 224");
});

Deno.test("grid3x3: nine cells at thirds plus whole, partition the image, words and patch overlap", () => {
  const set = grid3x3();
  assertEquals(set.regions.length, 10);
  assertEquals(set.regions[0].words, "upper left lung");
  assertEquals(set.regions[4].words, "central lung");
  assertEquals(set.regions[5].words, "middle right lung");
  assertEquals(set.regions[6].words, "lower left lung");
  assertEquals(set.regions[9].words, "");
  assertEquals(regionBoundingBox(set.regions[4]), { x0: 75, y0: 75, x1: 148, y1: 148 });
  // The nine cells cover every pixel exactly once.
  const cover = new Uint8Array(224 * 224);
  for (const r of set.regions.slice(0, 9)) r.mask.forEach((v, i) => (cover[i] += v));
  assert(cover.every((v) => v === 1));
  // Upper-left cell: rows/cols 0–74 → patches 0–2 (patch 2 spans 64–95).
  assertEquals(
    Array.from(patchKeepMask(set.regions[0])),
    table(["1110000", "1110000", "1110000", "0000000", "0000000", "0000000", "0000000"]),
  );
});

Deno.test("registry: built-in sets, stable order, duplicates refused, unknown names listed", () => {
  for (const name of ["ppad5", "whole", "lr", "grid3x3"]) assert(regionSetNames().includes(name), name);
  for (const name of regionSetNames()) {
    const set = regionSet(name);
    assertEquals(set.name, name);
    assertEquals(set.regions.at(-1)!.words, "", `${name}: whole image last`);
    assertEquals(new Set(set.regions.map((r) => r.name)).size, set.regions.length);
    for (const r of set.regions) assertEquals(r.mask.length, 224 * 224);
  }
  assertEquals(regionSet("lr").regions.map((r) => r.words), ["left lung", "right lung", ""]);
  assertThrows(() => registerRegionSet("ppad5", wholeOnly), Error, "already defined");
  assertThrows(() => regionSet("nope"), InputError, "known sets are ppad5");
  // Another resolution scales the cuts: 112 px → col cut 56, row cut 60.
  assertEquals(regionBoundingBox(regionSet("ppad5", 112).regions[2]), { x0: 0, y0: 0, x1: 111, y1: 59 });
});

Deno.test("customRegionSet: union of inclusive rectangles, with validation errors", () => {
  const set = customRegionSet({
    name: "apices",
    regions: [
      {
        name: "apices",
        words: "lung apex",
        rects: [{ x0: 0, y0: 0, x1: 63, y1: 63 }, { x0: 160, y0: 0, x1: 223, y1: 63 }],
      },
      { name: "whole", words: "", rects: [{ x0: 0, y0: 0, x1: 223, y1: 223 }] },
    ],
  });
  assertEquals(set.regions[0].mask.reduce((a, b) => a + b, 0), 2 * 64 * 64);
  assertEquals(regionBoundingBox(set.regions[0]), { x0: 0, y0: 0, x1: 223, y1: 63 });
  assertEquals(Array.from(patchKeepMask(set.regions[0])).slice(0, 7), [1, 1, 0, 0, 0, 1, 1]);
  const bad = (spec: unknown, msg: string) =>
    assertThrows(() => customRegionSet(spec as Parameters<typeof customRegionSet>[0]), InputError, msg);
  bad({ name: "", regions: [] }, '"name" must be a non-empty string');
  bad({ name: "s", regions: [] }, '"regions" must be a non-empty array');
  bad(
    { name: "s", regions: [{ name: "a", words: "x", rects: [{ x0: 0, y0: 0, x1: 224, y1: 5 }] }] },
    "x1 must be an integer in 0…223, got 224",
  );
  bad({ name: "s", regions: [{ name: "a", words: "x", rects: [{ x0: 9, y0: 0, x1: 3, y1: 5 }] }] }, "needs x0 ≤ x1");
  bad({ name: "s", regions: [{ name: "a", words: "x", rects: [] }] }, '"rects" must be a non-empty array');
  bad({ name: "s", regions: [{ name: "a", words: 3, rects: [] }] }, '"words" must be a string');
  const r = { name: "a", words: "", rects: [{ x0: 0, y0: 0, x1: 1, y1: 1 }] };
  bad({ name: "s", regions: [r, r] }, 'duplicate name "a"');
  bad({ name: "s", size: 0.5, regions: [r] }, "size must be an integer");
  assertThrows(() => regionBoundingBox({ name: "empty", words: "", mask: new Uint8Array(16) }), RangeError, "empty");
});
