import * as tf from "@tensorflow/tfjs";
import { decode } from "fast-png";
import { assert, assertEquals, assertThrows } from "./assert.ts";
import { lossCurve } from "../lib/report/charts.ts";
import {
  DISPLAY,
  type Displayable,
  type MimeBundle,
  showImage,
  showPlot,
  showTable,
  showTensor,
} from "../lib/report/display.ts";
import { toTidy } from "../lib/report/tables.ts";

function bundle(d: Displayable): MimeBundle {
  return d[DISPLAY]();
}

function pngOf(b: MimeBundle) {
  assert(b["image/png"], "no image/png");
  assert(b["text/html"].includes(`src="data:image/png;base64,${b["image/png"]}"`), "html does not embed the PNG");
  return decode(Uint8Array.from(atob(b["image/png"]), (c) => c.charCodeAt(0)));
}

Deno.test("showPlot displays the chart as inline SVG in text/html, never image/svg+xml", () => {
  const b = bundle(showPlot(lossCurve([{ step: 0, loss: 1 }, { step: 1, loss: 0.5 }], { title: "Loss" })));
  assert(b["text/html"].includes('<svg xmlns="http://www.w3.org/2000/svg"'));
  assert(b["text/html"].includes(">Loss<"));
  assertEquals(Object.keys(b).includes("image/svg+xml"), false);
  assertEquals(DISPLAY, Symbol.for("Jupyter.display"));
});

Deno.test("showTable renders a limited HTML table with its size, and Markdown as text/plain", () => {
  const t = toTidy(Array.from({ length: 30 }, (_, i) => ({ i, name: `<r${i}>`, v: i / 3 })));
  const b = bundle(showTable(t, { limit: 5, digits: 2, caption: "Runs" }));
  const html = b["text/html"];
  assertEquals((html.match(/<tr>/g) ?? []).length, 6); // header + 5 rows
  assert(html.includes("30 rows × 3 columns (showing 5)"));
  assert(html.includes("&lt;r1&gt;") && !html.includes("<r1>"), "cells must be escaped");
  assert(html.includes(">0.33<"));
  assert(b["text/plain"]?.startsWith("| i | name | v |"));
  const fromRecords = bundle(showTable([{ a: 1 }]));
  assert(fromRecords["text/html"].includes("1 rows × 1 columns"));
});

Deno.test("showImage encodes the gray image with overlays as PNG", () => {
  const w = 4;
  const h = 2;
  const gray = Float32Array.from([0, 0.5, 1, 1, 0, 0, 0, 0]);
  const plain = pngOf(bundle(showImage(gray, w, h)));
  // 4 px wide < 112 → upscaled ×56 for display
  assertEquals([plain.width, plain.height], [224, 112]);
  assertEquals(Array.from(plain.data.subarray(0, 3)), [0, 0, 0]);
  const mask = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 1]);
  const b = bundle(showImage(gray, w, h, { overlays: [{ mask, color: [0, 255, 0] }], caption: "with <mask>" }));
  const png = pngOf(b);
  const last = (png.height - 1) * png.width + png.width - 1;
  assertEquals(Array.from(png.data.subarray(3 * last, 3 * last + 3)), [0, 255, 0]); // edge pixel of the mask
  assert(b["text/html"].includes("with &lt;mask&gt;"));
  assertThrows(() => showImage(gray, 3, 3), RangeError, "8 values for 3×3");
});

Deno.test("showTensor shows 2-D and [h, w, 3] tensors with their statistics", async () => {
  await tf.setBackend("cpu");
  const t2 = tf.tensor2d([[0, 1], [2, 3]]);
  const b = bundle(showTensor(t2, { caption: "t" }));
  const png = pngOf(b);
  assertEquals(png.width, 128); // 2 px upscaled by the maximum factor, 64
  assert(b["text/html"].includes("float32 [2, 2], min 0.000, max 3.000"), b["text/html"]);
  const t3 = tf.zeros([2, 2, 3]) as tf.Tensor3D;
  pngOf(bundle(showTensor(t3)));
  const bad = tf.zeros([2, 2, 2]) as tf.Tensor3D;
  assertThrows(() => showTensor(bad), RangeError, "[2, 2, 2]");
  tf.dispose([t2, t3, bad]);
});
