import { assert, assertAlmostEquals, assertEquals, assertThrows } from "./assert.ts";
import { captionFor, captionVocabulary, promptCaption } from "../lib/train/captions.ts";
import { ZERO_SHOT_PROMPTS } from "../lib/prompts/mod.ts";
import { augmentGray, augmentPreset, describeAugmentPreset } from "../lib/train/augment.ts";
import { mixedSource } from "../lib/train/pretrain_mix.ts";
import { type CorpusEntry, type CorpusPart, listCorpus, splitCorpus } from "../lib/train/real_corpus.ts";
import type { PairPool } from "../lib/train/pretrain.ts";
import { InputError } from "../lib/util/errors.ts";
import { join } from "../lib/util/path.ts";
import { Rng } from "../lib/util/rng.ts";

Deno.test("captions: varied phrasings that keep to their label", () => {
  const rng = new Rng(3);
  const normal = new Set(Array.from({ length: 200 }, () => captionFor("normal", rng)));
  const pneumonia = new Set(Array.from({ length: 200 }, () => captionFor("pneumonia", rng)));
  assert(normal.size >= 15 && pneumonia.size >= 15, `too few phrasings: ${normal.size}, ${pneumonia.size}`);
  // A normal caption never says pneumonia, and names an opacity or consolidation only to negate it.
  for (const c of normal) {
    assert(!/pneumonia/.test(c) && (!/opacit|consolidation/.test(c) || /\bno\b/.test(c)), `normal caption: ${c}`);
  }
  for (const c of pneumonia) assert(/pneumonia|opacit|consolidation|airspace/.test(c), `no finding in: ${c}`);
  // a pure function of the generator's state
  assertEquals(captionFor("pneumonia", new Rng(9)), captionFor("pneumonia", new Rng(9)));
  assert(captionVocabulary("normal").includes("normal."));
});

Deno.test("augment: the same generator state gives the same view; collapsed ranges give the image back", () => {
  const size = 16;
  const img = Float32Array.from({ length: size * size }, (_, i) => ((i * 37) % 97) / 97);
  const a = augmentGray(img, size, new Rng(5)), b = augmentGray(img, size, new Rng(5));
  assertEquals(a, b);
  assert(a.some((v, i) => Math.abs(v - img[i]) > 1e-3), "the default augmentation changed nothing");
  assert(a.every((v) => v >= 0 && v <= 1));
  const id = augmentGray(img, size, new Rng(5), {
    scale: [1, 1],
    aspect: [1, 1],
    rotateDeg: 0,
    gamma: [1, 1],
    contrast: [1, 1],
    brightness: 0,
  });
  for (let i = 0; i < img.length; i++) assertAlmostEquals(id[i], img[i], 1e-6);
});

Deno.test("augment presets: light draws the same eight numbers as before blur and noise existed; acquisition varies more", () => {
  const size = 24;
  // a smooth film-like image: a bright centre falling off towards the edges
  const img = Float32Array.from({ length: size * size }, (_, i) => {
    const x = (i % size) / size - 0.5, y = Math.floor(i / size) / size - 0.5;
    return 0.2 + 0.6 * Math.exp(-(x * x + y * y) * 6);
  });
  // light = the defaults, and it leaves the generator where eight draws leave it
  const light = augmentPreset("light");
  assert(light !== false);
  const r1 = new Rng(11), r2 = new Rng(11);
  assertEquals(augmentGray(img, size, r1, light), augmentGray(img, size, new Rng(11)));
  for (let k = 0; k < 8; k++) r2.next();
  assertEquals(r1.next(), r2.next());
  assertEquals(augmentPreset("none"), false);
  // acquisition: deterministic, in range, and on average further from the image than light
  const acq = augmentPreset("acquisition");
  assert(acq !== false);
  assertEquals(augmentGray(img, size, new Rng(3), acq), augmentGray(img, size, new Rng(3), acq));
  const distance = (o: typeof acq) => {
    let total = 0;
    for (let seed = 0; seed < 20; seed++) {
      const v = augmentGray(img, size, new Rng(seed), o);
      assert(v.every((x) => x >= 0 && x <= 1));
      total += v.reduce((a, x, i) => a + Math.abs(x - img[i]), 0) / v.length;
    }
    return total / 20;
  };
  const dLight = distance(light), dAcq = distance(acq);
  assert(dAcq > dLight * 1.3, `acquisition ${dAcq} vs light ${dLight}`);
  // blur alone smooths: a blurred checkerboard has less variance than the original
  const checker = Float32Array.from({ length: size * size }, (_, i) => ((i % size) + Math.floor(i / size)) % 2);
  const blurOnly = {
    scale: [1, 1] as [number, number],
    aspect: [1, 1] as [number, number],
    rotateDeg: 0,
    gamma: [1, 1] as [number, number],
    contrast: [1, 1] as [number, number],
    brightness: 0,
    blurSigma: [1, 1] as [number, number],
  };
  const blurred = augmentGray(checker, size, new Rng(1), blurOnly);
  const variance = (v: Float32Array) => {
    const m = v.reduce((a, x) => a + x, 0) / v.length;
    return v.reduce((a, x) => a + (x - m) ** 2, 0) / v.length;
  };
  assert(variance(blurred) < 0.1 * variance(checker), `blurred variance ${variance(blurred)}`);
  assertAlmostEquals(blurred.reduce((a, x) => a + x, 0) / blurred.length, 0.5, 0.02);
  assert(describeAugmentPreset("acquisition").includes("blur σ 0–1.5 px"));
  assertEquals(describeAugmentPreset("none"), "none");
});

const entries = (n: number): CorpusEntry[] =>
  Array.from(
    { length: n },
    (_, i) => ({ path: `${i % 2 ? "covid" : "normal"}/${i}.jpg`, label: i % 2 ? "pneumonia" : "normal" }),
  );

