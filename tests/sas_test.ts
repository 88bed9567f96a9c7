import { assert, assertAlmostEquals, assertEquals, assertNotEquals, assertThrows } from "./assert.ts";
import {
  applyGamma,
  arrayPool,
  bezierBulge,
  convexHull,
  dilateSquare,
  edt,
  fillPolygon,
  getSynthesis,
  lesionGamma,
  lesionShape,
  placeCanvas,
  type Point,
  roundHalfEven,
  sas,
  SAS_WEIGHTS,
  sasGallery,
  SYNTHESES,
  SYNTHESIS_NAMES,
} from "../lib/synthesis/mod.ts";
import { decode } from "fast-png";
import { join, PROJECT_ROOT } from "../lib/util/path.ts";
import { ppad5, type Region } from "../lib/prompts/regions.ts";
import { forInt, ScriptedRng } from "./scripted_rng.ts";
import { InputError } from "../lib/util/errors.ts";
import { Rng } from "../lib/util/rng.ts";

const SIZE = 224;
const REGIONS = ppad5(SIZE).regions;

/** A smooth test image in (0, 1): a gradient with stripes, strictly inside (0, 1). */
function testImage(size = SIZE): Float32Array {
  const out = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) out[y * size + x] = 0.2 + 0.5 * (x / size) + 0.1 * Math.sin(y / 5);
  }
  return out;
}

/** Brute-force EDT: distance to the nearest zero, by scanning all pixels. */
function bruteEdt(mask: Uint8Array, w: number, h: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < w * h; i++) {
    if (!mask[i]) {
      out.push(0);
      continue;
    }
    let best = Infinity;
    for (let j = 0; j < w * h; j++) {
      if (!mask[j]) best = Math.min(best, Math.hypot((i % w) - (j % w), Math.floor(i / w) - Math.floor(j / w)));
    }
    out.push(best);
  }
  return out;
}

Deno.test("edt: exact on small hand cases", () => {
  assertEquals(Array.from(edt(Uint8Array.from([0, 1, 1, 1, 0]), 5, 1)), [0, 1, 2, 1, 0]);
  // 5×5 with a 3×3 foreground block in the middle: ring pixels are 1 from the border, the centre 2.
  const block = new Uint8Array(25);
  for (let y = 1; y <= 3; y++) for (let x = 1; x <= 3; x++) block[y * 5 + x] = 1;
  // deno-fmt-ignore
  const expected = [
    0, 0, 0, 0, 0,
    0, 1, 1, 1, 0,
    0, 1, 2, 1, 0,
    0, 1, 1, 1, 0,
    0, 0, 0, 0, 0,
  ];
  assertEquals(Array.from(edt(block, 5, 5)), expected);
  // One background pixel at the centre of a 5×5 foreground: the Euclidean distance to (2, 2).
  const single = new Uint8Array(25).fill(1);
  single[12] = 0;
  const d = edt(single, 5, 5);
  for (let y = 0; y < 5; y++) for (let x = 0; x < 5; x++) assertEquals(d[y * 5 + x], Math.hypot(x - 2, y - 2));
  // Outside the array is not background; an all-foreground mask has no distance.
  assertEquals(Array.from(edt(Uint8Array.from([1, 1, 0]), 3, 1)), [2, 1, 0]);
  assertEquals(Array.from(edt(Uint8Array.from([1, 1]), 2, 1)), [Infinity, Infinity]);
  assertThrows(() => edt(new Uint8Array(5), 2, 2), RangeError, "expected 2×2");
});

Deno.test("edt: equals brute force on random masks", () => {
  const rng = new Rng(5);
  for (let t = 0; t < 10; t++) {
    const w = rng.int(3, 17), h = rng.int(3, 17);
    const mask = Uint8Array.from({ length: w * h }, () => (rng.bernoulli(0.8) ? 1 : 0));
    mask[rng.int(0, w * h - 1)] = 0;
    const got = Array.from(edt(mask, w, h));
    const want = bruteEdt(mask, w, h);
    for (let i = 0; i < want.length; i++) assertAlmostEquals(got[i], want[i], 1e-12, `${w}×${h} pixel ${i}`);
  }
});

