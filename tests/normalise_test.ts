import { assertEquals } from "./assert.ts";
import { NORMALISATION, normaliseGrayInto, normaliseToHost } from "../lib/data/preprocess.ts";
import { pixelsFromGray } from "../lib/prompts/pixels.ts";

const norm = NORMALISATION.chexzero;
const size = 16;
const gray = Float32Array.from({ length: size * size }, (_, i) => (i % 256) / 255);

Deno.test("pixelsFromGray: double-precision (v − mean) / std rounded once, as the committed runs", () => {
  const want = new Float32Array(size * size * 3);
  for (let i = 0; i < size * size; i++) {
    for (let c = 0; c < 3; c++) want[i * 3 + c] = (gray[i] - norm.mean[c]) / norm.std[c];
  }
  const t = pixelsFromGray([gray], size, norm);
  assertEquals(Array.from(t.dataSync()), Array.from(want));
  t.dispose();
});

Deno.test("toModelInput's normaliser: float32 after each step (PyTorch's), and it differs from the double one", () => {
  const host = normaliseToHost({ width: size, height: size, data: gray, bitDepth: 8, source: "test" }, norm);
  const want = new Float32Array(size * size * 3);
  for (let i = 0; i < size * size; i++) {
    for (let c = 0; c < 3; c++) want[i * 3 + c] = Math.fround(Math.fround(gray[i] - norm.mean[c]) / norm.std[c]);
  }
  assertEquals(Array.from(host), Array.from(want));
  const double = new Float32Array(size * size * 3);
  normaliseGrayInto(gray, size * size, norm, double, 0, "float64");
  // Why pixelsFromGray cannot simply call toModelInput: some values differ in the last bit.
  assertEquals(host.some((x, i) => x !== double[i]), true);
});
