import { assert, assertEquals, assertNotEquals, assertRejects, assertThrows } from "./assert.ts";
import { splitCsvLine } from "../lib/util/csv.ts";
import { Rng } from "../lib/util/rng.ts";
import { InputError } from "../lib/util/errors.ts";
import { join } from "../lib/util/path.ts";
import {
  caseSeed,
  cleanStaleScratch,
  ensureBenchmark,
  FINDINGS,
  generateCase,
  generateEntry,
  isComplete,
  MANIFEST_COLUMNS,
  maskBBox,
  MIN_BENCHMARK_SIZE,
  MIN_FINDING_SIZE,
  patientSide,
  planBenchmark,
  readStamp,
  stampDifferences,
  writeBenchmark,
  writeReport,
} from "../lib/data/synthetic/mod.ts";
import { buildAnatomy, sampleAnatomyParams } from "../lib/data/synthetic/anatomy.ts";
import { boxRadii, drawTube, gaussianBlur } from "../lib/data/synthetic/raster.ts";
import { renderGallery, syntheticGallery } from "../lib/report/gallery.ts";

Deno.test("generateCase is deterministic in the seed and differs between seeds", () => {
  for (const finding of ["normal", ...FINDINGS] as const) {
    const a = generateCase(new Rng(11), { finding, size: 96 });
    const b = generateCase(new Rng(11), { finding, size: 96 });
    const c = generateCase(new Rng(12), { finding, size: 96 });
    assertEquals(a.image, b.image, `${finding}: same seed, same image`);
    assertEquals(a.mask, b.mask);
    assertEquals(a.report, b.report);
    assertNotEquals(a.image, c.image, `${finding}: different seed, different image`);
  }
});

Deno.test("normal cases have an empty mask and no location", () => {
  for (let s = 0; s < 4; s++) {
    const c = generateCase(new Rng(s), { size: 64 });
    assertEquals(c.finding, "normal");
    assertEquals(c.side, "none");
    assertEquals(c.zone, "none");
    assertEquals(c.bbox, null);
    assert(c.mask.every((v) => v === 0));
    assert(c.report.length > 5);
  }
});

