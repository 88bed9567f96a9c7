import { assert, assertEquals, assertRejects } from "./assert.ts";
import { makeFakeDataset } from "../testing/fake_datasets.ts";
import { loadDatasetSync, loadImages } from "../lib/data/datasets/mod.ts";
import {
  buildCache,
  cacheStaleReason,
  decodeCache,
  defaultCachePath,
  loadPrepared,
  readCache,
} from "../lib/data/cache.ts";
import { InputError } from "../lib/util/errors.ts";
import { join, PROJECT_ROOT } from "../lib/util/path.ts";
import { Rng } from "../lib/util/rng.ts";

const OPTS = { normal: 3, abnormal: 3, trainNormal: 4, size: 40 };

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ppad-prep-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("cache: round trip equals direct decoding + resizing; 8-bit sets store 8 bits", async () => {
  await withTemp(async (dir) => {
    const fake = await makeFakeDataset(dir, "zhanglab-squid", { ...OPTS, rng: new Rng(1), dicom: true });
    const ds = loadDatasetSync(fake.root, { warn: false });
    const { path, header } = await buildCache(ds, { resolution: 32, progress: false });
    assertEquals(path, defaultCachePath(ds, 32));
    assertEquals(path, join(ds.root, ".ppad-cache-32.bin"));
    assertEquals(header.depth, 16); // the set holds 16-bit PNGs and a DICOM
    const prepared = await loadPrepared(ds, { resolution: 32, rebuild: "never" });
    assertEquals(prepared.rebuilt, false);
    const direct = await loadImages(ds.samples, { resolution: 32 });
    assertEquals(prepared.samples.map((s) => s.id), direct.samples.map((s) => s.id));
    for (let k = 0; k < direct.images.length; k++) {
      const a = prepared.images[k].data, b = direct.images[k].data;
      let max = 0;
      for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
      // 16-bit storage: ≤ half a 16-bit step; 8-bit images are exact.
      assert(max <= 0.5 / 65535 + 1e-7, `image ${k}: ${max}`);
      if (direct.images[k].bitDepth === 8) assertEquals(Array.from(a), Array.from(b));
    }
    // An all-8-bit data set stores uint8.
    const png8 = ds.samples.filter((s) =>
      direct.images[ds.samples.indexOf(s)].bitDepth === 8 && s.path.endsWith(".png")
    );
    const small = { ...ds, samples: png8, counts: ds.counts };
    const h8 = (await buildCache(small, { resolution: 32, path: join(dir, "c8.bin"), progress: false })).header;
    assertEquals(h8.depth, 8);
    const c8 = await readCache(join(dir, "c8.bin"));
    assert(c8.pixels instanceof Uint8Array);
    assertEquals(c8.pixels.length, 32 * 32 * png8.length);
  });
});

Deno.test("cache: stale (file changed, added, other resolution) and corrupt caches are rebuilt or refused", async () => {
  await withTemp(async (dir) => {
    const fake = await makeFakeDataset(dir, "chexpert-squid", { ...OPTS, rng: new Rng(2) });
    let ds = loadDatasetSync(fake.root, { warn: false });
    const first = await loadPrepared(ds, { resolution: 24, progress: false });
    assertEquals(first.rebuilt, true);
    const cache = await readCache(first.path);
    assertEquals(cacheStaleReason(cache.header, ds, 24), null);
    assert(cacheStaleReason(cache.header, ds, 32)?.includes("built for 24px"));
    // Change one file's content (size and mtime change).
    const victim = ds.samples[0].path;
    await Deno.writeFile(victim, await Deno.readFile(ds.samples[1].path));
    await Deno.utime(victim, new Date(), new Date(Date.now() + 5000));
    assert(cacheStaleReason(cache.header, ds, 24)?.includes("changed since the cache was built"));
    await assertRejects(() => loadPrepared(ds, { resolution: 24, rebuild: "never" }), InputError, "deno task prepare");
    const again = await loadPrepared(ds, { resolution: 24, progress: false });
    assertEquals(again.rebuilt, true);
    // A new file makes it stale too.
    await Deno.copyFile(ds.samples[1].path, join(dir, "train_256_pa", "normal_256", "zz_new.png"));
    ds = loadDatasetSync(fake.root, { warn: false });
    assert(cacheStaleReason((await readCache(again.path)).header, ds, 24)?.includes("the data set lists"));
    // Corrupt caches: truncated, bad magic, lying header length.
    const bytes = await Deno.readFile(again.path);
    for (
      const [bad, why] of [
        [bytes.subarray(0, bytes.length - 10), "payload holds"],
        [new Uint8Array(64), "not a PPAD cache file"],
        [
          (() => {
            const b = bytes.slice();
            new DataView(b.buffer).setUint32(12, 0xfffffff0, true);
            return b;
          })(),
          "header length",
        ],
      ] as const
    ) {
      let msg = "";
      try {
        decodeCache(bad, "c.bin");
      } catch (e) {
        assert(e instanceof InputError);
        msg = e.message;
      }
      assert(msg.startsWith("Cannot read cache c.bin: ") && msg.includes(why), msg);
    }
    await Deno.writeFile(again.path, bytes.subarray(0, 100));
    await assertRejects(
      () => loadPrepared(ds, { resolution: 24, rebuild: "never" }),
      InputError,
      "Cannot use prepared images",
    );
    const rebuilt = await loadPrepared(ds, { resolution: 24, progress: false });
    assertEquals([rebuilt.rebuilt, rebuilt.images.length], [true, ds.samples.length]);
  });
});

