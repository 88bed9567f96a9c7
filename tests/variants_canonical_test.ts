import { assertEquals } from "./assert.ts";
import { canonicalMethod, type MethodSpec, PAPER_METHOD } from "../lib/experiments/config.ts";

const base: MethodSpec = { ...PAPER_METHOD, classWords: [...PAPER_METHOD.classWords] as [string, string] };

Deno.test("canonicalMethod: fields a variant ignores are fixed (hand-listed per variant)", () => {
  // ppad keeps everything.
  assertEquals(canonicalMethod(base), base);
  // zeroshot: no training (shots, steps, lr, momentum 0; synthesis none), whole image, no context.
  const z = canonicalMethod({ ...base, variant: "zeroshot", regions: "grid3x3", synthesis: "fpi" });
  assertEquals(
    [z.shots, z.steps, z.lr, z.momentum, z.synthesis, z.regions, z.nCtx, z.scoring],
    [0, 0, 0, 0, "none", "whole", 0, "paper"],
  );
  // coop: trains, whole image, keeps its context.
  const c = canonicalMethod({ ...base, variant: "coop", regions: "lr" });
  assertEquals([c.regions, c.nCtx, c.shots, c.synthesis], ["whole", 16, 64, "sas"]);
  // image-only: fixed text → nCtx 0; keeps regions.
  const i = canonicalMethod({ ...base, variant: "image-only" });
  assertEquals([i.regions, i.nCtx, i.steps], ["ppad5", 0, 100]);
  // text-only and no-position keep regions and context.
  for (const v of ["text-only", "no-position"] as const) {
    const t = canonicalMethod({ ...base, variant: v, regions: "lr" });
    assertEquals([t.regions, t.nCtx], ["lr", 16]);
  }
  // Equivalent specs canonicalise equal; the input is not modified; class words are copied.
  const a = canonicalMethod({ ...base, variant: "zeroshot", regions: "lr", shots: 16 });
  const b = canonicalMethod({ ...base, variant: "zeroshot", regions: "ppad5", shots: 64 });
  assertEquals(a, b);
  const input = { ...base, variant: "zeroshot" as const };
  const out = canonicalMethod(input);
  assertEquals(input.shots, 64);
  out.classWords[0] = "changed";
  assertEquals(input.classWords[0], "normal");
});
