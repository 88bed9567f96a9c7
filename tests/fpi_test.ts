import { assert, assertEquals, assertThrows } from "./assert.ts";
import { arrayPool, fpi, SYNTHESES } from "../lib/synthesis/mod.ts";
import { ppad5, type Region, regionBoundingBox } from "../lib/prompts/regions.ts";
import { Rng } from "../lib/util/rng.ts";
import { forInt, ScriptedRng } from "./scripted_rng.ts";

const SIZE = 224;
const REGIONS = ppad5(SIZE).regions;

/** A random 8-bit image `[SIZE*SIZE]` (values k/255). */
function image(seed: number, size = SIZE): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: size * size }, () => rng.int(0, 255) / 255);
}

Deno.test("fpi: deterministic, pure, patch blended from the source at the same place, truncated to 8 bits", () => {
  const a = image(1), b = image(2), a0 = a.slice(), b0 = b.slice();
  const r1 = fpi(a, b, SIZE, REGIONS[0], new Rng(5));
  const r2 = fpi(a, b, SIZE, REGIONS[0], new Rng(5));
  assertEquals(r1, r2);
  assertEquals([a, b], [a0, b0], "inputs untouched");
  const { image: out, mask, alpha, box } = r1;
  assert(alpha >= 0.5 && alpha < 1 && alpha === Math.fround(alpha), `alpha ${alpha}`);
  for (let i = 0; i < out.length; i++) {
    const x = i % SIZE, y = Math.floor(i / SIZE);
    const inside = x >= box.x0 && x <= box.x1 && y >= box.y0 && y <= box.y1;
    assertEquals(mask[i], inside ? 1 : 0);
    const want = inside ? Math.floor((1 - alpha) * a[i] * 255 + alpha * b[i] * 255 + 1e-4) / 255 : a[i];
    assert(Math.abs(out[i] - want) < 1e-6, `pixel ${i}: ${out[i] * 255} vs ${want * 255}`);
  }
});

Deno.test("fpi: half-width in [round(0.05·W), round(0.2·W)) = [11, 44], centred in the region's box, clipped at the edge", () => {
  const a = image(3), b = image(4), rng = new Rng(8);
  let clipped = 0;
  const sides = new Set<number>();
  for (let t = 0; t < 300; t++) {
    const region = REGIONS[t % REGIONS.length];
    const { box, mask } = fpi(a, b, SIZE, region, rng);
    const w = box.x1 - box.x0 + 1, h = box.y1 - box.y0 + 1;
    assert(box.x0 >= 0 && box.y0 >= 0 && box.x1 < SIZE && box.y1 < SIZE);
    assert(w <= 88 && h <= 88 && w >= 11 && h >= 11, `patch ${w}×${h}`);
    const atEdge = box.x0 === 0 || box.y0 === 0 || box.x1 === SIZE - 1 || box.y1 === SIZE - 1;
    if (!atEdge) {
      assert(w === h && w % 2 === 0 && w >= 22, `unclipped patch ${w}×${h}`);
      sides.add(w);
    } else if (w !== h || w % 2 === 1) clipped++;
    assertEquals(mask.reduce((s, v) => s + v, 0), w * h);
    const rb = regionBoundingBox(region);
    assert(box.x1 >= rb.x0 && box.x0 <= rb.x1 && box.y1 >= rb.y0 && box.y0 <= rb.y1, "patch overlaps the region box");
  }
  assert(clipped > 5, `some patches are clipped at the image edge (${clipped})`);
  assert(sides.size > 15, `sizes vary (${sides.size})`);
});

Deno.test("fpi (official): hand-computed draws, edge clipping and float32 blend truncated to uint8 (12×12)", () => {
  const size = 12;
  const whole: Region = { name: "whole", words: "", mask: new Uint8Array(size * size).fill(1) };
  // image = (100 + x)/255, source = (200 + 2x)/255 at column x.
  const img = new Float32Array(size * size), src = new Float32Array(size * size);
  for (let i = 0; i < size * size; i++) {
    img[i] = (100 + (i % size)) / 255;
    src[i] = (200 + 2 * (i % size)) / 255;
  }
  // Draws: centre row, col = randint(0, 11) = 1, 10; r = randint(round(2.4), round(4.8)) = randint(2, 5) = 3;
  // α = 0.5 + 0.5·0.5 = 0.75. Patch rows [1 − 3, 1 + 3) ∩ [0, 12) = [0, 4), columns [7, 13) ∩ [0, 12) = [7, 12).
  const rng = new ScriptedRng([forInt(1, 0, 10), forInt(10, 0, 10), forInt(3, 2, 4), 0.5]);
  const r = fpi(img, src, size, whole, rng, { halfWidthRange: [0.2, 0.4] });
  assertEquals(rng.used, 4);
  assertEquals(r.alpha, 0.75);
  assertEquals(r.box, { x0: 7, y0: 0, x1: 11, y1: 3 });
  // Inside: 0.25·(100 + x) + 0.75·(200 + 2x) = 175 + 1.75x → x = 7…11: 187.25, 189, 190.75, 192.5, 194.25, truncated.
  const row = (y: number) => Array.from(r.image.subarray(y * size, (y + 1) * size), (v) => Math.round(v * 255));
  const left = Array.from({ length: 7 }, (_, x) => 100 + x);
  for (let y = 0; y < 4; y++) assertEquals(row(y), [...left, 187, 189, 190, 192, 194]);
  assertEquals(row(4), Array.from({ length: 12 }, (_, x) => 100 + x));
  assertEquals(r.mask.reduce((a, v) => a + v, 0), 20);
});

Deno.test("fpi registry: the source is drawn first, uniformly from the whole pool", () => {
  const size = 12;
  const whole: Region = { name: "whole", words: "", mask: new Uint8Array(size * size).fill(1) };
  const pool = [0, 1, 2].map((k) => new Float32Array(size * size).fill((10 + 100 * k) / 255));
  const img = new Float32Array(size * size).fill(10 / 255);
  // Pool index int(0, 2) = 2 (the 210 image); then the draws of the previous test but with the default half-width
  // range: randint(round(0.6), round(2.4)) = randint(1, 2) = 1; α 0.75. 0.25·10 + 0.75·210 = 160.
  const rng = new ScriptedRng([forInt(2, 0, 2), forInt(5, 0, 10), forInt(5, 0, 10), 0.5, 0.5]);
  const r = SYNTHESES.fpi.apply({ image: img, size, region: whole, pool: arrayPool(pool) }, rng);
  assertEquals(r.mask.reduce((a, v) => a + v, 0), 4, "2r × 2r = 2×2 patch at rows/cols [4, 6)");
  for (const i of [4 * size + 4, 4 * size + 5, 5 * size + 4, 5 * size + 5]) {
    assertEquals(Math.round(r.image[i] * 255), 160);
  }
});

Deno.test("fpi: size mismatches are refused", () => {
  assertThrows(
    () => fpi(image(1), new Float32Array(5), SIZE, REGIONS[0], new Rng(1)),
    RangeError,
    "source image has 5 pixels",
  );
});
