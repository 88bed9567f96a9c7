/**
 * DICOM decoding to a grayscale image with `dicom-parser`: uncompressed transfer syntaxes (implicit/explicit VR little
 * endian, explicit big endian), 8/16/32-bit samples, signed or unsigned, BitsStored/HighBit masking, Modality LUT
 * (RescaleSlope/Intercept), VOI windowing (the first WindowCenter/Width; min–max when absent), MONOCHROME1 inversion.
 * Multi-frame and compressed files are refused with a message that says why.
 * @module
 */
import dicomParser from "dicom-parser";
import { InputError } from "../util/mod.ts";
import type { GrayImage } from "./gray_image.ts";

/** Transfer syntaxes whose pixel data is stored uncompressed (UID → name). */
export const UNCOMPRESSED_SYNTAXES: Readonly<Record<string, string>> = {
  "1.2.840.10008.1.2": "Implicit VR Little Endian",
  "1.2.840.10008.1.2.1": "Explicit VR Little Endian",
  "1.2.840.10008.1.2.2": "Explicit VR Big Endian",
};

/** Names of common compressed transfer syntaxes, for error messages. */
const COMPRESSED_NAMES: Readonly<Record<string, string>> = {
  "1.2.840.10008.1.2.1.99": "Deflated Explicit VR Little Endian",
  "1.2.840.10008.1.2.4.50": "JPEG Baseline",
  "1.2.840.10008.1.2.4.51": "JPEG Extended",
  "1.2.840.10008.1.2.4.57": "JPEG Lossless",
  "1.2.840.10008.1.2.4.70": "JPEG Lossless SV1",
  "1.2.840.10008.1.2.4.80": "JPEG-LS Lossless",
  "1.2.840.10008.1.2.4.81": "JPEG-LS Near-Lossless",
  "1.2.840.10008.1.2.4.90": "JPEG 2000 Lossless",
  "1.2.840.10008.1.2.4.91": "JPEG 2000",
  "1.2.840.10008.1.2.5": "RLE Lossless",
};

const IMPLICIT_LE = "1.2.840.10008.1.2";
const MAX_PIXELS = 100e6;

const TAG = {
  transferSyntax: "x00020010",
  samplesPerPixel: "x00280002",
  photometric: "x00280004",
  numberOfFrames: "x00280008",
  planarConfiguration: "x00280006",
  rows: "x00280010",
  columns: "x00280011",
  bitsAllocated: "x00280100",
  bitsStored: "x00280101",
  highBit: "x00280102",
  pixelRepresentation: "x00280103",
  windowCenter: "x00281050",
  windowWidth: "x00281051",
  rescaleIntercept: "x00281052",
  rescaleSlope: "x00281053",
  pixelData: "x7fe00010",
} as const;

/** Whether `bytes` look like DICOM: "DICM" at offset 128 (Part 10), or a raw data set starting with group 0002/0008. */
export function isDicom(bytes: Uint8Array): boolean {
  if (
    bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d
  ) return true;
  return bytes.length >= 8 && (bytes[0] === 0x08 || bytes[0] === 0x02) && bytes[1] === 0x00 && bytes[3] === 0x00;
}

function hasPreamble(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && String.fromCharCode(bytes[128], bytes[129], bytes[130], bytes[131]) === "DICM";
}

/** Parameters read from a DICOM header (exported for tests and diagnostics). */
export interface DicomInfo {
  transferSyntax: string;
  rows: number;
  columns: number;
  samplesPerPixel: number;
  photometric: string;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  signed: boolean;
  frames: number;
  slope: number;
  intercept: number;
  window: { center: number; width: number } | null;
}

/**
 * The DICOM linear VOI function (PS3.3 C.11.2.1.2.1) mapped to [0, 1]: `x ≤ c − ½ − (w−1)/2 → 0`,
 * `x > c − ½ + (w−1)/2 → 1`, else `(x − (c − ½)) / (w − 1) + ½`.
 */
export function windowLinear(x: number, center: number, width: number): number {
  const c = center - 0.5, w = width - 1;
  if (w <= 0) return x > c ? 1 : 0;
  if (x <= c - w / 2) return 0;
  if (x > c + w / 2) return 1;
  return (x - c) / w + 0.5;
}

