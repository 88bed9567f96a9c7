/** The score overlay is a readable figure: regions outlined and labelled with probabilities, score, decision, legend. */
import { assert, assertEquals } from "./assert.ts";
import { overlayFigureSvg, overlayPng } from "../lib/report/overlay.ts";
import { ppad5 } from "../lib/prompts/regions.ts";
import { SCORING_DESCRIPTIONS } from "../lib/eval/score_rule.ts";

Deno.test("overlay: every region outlined and labelled with its probability; score, decision and legend", async () => {
  const size = 64;
  const set = ppad5(size);
  const image = new Float32Array(size * size).map((_, i) => (i % size) / size);
  const probs = [0.412, 0.687, 0.301, 0.554, 0.498];
  const svg = overlayFigureSvg(image, probs, set.regions, {
    size,
    score: 0.49,
    scoring: "paper (max if > 0.8, else mean)",
    title: "cxr.png",
    subtitle: "ppad prompts on ppad5, sas synthesis, seed 0",
  });
  for (const [i, r] of set.regions.entries()) {
    assert(svg.includes(`${r.name || "whole"} ${probs[i].toFixed(3)}`), `label of ${r.name}`);
  }
  // Each rectangular region: a halo and a coloured outline.
  assertEquals((svg.match(/<rect [^>]*fill="none"[^>]*stroke="#/g) ?? []).length, 2 * set.regions.length);
  assert(svg.includes("0.490") && svg.includes("NORMAL (score ≤ 0.5)") && svg.includes("paper (max if &gt; 0.8"));
  assert(svg.includes("colour = P(abnormal)") && svg.includes("decision threshold") && svg.includes("linearGradient"));
  const png = await overlayPng(
    { width: size, height: size, data: image, bitDepth: 8, source: "x" },
    probs,
    set.regions,
    {
      score: 0.9,
      scoring: SCORING_DESCRIPTIONS.max,
      title: "cxr.png",
    },
  );
  assertEquals([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
  const width = new DataView(png.buffer, png.byteOffset).getUint32(16);
  assert(width > 600, `a figure, not a ${width}px tinted image`);
});

Deno.test("saved prompts are named after their run (variant, regions, synthesis, seed), keeping the id", async () => {
  const { paths, promptsStem } = await import("../lib/experiments/store.ts");
  const spec = { variant: "ppad", regions: "ppad5", synthesis: "sas", seed: 3 } as const;
  assertEquals(promptsStem(spec, "3f2a9c1b7d0e"), "ppad_ppad5_sas_seed3_3f2a9c1b7d0e");
  assert(
    paths.prompts("/r", "3f2a9c1b7d0e", spec).endsWith("/r/prompts/ppad_ppad5_sas_seed3_3f2a9c1b7d0e.safetensors"),
  );
  // Hash-only names (results written before) stay addressable.
  assert(paths.prompts("/r", "3f2a9c1b7d0e").endsWith("/r/prompts/3f2a9c1b7d0e.safetensors"));
});
