import { assert, assertAlmostEquals, assertEquals, assertThrows } from "./assert.ts";
import { decodeDicom, windowLinear } from "../lib/data/dicom.ts";
import { encodeDicom, TRANSFER_SYNTAX } from "../testing/dicom_write.ts";
import { decodeImage } from "../lib/data/image.ts";
import { InputError } from "../lib/util/errors.ts";

const PX12 = new Uint16Array([0, 1024, 2048, 4095]);

function close(actual: Float32Array, expected: number[], tol = 1e-6): void {
  assertEquals(actual.length, expected.length);
  expected.forEach((e, i) => assertAlmostEquals(actual[i], e, tol, `pixel ${i}: ${actual[i]} vs ${e}`));
}

Deno.test("dicom: MONOCHROME2 without a window is min–max scaled; MONOCHROME1 is inverted", () => {
  const m2 = decodeDicom(encodeDicom({ width: 2, height: 2, pixels: PX12, bitsStored: 12 }), "m2.dcm");
  assertEquals([m2.width, m2.height, m2.bitDepth], [2, 2, 12]);
  close(m2.data, [0, 1024 / 4095, 2048 / 4095, 1]);
  const m1 = decodeDicom(
    encodeDicom({ width: 2, height: 2, pixels: PX12, bitsStored: 12, photometric: "MONOCHROME1" }),
    "m1.dcm",
  );
  close(m1.data, [1, 1 - 1024 / 4095, 1 - 2048 / 4095, 0]);
});

Deno.test("dicom: rescale slope/intercept then the first of several windows (linear VOI function)", () => {
  // stored s → modality 2s − 1000: [−1000, 1048, 3096, 7190]; window c=1048.5 w=4097 spans [−1000, 3096] linearly.
  const bytes = encodeDicom({
    width: 2,
    height: 2,
    pixels: PX12,
    bitsStored: 12,
    rescaleSlope: 2,
    rescaleIntercept: -1000,
    windowCenter: [1048.5, 40],
    windowWidth: [4097, 400],
  });
  const img = decodeDicom(bytes, "w.dcm");
  close(img.data, [0, 0.5, 1, 1]);
  assertEquals(windowLinear(40, 40, 1), 1);
  assertEquals(windowLinear(39, 40, 1), 0);
  assertAlmostEquals(windowLinear(50, 50.5, 101), 0.5, 1e-12);
});

Deno.test("dicom: signed samples, BitsStored masking of high bits, 8-bit", () => {
  const signed = decodeDicom(
    encodeDicom({ width: 3, height: 1, pixels: new Int16Array([-2048, 0, 2047]), bitsStored: 12 }),
    "s.dcm",
  );
  close(signed.data, [0, 2048 / 4095, 1]);
  // Garbage in bits 12–15 (e.g. overlay bits) must be ignored when BitsStored = 12.
  const dirty = new Uint16Array([0xf000, 0xf000 | 1024, 0xa000 | 4095]);
  const masked = decodeDicom(encodeDicom({ width: 3, height: 1, pixels: dirty, bitsStored: 12 }), "m.dcm");
  close(masked.data, [0, 1024 / 4095, 1]);
  // Signed with BitsStored 12: 0x0800 (stored in 12 bits) is −2048.
  const s12 = decodeDicom(
    encodeDicom({ width: 2, height: 1, pixels: new Uint16Array([0x0800, 0x07ff]), bitsStored: 12, signed: true }),
    "s12.dcm",
  );
  close(s12.data, [0, 1]);
  const eight = decodeDicom(encodeDicom({ width: 2, height: 1, pixels: new Uint8Array([10, 110]) }), "e.dcm");
  assertEquals(eight.bitDepth, 8);
  close(eight.data, [0, 1]);
});

Deno.test("dicom: implicit VR LE, explicit VR BE and a raw data set without preamble decode the same", () => {
  const ref = decodeDicom(encodeDicom({ width: 2, height: 2, pixels: PX12, bitsStored: 12 }), "ref.dcm").data;
  for (const transferSyntax of [TRANSFER_SYNTAX.implicitLittle, TRANSFER_SYNTAX.explicitBig]) {
    const img = decodeDicom(
      encodeDicom({ width: 2, height: 2, pixels: PX12, bitsStored: 12, transferSyntax }),
      "t.dcm",
    );
    assertEquals(Array.from(img.data), Array.from(ref), transferSyntax);
  }
  const raw = encodeDicom({
    width: 2,
    height: 2,
    pixels: PX12,
    bitsStored: 12,
    preamble: false,
    transferSyntax: TRANSFER_SYNTAX.implicitLittle,
  });
  assertEquals(Array.from(decodeImage(raw, "raw.dcm").data), Array.from(ref));
});

Deno.test("dicom: 16-bit precision is kept (no 8-bit quantisation)", () => {
  const px = Uint16Array.from({ length: 16 }, (_, i) => i * 4369); // 0 … 65535
  const img = decodeDicom(encodeDicom({ width: 4, height: 4, pixels: px }), "p.dcm");
  assertEquals(img.bitDepth, 16);
  px[1] = 1;
  const fine = decodeDicom(encodeDicom({ width: 4, height: 4, pixels: px }), "f.dcm");
  assertAlmostEquals(fine.data[1], 1 / 65535, 1e-9);
});

Deno.test("dicom: multi-frame, compressed syntaxes and truncated pixel data are refused clearly", () => {
  const multi = encodeDicom({ width: 2, height: 2, pixels: new Uint16Array(12), frames: 3 });
  assertThrows(
    () => decodeDicom(multi, "x.dcm"),
    InputError,
    "Cannot decode x.dcm: multi-frame DICOM (3 frames) is not supported",
  );
  for (
    const [uid, name] of [["1.2.840.10008.1.2.4.90", "JPEG 2000 Lossless"], ["1.2.840.10008.1.2.5", "RLE Lossless"]]
  ) {
    const bytes = encodeDicom({ width: 2, height: 2, pixels: PX12, transferSyntax: uid });
    const e = assertThrows(() => decodeImage(bytes, "c.dcm"), InputError, `compressed transfer syntax ${uid}`);
    assert(e.message.includes(name), e.message);
  }
  const good = encodeDicom({ width: 4, height: 4, pixels: new Uint16Array(16) });
  // Drop the last 8 bytes of pixel data: the element length now exceeds the file.
  const cut = good.subarray(0, good.length - 8);
  const e = assertThrows(() => decodeImage(cut, "cut.dcm"), InputError, "Cannot decode cut.dcm");
  assert(!e.message.includes("\n"));
  const junk = new Uint8Array(200);
  junk.set(new TextEncoder().encode("DICM"), 128);
  assertThrows(() => decodeImage(junk, "junk.dcm"), InputError, "Cannot decode junk.dcm");
});
