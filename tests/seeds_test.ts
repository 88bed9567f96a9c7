import { assertEquals } from "./assert.ts";
import { fixedStreamSeed, SEED_STREAMS, type SeedPurpose, stepSeed, streamSeed } from "../lib/util/mod.ts";

/** The formulas each call site computed before the table existed, written out by hand. */
function splitmix(seed: number, purpose: number, index: number): number {
  let z = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(purpose, 0x85ebca6b) ^ Math.imul(index >>> 0, 0xc2b2ae35)) >>>
    0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}
const TODAY: Record<SeedPurpose, (seed: number, index: number) => number> = {
  run: (s) => (s * 0x9e3779b1 + 17) >>> 0,
  shots: (s) => (s * 2654435761) >>> 0,
  probe: (s, i) => splitmix(s, 1, i),
  bootstrapAuroc: (s) => s + 101,
  bootstrapAp: (s) => s + 202,
  tableBootstrapAuroc: () => 0,
  tableBootstrapAp: () => 1,
  subsample: () => 20240611,
  testReplacement: () => 20240612,
  sasGallery: () => 7,
  benchmarkGallery: (s) => s,
  pretrainBatch: (s, i) => (s * 1_000_003 + i * 7919) >>> 0,
  pretrainStep: (s, i) => (Math.imul(s, 1_000_003) + Math.imul(i, 7919) + Math.imul(1, 104_729)) >>> 0,
  lesionProbe: () => 11,
  frameSwapProbe: () => 13,
  pretrainLesion: (s, i) => (Math.imul(s, 1_000_003) + Math.imul(i, 7919) + Math.imul(2, 104_729)) >>> 0,
  pretrainBorderSwap: (s, i) => (Math.imul(s, 1_000_003) + Math.imul(i, 7919) + Math.imul(3, 104_729)) >>> 0,
  pretrainPairs: (s) => s,
  pretrainInit: (s) => s + 1,
  pretrainRandomBaseline: (s) => s + 99,
  pretrainZeroShot: (s) => s + 1000,
  corpusSplit: (s) => s,
  corpusLimit: (s) => s,
};

Deno.test("streamSeed: every purpose reproduces the derivation its call site used (bit-identical)", () => {
  assertEquals(Object.keys(SEED_STREAMS).sort(), Object.keys(TODAY).sort());
  for (const purpose of Object.keys(SEED_STREAMS) as SeedPurpose[]) {
    for (const seed of [0, 1, 2, 7, 12345, 2 ** 31 + 5]) {
      for (const index of [0, 1, 99]) {
        assertEquals(streamSeed(seed, purpose, index), TODAY[purpose](seed, index), `${purpose} ${seed} ${index}`);
      }
    }
  }
  // Spot values, so a change of the hand-written formulas above is caught too.
  assertEquals(streamSeed(1, "shots"), 2654435761);
  assertEquals(streamSeed(0, "run"), 17);
  assertEquals(fixedStreamSeed("subsample"), 20240611);
  assertEquals(stepSeed(3, 4, 1), TODAY.pretrainStep(3, 4));
});