Deno.test("shape pieces: hull, scanline fill, dilation", () => {
  const pts: Point[] = [{ x: 0, y: 0 }, { x: 4, y: 0 }, { x: 4, y: 4 }, { x: 0, y: 4 }, { x: 2, y: 2 }, { x: 2, y: 0 }];
  assertEquals(convexHull(pts), [{ x: 0, y: 0 }, { x: 4, y: 0 }, { x: 4, y: 4 }, { x: 0, y: 4 }]);
  // Square (1,1)–(4,4): pixel centres 1.5, 2.5, 3.5 are inside → a 3×3 block.
  const m = new Uint8Array(36);
  const box = fillPolygon(Float64Array.from([1, 1, 4, 1, 4, 4, 1, 4]), 6, 6, m);
  assertEquals(box, { x0: 1, y0: 1, x1: 3, y1: 3 });
  assertEquals(m.reduce((a, b) => a + b, 0), 9);
  // Clipped at the image edge.
  const c = new Uint8Array(16);
  assertEquals(fillPolygon(Float64Array.from([-5, -5, 2, -5, 2, 2, -5, 2]), 4, 4, c), { x0: 0, y0: 0, x1: 1, y1: 1 });
  // 5×5 dilation of one pixel, then of a corner pixel (clipped to 3×3).
  const one = new Uint8Array(81);
  one[4 * 9 + 4] = 1;
  assertEquals(dilateSquare(one, 9, 9, { x0: 4, y0: 4, x1: 4, y1: 4 }), { x0: 2, y0: 2, x1: 6, y1: 6 });
  for (let y = 0; y < 9; y++) {
    for (let x = 0; x < 9; x++) assertEquals(one[y * 9 + x], x >= 2 && x <= 6 && y >= 2 && y <= 6 ? 1 : 0);
  }
  const corner = new Uint8Array(81);
  corner[0] = 1;
  dilateSquare(corner, 9, 9, { x0: 0, y0: 0, x1: 0, y1: 0 });
  assertEquals(corner.reduce((a, b) => a + b, 0), 9);
});

Deno.test("shape: a Bézier bulge runs from a to b in `samples` points, t = linspace(0, 1)", () => {
  // σ = 0: both control points at the midpoint (1, 0) of (0, 0) → (2, 0), so y = 0 and
  // x(t) = 3(1−t)²t·1 + 3(1−t)t²·1 + t³·2: t = 0 → 0; t = ½ → 3/8 + 3/8 + 2/8 = 1; t = 1 → 2.
  const b = bezierBulge({ x: 0, y: 0 }, { x: 2, y: 0 }, new Rng(1), 0, 3);
  assertEquals(Array.from(b), [0, 0, 1, 0, 2, 0]);
});

Deno.test("sas: deterministic for a seed, pure, different seeds differ", () => {
  const img = testImage(), copy = img.slice();
  const a = sas(img, SIZE, REGIONS[0], new Rng(1));
  const b = sas(img, SIZE, REGIONS[0], new Rng(1));
  assertEquals(img, copy, "input untouched");
  assertEquals(a.image, b.image);
  assertEquals(a.mask, b.mask);
  assertEquals(a.weight, b.weight);
  const c = sas(img, SIZE, REGIONS[0], new Rng(2));
  assertNotEquals(a.mask, c.mask);
});

Deno.test("sas: mask non-empty, sized as drawn; outside pixels unchanged", () => {
  const img = testImage(), rng = new Rng(3);
  const seenWeights = new Set<number>();
  for (let t = 0; t < 40; t++) {
    const region = REGIONS[t % REGIONS.length];
    const { image, mask, weight, box } = sas(img, SIZE, region, rng);
    seenWeights.add(weight);
    let area = 0, changedOutside = 0;
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        const i = y * SIZE + x;
        if (mask[i]) {
          area++;
          assert(x >= box.x0 && x <= box.x1 && y >= box.y0 && y <= box.y1, "mask inside its box");
        } else if (image[i] !== img[i]) changedOutside++;
      }
    }
    assertEquals(changedOutside, 0);
    assert(area > 100, `area ${area}`);
    // The lesion lies on a max(w, h)² canvas with w, h in [45, 178], and never reaches the last row or column.
    const bw = box.x1 - box.x0 + 1, bh = box.y1 - box.y0 + 1;
    assert(bw <= 178 && bh <= 178 && bw >= 10 && bh >= 10, `box ${bw}×${bh}`);
  }
  assertEquals([...seenWeights].sort((a, b) => a - b), [...SAS_WEIGHTS].sort((a, b) => a - b));
});

