/** The SIMD ceiling probe runs the multiply-adds it counts, and the image tower's FLOP count is ViT-B/32's. */
import { assert, assertEquals } from "./assert.ts";
import { FIXTURE_MINI, imageForwardFlops, VIT_B_32 } from "../lib/encoders/clip/mod.ts";
import { ceilingModule, FLOPS_PER_ITERATION, measureSimdCeiling } from "../lib/encoders/clip/wasm/simd_ceiling.ts";

Deno.test("simd ceiling: the loop runs every iteration's 12 multiply-adds (fused and not)", () => {
  for (const relaxed of [false, true]) {
    const bytes = ceilingModule(relaxed);
    if (!WebAssembly.validate(bytes as BufferSource)) {
      assert(relaxed, "the plain SIMD module must validate");
      continue; // an engine without relaxed SIMD
    }
    const memory = new WebAssembly.Memory({ initial: 1 });
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource), { env: { memory } });
    const peak = exports.peak as (n: number) => number;
    assertEquals(peak(0), 0);
    // Each of the 12 accumulators gains 0.999 · 1e-7 per iteration.
    const got = peak(1000), want = 12 * 1000 * 0.999e-7;
    assert(Math.abs(got - want) / want < 1e-4, `${got} vs ${want}`);
  }
  assertEquals(FLOPS_PER_ITERATION, 96);
});

Deno.test("simd ceiling: one thread and two processes report positive rates", async () => {
  const one = await measureSimdCeiling(1, { iterations: 1e5, repeats: 1 });
  const two = await measureSimdCeiling(2, { iterations: 1e5, repeats: 1 });
  assertEquals([one.threads, two.threads], [1, 2]);
  assert(one.gflops > 0 && Number.isFinite(one.gflops) && two.gflops > 0 && Number.isFinite(two.gflops));
});

Deno.test("imageForwardFlops: ViT-B/32 is 4.41 G multiply-adds; it grows with depth", () => {
  // Published count for CLIP ViT-B/32's image tower: 4.4 GMACs.
  assert(Math.abs(imageForwardFlops(VIT_B_32) / 2e9 - 4.41) < 0.01, `${imageForwardFlops(VIT_B_32)}`);
  const deeper = { ...FIXTURE_MINI, visionLayers: FIXTURE_MINI.visionLayers + 1 };
  const w = FIXTURE_MINI.visionWidth, t = FIXTURE_MINI.grid ** 2 + 1;
  assertEquals(imageForwardFlops(deeper) - imageForwardFlops(FIXTURE_MINI), 24 * t * w * w + 4 * t * t * w);
});
