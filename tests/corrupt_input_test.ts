/**
 * Corrupt input is refused, not silently accepted: PNG chunk CRCs and the zlib checksum, decompression bombs (checked
 * from the header, fast), JPEG frame sizes, DICOM RescaleSlope/Intercept, and non-decimal scores in a scores CSV.
 */
import { assert, assertEquals, assertThrows } from "./assert.ts";
import { crc32, deflateSync } from "node:zlib";
import { decodeImage, encodeGrayJpeg, readJpegSize } from "../lib/data/image.ts";
import { encodePng } from "../lib/data/png.ts";
import { decodeDicom } from "../lib/data/dicom.ts";
import { encodeDicom } from "../testing/dicom_write.ts";
import { parseScoresCsv } from "../lib/metrics/scores_csv.ts";
import { InputError } from "../lib/util/errors.ts";

const enc = new TextEncoder();

/** One PNG chunk with a correct CRC. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  out.set(enc.encode(type), 4);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)) >>> 0);
  return out;
}

/** A PNG assembled from an IHDR and an IDAT payload (zlib bytes as given), every chunk CRC correct. */
function pngOf(width: number, height: number, depth: number, colorType: number, idat: Uint8Array): Uint8Array {
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr.set([depth, colorType, 0, 0, 0], 8);
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", idat),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** 8×8 gray, filter 0 rows: raw scanlines. */
function rawRows(): Uint8Array {
  const raw = new Uint8Array(8 * 9);
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) raw[y * 9 + 1 + x] = (x * 31 + y * 7) & 255;
  return raw;
}

Deno.test("png: a valid hand-assembled PNG decodes (the fixture itself is sound)", () => {
  const img = decodeImage(pngOf(8, 8, 8, 0, new Uint8Array(deflateSync(rawRows()))), "ok.png");
  assertEquals([img.width, img.height], [8, 8]);
  assertEquals(Math.round(img.data[9] * 255), (31 + 7) & 255);
});

Deno.test("png: a flipped byte in IDAT (stale chunk CRC) is refused", () => {
  const bytes = encodePng({ width: 8, height: 8, channels: 1, data: rawRows().subarray(0, 64) });
  const at = bytes.length - 12 - 4 - 8; // inside the IDAT payload, before its CRC and IEND
  bytes[at] ^= 0x10;
  const err = assertThrows(() => decodeImage(bytes, "flipped.png"), InputError);
  assert(err.message.includes("flipped.png") && /crc/i.test(err.message), err.message);
});

Deno.test("png: flipped pixel bytes with a recomputed CRC fail the zlib Adler-32 checksum", () => {
  const z = new Uint8Array(deflateSync(rawRows(), { level: 0 })); // stored: pixel bytes appear verbatim
  z[z.length - 10] ^= 0x01; // a pixel byte; the Adler-32 trailer is left as it was
  const err = assertThrows(() => decodeImage(pngOf(8, 8, 8, 0, z), "adler.png"), InputError);
  assert(err.message.includes("adler.png") && err.message.includes("zlib"), err.message);
});

Deno.test("png: a bomb's declared size is refused from the header, fast and without decoding", () => {
  const z = new Uint8Array(deflateSync(new Uint8Array(1 << 16)));
  const t0 = performance.now();
  const err = assertThrows(() => decodeImage(pngOf(20000, 20000, 16, 6, z), "bomb.png"), InputError);
  assert(performance.now() - t0 < 1000);
  assert(err.message.includes("20000×20000") && err.message.includes("100 megapixel limit"), err.message);
  // A size within the limit whose data inflates beyond the image is refused too (no "Unsupported filter").
  const big = new Uint8Array(deflateSync(new Uint8Array(8 * 9 * 64)));
  const over = assertThrows(() => decodeImage(pngOf(8, 8, 8, 0, big), "over.png"), InputError);
  assert(over.message.includes("over.png"), over.message);
});

Deno.test("jpeg: the frame size is read from the SOF header and checked before decoding", () => {
  const jpg = encodeGrayJpeg({ width: 16, height: 8, data: new Float32Array(128).fill(0.5), bitDepth: 8, source: "" });
  assertEquals(readJpegSize(jpg), { width: 16, height: 8 });
  const sof = jpg.findIndex((b, i) => b === 0xff && jpg[i + 1] === 0xc0);
  const bomb = jpg.slice();
  bomb.set([0xff, 0xff, 0xff, 0xff], sof + 5); // 65535 × 65535
  const t0 = performance.now();
  const err = assertThrows(() => decodeImage(bomb, "bomb.jpg"), InputError);
  assert(performance.now() - t0 < 1000);
  assert(err.message.includes("65535×65535") && err.message.includes("megapixel limit"), err.message);
});

Deno.test("dicom: a RescaleSlope of NaN or 0, or a NaN RescaleIntercept, is refused naming the tag", () => {
  const px = new Uint16Array([0, 100, 200, 300]);
  for (const slope of [NaN, 0]) {
    const bytes = encodeDicom({ width: 2, height: 2, pixels: px, bitsStored: 12, rescaleSlope: slope });
    const err = assertThrows(() => decodeDicom(bytes, "s.dcm"), InputError);
    assert(err.message.includes("s.dcm") && err.message.includes("RescaleSlope (0028,1053)"), err.message);
  }
  const bytes = encodeDicom({ width: 2, height: 2, pixels: px, bitsStored: 12, rescaleIntercept: NaN });
  const err = assertThrows(() => decodeDicom(bytes, "i.dcm"), InputError);
  assert(err.message.includes("RescaleIntercept (0028,1052)"), err.message);
  // A valid slope still works.
  decodeDicom(encodeDicom({ width: 2, height: 2, pixels: px, bitsStored: 12, rescaleSlope: 2 }), "ok.dcm");
});

Deno.test("scores CSV: only decimal numbers are scores (0x1, 0b1, 0o1, Infinity refused)", () => {
  for (const bad of ["0x1", "0b1", "0o1", "Infinity", "1_0", " "]) {
    const err = assertThrows(() => parseScoresCsv(`id,label,score\na,1,${bad}\nb,0,0.1\n`, "s.csv"), InputError);
    assert(err.message.includes("s.csv:2") && err.message.includes("decimal"), err.message);
  }
  const ok = parseScoresCsv("id,label,score\na,1,1e-3\nb,0,-.5\nc,1,+2.\n", "s.csv");
  assertEquals([...ok.scores], [1e-3, -0.5, 2]);
});