/**
 * Decodes an uncompressed single-frame DICOM to a gray image (`data`: `[rows * columns]` in [0, 1], 1 = white after
 * MONOCHROME1 inversion). Throws `InputError` `Cannot decode <name>: <reason>`.
 */
export function decodeDicom(bytes: Uint8Array, name: string): GrayImage {
  const fail: (reason: string) => never = (reason) => {
    throw new InputError(`Cannot decode ${name}: ${reason}`);
  };
  let ds: dicomParser.DataSet;
  try {
    ds = hasPreamble(bytes)
      ? dicomParser.parseDicom(bytes)
      : dicomParser.parseDicom(bytes, { TransferSyntaxUID: IMPLICIT_LE });
  } catch (err) {
    const msg = err instanceof Error
      ? err.message
      : typeof err === "string"
      ? err
      : String((err as { exception?: string })?.exception ?? err);
    fail(`invalid DICOM (${msg})`);
  }
  const info = readInfo(ds, fail);
  if (!(info.transferSyntax in UNCOMPRESSED_SYNTAXES)) {
    const label = COMPRESSED_NAMES[info.transferSyntax] ?? "unknown";
    fail(
      `compressed transfer syntax ${info.transferSyntax} (${label}) is not supported; convert to uncompressed first`,
    );
  }
  if (info.frames > 1) fail(`multi-frame DICOM (${info.frames} frames) is not supported`);
  const element = ds.elements[TAG.pixelData];
  if (!element) fail("no PixelData (7FE0,0010) element");
  if (element.encapsulatedPixelData) fail("encapsulated (compressed) pixel data is not supported");
  const n = info.rows * info.columns;
  const bytesPer = info.bitsAllocated / 8;
  const need = n * info.samplesPerPixel * bytesPer;
  if (element.length < need) {
    fail(`PixelData holds ${element.length} bytes, ${need} needed for ${info.columns}×${info.rows}`);
  }
  if (element.dataOffset + need > bytes.length) fail("PixelData runs past the end of the file");
  const view = new DataView(bytes.buffer, bytes.byteOffset + element.dataOffset, need);
  const little = info.transferSyntax !== "1.2.840.10008.1.2.2";
  const stored = readSamples(view, info, little);
  const values = info.samplesPerPixel === 3 ? toLuma(stored, info, ds) : stored;
  for (let i = 0; i < n; i++) values[i] = values[i] * info.slope + info.intercept;
  const out = new Float32Array(n);
  if (info.window) {
    const { center, width } = info.window;
    for (let i = 0; i < n; i++) out[i] = windowLinear(values[i], center, width);
  } else {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < n; i++) {
      if (values[i] < lo) lo = values[i];
      if (values[i] > hi) hi = values[i];
    }
    const range = hi - lo;
    for (let i = 0; i < n; i++) out[i] = range > 0 ? (values[i] - lo) / range : 0;
  }
  if (info.photometric === "MONOCHROME1") { for (let i = 0; i < n; i++) out[i] = 1 - out[i]; }
  return { width: info.columns, height: info.rows, data: out, bitDepth: info.bitsStored, source: name };
}

