import { assert, assertAlmostEquals, assertEquals, assertNotEquals, assertThrows } from "./assert.ts";
import {
  bezierLoop,
  convexHull,
  dilateSquare,
  edt,
  fillPolygon,
  getSynthesis,
  lesionGamma,
  lesionShape,
  type Point,
  sas,
  SAS_WEIGHTS,
  sasGallery,
  SYNTHESES,
  SYNTHESIS_NAMES,
} from "../lib/synthesis/mod.ts";
import { decode } from "fast-png";
import { join, PROJECT_ROOT } from "../lib/util/path.ts";
import { ppad5, regionBoundingBox } from "../lib/prompts/regions.ts";
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

Deno.test("shape: the Bézier loop fill equals XOR of the hull and every bulge", () => {
  const rng = new Rng(9);
  for (let t = 0; t < 10; t++) {
    const pts = Array.from({ length: 10 }, () => ({ x: 20 + rng.next() * 60, y: 20 + rng.next() * 60 }));
    const hull = convexHull(pts);
    const loop = bezierLoop(hull, rng.fork(), 8, 16);
    const combined = new Uint8Array(100 * 100);
    fillPolygon(loop, 100, 100, combined);
    const xor = new Uint8Array(100 * 100);
    const fillXor = (poly: number[]) => {
      const m = new Uint8Array(100 * 100);
      fillPolygon(Float64Array.from(poly), 100, 100, m);
      for (let i = 0; i < m.length; i++) xor[i] ^= m[i];
    };
    fillXor(hull.flatMap((p) => [p.x, p.y]));
    for (let e = 0; e < hull.length; e++) {
      // Bulge e: its Bézier samples (from hull[e] up to before hull[e+1]) plus hull[e+1]; closed by the straight edge.
      const part = Array.from(loop.subarray(e * 32, (e + 1) * 32));
      const b = hull[(e + 1) % hull.length];
      fillXor([...part, b.x, b.y]);
    }
    let diff = 0;
    for (let i = 0; i < xor.length; i++) diff += xor[i] ^ combined[i];
    assert(diff <= 2, `trial ${t}: ${diff} pixels differ`);
    assert(combined.reduce((a, b) => a + b, 0) > 300, "non-trivial shape");
  }
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

Deno.test("sas: mask non-empty, sized as drawn, overlapping the region box; outside pixels unchanged", () => {
  const img = testImage(), rng = new Rng(3);
  const seenWeights = new Set<number>();
  for (let t = 0; t < 40; t++) {
    const region = REGIONS[t % REGIONS.length];
    const { image, mask, weight, box } = sas(img, SIZE, region, rng);
    seenWeights.add(weight);
    let area = 0, overlap = 0, changedOutside = 0;
    const rb = regionBoundingBox(region);
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        const i = y * SIZE + x;
        if (mask[i]) {
          area++;
          assert(x >= box.x0 && x <= box.x1 && y >= box.y0 && y <= box.y1, "mask inside its box");
          if (x >= rb.x0 && x <= rb.x1 && y >= rb.y0 && y <= rb.y1) overlap++;
        } else if (image[i] !== img[i]) changedOutside++;
      }
    }
    assertEquals(changedOutside, 0);
    assert(area > 100, `area ${area}`);
    assert(overlap > 0, `lesion ${JSON.stringify(box)} misses region ${region.name}`);
    // The hull spans most of a w×h box with w, h in [44.8, 179.2]; bulges (σ 8) and the 5×5 dilation add a little.
    const bw = box.x1 - box.x0 + 1, bh = box.y1 - box.y0 + 1;
    assert(bw <= 179.2 + 40 && bh <= 179.2 + 40 && bw >= 10 && bh >= 10, `box ${bw}×${bh}`);
  }
  assertEquals([...seenWeights].sort((a, b) => a - b), [...SAS_WEIGHTS].sort((a, b) => a - b));
});

Deno.test("sas: the sign of w decides brighter or darker; γ = 1 on the inner boundary, 1 + w at the core", () => {
  const flat = new Float32Array(SIZE * SIZE).fill(0.5);
  for (const w of SAS_WEIGHTS) {
    const { image, mask, box, weight } = sas(flat, SIZE, REGIONS[4], new Rng(7), { weights: [w] });
    assertEquals(weight, w);
    let strictly = 0;
    for (let i = 0; i < mask.length; i++) {
      if (!mask[i]) continue;
      if (w < 0) assert(image[i] >= 0.5, `w ${w}: pixel ${i} darkened to ${image[i]}`);
      else assert(image[i] <= 0.5, `w ${w}: pixel ${i} brightened to ${image[i]}`);
      if (image[i] !== 0.5) strictly++;
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
  // "outside" mode measures from the outside pixels: boundary γ = 1 + w/max(d) ≠ 1.
  const r = sas(flat, SIZE, REGIONS[4], new Rng(7), { weights: [2] });
  const inner = lesionGamma(r.mask, SIZE, r.box, 2, "inner-boundary").gamma;
  const outer = lesionGamma(r.mask, SIZE, r.box, 2, "outside").gamma;
  let differ = 0;
  for (let i = 0; i < inner.length; i++) if (inner[i] === 1 && outer[i] > 1) differ++;
  assert(differ > 20, `outside mode should lift the boundary (${differ})`);
});

Deno.test("sas: γ follows the exact EDT of the mask (checked against brute force)", () => {
  const { mask, box } = sas(testImage(), SIZE, REGIONS[2], new Rng(21), { sizeRange: [0.2, 0.25] });
  const { gamma } = lesionGamma(mask, SIZE, box, 3);
  // Brute-force EDT on the box grown by 2 px (which is all background around the lesion when not at the image edge).
  const x0 = Math.max(0, box.x0 - 2), y0 = Math.max(0, box.y0 - 2);
  const x1 = Math.min(SIZE - 1, box.x1 + 2), y1 = Math.min(SIZE - 1, box.y1 + 2);
  const w = x1 - x0 + 1, h = y1 - y0 + 1, crop = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) crop[y * w + x] = mask[(y0 + y) * SIZE + x0 + x];
  const d = bruteEdt(crop, w, h).map((v) => (v > 0 ? v - 1 : 0));
  const dmax = Math.max(...d);
  const bw = box.x1 - box.x0 + 1;
  for (let y = box.y0; y <= box.y1; y++) {
    for (let x = box.x0; x <= box.x1; x++) {
      const want = 1 + (3 * d[(y - y0) * w + (x - x0)]) / dmax;
      assertAlmostEquals(gamma[(y - box.y0) * bw + (x - box.x0)], want, 1e-5);
    }
  }
});

Deno.test("sas: lesionShape and errors", () => {
  const m = new Uint8Array(64 * 64);
  const box = lesionShape(m, 64, 10, 10, 30, 30, new Rng(1));
  assert(box !== null && m.reduce((a, b) => a + b, 0) > 100);
  assertThrows(() => sas(new Float32Array(10), SIZE, REGIONS[0], new Rng(1)), RangeError, "expected 224×224");
  assertThrows(() => sas(testImage(), SIZE, ppad5(112).regions[0], new Rng(1)), RangeError, 'region "left" mask');
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
  assert(SYNTHESES.fpi.needsOther);
  assertThrows(
    () => SYNTHESES.fpi.apply({ image: img, size: SIZE, region: REGIONS[0] }, new Rng(1)),
    RangeError,
    "needs `other`",
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
        join(PROJECT_ROOT, "lib/cli/bench_synthesis.ts"),
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