Deno.test("every finding has a non-empty mask inside the image, a consistent bbox, side, zone and report", () => {
  const size = 128;
  for (const finding of FINDINGS) {
    for (let s = 0; s < 5; s++) {
      const c = generateCase(new Rng(1000 * s + 7), { finding, size });
      assertEquals(c.image.length, size * size);
      assertEquals(c.mask.length, size * size);
      let min = Infinity;
      let max = -Infinity;
      for (const v of c.image) {
        assert(Number.isFinite(v));
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      assert(min >= 0 && max <= 1, `${finding}: image in [0, 1]`);
      assert(max - min > 0.5, `${finding}: image has contrast`);
      const bbox = c.bbox;
      assert(bbox, `${finding} seed ${s}: bbox`);
      assertEquals(bbox, maskBBox(c.mask, size));
      assert(bbox.x >= 0 && bbox.y >= 0 && bbox.x + bbox.width <= size && bbox.y + bbox.height <= size);
      const area = c.mask.reduce((a, v) => a + v, 0);
      assert(area >= 3, `${finding} seed ${s}: mask area ${area}`);
      assert(c.mask.every((v) => v === 0 || v === 1));
      if (finding === "cardiomegaly") {
        assertEquals([c.side, c.zone], ["both", "middle"]);
        assert((c.details.ctr ?? 0) > 0.5, `cardiomegaly CTR ${c.details.ctr}`);
        assert(/cardi/i.test(c.report), c.report);
      } else {
        assert(c.side === "left" || c.side === "right");
        assert(["upper", "middle", "lower"].includes(c.zone));
        // Reports speak in patient terms: image left is the patient's right.
        const word = patientSide(c.side);
        assert(new RegExp(`\\b${word}\\b`, "i").test(c.report), `${finding}: "${c.report}" should say ${word}`);
        // The finding lies on the recorded image side of the midline.
        const centreX = bbox.x + bbox.width / 2;
        assert(c.side === "left" ? centreX < size * 0.55 : centreX > size * 0.45, `${finding}: side ${c.side}`);
      }
    }
  }
});

Deno.test("normal hearts stay within the normal cardiothoracic ratio", () => {
  for (let s = 0; s < 60; s++) {
    const anat = buildAnatomy(sampleAnatomyParams(new Rng(s)), 256);
    assert(anat.heart.ctr > 0.3 && anat.heart.ctr < 0.5, `seed ${s}: CTR ${anat.heart.ctr}`);
  }
});

Deno.test("generateCase supports other sizes and rejects bad options", () => {
  const c = generateCase(new Rng(3), { size: 48, finding: "nodule" });
  assertEquals(c.image.length, 48 * 48);
  assertThrows(() => generateCase(new Rng(3), { size: 10 }), RangeError, "size");
  assertThrows(() => generateCase(new Rng(3), { finding: "fracture" as "nodule" }), RangeError, "unknown finding");
  // Below MIN_FINDING_SIZE a small finding can cover no pixel: the error says so instead of blaming the generator.
  assertThrows(
    () => generateCase(new Rng(1), { size: 32, finding: "effusion" }),
    Error,
    `an effusion case at 32 px: its mask came out empty (findings need images of at least ${MIN_FINDING_SIZE} px)`,
  );
});

Deno.test("at MIN_FINDING_SIZE the findings that can vanish (effusion, nodule) still have masks (a sample of seeds)", () => {
  // 96 and 112 px fail for some seeds (1 effusion in ~1,200 / ~4,000); MIN_FINDING_SIZE documents the
  // wider survey. Seeds below include the ones that fail at 96 px (568, 1117, 2846).
  const seeds = [
    568,
    1117,
    2846,
    ...Array.from({ length: 60 }, (_, i) => i),
    ...[0, 1, 2].map((i) => caseSeed(5, "test-abnormal", i)),
  ];
  for (const finding of ["effusion", "nodule"] as const) {
    for (const s of seeds) {
      const c = generateCase(new Rng(s), { size: MIN_FINDING_SIZE, finding });
      assert(c.bbox !== null, `${finding} seed ${s}`);
    }
  }
  assertThrows(() => generateCase(new Rng(568), { size: 96, finding: "effusion" }), Error, "mask came out empty");
});

Deno.test("a finding too faint to leave a mask is drawn again, deterministically, from where the generator stands", () => {
  // These seeds' first consolidation comes out too faint for its mask threshold (about 1 in 10,000).
  for (const [seed, size] of [[102213, 256], [102213, 160], [1112, 128]] as const) {
    const a = generateCase(new Rng(seed), { size, finding: "consolidation" });
    const b = generateCase(new Rng(seed), { size, finding: "consolidation" });
    assert(a.bbox !== null && a.mask.some((v) => v > 0), `seed ${seed} at ${size} px`);
    assertEquals([a.image, a.mask, a.report], [b.image, b.mask, b.report]);
  }
});

Deno.test("raster: blur keeps constants and mass; tubes add their chord", () => {
  const w = 40;
  const h = 30;
  const data = new Float32Array(w * h).fill(0.7);
  const tmp = new Float32Array(w * h);
  for (const sigma of [0.5, 1.5, 4]) {
    gaussianBlur(data, tmp, w, h, sigma);
    assert(data.every((v) => Math.abs(v - 0.7) < 1e-5), `constant survives σ=${sigma}`);
  }
  const spike = new Float32Array(w * h);
  spike[15 * w + 20] = 1;
  gaussianBlur(spike, tmp, w, h, 2);
  const mass = spike.reduce((a, v) => a + v, 0);
  assert(Math.abs(mass - 1) < 1e-4, `mass ${mass}`);
  assertEquals(boxRadii(3).length, 3);
  const field = new Float32Array(w * h);
  drawTube(field, w, h, 5, 15, 35, 15, 3, 3, 1);
  // Across the tube at its middle: chord 2·sqrt(r² − d²) at the pixel centres.
  assert(Math.abs(field[15 * w + 20] - 2 * Math.sqrt(9 - 0.25)) < 1e-4);
  assertEquals(field[5 * w + 20], 0);
});

Deno.test("reports use patient sides and varied phrasing", () => {
  assertEquals(patientSide("left"), "right");
  assertEquals(patientSide("right"), "left");
  const seen = new Set<string>();
  for (let s = 0; s < 30; s++) {
    seen.add(writeReport(new Rng(s), { finding: "normal", side: "none", zone: "none", details: {} }));
  }
  assert(seen.size >= 10, `only ${seen.size} distinct normal reports`);
  const r = writeReport(new Rng(1), {
    finding: "consolidation",
    side: "left",
    zone: "lower",
    details: { bronchograms: true },
  });
  assert(/right/.test(r) && /(lower|base)/.test(r) && /bronchogram/.test(r), r);
});

Deno.test("benchmark plan: counts, even findings, unique files and seeds", () => {
  const plan = planBenchmark();
  assertEquals(plan.length, 1200 + 234 + 390);
  const abnormal = plan.filter((e) => e.group === "test-abnormal");
  assertEquals(abnormal.length, 390);
  for (const f of FINDINGS) assertEquals(abnormal.filter((e) => e.finding === f).length, 65);
  assertEquals(new Set(plan.map((e) => e.file)).size, plan.length);
  assertEquals(new Set(plan.map((e) => e.seed)).size, plan.length);
  assertEquals(caseSeed(1, "test-normal", 3), caseSeed(1, "test-normal", 3));
  assertNotEquals(caseSeed(1, "test-normal", 3), caseSeed(2, "test-normal", 3));
  // An image's seed does not depend on the other groups' sizes.
  assertEquals(planBenchmark({ trainNormal: 3 }).find((e) => e.group === "test-normal")!.seed, plan[1200].seed);
  assertThrows(() => planBenchmark({ trainNormal: -1 }), InputError, "trainNormal");
  // A benchmark below MIN_BENCHMARK_SIZE would stop on an empty mask part-way: refused before any work.
  assertEquals(MIN_BENCHMARK_SIZE, MIN_FINDING_SIZE);
  assertThrows(
    () => planBenchmark({ size: MIN_BENCHMARK_SIZE - 1 }),
    InputError,
    `size must be in [${MIN_BENCHMARK_SIZE}, 4096]`,
  );
  assertEquals(planBenchmark({ size: MIN_BENCHMARK_SIZE, trainNormal: 1, testNormal: 0, testAbnormal: 0 }).length, 1);
});

Deno.test("stampDifferences names each flag whose recorded value differs", () => {
  const opts = { seed: 5, size: 128, trainNormal: 3, testNormal: 2, testAbnormal: 7 };
  const stamp = {
    generator: "ppad-synthetic-cxr",
    version: 1,
    seed: 5,
    size: 128,
    counts: { trainNormal: 3, testNormal: 2, testAbnormal: 7 },
    findings: { consolidation: 2, nodule: 1, effusion: 1, pneumothorax: 1, atelectasis: 1, cardiomegaly: 1 },
    layout: "zhanglab-squid",
  };
  assertEquals(stampDifferences(stamp, opts), []);
  assertEquals(stampDifferences({ ...stamp, version: 0 }, opts), [], "the generator version is not an option");
  assertEquals(stampDifferences(stamp, { ...opts, seed: 6, testAbnormal: 8 }), [
    "--seed 5, not 6",
    "--test-abnormal 7, not 8",
  ]);
  assertEquals(stampDifferences(stamp, {}), [
    "--seed 5, not 2024",
    "--size 128, not 256",
    "--train-normal 3, not 1200",
    "--test-normal 2, not 234",
    "--test-abnormal 7, not 390",
  ]);
});

/** A pid that certainly belonged to a process that has exited. */
async function deadPid(): Promise<number> {
  const child = new Deno.Command(Deno.execPath(), { args: ["eval", ""], stdout: "null", stderr: "null" }).spawn();
  await child.status;
  return child.pid;
}

Deno.test({
  name: "cleanStaleScratch removes a dead run's partial folder, restores a mid-swap benchmark, spares live ones",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const root = await Deno.makeTempDir({ prefix: "synth_scratch_" });
    try {
      const dead = await deadPid();
      const host = Deno.hostname().replace(/[^A-Za-z0-9._-]/g, "_");
      const dirs = {
        legacyDead: `.bench.partial-${dead}`, // the name earlier versions used
        dead: `.bench.partial-${dead}-${host}`,
        live: `.bench.partial-${Deno.pid}-${host}`, // this test process: alive
        otherHost: `.bench.partial-${dead}-some-other-host`, // cannot tell whether it is alive: kept
        otherTarget: `.bench2.partial-${dead}`, // another benchmark's
        old: `.bench.old-${dead}-${host}`, // the benchmark being replaced when its run was killed
      };
      for (const d of Object.values(dirs)) {
        await Deno.mkdir(join(root, d, "masks"), { recursive: true });
        await Deno.writeTextFile(join(root, d, "masks", "x.png"), d);
      }
      await Deno.writeTextFile(join(root, dirs.old, "benchmark.json"), "{}");
      const bench = join(root, "bench");
      await Deno.mkdir(bench); // what `synth` leaves by creating --out before writing: empty
      const notes = await cleanStaleScratch(bench);
      const left = [];
      for await (const e of Deno.readDir(root)) left.push(e.name);
      assertEquals(left.sort(), ["bench", dirs.otherTarget, dirs.live, dirs.otherHost].sort());
      assertEquals(await Deno.readTextFile(join(bench, "masks", "x.png")), dirs.old, "the old benchmark is back");
      assertEquals(notes.length, 3, notes.join("\n"));
      assert(notes.every((n) => !n.includes("\n") && n.includes(String(dead))), notes.join("\n"));
      assert(notes[0].startsWith(`restored ${bench}`), notes[0]);
      // A second old copy while `bench` holds something that is not a benchmark: left alone, with a note.
      await Deno.mkdir(join(root, dirs.old));
      await Deno.remove(join(bench, "benchmark.json"));
      const again = await cleanStaleScratch(bench);
      assertEquals(again.length, 1);
      assert(again[0].startsWith(`left ${join(root, dirs.old)}`), again[0]);
      assert(await Deno.stat(join(root, dirs.old)).then(() => true));
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

async function readAll(dir: string): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  const walk = async (rel: string) => {
    for await (const e of Deno.readDir(join(dir, rel))) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) await walk(p);
      else out.set(p, await Deno.readFile(join(dir, p)));
    }
  };
  await walk("");
  return out;
}

Deno.test("writeBenchmark: layout, manifest, masks, byte-identical for a seed, ensureBenchmark reuse", async () => {
  const root = await Deno.makeTempDir({ prefix: "synth_test_" });
  try {
    const opts = { seed: 5, size: 128, trainNormal: 3, testNormal: 2, testAbnormal: 7, quiet: true };
    const a = join(root, "a");
    const b = join(root, "b");
    const c = join(root, "c");
    await writeBenchmark(a, opts);
    await writeBenchmark(b, opts);
    await writeBenchmark(c, { ...opts, seed: 6 });
    const fa = await readAll(a);
    const fb = await readAll(b);
    const fc = await readAll(c);
    assertEquals([...fa.keys()].sort(), [...fb.keys()].sort());
    for (const [k, v] of fa) assertEquals(v, fb.get(k), `${k} identical for the same seed`);
    assertNotEquals(
      fa.get("train/normal_256/train_normal_00001.png"),
      fc.get("train/normal_256/train_normal_00001.png"),
    );
    const pngs = (folder: string) => [...fa.keys()].filter((k) => k.startsWith(folder) && k.endsWith(".png"));
    assertEquals(pngs("train/normal_256/").length, 3);
    assertEquals(pngs("test/normal_256/").length, 2);
    assertEquals(pngs("test/pneumonia_256/").length, 7);
    assertEquals(pngs("masks/").length, 7);
    // Manifest: header, one row per image, fields consistent with the plan and the regenerated case.
    const lines = new TextDecoder().decode(fa.get("manifest.csv")).trimEnd().split("\n");
    assertEquals(lines[0], MANIFEST_COLUMNS.join(","));
    assertEquals(lines.length, 1 + 12);
    const plan = planBenchmark(opts);
    for (let i = 1; i < lines.length; i++) {
      const row = splitCsvLine(lines[i]) ?? [];
      assertEquals(row.length, MANIFEST_COLUMNS.length, lines[i]);
      const entry = plan[i - 1];
      assertEquals(row[0], entry.file);
      assertEquals(row[3], entry.finding);
      assertEquals(row[2], entry.group === "test-abnormal" ? "1" : "0");
      if (entry.group === "test-abnormal") {
        const regenerated = generateEntry(entry, 128);
        const bb = regenerated.bbox!;
        assertEquals(row[6], `${bb.x} ${bb.y} ${bb.width} ${bb.height}`);
        assertEquals(row[7], entry.mask);
        assertEquals(row[8], regenerated.report);
      } else {
        assertEquals([row[4], row[5], row[6], row[7]], ["none", "none", "", ""]);
      }
    }
    // The stamp marks completeness; ensureBenchmark reuses a complete folder without rewriting it.
    assertEquals((await readStamp(a))?.seed, 5);
    assert(await isComplete(a, opts));
    assert(!(await isComplete(a, { ...opts, seed: 9 })));
    const before = (await Deno.stat(join(a, "manifest.csv"))).mtime?.getTime();
    assertEquals(await ensureBenchmark(a, opts), a);
    assertEquals((await Deno.stat(join(a, "manifest.csv"))).mtime?.getTime(), before);
    // A folder missing an image is incomplete and gets regenerated.
    await Deno.remove(join(a, "test/normal_256/test_normal_00001.png"));
    assert(!(await isComplete(a, opts)));
    await ensureBenchmark(a, opts);
    assert(await isComplete(a, opts));
    // A folder without the stamp (e.g. a killed run's partial copy) is not complete; non-benchmark folders are refused.
    const partial = join(root, "partial");
    await Deno.mkdir(join(partial, "train/normal_256"), { recursive: true });
    await Deno.writeTextFile(join(partial, "notes.txt"), "mine");
    assert(!(await isComplete(partial, opts)));
    await assertRejects(() => writeBenchmark(partial, opts), InputError, "not a synthetic benchmark");
    assertEquals(await Deno.readTextFile(join(partial, "notes.txt")), "mine");
    // No temporary folders are left behind.
    const names = [];
    for await (const e of Deno.readDir(root)) names.push(e.name);
    assertEquals(names.sort(), ["a", "b", "c", "partial"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("gallery renders captioned tiles as an RGB PNG", () => {
  const tile = { image: new Float32Array(16 * 16).fill(0.5), mask: new Uint8Array(16 * 16), size: 16, caption: ["A1"] };
  tile.mask[5 * 16 + 5] = 1;
  const g = renderGallery([tile, tile, tile], { columns: 2, gap: 2, fontScale: 1 });
  assertEquals(g.width, 2 * 18 + 2);
  assertEquals(g.rgb.length, g.width * g.height * 3);
  const png = syntheticGallery({ size: 48, normals: 1, perFinding: 1 });
  assertEquals([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
});
