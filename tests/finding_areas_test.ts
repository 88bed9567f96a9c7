import * as aq from "arquero";
import { assert, assertAlmostEquals, assertEquals } from "./assert.ts";
import { findingAreas } from "../lib/data/mod.ts";
import { findingAreaChart, renderPlot } from "../lib/report/mod.ts";

const MANIFEST = aq.from([
  { file: "train/n0.png", label: 0, finding: "normal", side: "none", bbox: "" },
  { file: "test/a.png", label: 1, finding: "nodule", side: "left", bbox: "10 20 16 8" },
  { file: "test/b.png", label: 1, finding: "effusion", side: "both", bbox: "0 0 128 64" },
  { file: "test/c.png", label: 1, finding: "nodule", side: "right", bbox: "" },
]);

Deno.test("findingAreas: each abnormal image's bounding-box area in % of the image, rows without a box left out", () => {
  const rows = findingAreas(MANIFEST, 128);
  assertEquals(rows.map((r) => [r.finding, r.side]), [["nodule", "left"], ["effusion", "both"]]);
  assertAlmostEquals(rows[0].area, (100 * 16 * 8) / (128 * 128));
  assertAlmostEquals(rows[1].area, 50);
});

Deno.test("findingAreaChart draws a dot per image on a log axis, titled with the image size", () => {
  const svg = renderPlot(findingAreaChart(findingAreas(MANIFEST, 128), { imageSize: 128 })).svg;
  assert(svg.startsWith("<svg") && svg.includes("How large the findings are"), "titled SVG");
  assert(svg.includes("128²") && svg.includes("2 images"), "the subtitle says the size and the count");
  assertEquals((svg.match(/<circle/g) ?? []).length >= 2, true);
});
