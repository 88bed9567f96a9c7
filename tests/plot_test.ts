import * as Plot from "@observablehq/plot";
import { decode } from "fast-png";
import { existsSync } from "node:fs";
import { assert, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import {
  ablationBars,
  FONT_DIR,
  lossCurve,
  prCurves,
  regionHeatmap,
  regionHeatmapSvg,
  renderPlot,
  rocCurves,
  saveChart,
  scoreDistributions,
  svgToPng,
  textWidth,
  wrapText,
} from "../lib/report/mod.ts";

const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

function assertStandaloneSvg(svg: string): void {
  assert(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'), svg.slice(0, 80));
  for (const tag of ["<figure", "<h2", "<div", "<span", "<canvas"]) assert(!svg.includes(tag), `svg contains ${tag}`);
}

Deno.test("renderPlot returns a standalone SVG with the chart's size", async () => {
  const r = renderPlot({
    width: 300,
    height: 200,
    marks: [Plot.dot([{ x: 1, y: 2 }, { x: 2, y: 3 }], { x: "x", y: "y" })],
  });
  assertStandaloneSvg(r.svg);
  assertEquals([r.width, r.height], [300, 200]);
  assert(r.html.includes(r.svg));
  const png = decode(await svgToPng(r.svg, { scale: 1 }));
  assertEquals([png.width, png.height], [300, 200]);
});

Deno.test("renderPlot lays a figure (title, subtitle, legend, caption) out as pure SVG", () => {
  const r = renderPlot({
    title: "My <title>",
    subtitle: "a subtitle",
    caption: "a caption",
    color: { legend: true },
    marks: [Plot.barY([{ a: "alpha", v: 1 }, { a: "beta", v: 2 }], { x: "a", y: "v", fill: "a" })],
  });
  assertStandaloneSvg(r.svg);
  for (const text of ["My &lt;title&gt;", "a subtitle", "a caption", ">alpha<", ">beta<"]) {
    assert(r.svg.includes(text), `missing ${text}`);
  }
  assert(r.height > 400, `figure height ${r.height} should include the title and legend`);
});

Deno.test("renderPlot refuses charts that need a canvas, and style strings", () => {
  assertThrows(
    () =>
      renderPlot({
        color: { type: "linear", legend: true },
        marks: [Plot.dot([1, 2], { x: (d) => d, fill: (d) => d })],
      }),
    TypeError,
    "canvas",
  );
  assertThrows(
    () => renderPlot({ marks: [Plot.raster({ width: 2, height: 2, fill: (x: number, y: number) => x + y })] }),
    TypeError,
    "canvas",
  );
  assertThrows(() => renderPlot({ style: "color: red", marks: [] }), TypeError, "style");
});

Deno.test({
  name: "svgToPng draws text with the DejaVu fonts",
  ignore: !existsSync(`${FONT_DIR}/DejaVuSans.ttf`),
  fn: async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40">' +
      '<text x="4" y="28" font-size="24" font-family="sans-serif">Hello</text></svg>';
    const png = decode(await svgToPng(svg, { scale: 1 }));
    let dark = 0;
    for (let i = 0; i < png.width * png.height; i++) if (png.data[i * png.channels] < 128) dark++;
    assert(dark > 50, `only ${dark} dark pixels: were the fonts loaded?`);
  },
});
if (!existsSync(`${FONT_DIR}/DejaVuSans.ttf`)) {
  console.warn(`skipping font test: ${FONT_DIR} missing (fonts-dejavu-core)`);
}

Deno.test("standard charts render to SVG and PNG", async () => {
  const roc = [{ variant: "A", fpr: [0, 0.2, 1], tpr: [0, 0.8, 1], auc: 0.8 }, {
    variant: "B",
    fpr: [0, 1],
    tpr: [0, 1],
  }];
  const pr = [{ variant: "A", recall: [0, 0.5, 1], precision: [1, 0.9, 0.5], ap: 0.85 }];
  const charts = {
    ablation: ablationBars(
      [
        { group: "Which prompts?", variant: "both", mean: 96.7, std: 0.4 },
        { group: "Which prompts?", variant: "text only", mean: 94.9, std: 0.6 },
        { group: "Synthesis?", variant: "SAS", mean: 96.7, std: NaN },
      ],
      { metric: "AUROC (%)", title: "Ablations", highlight: ["both"] },
    ),
    roc: rocCurves(roc),
    pr: prCurves(pr, { prevalence: 0.5 }),
    scores: scoreDistributions(
      [0.1, 0.2, 0.3, 0.7, 0.8, 0.9].map((score, i) => ({ variant: "PPAD", label: i < 3 ? 0 : "abnormal", score })),
      { threshold: 0.5, bins: 5 },
    ),
    loss: lossCurve([0.7, 0.5, 0.4, 0.3].map((loss, step) => ({ step, loss })), { smooth: 2 }),
  };
  for (const [name, options] of Object.entries(charts)) {
    const { svg, width, height } = renderPlot(options);
    assertStandaloneSvg(svg);
    const bytes = await svgToPng(svg);
    assertEquals(Array.from(bytes.subarray(0, 8)), PNG_SIGNATURE, name);
    const png = decode(bytes);
    assertEquals([png.width, png.height], [Math.round(width * 2), Math.round(height * 2)], name);
  }
  assert(renderPlot(charts.ablation).svg.includes("96.7 ± 0.4"));
  assert(renderPlot(charts.roc).svg.includes("A (AUROC 0.800)"));
  assertThrows(() => rocCurves([{ variant: "bad", fpr: [0, 1], tpr: [0] }]), RangeError, "bad");
});

Deno.test("saveChart writes the SVG and PNG side by side", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ppad-plot-" });
  try {
    const saved = await saveChart(dir, "loss", lossCurve([{ step: 0, loss: 1 }, { step: 1, loss: 0.5 }]));
    assertEquals(saved, { svgPath: `${dir}/loss.svg`, pngPath: `${dir}/loss.png` });
    assert((await Deno.readTextFile(saved.svgPath)).startsWith("<svg xmlns="));
    assertEquals(Array.from((await Deno.readFile(saved.pngPath)).subarray(0, 8)), PNG_SIGNATURE);
    await assertRejects(() => saveChart(dir, "../escape", lossCurve([])), TypeError, "escape");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("regionHeatmap paints each region by its probability", () => {
  const size = 8;
  const half = (left: boolean) => Uint8Array.from({ length: 64 }, (_, i) => ((i % size < 4) === left ? 1 : 0));
  const whole = new Uint8Array(64).fill(1);
  const image = new Float32Array(64).fill(0.5);
  const regions = [{ name: "left", mask: half(true) }, { name: "right", mask: half(false) }, { name: "", mask: whole }];
  const rgb = regionHeatmap(image, [0, 1, 0.5], regions, { size, outlineTop: false, alpha: 1 });
  assertEquals([rgb.width, rgb.height, rgb.channels, rgb.data.length], [8, 8, 3, 192]);
  const px = (x: number, y: number) => Array.from(rgb.data.subarray(3 * (y * size + x), 3 * (y * size + x) + 3));
  assertEquals(px(1, 3), [44, 123, 182]); // p = 0: blue end of the ramp (the whole-image region is not painted)
  assertEquals(px(6, 3), [215, 25, 28]); // p = 1: red end
  const outlined = regionHeatmap(image, [0, 1, 0.5], regions, { size, alpha: 0 });
  assertEquals(Array.from(outlined.data.subarray(3 * 7, 3 * 8)), [255, 255, 255]); // top region's edge is white
  assertEquals(Array.from(outlined.data.subarray(0, 3)), [128, 128, 128]); // elsewhere the gray image
  assertThrows(() => regionHeatmap(image, [0.5], regions, { size }), RangeError, "1 probabilities for 3 regions");
  const svg = regionHeatmapSvg(image, [0, 1, 0.5], regions, { size, title: "t" });
  assert(svg.includes("data:image/png;base64,") && svg.includes("right: 1.000") && svg.includes("whole: 0.500"));
});

Deno.test("lossCurve: every run gets its own colour, past the ten of tableau10 too", () => {
  const rows = Array.from({ length: 11 }, (_, i) => [0, 1].map((step) => ({ step, loss: i + step, run: `run-${i}` })))
    .flat();
  const svg = renderPlot(lossCurve(rows)).svg;
  const strokes = new Set([...svg.matchAll(/stroke="(#[0-9a-f]{6})"/g)].map((m) => m[1]));
  assertEquals(strokes.size, 11, `distinct line colours: ${[...strokes].join(", ")}`);
});

Deno.test("lossCurve: the runs of a band are one shaded min–max range, labelled, the others lines", () => {
  const rows = [
    ...[[0, 70], [1, 80]].map(([step, loss]) => ({ step, loss, run: "seed-1" })),
    ...[[0, 74], [1, 78]].map(([step, loss]) => ({ step, loss, run: "seed-2" })),
    ...[[0, 72], [1, 85]].map(([step, loss]) => ({ step, loss, run: "candidate" })),
  ];
  const svg = renderPlot(lossCurve(rows, { band: { runs: ["seed-1", "seed-2"], label: "2 seeds" } })).svg;
  assert(svg.includes("2 seeds") && svg.includes("candidate"), "band label and the line's legend entry");
  assert(!svg.includes("seed-1") && !svg.includes("seed-2"), "banded runs have no line or legend entry of their own");
  assert(svg.includes('fill-opacity="0.22"'), "the band is drawn");
  // One banded run alone is no range: it stays a line.
  const one = renderPlot(lossCurve(rows.slice(0, 2).concat(rows.slice(4)), { band: { runs: ["seed-1"], label: "x" } }));
  assert(one.svg.includes("seed-1") && !one.svg.includes('fill-opacity="0.22"'), "a single run stays a line");
});

Deno.test("wrapText: lines break at spaces within the width; a long title or subtitle wraps in the figure", () => {
  assertEquals(wrapText("aaa bbb ccc", 10, textWidth("aaa bbb", 10)), ["aaa bbb", "ccc"]);
  assertEquals(wrapText("averyveryverylongword next", 10, 20), ["averyveryverylongword", "next"]); // never cut a word
  assertEquals(wrapText("", 10, 100), [""]);
  const subtitle = Array.from({ length: 40 }, (_, i) => `word${i}`).join(" ");
  const { svg } = renderPlot({ subtitle, width: 320, marks: [Plot.dot([1, 2], { x: (d) => d, y: (d) => d })] });
  const lines = [...svg.matchAll(/<text[^>]*font-size="12"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  assert(lines.length > 1, `the subtitle is one line: ${lines.join(" | ")}`);
  assertEquals(lines.join(" "), subtitle);
  assert(lines.every((l) => textWidth(l, 12) <= 320 - 16), "every line fits");
});
