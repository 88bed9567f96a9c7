import { assert, assertEquals, assertNotEquals } from "./assert.ts";
import { Rng } from "../lib/util/rng.ts";

Deno.test("Rng: same seed gives the same sequence", () => {
  const a = new Rng(42), b = new Rng(42);
  const xs = Array.from({ length: 100 }, () => a.next());
  const ys = Array.from({ length: 100 }, () => b.next());
  assertEquals(xs, ys);
  assertNotEquals(xs, Array.from({ length: 100 }, () => new Rng(43).next()));
});

Deno.test("Rng: uniform in [0,1) with mean near 0.5 and normal with unit variance", () => {
  const r = new Rng(1);
  let s = 0, s2 = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) {
    const u = r.next();
    assert(u >= 0 && u < 1);
    s += u;
    const z = r.normal();
    s2 += z * z;
  }
  assert(Math.abs(s / n - 0.5) < 0.01, `mean ${s / n}`);
  assert(Math.abs(s2 / n - 1) < 0.05, `var ${s2 / n}`);
});

Deno.test("Rng: sample draws distinct items and int is inclusive", () => {
  const r = new Rng(7);
  const picked = r.sample([...Array(50).keys()], 20);
  assertEquals(new Set(picked).size, 20);
  const seen = new Set<number>();
  for (let i = 0; i < 1000; i++) seen.add(r.int(0, 3));
  assertEquals([...seen].sort(), [0, 1, 2, 3]);
});
