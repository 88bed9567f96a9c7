import { assert, assertEquals } from "./assert.ts";
import { makeFakeDataset } from "../testing/fake_datasets.ts";
import { loadDataset } from "../lib/data/datasets/mod.ts";
import { loadPrepared } from "../lib/data/cache.ts";
import { compactImage, ExperimentData, stratifiedSubsample } from "../lib/experiments/data.ts";
import { join } from "../lib/util/path.ts";
import { Rng } from "../lib/util/rng.ts";

Deno.test("experiment data: the prepare cache gives the same pixels as decoding, and shots are seeded", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const fake = await makeFakeDataset(join(dir, "d"), "zhanglab-squid", {
      normal: 5,
      abnormal: 7,
      trainNormal: 9,
      rng: new Rng(1),
    });
    const decoded = await ExperimentData.load(fake.root, { resolution: 32, quiet: true });
    await loadPrepared(await loadDataset(fake.root, { warn: false }), { resolution: 32, progress: false });
    const cached = await ExperimentData.load(fake.root, { resolution: 32, quiet: true });
    assertEquals(cached.test.samples.map((s) => s.id), decoded.test.samples.map((s) => s.id));
    // 8-bit images are identical; 16-bit ones are stored as uint16 after resizing (error ≤ 1/65535).
    cached.test.images.forEach((img, i) => {
      const ref = decoded.test.images[i];
      assertEquals(img.length, ref.length);
      assert(img.every((v, j) => Math.abs(v - ref[j]) <= 1 / 65535 + 1e-7), `image ${i} differs`);
    });
    const a = await cached.shots(3, 4), b = await decoded.shots(3, 4), c = await decoded.shots(4, 4);
    assertEquals(a.samples.map((s) => s.id), b.samples.map((s) => s.id));
    a.images.forEach((img, i) => assert(img.every((v, j) => Math.abs(v - b.images[i][j]) <= 1 / 65535 + 1e-7)));
    assert(a.samples.every((s) => s.split === "train" && s.label === 0));
    assert(c.samples.map((s) => s.id).join() !== a.samples.map((s) => s.id).join(), "another seed, another draw");
    // FPI's pool: every train normal, in trainNormals order, equal to the decoded images (memoised).
    for (const data of [decoded, cached]) {
      const pool = await data.normalPool();
      assert(pool === await data.normalPool(), "memoised");
      assertEquals(pool.length, 9);
      const all = await data.shots(0, 9);
      all.samples.forEach((s, k) => {
        const i = data.trainNormals.indexOf(s);
        const img = pool.image(i);
        assert(img.every((v, j) => Math.abs(v - all.images[k][j]) <= 1 / 65535 + 1e-7), `pool image ${i} differs`);
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("experiment data: compactImage stores 8-bit images as bytes and keeps the others", () => {
  const eight = Float32Array.from([0, 1, 128, 255], (k) => k / 255);
  assertEquals(compactImage(eight), Uint8Array.from([0, 1, 128, 255]));
  const sixteen = Float32Array.from([0, 1000 / 65535]);
  assert(compactImage(sixteen) === sixteen);
});

Deno.test("experiment data: stratified subsample keeps the class ratio and is fixed", () => {
  const samples = Array.from({ length: 100 }, (_, i) => ({
    path: `/x/${i}.png`,
    id: `${i}`,
    split: "test" as const,
    label: (i < 40 ? 0 : 1) as 0 | 1,
  }));
  const a = stratifiedSubsample(samples, 20), b = stratifiedSubsample(samples, 20);
  assertEquals(a, b);
  assertEquals(a.length, 20);
  assertEquals(a.filter((s) => s.label === 1).length, 12);
});
