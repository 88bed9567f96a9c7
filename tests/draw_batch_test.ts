import { assert, assertEquals } from "./assert.ts";
import type { RegionSet } from "../lib/prompts/regions.ts";
import { arrayPool, type ImagePool, SYNTHESES, type Synthesis } from "../lib/synthesis/mod.ts";
import { drawBatch } from "../lib/train/ppad.ts";
import { Rng } from "../lib/util/rng.ts";

const SIZE = 2;
const REGIONS: RegionSet = {
  name: "tiny3",
  size: SIZE,
  regions: ["a", "b", "c"].map((name, i) => ({
    name,
    words: name,
    mask: Uint8Array.from([1, 1, 1, 1], (_, p) => (p === i ? 1 : 0)),
  })),
};
const MODEL = { regions: REGIONS, numRegions: 3 };
const SHOTS = [0.1, 0.2, 0.3, 0.4].map((v) => new Float32Array(SIZE * SIZE).fill(v));

/** A fake synthesis: one draw v = next(), rounded to 4 places; the image filled with v; records each call. */
function fake(calls: { region: string; poolLength: number; pixel: number }[]): Synthesis {
  return {
    name: "fake",
    description: "test",
    needsPool: true,
    apply: ({ image, region, pool }, rng) => {
      const v = Math.round(rng.next() * 1e4) / 1e4;
      calls.push({ region: region.name, poolLength: (pool as ImagePool).length, pixel: image[0] });
      return { image: new Float32Array(image.length).fill(v), mask: new Uint8Array(image.length).fill(1) };
    },
  };
}

Deno.test("drawBatch: regions, labels and synthesis draws for seed 42 (hand-derived from the generator's stream)", () => {
  // Rng(42).next(): 0.2396 0.5859 0.0932 0.1987 0.4471 0.8356 0.8486 0.9292 0.4648 0.9910 …
  // shot 0: region ⌊0.2396·3⌋ = 0, 0.5859 ≥ 0.5 → normal.
  // shot 1: region ⌊0.0932·3⌋ = 0, 0.1987 < 0.5 → abnormal, synthesis draws 0.4471.
  // shot 2: region ⌊0.8356·3⌋ = 2, 0.8486 → normal.
  // shot 3: region ⌊0.9292·3⌋ = 2, 0.4648 → abnormal, synthesis draws 0.9910.
  const calls: { region: string; poolLength: number; pixel: number }[] = [];
  const pool = arrayPool(Array.from({ length: 7 }, () => new Float32Array(SIZE * SIZE)));
  const b = drawBatch(MODEL, SHOTS, fake(calls), new Rng(42), 0.5, pool);
  assertEquals(b.regionIndex, [0, 0, 2, 2]);
  assertEquals(b.labels, [0, 1, 0, 1]);
  assert(b.images[0] === SHOTS[0] && b.images[2] === SHOTS[2], "normal samples are the shots themselves");
  assertEquals(Array.from(b.images[1]), [0.4471, 0.4471, 0.4471, 0.4471].map(Math.fround));
  assertEquals(Array.from(b.images[3]), [0.991, 0.991, 0.991, 0.991].map(Math.fround));
  assertEquals(calls, [
    { region: "a", poolLength: 7, pixel: Math.fround(0.2) },
    { region: "c", poolLength: 7, pixel: Math.fround(0.4) },
  ]);
  // Without a pool, the shots are the pool.
  const calls2: typeof calls = [];
  drawBatch(MODEL, SHOTS, fake(calls2), new Rng(42));
  assertEquals(calls2.map((c) => c.poolLength), [4, 4]);
});

Deno.test("drawBatch: with `none` no abnormal draw is made: one region draw per shot, all normal", () => {
  // 0.2396 → 0, 0.5859 → 1, 0.0932 → 0, 0.1987 → 0.
  const b = drawBatch(MODEL, SHOTS, SYNTHESES.none, new Rng(42));
  assertEquals(b.regionIndex, [0, 1, 0, 0]);
  assertEquals(b.labels, [0, 0, 0, 0]);
  b.images.forEach((img, i) => assert(img === SHOTS[i]));
  // p = 1: every sample abnormal; p = 0: none.
  assertEquals(drawBatch(MODEL, SHOTS, fake([]), new Rng(42), 1).labels, [1, 1, 1, 1]);
  assertEquals(drawBatch(MODEL, SHOTS, fake([]), new Rng(42), 0).labels, [0, 0, 0, 0]);
});
