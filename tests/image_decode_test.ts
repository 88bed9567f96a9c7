import { assert, assertAlmostEquals, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { encode as encodeRawPng } from "fast-png";
import {
  decodeImage,
  detectFormat,
  encodeGrayJpeg,
  grayFromUint8,
  luma8,
  readImage,
  toUint8,
} from "../lib/data/image.ts";
import { encodePng, grayImageToPng } from "../lib/data/png.ts";
import { encodeDicom } from "../testing/dicom_write.ts";
import { InputError } from "../lib/util/errors.ts";
import { join } from "../lib/util/path.ts";
import { PARITY_FIXTURE_DIR, sharedTest } from "../testing/shared.ts";

// RGB triples and Pillow 9.4's `convert("L")` of them.
const RGB: number[][] = [
  [255, 0, 0],
  [0, 255, 0],
  [0, 0, 255],
  [255, 255, 255],
  [12, 200, 77],
  [128, 128, 128],
  [1, 2, 3],
  [250, 17, 133],
  [99, 99, 100],
  [201, 155, 3],
];
const PIL_L = [76, 150, 29, 255, 130, 128, 2, 100, 99, 151];

Deno.test("decode: 8-bit gray PNG round-trips exactly, values k/255", () => {
  const px = Uint8Array.from({ length: 12 }, (_, i) => i * 23);
  const img = decodeImage(encodePng({ width: 4, height: 3, channels: 1, data: px }), "a.png");
  assertEquals([img.width, img.height, img.bitDepth], [4, 3, 8]);
  assertEquals(Array.from(toUint8(img)), Array.from(px));
  assertEquals(img.data[1], Math.fround(23 / 255));
  assertEquals(img.source, "a.png");
});

Deno.test("decode: 16-bit PNG keeps its precision", () => {
  const px = Uint16Array.from([0, 1, 2, 257, 65534, 65535]);
  const img = decodeImage(encodePng({ width: 3, height: 2, channels: 1, data: px }), "b.png");
  assertEquals(img.bitDepth, 16);
  assertEquals(Array.from(img.data), Array.from(px, (v) => Math.fround(v / 65535)));
  assert(img.data[1] !== img.data[2] && img.data[1] > 0, "adjacent 16-bit levels must stay distinct");
  const back = decodeImage(grayImageToPng(img, 16), "c.png");
  assertEquals(Array.from(back.data), Array.from(img.data));
});

Deno.test("decode: colour PNG → gray matches Pillow's convert('L') (RGB, RGBA, palette)", () => {
  for (let i = 0; i < RGB.length; i++) assertEquals(luma8(RGB[i][0], RGB[i][1], RGB[i][2]), PIL_L[i]);
  const n = RGB.length;
  const rgb = encodePng({ width: n, height: 1, channels: 3, data: Uint8Array.from(RGB.flat()) });
  assertEquals(Array.from(toUint8(decodeImage(rgb, "rgb.png"))), PIL_L);
  const rgba = encodePng({
    width: n,
    height: 1,
    channels: 4,
    data: Uint8Array.from(RGB.flatMap((c, i) => [...c, i * 20])),
  });
  assertEquals(Array.from(toUint8(decodeImage(rgba, "rgba.png"))), PIL_L);
  const pal = encodeRawPng({
    width: n,
    height: 1,
    data: Uint8Array.from(RGB.keys()),
    depth: 8,
    channels: 1,
    palette: RGB,
  });
  assertEquals(Array.from(toUint8(decodeImage(pal, "pal.png"))), PIL_L);
});

Deno.test("decode: gray+alpha ignores alpha; 1/2/4-bit gray expands like Pillow", () => {
  const la = encodeRawPng({
    width: 3,
    height: 1,
    data: Uint8Array.from([10, 0, 20, 128, 30, 255]),
    depth: 8,
    channels: 2,
  });
  assertEquals(Array.from(toUint8(decodeImage(la, "la.png"))), [10, 20, 30]);
  // 2-bit: 0,1,2,3 → 0,85,170,255; width 5 leaves padding bits at the row end.
  const two = encodeRawPng({
    width: 5,
    height: 2,
    data: Uint8Array.from([0b00011011, 0b00000000, 0b11100100, 0b11000000]),
    depth: 2,
    channels: 1,
  });
  assertEquals(Array.from(toUint8(decodeImage(two, "two.png"))), [0, 85, 170, 255, 0, 255, 170, 85, 0, 255]);
  const one = encodeRawPng({ width: 3, height: 1, data: Uint8Array.from([0b10100000]), depth: 1, channels: 1 });
  assertEquals(Array.from(toUint8(decodeImage(one, "one.png"))), [255, 0, 255]);
});

Deno.test("decode: JPEG (jpeg-js) round-trips a smooth gray image within a few levels", () => {
  const w = 32, h = 24;
  const px = Uint8Array.from({ length: w * h }, (_, i) => 40 + ((i % w) * 4 + Math.floor(i / w) * 3));
  const img = decodeImage(encodeGrayJpeg(grayFromUint8(w, h, px), 95), "c.jpg");
  assertEquals([img.width, img.height, img.bitDepth], [w, h, 8]);
  const out = toUint8(img);
  let max = 0;
  for (let i = 0; i < px.length; i++) max = Math.max(max, Math.abs(out[i] - px[i]));
  assert(max <= 4, `max JPEG error ${max}`);
});

Deno.test("decode: the format comes from magic bytes, not the extension", () => {
  const png = encodePng({ width: 2, height: 2, channels: 1, data: new Uint8Array([1, 2, 3, 4]) });
  assertEquals(detectFormat(png), "png");
  assertEquals(decodeImage(png, "misnamed.jpg").width, 2);
  const dcm = encodeDicom({ width: 2, height: 2, pixels: new Uint8Array([0, 1, 2, 3]) });
  assertEquals(detectFormat(dcm), "dicom");
  assertEquals(decodeImage(dcm, "x.png").bitDepth, 8);
  assertEquals(detectFormat(encodeGrayJpeg(grayFromUint8(8, 8, new Uint8Array(64)))), "jpeg");
});

Deno.test("decode: one-line InputErrors naming the file", async () => {
  assertThrows(
    () => decodeImage(new Uint8Array(0), "empty.png"),
    InputError,
    "Cannot decode empty.png: the file is empty",
  );
  assertThrows(() => decodeImage(new TextEncoder().encode("hello world"), "t.png"), InputError, "unknown image format");
  const png = encodePng({ width: 16, height: 16, channels: 1, data: new Uint8Array(256).fill(7) });
  const cut = assertThrows(
    () => decodeImage(png.subarray(0, 40), "cut.png"),
    InputError,
    "Cannot decode cut.png: invalid PNG",
  );
  assert(!cut.message.includes("\n"), "one-line message");
  const jpg = encodeGrayJpeg(grayFromUint8(16, 16, new Uint8Array(256)));
  assertThrows(() => decodeImage(jpg.subarray(0, 30), "cut.jpg"), InputError, "Cannot decode cut.jpg");
  await assertRejects(
    () => readImage("/nonexistent/x.png"),
    InputError,
    "Cannot read /nonexistent/x.png: no such file",
  );
});

const fixture = join(PARITY_FIXTURE_DIR, "image.png");

sharedTest({ needs: [fixture], why: "the parity fixture's input image" }, {
  name: "decode: the shared CLIP fixture image (224² 8-bit gray)",
  fn: async () => {
    const img = await readImage(fixture);
    assertEquals([img.width, img.height, img.bitDepth], [224, 224, 8]);
    let sum = 0;
    for (const v of img.data) sum += v;
    const mean = sum / img.data.length;
    assert(mean > 0 && mean < 1);
    assertAlmostEquals(img.data[0] * 255, Math.round(img.data[0] * 255), 1e-4);
  },
});