Deno.test("sas: the sign of w decides brighter or darker; γ = 1 on the inner boundary, 1 + w at the core", () => {
  const grey = Math.fround(128 / 255), flat = new Float32Array(SIZE * SIZE).fill(grey);
  for (const w of SAS_WEIGHTS) {
    const { image, mask, box, weight } = sas(flat, SIZE, REGIONS[4], new Rng(7), { weights: [w] });
    assertEquals(weight, w);
    let strictly = 0;
    for (let i = 0; i < mask.length; i++) {
      if (!mask[i]) continue;
      if (w < 0) assert(image[i] >= grey, `w ${w}: pixel ${i} darkened to ${image[i]}`);
      else assert(image[i] <= grey, `w ${w}: pixel ${i} brightened to ${image[i]}`);
      if (image[i] !== grey) strictly++;
    }
    assert(strictly > 50, `w ${w}: only ${strictly} pixels changed`);
    const { gamma } = lesionGamma(mask, SIZE, box, w);
    const bw = box.x1 - box.x0 + 1;
    let boundary = 0, maxDev = 0;
    for (let y = box.y0; y <= box.y1; y++) {
      for (let x = box.x0; x <= box.x1; x++) {
        const i = y * SIZE + x, g = gamma[(y - box.y0) * bw + (x - box.x0)];
        if (!mask[i]) {
          assertEquals(g, 1, "γ = 1 outside");
          continue;
        }
        const inImage = x > 0 && y > 0 && x < SIZE - 1 && y < SIZE - 1;
        if (inImage && (!mask[i - 1] || !mask[i + 1] || !mask[i - SIZE] || !mask[i + SIZE])) {
          assertEquals(g, 1, "γ = 1 on the inner boundary");
          boundary++;
        }
        maxDev = Math.max(maxDev, Math.abs(g - 1));
      }
    }
    assert(boundary > 20);
    assertAlmostEquals(maxDev, Math.abs(w), 1e-6, "the deepest pixel has γ = 1 + w");
  }
});

Deno.test("sas: γ follows the exact EDT of the mask (checked against brute force)", () => {
  const { mask, box } = sas(testImage(), SIZE, REGIONS[2], new Rng(21), { sizeRange: [0.2, 0.25] });
  const { gamma } = lesionGamma(mask, SIZE, box, 3);
  // Brute-force EDT on the box grown by 2 px (which is all background around the lesion when not at the image edge).
  const x0 = Math.max(0, box.x0 - 2), y0 = Math.max(0, box.y0 - 2);
  const x1 = Math.min(SIZE - 1, box.x1 + 2), y1 = Math.min(SIZE - 1, box.y1 + 2);
  const w = x1 - x0 + 1, h = y1 - y0 + 1, crop = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) crop[y * w + x] = mask[(y0 + y) * SIZE + x0 + x];
  const d = bruteEdt(crop, w, h);
  const dmax = Math.max(...d);
  const bw = box.x1 - box.x0 + 1;
  for (let y = box.y0; y <= box.y1; y++) {
    for (let x = box.x0; x <= box.x1; x++) {
      const e = d[(y - y0) * w + (x - x0)];
      const want = e > 1 ? 1 + (e / dmax) * 3 : 1;
      assertAlmostEquals(gamma[(y - box.y0) * bw + (x - box.x0)], want, 1e-5);
    }
  }
});

