import { assert, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { makeFakeDataset } from "../testing/fake_datasets.ts";
import {
  countWarnings,
  type Dataset,
  detectLayout,
  DOCUMENTED_COUNTS,
  LAYOUTS,
  loadDataset,
  loadDatasetSync,
  loadImages,
  makeDataset,
  parseBadImagePolicy,
  select,
} from "../lib/data/datasets/mod.ts";
import { splitCsvLine } from "../lib/util/csv.ts";
import { InputError } from "../lib/util/errors.ts";
import { join } from "../lib/util/path.ts";
import { Rng } from "../lib/util/rng.ts";

const OPTS = { normal: 3, abnormal: 4, trainNormal: 5, trainAbnormal: 2, val: 1, size: 24 };

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ppad-ds-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("datasets: every layout loads with the right counts, auto-detected and explicit", async () => {
  await withTemp(async (dir) => {
    for (const layout of LAYOUTS) {
      const fake = await makeFakeDataset(join(dir, layout), layout, { ...OPTS, rng: new Rng(1), dicom: true });
      const auto = await loadDataset(fake.root, { warn: false });
      assertEquals(auto.layout, layout);
      assertEquals(auto.counts(), fake.counts, layout);
      const explicit = loadDatasetSync(fake.root, { layout, warn: false });
      assertEquals(explicit.samples.map((s) => s.id), auto.samples.map((s) => s.id));
      assertEquals(new Set(auto.samples.map((s) => s.id)).size, auto.samples.length, "ids are unique");
      assert(auto.samples.every((s) => s.path.startsWith("/")), "absolute paths");
      assertEquals(select(auto, "train", 0).length, fake.counts.train.normal);
    }
  });
});

Deno.test("datasets: names, Kaggle root variants and Med-AD parents", async () => {
  await withTemp(async (dir) => {
    const rng = new Rng(2);
    const k = await makeFakeDataset(join(dir, "k"), "zhanglab-kaggle", { ...OPTS, rng });
    const a = loadDatasetSync(k.root, { warn: false });
    const b = loadDatasetSync(join(k.root, "chest_xray"), { warn: false });
    assertEquals([a.name, a.root], ["zhanglab", b.root]);
    // The Kaggle zip nests chest_xray/chest_xray.
    await Deno.mkdir(join(dir, "nested"));
    await Deno.rename(join(k.root, "chest_xray"), join(dir, "nested", "chest_xray"));
    await Deno.mkdir(join(dir, "outer", "chest_xray"), { recursive: true });
    await Deno.rename(join(dir, "nested", "chest_xray"), join(dir, "outer", "chest_xray", "chest_xray"));
    assertEquals(loadDatasetSync(join(dir, "outer"), { warn: false }).counts(), k.counts);

    const v = await makeFakeDataset(join(dir, "m"), "medad", { ...OPTS, rng, medadName: "VinCXR" });
    await makeFakeDataset(join(dir, "m"), "medad", { ...OPTS, normal: 2, rng, medadName: "RSNA" });
    assertEquals(loadDatasetSync(v.root, { warn: false }).name, "vindr");
    assertThrows(() => loadDatasetSync(join(dir, "m"), { warn: false }), InputError, "choose one with --dataset");
    const r = loadDatasetSync(join(dir, "m"), { dataset: "rsna", warn: false });
    assertEquals([r.name, r.counts().test.normal], ["rsna", 2]);
    const c = await makeFakeDataset(join(dir, "c"), "chexpert-squid", { ...OPTS, rng });
    assertEquals(loadDatasetSync(c.root, { warn: false }).name, "chexpert");
    const bm = await makeFakeDataset(join(dir, "b"), "bmad-rsna", { ...OPTS, rng });
    assertEquals(loadDatasetSync(bm.root, { warn: false }).name, "rsna-bmad");
  });
});

Deno.test("datasets: CheXpert accepts pneumonia_256 for the abnormal test folder", async () => {
  await withTemp(async (dir) => {
    const c = await makeFakeDataset(dir, "chexpert-squid", { ...OPTS, rng: new Rng(3) });
    await Deno.rename(join(dir, "our_test_256_pa", "abnormal_256"), join(dir, "our_test_256_pa", "pneumonia_256"));
    assertEquals(loadDatasetSync(c.root, { warn: false }).counts(), c.counts);
  });
});

Deno.test("datasets: one-line errors for a missing folder, an empty split, and unknown layouts", async () => {
  await withTemp(async (dir) => {
    const s = await makeFakeDataset(join(dir, "s"), "zhanglab-squid", { ...OPTS, rng: new Rng(4) });
    await Deno.remove(join(s.root, "test", "pneumonia_256"), { recursive: true });
    assertThrows(() => loadDatasetSync(s.root, { warn: false }), InputError, "missing folder test/pneumonia_256/");
    await Deno.mkdir(join(s.root, "test", "pneumonia_256"));
    assertThrows(
      () => loadDatasetSync(s.root, { warn: false }),
      InputError,
      "folder test/pneumonia_256/ holds no images",
    );
    const e = assertThrows(() => loadDatasetSync(s.root, { layout: "imagenet" }), InputError, "unknown layout");
    assert(e.message.includes("zhanglab-kaggle, zhanglab-squid"), e.message);
    await Deno.mkdir(join(dir, "empty"));
    const d = assertThrows(() => detectLayout(join(dir, "empty")), InputError, "Cannot detect the layout of");
    assert(d.message.includes("--layout") && !d.message.includes("\n"), d.message);
    assertThrows(() => loadDatasetSync(join(dir, "nope")), InputError, "no such folder");
    assertThrows(
      () => loadDatasetSync(join(dir, "empty"), { layout: "chexpert-squid" }),
      InputError,
      "our_test_256_pa/",
    );
    await Deno.mkdir(join(dir, "k", "chest_xray", "test", "NORMAL"), { recursive: true });
    assertThrows(() => loadDatasetSync(join(dir, "k"), { warn: false }), InputError, "missing folder train/NORMAL/");
  });
});

Deno.test("datasets: Med-AD data.json errors name the key or the missing file", async () => {
  await withTemp(async (dir) => {
    const m = await makeFakeDataset(dir, "medad", { ...OPTS, rng: new Rng(5) });
    const file = join(m.root, "data.json");
    const good = JSON.parse(await Deno.readTextFile(file));
    await Deno.writeTextFile(file, JSON.stringify({ train: good.train, test: { "0": good.test["0"] } }));
    assertThrows(() => loadDatasetSync(m.root, { warn: false }), InputError, 'key test."1" is missing');
    await Deno.writeTextFile(file, JSON.stringify({ ...good, train: { "0": [1, 2] } }));
    assertThrows(() => loadDatasetSync(m.root, { warn: false }), InputError, 'key train."0" is missing or not a list');
    await Deno.writeTextFile(file, "{ not json");
    assertThrows(() => loadDatasetSync(m.root, { warn: false }), InputError, "invalid JSON");
    await Deno.writeTextFile(file, JSON.stringify({ ...good, test: { ...good.test, "1": ["ghost.png"] } }));
    assertThrows(
      () => loadDatasetSync(m.root, { warn: false }),
      InputError,
      'test."1" lists images/ghost.png, which does not exist',
    );
    await Deno.writeTextFile(file, JSON.stringify({ ...good, test: { ...good.test, "1": ["../../etc/passwd"] } }));
    assertThrows(() => loadDatasetSync(m.root, { warn: false }), InputError, "outside the folder");
  });
});

Deno.test("datasets: CSV manifests (labels, default split, quoting, errors with line numbers)", async () => {
  assertEquals(splitCsvLine('"a, b.png",1,"te""st"', { trim: true }), ["a, b.png", "1", 'te"st']);
  assertEquals(splitCsvLine(' "a b.png" , 1 ,test', { trim: true }), ["a b.png", "1", "test"]);
  assertEquals(splitCsvLine('"a.png" x,1', { trim: true }), null);
  await withTemp(async (dir) => {
    const c = await makeFakeDataset(dir, "csv", { ...OPTS, rng: new Rng(6) });
    const rows = (await Deno.readTextFile(c.root)).trim().split("\n").slice(1);
    const first = rows[0].split(",")[0];
    await Deno.writeTextFile(join(dir, "m2.csv"), `${first},0\n${first},abnormal,train\n`);
    const ds = loadDatasetSync(join(dir, "m2.csv"));
    assertEquals(ds.counts().test.normal, 1);
    assertEquals(ds.counts().train.abnormal, 1);
    assertEquals(ds.manifest, join(dir, "m2.csv"));
    await Deno.writeTextFile(join(dir, "bad.csv"), `path,label\n${first},maybe\n`);
    assertThrows(() => loadDatasetSync(join(dir, "bad.csv")), InputError, 'bad.csv line 2: label "maybe"');
    await Deno.writeTextFile(join(dir, "miss.csv"), `nothere.png,1\n`);
    assertThrows(
      () => loadDatasetSync(join(dir, "miss.csv")),
      InputError,
      "miss.csv line 1: nothere.png does not exist",
    );
    await Deno.writeTextFile(join(dir, "split.csv"), `${first},1,holdout\n`);
    assertThrows(() => loadDatasetSync(join(dir, "split.csv")), InputError, 'split "holdout"');
    await Deno.writeTextFile(join(dir, "quote.csv"), `"${first},1\n`);
    assertThrows(() => loadDatasetSync(join(dir, "quote.csv")), InputError, "quote.csv line 1: a quoted field is not");
  });
});

Deno.test("datasets: documented counts and warnings", () => {
  assertEquals(DOCUMENTED_COUNTS.zhanglab?.test, { normal: 234, abnormal: 390 });
  assertEquals(DOCUMENTED_COUNTS.vindr?.train?.normal, 4000);
  const mk = (n: number, a: number): Dataset =>
    makeDataset("chexpert", "chexpert-squid", "/x", [
      ...Array.from(
        { length: n },
        (_, i) => ({ path: `/x/n${i}`, label: 0 as const, split: "test" as const, id: `n${i}` }),
      ),
      ...Array.from(
        { length: a },
        (_, i) => ({ path: `/x/a${i}`, label: 1 as const, split: "test" as const, id: `a${i}` }),
      ),
    ]);
  assertEquals(countWarnings(mk(250, 250)), []);
  const w = countWarnings(mk(250, 249));
  assertEquals(w.length, 1);
  assert(w[0].includes("test has 249 abnormal images, the documented split has 250"), w[0]);
  assertEquals(countWarnings(makeDataset("custom", "csv", "/x", [])), []);
});

Deno.test("datasets: loadImages fails on a bad image by default and skips it on request", async () => {
  assertEquals(parseBadImagePolicy("skip"), "skip");
  assertThrows(() => parseBadImagePolicy("ignore"), InputError, "--on-bad-image");
  await withTemp(async (dir) => {
    const fake = await makeFakeDataset(dir, "bmad-rsna", { ...OPTS, rng: new Rng(7), corrupt: true, dicom: true });
    const ds = loadDatasetSync(fake.root, { warn: false });
    assertEquals(ds.counts().test.abnormal, OPTS.abnormal + 1);
    await assertRejects(() => loadImages(ds.samples), InputError, "Cannot decode");
    const r = await loadImages(ds.samples, { resolution: 16, onBadImage: "skip" });
    assertEquals(r.skipped.map((s) => s.path), [fake.corruptPath]);
    assertEquals(r.images.length, ds.samples.length - 1);
    assertEquals(r.samples.length, r.images.length);
    assert(r.images.every((im) => im.width === 16 && im.height === 16));
    assert(!r.samples.some((s) => s.path === fake.corruptPath));
  });
});