Deno.test("corpus split: a fixed, seeded 10 % of each label, by file, disjoint, whatever the input order", () => {
  const all = entries(200);
  const s1 = splitCorpus(all, 0.1, 7), s2 = splitCorpus([...all].reverse(), 0.1, 7), s3 = splitCorpus(all, 0.1, 8);
  assertEquals(s1.heldOut.filter((e) => e.label === "normal").length, 10);
  assertEquals(s1.heldOut.filter((e) => e.label === "pneumonia").length, 10);
  assertEquals(s1.train.length, 180);
  const held = new Set(s1.heldOut.map((e) => e.path));
  assert(s1.train.every((e) => !held.has(e.path)));
  assertEquals(s1.heldOut.map((e) => e.path).sort(), [...held].sort());
  // listCorpus sorts its entries, so a corpus listed in any order gives this split; the seed changes it.
  assertEquals(new Set(s2.heldOut.map((e) => e.path)).size, 20);
  assert(s3.heldOut.some((e) => !held.has(e.path)));
});

Deno.test("corpus listing: labels.csv is read, and bad rows are one-line errors naming the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      join(dir, "labels.csv"),
      "path,label,source\nnormal/a.jpg,normal,x\ncovid/b.jpg,covid,y\n",
    );
    assertEquals(listCorpus(dir), [{ path: "covid/b.jpg", label: "pneumonia" }, {
      path: "normal/a.jpg",
      label: "normal",
    }]);
    await Deno.writeTextFile(join(dir, "labels.csv"), "path,label\nnormal/a.jpg,normal\n../x.jpg,covid\n");
    assertThrows(() => listCorpus(dir), InputError, "outside the corpus");
    await Deno.writeTextFile(join(dir, "labels.csv"), "path,label\nnormal/a.jpg,normal\nb.jpg,flu\n");
    assertThrows(() => listCorpus(dir), InputError, "line 3");
    await Deno.writeTextFile(join(dir, "labels.csv"), "path,label\nnormal/a.jpg,normal\n");
    assertThrows(() => listCorpus(dir), InputError, "needs both normal and covid");
    assertThrows(() => listCorpus(join(dir, "nope")), InputError, "no such folder");
    // Without labels.csv, the normal/ and covid/ (or pneumonia/) folders: paths relative to the corpus, as the CSV's.
    await Deno.remove(join(dir, "labels.csv"));
    for (const [folder, file] of [["normal", "n1.png"], ["covid", "c1.jpg"], ["pneumonia", "p1.png"]]) {
      await Deno.mkdir(join(dir, folder), { recursive: true });
      await Deno.writeFile(join(dir, folder, file), new Uint8Array(8));
    }
    assertEquals(listCorpus(dir), [
      { path: "covid/c1.jpg", label: "pneumonia" },
      { path: "normal/n1.png", label: "normal" },
      { path: "pneumonia/p1.png", label: "pneumonia" },
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("pretraining mix: each batch is a pure function of the step, with the asked real/synthetic split", () => {
  const size = 8;
  const part: CorpusPart = {
    entries: entries(10),
    pixels: Array.from({ length: 10 }, (_, i) => new Uint8Array(size * size).fill(i * 20)),
    size,
  };
  const pool: PairPool = {
    images: Array.from({ length: 6 }, (_, i) => new Float32Array(size * size).fill(i / 10)),
    texts: Array.from({ length: 6 }, (_, i) => `report ${i}.`),
    groups: ["normal", "nodule:left:upper", "normal", "effusion:right:lower", "normal", "normal"],
  };
  const src = mixedSource(part, pool, { seed: 1, realFraction: 0.75 });
  const a = src.draw(3, 8), b = src.draw(3, 8), c = src.draw(4, 8);
  assertEquals(a, b);
  assert(JSON.stringify(a.texts) !== JSON.stringify(c.texts) || JSON.stringify(a.images) !== JSON.stringify(c.images));
  assertEquals(a.images.length, 8);
  const real = a.groups!.slice(0, 6), synth = a.texts.slice(6);
  assert(real.every((g) => g === "normal" || g === "pneumonia"));
  assert(synth.every((t) => t.startsWith("report ")));
  // real normals and synthetic normals share the group "normal"
  assert(a.groups!.slice(6).every((g, k) => g === pool.groups![pool.texts.indexOf(synth[k])]));
  // without synthetic pairs every pair is real
  assertEquals(mixedSource(part, null, { seed: 1 }).draw(0, 4).groups!.length, 4);
});

Deno.test("pretraining mix: captions 'prompts' give each real image its label's zero-shot prompt, nothing else", () => {
  const size = 8;
  const part: CorpusPart = {
    entries: entries(10),
    pixels: Array.from({ length: 10 }, (_, i) => new Uint8Array(size * size).fill(i * 20)),
    size,
  };
  const batch = mixedSource(part, null, { seed: 3, captions: "prompts" }).draw(2, 8);
  assertEquals(batch.texts, batch.groups!.map((g) => (g === "normal" ? "normal." : "pneumonia.")));
  assertEquals(new Set(batch.groups), new Set(["normal", "pneumonia"]));
  // The prompts are the zero-shot scoring's, in its order (normal first).
  assertEquals([promptCaption("normal"), promptCaption("pneumonia")], [...ZERO_SHOT_PROMPTS]);
  // The default, varied captions, re-phrase: more than two distinct texts over a few batches.
  const varied = mixedSource(part, null, { seed: 3 });
  const texts = new Set([0, 1, 2, 3].flatMap((s) => varied.draw(s, 8).texts));
  assert(texts.size > 2, [...texts].join(" | "));
});
