import { assert, assertAlmostEquals, assertEquals, assertThrows } from "./assert.ts";
import { drawBorderSwap, swapBorder } from "../lib/train/border_swap.ts";
import { mixedSource } from "../lib/train/pretrain_mix.ts";
import { flatCorpusPart } from "../testing/fake_datasets.ts";
import type { CorpusPart } from "../lib/train/real_corpus.ts";
import { Rng } from "../lib/util/rng.ts";

Deno.test("swapBorder: exactly the frame comes from the donor, at the film's own frame mean and spread", () => {
  const size = 8;
  // The film: 0.4 / 0.6 in a checkerboard (frame mean 0.5, spread 0.1); the donor: a ramp along x, 0 to 0.7.
  const image = Float32Array.from(
    { length: size * size },
    (_, i) => ((i % size) + Math.floor(i / size)) % 2 ? 0.6 : 0.4,
  );
  const donor = Float32Array.from({ length: size * size }, (_, i) => (i % size) * 0.1);
  const imageBefore = image.slice(), donorBefore = donor.slice();
  const out = swapBorder(image, donor, size, 2);
  const frame: number[] = [];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      if (y < 2 || x < 2 || y >= 6 || x >= 6) frame.push(i);
      else assertEquals(out[i], image[i], `inside (${x}, ${y})`);
    }
  }
  const mean = frame.reduce((s, i) => s + out[i], 0) / frame.length;
  const std = Math.sqrt(frame.reduce((s, i) => s + (out[i] - mean) ** 2, 0) / frame.length);
  assertAlmostEquals(mean, 0.5, 1e-6);
  assertAlmostEquals(std, 0.1, 1e-6);
  // The donor's pattern: along a frame row the values rise with x, as the ramp does.
  for (let x = 1; x < size; x++) assert(out[x] > out[x - 1], `row 0 at x = ${x}`);
  assertEquals([image, donor], [imageBefore, donorBefore]);
  assertEquals([...swapBorder(image, donor, size, 0)], [...image]);
  assertThrows(() => swapBorder(image, donor.subarray(1), size, 2), RangeError, "not 8 × 8");
});

Deno.test("drawBorderSwap: the probability is applied; donors and widths stay in range (scaled to the film)", () => {
  const rng = new Rng(4);
  let swapped = 0;
  for (let i = 0; i < 400; i++) {
    const d = drawBorderSwap(rng, 0.5, 10, 224);
    if (!d) continue;
    swapped++;
    assert(d.donor >= 0 && d.donor < 10 && d.width >= 14 && d.width <= 28, JSON.stringify(d));
  }
  assert(swapped > 150 && swapped < 250, `${swapped} of 400 at p = 0.5`);
  const small = drawBorderSwap(new Rng(1), 1, 3, 32)!;
  assert(small.width >= 2 && small.width <= 4, `width ${small.width} on a 32 px film`);
  assertEquals(drawBorderSwap(new Rng(1), 0, 3, 224), null);
});