function readInfo(ds: dicomParser.DataSet, fail: (reason: string) => never): DicomInfo {
  const transferSyntax = (ds.string(TAG.transferSyntax) ?? IMPLICIT_LE).replace(/\0/g, "").trim();
  const rows = ds.uint16(TAG.rows) ?? 0;
  const columns = ds.uint16(TAG.columns) ?? 0;
  if (!(rows > 0 && columns > 0)) fail(`missing or zero Rows/Columns (${rows}×${columns})`);
  if (rows * columns > MAX_PIXELS) fail(`${columns}×${rows} exceeds the pixel limit`);
  const samplesPerPixel = ds.uint16(TAG.samplesPerPixel) ?? 1;
  const photometric = (ds.string(TAG.photometric) ?? "MONOCHROME2").trim().toUpperCase();
  if (samplesPerPixel === 1) {
    if (photometric !== "MONOCHROME1" && photometric !== "MONOCHROME2") {
      fail(`unsupported PhotometricInterpretation ${photometric} with 1 sample per pixel`);
    }
  } else if (!(samplesPerPixel === 3 && photometric === "RGB")) {
    fail(`unsupported ${samplesPerPixel} samples per pixel with PhotometricInterpretation ${photometric}`);
  }
  const bitsAllocated = ds.uint16(TAG.bitsAllocated) ?? 0;
  if (![8, 16, 32].includes(bitsAllocated)) fail(`unsupported BitsAllocated ${bitsAllocated} (expected 8, 16 or 32)`);
  const bitsStored = ds.uint16(TAG.bitsStored) ?? bitsAllocated;
  if (!(bitsStored >= 1 && bitsStored <= bitsAllocated)) {
    fail(`BitsStored ${bitsStored} with BitsAllocated ${bitsAllocated}`);
  }
  const highBit = ds.uint16(TAG.highBit) ?? bitsStored - 1;
  if (!(highBit >= bitsStored - 1 && highBit < bitsAllocated)) fail(`HighBit ${highBit} with BitsStored ${bitsStored}`);
  const signed = (ds.uint16(TAG.pixelRepresentation) ?? 0) === 1;
  const framesRaw = ds.intString(TAG.numberOfFrames);
  const frames = framesRaw !== undefined && Number.isFinite(framesRaw) ? framesRaw : 1;
  const slopeRaw = ds.floatString(TAG.rescaleSlope);
  const interceptRaw = ds.floatString(TAG.rescaleIntercept);
  // Absent tags mean identity; a present but non-numeric, infinite or zero slope is corrupt (it would erase the image).
  if (slopeRaw !== undefined && !(Number.isFinite(slopeRaw) && slopeRaw !== 0)) {
    fail(
      `RescaleSlope (0028,1053) is ${JSON.stringify(ds.string(TAG.rescaleSlope))}: expected a finite non-zero number`,
    );
  }
  if (interceptRaw !== undefined && !Number.isFinite(interceptRaw)) {
    fail(
      `RescaleIntercept (0028,1052) is ${JSON.stringify(ds.string(TAG.rescaleIntercept))}: expected a finite number`,
    );
  }
  const slope = slopeRaw ?? 1;
  const intercept = interceptRaw ?? 0;
  const center = ds.floatString(TAG.windowCenter, 0);
  const width = ds.floatString(TAG.windowWidth, 0);
  const window = center !== undefined && width !== undefined && Number.isFinite(center) && Number.isFinite(width) &&
      width >= 1
    ? { center, width }
    : null;
  return {
    transferSyntax,
    rows,
    columns,
    samplesPerPixel,
    photometric,
    bitsAllocated,
    bitsStored,
    highBit,
    signed,
    frames,
    slope,
    intercept,
    window,
  };
}

/** Stored sample values (masked to BitsStored at HighBit, sign-extended when signed), `[rows * columns * samples]`. */
function readSamples(view: DataView, info: DicomInfo, little: boolean): Float64Array {
  const count = info.rows * info.columns * info.samplesPerPixel;
  const out = new Float64Array(count);
  const shift = info.highBit + 1 - info.bitsStored;
  const bits = info.bitsStored;
  for (let i = 0; i < count; i++) {
    let raw: number;
    if (info.bitsAllocated === 8) raw = view.getUint8(i);
    else if (info.bitsAllocated === 16) raw = view.getUint16(i * 2, little);
    else raw = view.getUint32(i * 4, little);
    // Mask in floating point so that 32-bit samples stay exact.
    let v = Math.floor(raw / 2 ** shift) % 2 ** bits;
    if (info.signed && v >= 2 ** (bits - 1)) v -= 2 ** bits;
    out[i] = v;
  }
  return out;
}

/** RGB samples (planar or interleaved) → luma with PIL's weights, `[rows * columns]`. */
function toLuma(samples: Float64Array, info: DicomInfo, ds: dicomParser.DataSet): Float64Array {
  const n = info.rows * info.columns;
  const planar = (ds.uint16(TAG.planarConfiguration) ?? 0) === 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = planar ? samples[i] : samples[i * 3];
    const g = planar ? samples[n + i] : samples[i * 3 + 1];
    const b = planar ? samples[2 * n + i] : samples[i * 3 + 2];
    out[i] = r * 0.299 + g * 0.587 + b * 0.114;
  }
  return out;
}