Deno.test("sas: lesionShape and errors", () => {
  const c = lesionShape(30, 20, new Rng(1));
  assert(c !== null && c.side === 30 && c.mask.reduce((a, b) => a + b, 0) > 100);
  assertThrows(() => sas(new Float32Array(10), SIZE, REGIONS[0], new Rng(1)), RangeError, "expected 224×224");
  assertThrows(() => sas(testImage(), SIZE, ppad5(112).regions[0], new Rng(1)), RangeError, 'region "left" mask');
});

/** A region covering the whole `size`² image. */
function wholeRegion(size: number): Region {
  return { name: "whole", words: "", mask: new Uint8Array(size * size).fill(1) };
}

/** `[size*size]` as rows of bytes (value·255, rounded) for readable comparisons. */
function bytes(image: Float32Array, size: number): number[][] {
  return Array.from(
    { length: size },
    (_, y) => Array.from(image.subarray(y * size, (y + 1) * size), (v) => Math.round(v * 255)),
  );
}

Deno.test("sas γ (official): 1 + (EDT / max EDT)·w, 1 on the inner boundary; output ⌊255·I^γ⌋ (hand-computed, 8×8)", () => {
  // A 5×5 lesion at rows/cols 1…5 of an 8×8 image: EDT is 1 on its outer ring, 2 on the next, 3 at the centre (3, 3).
  const size = 8, mask = new Uint8Array(size * size);
  for (let y = 1; y <= 5; y++) for (let x = 1; x <= 5; x++) mask[y * size + x] = 1;
  const box = { x0: 1, y0: 1, x1: 5, y1: 5 };
  // w = 2: ring 1 (inner boundary) γ = 1; ring 2 γ = 1 + (2/3)·2 = 7/3; centre γ = 1 + (3/3)·2 = 3.
  // (The former (EDT − 1)/(max − 1) form gave ring 2 γ = 1 + ½·2 = 2.)
  const g = lesionGamma(mask, size, box, 2).gamma;
  // deno-fmt-ignore
  const want = [
    1, 1,   1,   1,   1,
    1, 7/3, 7/3, 7/3, 1,
    1, 7/3, 3,   7/3, 1,
    1, 7/3, 7/3, 7/3, 1,
    1, 1,   1,   1,   1,
  ];
  want.forEach((v, i) => assertAlmostEquals(g[i], v, 1e-6, `γ at box pixel ${i}`));
  // I = 128/255 = 0.50196: 255·0.50196^(7/3) = 51.06 → 51; 255·0.50196³ = 32.25 → 32 (truncated, as astype(uint8)).
  const image = new Float32Array(size * size).fill(128 / 255), out = image.slice();
  applyGamma(image, out, size, lesionGamma(mask, size, box, 2));
  const b = bytes(out, size);
  assertEquals(b[3], [128, 128, 51, 32, 51, 128, 128, 128]);
  assertEquals(b[2], [128, 128, 51, 51, 51, 128, 128, 128]);
  assertEquals(b[1], Array(8).fill(128));
  // w = −0.99: ring 2 γ = 1 − 0.66 = 0.34 → 255·0.50196^0.34 = 201.73 → 201; centre γ = 0.01 → 253.25 → 253.
  const out2 = image.slice();
  applyGamma(image, out2, size, lesionGamma(mask, size, box, -0.99));
  assertEquals(bytes(out2, size)[3], [128, 128, 201, 253, 201, 128, 128, 128]);
});

Deno.test("sas γ (official): beyond the image is not background (scipy), so an edge lesion keeps its core there", () => {
  // 3×3 lesion in the top-left corner of an 8×8 image: the nearest background is right or below, so EDT is
  // (0,0) 3, (0,1) (1,0) (1,1) 2, the rest 1 (inner boundary). w = 3: γ = 1 + 3 = 4 at (0,0), 1 + (2/3)·3 = 3 at the 2s.
  const size = 8, mask = new Uint8Array(size * size);
  for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) mask[y * size + x] = 1;
  const g = lesionGamma(mask, size, { x0: 0, y0: 0, x1: 2, y1: 2 }, 3).gamma;
  // deno-fmt-ignore
  assertEquals(Array.from(g), [
    4, 3, 1,
    3, 3, 1,
    1, 1, 1,
  ]);
});