Deno.test("cache: bad images are recorded with skip and refused with fail", async () => {
  await withTemp(async (dir) => {
    const fake = await makeFakeDataset(dir, "medad", { ...OPTS, rng: new Rng(3), corrupt: true });
    const ds = loadDatasetSync(fake.root, { warn: false });
    await assertRejects(() => buildCache(ds, { resolution: 16, progress: false }), InputError, "Cannot decode");
    const p = await loadPrepared(ds, { resolution: 16, onBadImage: "skip", progress: false });
    assertEquals(p.skipped.map((s) => s.path), [fake.corruptPath]);
    assertEquals(p.images.length, ds.samples.length - 1);
    await assertRejects(() => loadPrepared(ds, { resolution: 16, rebuild: "never" }), InputError, "corrupt_0000.png");
    // The policy given when loading the data set applies; `select` returns one split only.
    const lenient = loadDatasetSync(fake.root, { warn: false, onBadImage: "skip" });
    const train = await loadPrepared(lenient, { resolution: 16, rebuild: "never", select: (s) => s.split === "train" });
    assertEquals(train.samples.length, OPTS.trainNormal);
    assert(train.samples.every((s) => s.split === "train" && s.label === 0));
    assertEquals(train.images.length, OPTS.trainNormal);
  });
});

Deno.test("prepare CLI: builds, reports JSON, keeps an up-to-date cache, fails in one line", async () => {
  await withTemp(async (dir) => {
    const fake = await makeFakeDataset(dir, "zhanglab-kaggle", { ...OPTS, rng: new Rng(4), corrupt: true });
    const run = async (...args: string[]) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", join(PROJECT_ROOT, "cli/prepare.ts"), ...args],
        env: { PPAD_QUIET: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      return {
        code: out.code,
        stdout: new TextDecoder().decode(out.stdout),
        stderr: new TextDecoder().decode(out.stderr),
      };
    };
    const bad = await run("--data", fake.root, "--resolution", "20");
    assertEquals(bad.code, 2);
    assert(bad.stderr.trim().split("\n").at(-1)!.startsWith("error: Cannot decode"), bad.stderr);
    const ok = await run("--data", fake.root, "--resolution", "20", "--on-bad-image", "skip", "--json");
    assertEquals(ok.code, 0, ok.stderr);
    const res = JSON.parse(ok.stdout);
    assertEquals([res.layout, res.status, res.images, res.skipped.length], ["zhanglab-kaggle", "built", 10, 1]);
    assertEquals(res.counts.test, { normal: 3, abnormal: 3 });
    const again = await run("--data", fake.root, "--resolution", "20", "--on-bad-image", "skip", "--json");
    assertEquals(JSON.parse(again.stdout).status, "up to date");
    const text = await run("--data", fake.root, "--resolution", "20", "--on-bad-image", "skip", "--force");
    assert(text.stdout.includes("split   normal  abnormal") && text.stdout.includes("built"), text.stdout);
    // A cache replaces an older cache, never another file, even with --force.
    const manifest = join(dir, "manifest.csv");
    await Deno.writeTextFile(manifest, "path,label\n");
    const onManifest = await run(
      "--data",
      fake.root,
      "--resolution",
      "20",
      "--on-bad-image",
      "skip",
      "--out",
      manifest,
      "--force",
    );
    assertEquals(onManifest.code, 2);
    assert(onManifest.stderr.includes(`${manifest}: it holds another file, not a PPAD cache`), onManifest.stderr);
    assertEquals(await Deno.readTextFile(manifest), "path,label\n");
    const missing = await run("--data", join(dir, "nowhere"));
    assertEquals(missing.code, 2);
    assert(missing.stderr.includes("no such folder"), missing.stderr);
    const badRes = await run("--data", fake.root, "--resolution", "abc");
    assertEquals(badRes.code, 2);
  });
});
