/** `--test-limit N --on-bad-image skip`: a skipped image is replaced from the test pool, or the shortfall is stated. */
import { assert, assertEquals } from "./assert.ts";
import { corruptPngBytes, makeFakeDataset } from "../testing/fake_datasets.ts";
import { ExperimentData } from "../lib/experiments/data.ts";
import { testSetNote } from "../lib/experiments/sweep.ts";
import { join } from "../lib/util/path.ts";
import { Rng } from "../lib/util/rng.ts";

Deno.test("test limit: a bad image is replaced by another of its class; when the pool runs out, the shortfall is stated", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const fake = await makeFakeDataset(join(dir, "d"), "zhanglab-squid", {
      normal: 5,
      abnormal: 7,
      trainNormal: 3,
      rng: new Rng(1),
    });
    const opts = { resolution: 16, quiet: true, testLimit: 6, onBadImage: "skip" as const };
    const first = await ExperimentData.load(fake.root, opts);
    assertEquals(first.test.labels.length, 6);
    const victim = first.test.samples.find((s) => s.label === 1)!;
    await Deno.writeFile(victim.path, corruptPngBytes());

    const again = await ExperimentData.load(fake.root, opts);
    assertEquals(again.test.labels.length, 6, "the limit is still met");
    assertEquals([again.test.skipped.length, again.test.replaced, again.test.shortfall], [1, 1, 0]);
    assertEquals(again.test.labels.filter((l) => l === 1).length, first.test.labels.filter((l) => l === 1).length);
    assert(!again.test.samples.some((s) => s.path === victim.path));
    assert(testSetNote(again).includes("replaced from the test pool"), testSetNote(again));

    // Every abnormal test image outside the subsample unreadable too: the replacement pool runs out.
    const chosen = new Set(first.test.samples.map((s) => s.path));
    for (const s of again.dataset.samples.filter((s) => s.split === "test" && s.label === 1 && !chosen.has(s.path))) {
      await Deno.writeFile(s.path, corruptPngBytes());
    }
    const short = await ExperimentData.load(fake.root, opts);
    assertEquals([short.test.labels.length, short.test.shortfall, short.test.replaced], [5, 1, 0]);
    assert(testSetNote(short).includes("5 of --test-limit 6 scored (short by 1"), testSetNote(short));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("test limit: a shortfall is reported with the counts", () => {
  const note = testSetNote({
    test: {
      skipped: [{ path: "a", reason: "r" }],
      requested: 12,
      labels: new Array(11).fill(0),
      replaced: 0,
      shortfall: 1,
    },
  } as unknown as Pick<ExperimentData, "test">);
  assertEquals(
    note,
    "skipped 1 bad image; 11 of --test-limit 12 scored (short by 1: no more readable test images of that class)",
  );
});
