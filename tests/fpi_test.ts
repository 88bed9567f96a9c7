import { assert, assertEquals, assertThrows } from "./assert.ts";
import { fpi } from "../lib/synthesis/mod.ts";
import { ppad5, regionBoundingBox } from "../lib/prompts/regions.ts";
import { Rng } from "../lib/util/rng.ts";

const SIZE = 224;
const REGIONS = ppad5(SIZE).regions;

function image(seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: SIZE * SIZE }, () => rng.next());
}

Deno.test("fpi: deterministic, pure, square patch blended from the other image at the same place", () => {
  const a = image(1), b = image(2), a0 = a.slice(), b0 = b.slice();
  const r1 = fpi(a, b, SIZE, REGIONS[0], new Rng(5));
  const r2 = fpi(a, b, SIZE, REGIONS[0], new Rng(5));
  assertEquals(r1, r2);
  assertEquals([a, b], [a0, b0], "inputs untouched");
  const { image: out, mask, alpha, box } = r1;
  assert(alpha >= 0.5 && alpha < 1, `alpha ${alpha}`);
  const side = box.x1 - box.x0 + 1;
  assertEquals(box.y1 - box.y0 + 1, side, "square");
  for (let i = 0; i < out.length; i++) {
    const x = i % SIZE, y = Math.floor(i / SIZE);
    const inside = x >= box.x0 && x <= box.x1 && y >= box.y0 && y <= box.y1;
    assertEquals(mask[i], inside ? 1 : 0);
    const want = inside ? Math.fround((1 - alpha) * a[i] + alpha * b[i]) : a[i];
    assertEquals(out[i], want);
  }
});

Deno.test("fpi: half-width in [0.05, 0.2]·W, inside the image, centred from the region's box", () => {
  const a = image(3), b = image(4), rng = new Rng(8);
  const sides = new Set<number>();
  for (let t = 0; t < 200; t++) {
    const region = REGIONS[t % REGIONS.length];
    const { box, mask } = fpi(a, b, SIZE, region, rng);
    const side = box.x1 - box.x0 + 1;
    sides.add(side);
    // r = round(U[0.05, 0.2]·224) ∈ [11, 45] → side 2r ∈ [22, 90].
    assert(side % 2 === 0 && side >= 22 && side <= 90, `side ${side}`);
    assert(box.x0 >= 0 && box.y0 >= 0 && box.x1 < SIZE && box.y1 < SIZE);
    assertEquals(mask.reduce((s, v) => s + v, 0), side * side);
    const rb = regionBoundingBox(region);
    assert(box.x1 >= rb.x0 && box.x0 <= rb.x1 && box.y1 >= rb.y0 && box.y0 <= rb.y1, "patch overlaps the region box");
  }
  assert(sides.size > 15, `sizes vary (${sides.size})`);
});

Deno.test("fpi: size mismatches are refused", () => {
  assertThrows(
    () => fpi(image(1), new Float32Array(5), SIZE, REGIONS[0], new Rng(1)),
    RangeError,
    "other image has 5 pixels",
  );
});