Deno.test("sas placement (official): canvas centred at the drawn centre, moved inside; the end rule stops at size − 1", () => {
  // side 5 in a 12-pixel axis: centre 5 → [3, 8); centre 1 → start −1 → moved to [0, 5); centre 10 → [8, 13) passes
  // 12 → moved to end at 11: [6, 11) (row 11 uncovered, as the release); centre 9 → [7, 12) fits exactly.
  assertEquals(placeCanvas(5, 5, 12), 3);
  assertEquals(placeCanvas(5, 1, 12), 0);
  assertEquals(placeCanvas(5, 10, 12), 6);
  assertEquals(placeCanvas(5, 9, 12), 7);
  // Even side 6: start c − 3.
  assertEquals(placeCanvas(6, 6, 12), 3);
  // np.round halves to even: 0.2·224 = 44.8 → 45, 0.8·224 = 179.2 → 179, 2.5 → 2, 3.5 → 4.
  assertEquals([44.8, 179.2, 2.5, 3.5, 2.4, 9.6].map(roundHalfEven), [45, 179, 2, 4, 2, 10]);
});

Deno.test("sas lesion (official): w × h points on a max(w, h)² canvas, hull XOR bulges, 5×5 dilation (hand-computed)", () => {
  // w = 6, h = 4 → a 6×6 canvas. Points (0,0), (5,0), (5,3), (0,3) and six times (2,1): the hull is that rectangle.
  // Pixel (c, r) is inside when the point (c, r) is: the half-open rule gives columns 0…4 × rows 0…2. σ = 0 makes the
  // bulges flat (nothing to XOR). Dilation 5×5, clipped to the canvas: columns 0…5 × rows 0…4; row 5 stays empty.
  const pts = [[0, 0], [5, 0], [5, 3], [0, 3], ...Array(6).fill([2, 1])];
  const script = pts.flatMap(([x, y]) => [forInt(x, 0, 5), forInt(y, 0, 3)]);
  const c = lesionShape(6, 4, new ScriptedRng(script), { sigma: 0 });
  assert(c !== null);
  assertEquals(c.side, 6);
  const rows = Array.from({ length: 6 }, (_, r) => Array.from(c.mask.subarray(r * 6, r * 6 + 6)).join(""));
  assertEquals(rows, ["111111", "111111", "111111", "111111", "111111", "000000"]);
  // Collinear points: no hull (the release's Qhull raises), null.
  const line = Array.from({ length: 10 }, (_, i) => [forInt(i % 6, 0, 5), forInt(0, 0, 3)]).flat();
  assertEquals(lesionShape(6, 4, new ScriptedRng(line), { sigma: 0 }), null);
});

Deno.test("sas end to end (official): draws, placement, γ and 8-bit output on a 12×12 image (hand-computed)", () => {
  const size = 12;
  // Draws: weight pick ⌊0.6·4⌋ = 2 → w = 2; centre row, col = randint(0, 11) = 6, 6; width, height = randint(2, 10):
  // 6, 4 (round(0.2·12) = 2, round(0.8·12) = 10); then the points of the previous test; σ = 0.
  const pts = [[0, 0], [5, 0], [5, 3], [0, 3], ...Array(6).fill([2, 1])];
  const script = [
    0.6,
    forInt(6, 0, 10),
    forInt(6, 0, 10),
    forInt(6, 2, 9),
    forInt(4, 2, 9),
    ...pts.flatMap(([x, y]) => [forInt(x, 0, 5), forInt(y, 0, 3)]),
  ];
  const image = new Float32Array(size * size).fill(128 / 255);
  const r = sas(image, size, wholeRegion(size), new ScriptedRng(script), { sigma: 0 });
  assertEquals(r.weight, 2);
  // Canvas side 6 at start 6 − 3 = 3 on both axes: the 5-row × 6-column lesion covers rows 3…7, columns 3…8.
  assertEquals(r.box, { x0: 3, y0: 3, x1: 8, y1: 7 });
  // EDT = min(row distance 1 2 3 2 1, column distance 1 2 3 3 2 1); max 3. γ: EDT 1 → 1 (128), 2 → 7/3 (51), 3 → 3 (32).
  const b = bytes(r.image, size);
  const o = 128;
  assertEquals(b[2], Array(12).fill(o));
  assertEquals(b[3], Array(12).fill(o));
  assertEquals(b[4], [o, o, o, o, 51, 51, 51, 51, o, o, o, o]);
  assertEquals(b[5], [o, o, o, o, 51, 32, 32, 51, o, o, o, o]);
  assertEquals(b[6], [o, o, o, o, 51, 51, 51, 51, o, o, o, o]);
  assertEquals(b[7], Array(12).fill(o));
  assertEquals(r.mask.reduce((a, v) => a + v, 0), 30);
});

