import { assert, assertEquals } from "./assert.ts";
import { lesionPair, LUNG_FIELDS } from "../lib/train/real_lesions.ts";
import { mixedSource } from "../lib/train/pretrain_mix.ts";
import { flatCorpusPart } from "../testing/fake_datasets.ts";
import type { CorpusPart } from "../lib/train/real_corpus.ts";
import { Rng } from "../lib/util/rng.ts";

/** A film-like test image: a smooth horizontal gradient in [0.2, 0.6]. */
function film(size: number): Float32Array {
  const img = new Float32Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) img[y * size + x] = 0.2 + 0.4 * (x / (size - 1));
  return img;
}

Deno.test("real lesions: an opacity inside the named lung field, reported with the patient's side and the zone", () => {
  const size = 64;
  const image = film(size);
  const before = image.slice();
  const sides = new Set<string>(), zones = new Set<string>();
  for (let seed = 0; seed < 40; seed++) {
    const p = lesionPair(image, size, new Rng(seed));
    assertEquals(image, before, "the input film is not modified");
    sides.add(p.side);
    zones.add(p.zone);
    assertEquals(p.group, `consolidation:${p.side}:${p.zone}`);
    // Reports speak in patient terms: the image's left lung is the patient's right.
    const patient = p.side === "left" ? "right" : "left";
    assert(p.text.includes(patient) && !p.text.includes(` ${p.side} `), `side words in: ${p.text}`);
    assert(p.text.includes(p.zone === "middle" ? "mid" : p.zone) || /base/.test(p.text), `zone in: ${p.text}`);
    let changed = 0, sumX = 0;
    for (let i = 0; i < image.length; i++) {
      // an opacity only brightens (γ < 1 on values in (0, 1)), up to the uint8 truncation of the release
      assert(p.image[i] >= image[i] - 1 / 255, `pixel ${i} darkened`);
      if (p.image[i] > image[i] + 1e-6) {
        changed++;
        sumX += i % size;
      }
    }
    assert(changed > 0, `seed ${seed}: no pixel changed`);
    const [x0, x1] = LUNG_FIELDS[p.side];
    const meanX = sumX / changed / (size - 1);
    assert(
      meanX > x0 - 0.2 && meanX < x1 + 0.2,
      `seed ${seed}: lesion centred at x ${meanX} outside the ${p.side} lung`,
    );
  }
  assertEquals([...sides].sort(), ["left", "right"]);
  assert(zones.size === 3, `zones drawn: ${[...zones]}`);
  // the same generator state gives the same lesion
  assertEquals(lesionPair(image, size, new Rng(5)), lesionPair(image, size, new Rng(5)));
});

Deno.test("pretraining mix with real lesions: only real normals change; every other pair is as without lesions", () => {
  const size = 32;
  const part = flatCorpusPart(12, size);
  const plain = mixedSource(part, null, { seed: 2 });
  assertEquals(mixedSource(part, null, { seed: 2, realLesions: 0 }).draw(7, 12), plain.draw(7, 12));
  const withLesions = mixedSource(part, null, { seed: 2, realLesions: 0.6 });
  let lesions = 0;
  for (const step of [0, 1, 2, 3]) {
    const a = plain.draw(step, 12), b = withLesions.draw(step, 12);
    assertEquals(b, withLesions.draw(step, 12), "a pure function of the step");
    for (let k = 0; k < 12; k++) {
      if (b.groups![k].startsWith("consolidation:")) {
        lesions++;
        assertEquals(a.groups![k], "normal", "only real normals get a lesion");
        assert(/pneumonia|infection/.test(b.texts[k]), b.texts[k]);
      } else {
        assertEquals([b.images[k], b.texts[k], b.groups![k]], [a.images[k], a.texts[k], a.groups![k]]);
      }
    }
  }
  // 24 normals drawn at p = 0.6: fewer than 6 or all 24 lesioned would mean the probability is not applied
  assert(lesions >= 6 && lesions < 24, `${lesions} lesions among 24 normals at p = 0.6`);
  // --lesion-group pneumonia: the same pairs, in the pneumonia films' group
  const inPneumonia = mixedSource(part, null, { seed: 2, realLesions: 0.6, lesionGroup: "pneumonia" }).draw(1, 12);
  const inPlace = withLesions.draw(1, 12);
  assertEquals([inPneumonia.images, inPneumonia.texts], [inPlace.images, inPlace.texts]);
  assertEquals(inPneumonia.groups, inPlace.groups!.map((g) => g.startsWith("consolidation:") ? "pneumonia" : g));
});

Deno.test({
  name: "lesion probe: the held-out normals, then the same films with an opacity; scored as a diagnostic row",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const { lesionProbeImages, zeroShotOnData } = await import("../lib/experiments/zeroshot.ts");
    const { initBackend } = await import("../lib/backend.ts");
    const { loadModelBundle } = await import("../lib/encoders/mod.ts");
    const { join, PROJECT_ROOT } = await import("../lib/util/path.ts");
    const size = 224;
    const part: CorpusPart = {
      entries: [0, 1, 2, 3, 4].map((i) => ({
        path: `${i % 2 ? "covid" : "normal"}/${i}.jpg`,
        label: i % 2 ? "pneumonia" as const : "normal" as const,
      })),
      pixels: [0, 1, 2, 3, 4].map((i) => Uint8Array.from({ length: size * size }, (_, k) => 40 + ((k + i * 7) % 150))),
      size,
    };
    const probe = lesionProbeImages(part);
    assertEquals(probe.labels, [0, 0, 0, 1, 1, 1]);
    assertEquals(probe.images.length, 6);
    for (let k = 0; k < 3; k++) {
      const clean = probe.images[k], lesioned = probe.images[k + 3];
      assert(lesioned.some((v, i) => v > clean[i] + 1e-6), `film ${k}: no opacity`);
      assert(lesioned.every((v, i) => v >= clean[i] - 1 / 255), `film ${k}: darkened`);
    }
    assertEquals(lesionProbeImages(part), probe, "a fixed stream: the same opacities every time");

    await initBackend("wasm", { quiet: true });
    const bundle = await loadModelBundle(join(PROJECT_ROOT, "models/ppad-mini-cxr-real/model.safetensors"));
    try {
      const rows = await zeroShotOnData(bundle.clip, bundle.tokenizer, bundle.normalisation, {
        heldOut: { label: "fake", part },
        lesionProbe: true,
        benchmark: false,
        datasets: [],
      });
      assertEquals(rows.map((r) => [r.role, r.n]), [
        ["held-out real (model selection)", 5],
        ["lesion probe (diagnostic)", 6],
      ]);
      assert(rows[1].auroc >= 0 && rows[1].auroc <= 1 && rows[1].aurocLo! <= rows[1].aurocHi!);
    } finally {
      bundle.clip.dispose();
    }
  },
});