Deno.test("pretraining mix with border swaps: labels, texts and insides unchanged; a textured donor's frame shows", () => {
  const size = 32;
  const part = flatCorpusPart(12, size);
  const plain = mixedSource(part, null, { seed: 2, augment: false });
  assertEquals(mixedSource(part, null, { seed: 2, augment: false, borderSwap: 0 }).draw(5, 12), plain.draw(5, 12));
  const swapping = mixedSource(part, null, { seed: 2, augment: false, borderSwap: 1 });
  for (const step of [0, 1, 2]) {
    const a = plain.draw(step, 12), b = swapping.draw(step, 12);
    assertEquals(b, swapping.draw(step, 12), "a pure function of the step");
    assertEquals([b.texts, b.groups], [a.texts, a.groups]);
    for (let k = 0; k < 12; k++) {
      const centre = b.images[k][16 * size + 16], corner = b.images[k][0];
      // Flat films: the frame keeps the film's own grey level (its mean), and nothing else moves.
      assertAlmostEquals(corner, centre, 1e-6);
      assertEquals(b.images[k], a.images[k]);
    }
  }

  // Textured films: even ones a ramp along x, odd ones along y. Along the first row of a swapped frame the grey
  // level rises if the donor was an x ramp and stays flat if it was a y ramp, whatever the film's own pattern.
  const ramps: CorpusPart = {
    ...part,
    pixels: part.pixels.map((_, f) =>
      Uint8Array.from({ length: size * size }, (_, i) => 40 + 5 * (f % 2 ? Math.floor(i / size) : i % size))
    ),
  };
  const batch = mixedSource(ramps, null, { seed: 3, augment: false, borderSwap: 1 }).draw(0, 12);
  const own = mixedSource(ramps, null, { seed: 3, augment: false }).draw(0, 12);
  let otherPattern = 0;
  batch.images.forEach((img, k) => {
    assertEquals(img[16 * size + 16], own.images[k][16 * size + 16], "the inside is the film's own");
    const ownRises = own.images[k][1] > own.images[k][0] + 1e-6, frameRises = img[1] > img[0] + 1e-6;
    if (ownRises !== frameRises) otherPattern++;
  });
  assert(otherPattern >= 3, `${otherPattern} of 12 frames show the other pattern`);
});

Deno.test({
  name: "frame-swap probe: each held-out film keeps its inside and label and takes the frame of one of the other label",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const { frameSwapProbeImages, zeroShotOnData } = await import("../lib/experiments/zeroshot.ts");
    const { initBackend } = await import("../lib/backend.ts");
    const { loadModelBundle } = await import("../lib/encoders/mod.ts");
    const { join, PROJECT_ROOT } = await import("../lib/util/path.ts");
    const { InputError } = await import("../lib/util/errors.ts");
    const size = 224;
    // Even films (normal) ramp along x, odd ones (pneumonia) along y, so that a frame shows whose it is.
    const part: CorpusPart = {
      ...flatCorpusPart(6, size),
      pixels: Array.from(
        { length: 6 },
        (_, f) =>
          Uint8Array.from({ length: size * size }, (_, i) => 20 + (f % 2 ? Math.floor(i / size) : i % size) / 2),
      ),
    };
    const probe = frameSwapProbeImages(part);
    assertEquals(probe.labels, [0, 1, 0, 1, 0, 1]);
    assertEquals(probe, frameSwapProbeImages(part), "a fixed stream: the same donors every time");
    probe.donors.forEach((d, i) => assert(d % 2 !== i % 2, `film ${i} took the frame of film ${d}, same label`));
    probe.images.forEach((img, i) => {
      const own = Float32Array.from(part.pixels[i], (v) => v / 255);
      assertEquals(img[112 * size + 112], own[112 * size + 112], `film ${i}: the inside is its own`);
      // The top row rises along x only if the donor was an x ramp: an even film's frame now comes from an odd one.
      const rises = img[size - 20] - img[20] > 0.01;
      assertEquals(rises, i % 2 === 1, `film ${i}: its frame is not the other label's`);
    });
    const oneLabel: CorpusPart = { ...part, entries: part.entries.map((e) => ({ ...e, label: "normal" as const })) };
    assertThrows(() => frameSwapProbeImages(oneLabel), InputError, "both labels");

    await initBackend("wasm", { quiet: true });
    const bundle = await loadModelBundle(join(PROJECT_ROOT, "models/ppad-mini-cxr-real/model.safetensors"));
    try {
      const rows = await zeroShotOnData(bundle.clip, bundle.tokenizer, bundle.normalisation, {
        heldOut: { label: "fake", part },
        frameSwapProbe: true,
        benchmark: false,
        datasets: [],
      });
      assertEquals(rows.map((r) => [r.role, r.n]), [
        ["held-out real (model selection)", 6],
        ["frame-swap probe (diagnostic)", 6],
      ]);
      assert(rows[1].data.includes("14 px frame"), rows[1].data);
    } finally {
      bundle.clip.dispose();
    }
  },
});