Deno.test("registry: sas, fpi, none; none is the identity; unknown names refused", () => {
  assertEquals([...SYNTHESIS_NAMES], ["sas", "fpi", "none"]);
  assertEquals(Object.keys(SYNTHESES), ["sas", "fpi", "none"]);
  const img = testImage();
  const n = SYNTHESES.none.apply({ image: img, size: SIZE, region: REGIONS[0] }, new Rng(1));
  assertEquals(n.image, img);
  assert(n.image !== img, "a copy");
  assertEquals(n.mask.reduce((a, b) => a + b, 0), 0);
  const s = getSynthesis("sas").apply({ image: img, size: SIZE, region: REGIONS[1] }, new Rng(4));
  assertEquals(s.image, sas(img, SIZE, REGIONS[1], new Rng(4)).image);
  assert(SYNTHESES.fpi.needsPool && !SYNTHESES.sas.needsPool && !SYNTHESES.none.needsPool);
  assertThrows(
    () => SYNTHESES.fpi.apply({ image: img, size: SIZE, region: REGIONS[0] }, new Rng(1)),
    RangeError,
    "needs `pool`",
  );
  assertThrows(
    () => SYNTHESES.fpi.apply({ image: img, size: SIZE, region: REGIONS[0], pool: arrayPool([]) }, new Rng(1)),
    RangeError,
    "needs `pool`",
  );
  assertThrows(() => getSynthesis("cutpaste"), InputError, "known are sas, fpi, none");
});

Deno.test("sas: fast enough (loose bound; the benchmark CLI measures properly)", () => {
  const img = testImage(), rng = new Rng(1);
  const t0 = performance.now();
  for (let i = 0; i < 50; i++) sas(img, SIZE, REGIONS[i % 5], rng);
  const perSecond = 50 / ((performance.now() - t0) / 1000);
  assert(perSecond > 40, `only ${perSecond.toFixed(0)} img/s`);
});

Deno.test("sasGallery: a decodable RGB PNG of 5 panels per image row", () => {
  const png = decode(sasGallery([testImage(64), testImage(64).map((v) => 1 - v)], 64, new Rng(1)));
  assertEquals([png.width, png.height, png.channels, png.depth], [5 * 64 + 6 * 4, 2 * 64 + 3 * 4, 3, 8]);
  // The third panel of the first row carries a red outline.
  let red = 0;
  for (let i = 0; i < png.data.length; i += 3) {
    if (png.data[i] === 255 && png.data[i + 1] === 0 && png.data[i + 2] === 0) red++;
  }
  assert(red > 20, `${red} red pixels`);
});

Deno.test("bench_synthesis CLI: --json prints throughput for sas, fpi, none and writes a gallery", async () => {
  const dir = await Deno.makeTempDir({ prefix: "bench_synth_" });
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        join(PROJECT_ROOT, "cli/bench_synthesis.ts"),
        "--n",
        "5",
        "--size",
        "64",
        "--json",
        "--gallery",
        join(dir, "g.png"),
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    const r = JSON.parse(text);
    for (const k of ["sas", "fpi", "none"]) assert(r[k] > 0, `${k}: ${r[k]}`);
    assert(typeof r.machine === "string" && r.machine.includes("CPUs"));
    assertEquals(decode(await Deno.readFile(join(dir, "g.png"))).width, 5 * 64 + 24);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
