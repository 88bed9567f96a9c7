import { assert, assertEquals, assertThrows } from "./assert.ts";
import { ppad5 } from "../lib/prompts/mod.ts";
import { changedPixels, describeSynthesisDraws, type SynthesisDraw, synthesisDraws } from "../lib/synthesis/mod.ts";
import { renderPlot, synthesisDrawChart } from "../lib/report/mod.ts";
import { Rng } from "../lib/util/mod.ts";

const SIZE = 64;

function image(seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: SIZE * SIZE }, () => 0.3 + 0.4 * rng.next());
}

Deno.test("changedPixels marks the pixels that differ by more than the tolerance", () => {
  assertEquals(Array.from(changedPixels([0, 0.5, 1, 1], [0, 0.6, 1, 1 + 1e-9])), [0, 1, 0, 0]);
  assertEquals(Array.from(changedPixels([0, 0.5], [0.05, 0.6], 0.07)), [0, 1]);
  assertThrows(() => changedPixels([0], [0, 1]), RangeError, "1 and 2 pixels");
});

Deno.test("synthesisDraws: SAS draws then FPI draws, reproducible from the seed, measured inside their masks", () => {
  const options = { image: image(1), source: image(2), size: SIZE, regions: ppad5(SIZE).regions, draws: 5 };
  const draws = synthesisDraws(options, new Rng(3));
  assertEquals(draws.map((d) => d.method), ["SAS", "SAS", "SAS", "SAS", "SAS", "FPI", "FPI", "FPI", "FPI", "FPI"]);
  assert(draws.slice(0, 5).every((d) => /^w = -?[\d.]+$/.test(d.w)), "SAS draws name their weight");
  assert(draws.slice(5).every((d) => d.w === "FPI patch"));
  assert(draws.every((d) => d.area > 0 && d.area <= 100 && Number.isFinite(d.change)), "areas in %, finite changes");
  assertEquals(synthesisDraws(options, new Rng(3)), draws);
});

Deno.test("describeSynthesisDraws gives the median area and |change| per method", () => {
  const d = (method: "SAS" | "FPI", area: number, change: number): SynthesisDraw => ({ method, area, change, w: "" });
  const lines = describeSynthesisDraws([d("SAS", 10, -4), d("SAS", 30, 2), d("SAS", 20, 8), d("FPI", 5, 1)]);
  assertEquals(lines, [
    "SAS: median area 20.0 % of the image, median |mean change| 4.0 grey levels (3 draws)",
    "FPI: median area 5.0 % of the image, median |mean change| 1.0 grey levels (1 draws)",
  ]);
  const svg = renderPlot(synthesisDrawChart([d("SAS", 10, -4), d("FPI", 5, 1)])).svg;
  assert(svg.includes("1 SAS (+) and 1 FPI (●) draws"), "the subtitle counts the draws per method");
});
