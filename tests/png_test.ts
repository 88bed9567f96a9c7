/** The one PNG encoder (`lib/data/png.ts`): bit depth from the array type, every channel count, exact round trips. */
import { assertEquals, assertThrows } from "./assert.ts";
import { decode } from "fast-png";
import { encodePng, grayImageToPng } from "../lib/data/png.ts";

Deno.test("encodePng: 8-bit gray, RGB and RGBA round-trip through fast-png's decoder", () => {
  for (const channels of [1, 3, 4] as const) {
    const data = Uint8Array.from({ length: 3 * 2 * channels }, (_, i) => (i * 37) & 255);
    const png = decode(encodePng({ width: 3, height: 2, channels, data }));
    assertEquals([png.width, png.height, png.channels, png.depth], [3, 2, channels, 8]);
    assertEquals(Array.from(png.data), Array.from(data));
  }
});

Deno.test("encodePng: a Uint16Array is written at 16 bits, keeping every level", () => {
  const data = Uint16Array.from([0, 1, 257, 65535]);
  const png = decode(encodePng({ width: 2, height: 2, channels: 1, data }));
  assertEquals(png.depth, 16);
  assertEquals(Array.from(png.data), Array.from(data));
});

Deno.test("encodePng: the same pixels give the same bytes; a wrong sample count is a RangeError", () => {
  const data = new Uint8Array(16).fill(9);
  assertEquals(
    encodePng({ width: 4, height: 4, channels: 1, data }),
    encodePng({ width: 4, height: 4, channels: 1, data: data.slice() }),
  );
  assertThrows(
    () => encodePng({ width: 4, height: 4, channels: 3, data }),
    RangeError,
    "Cannot encode PNG: 16 samples for 4×4×3 (expected 48)",
  );
});

Deno.test("grayImageToPng: rounds data · (2^bits − 1), clipped to [0, 1]", () => {
  const img = { width: 4, height: 1, data: Float32Array.from([-0.5, 0.5, 1 / 255, 2]), bitDepth: 8, source: "x" };
  assertEquals(Array.from(decode(grayImageToPng(img)).data), [0, 128, 1, 255]);
  assertEquals(Array.from(decode(grayImageToPng(img, 16)).data), [0, 32768, 257, 65535]);
});
