/**
 * A tiny DICOM Part-10 writer for tests and fake data sets: 128-byte preamble + "DICM", file meta group (explicit VR
 * little endian), then a data set in explicit VR little endian (default), implicit VR little endian or explicit VR big
 * endian, holding only the tags an image reader needs. Not a general DICOM encoder.
 * @module
 */

/** Transfer syntax UIDs the writer can produce. */
export const TRANSFER_SYNTAX = {
  implicitLittle: "1.2.840.10008.1.2",
  explicitLittle: "1.2.840.10008.1.2.1",
  explicitBig: "1.2.840.10008.1.2.2",
} as const;

/** What to write. Pixel samples are `[frames * height * width]`, stored values before the modality LUT. */
export interface DicomWriteOptions {
  width: number;
  height: number;
  pixels: Uint8Array | Uint16Array | Int16Array;
  /** @default 8 for Uint8Array, else 16 */
  bitsAllocated?: 8 | 16;
  /** @default bitsAllocated */
  bitsStored?: number;
  /** @default bitsStored − 1 */
  highBit?: number;
  /** PixelRepresentation 1 (two's complement). @default true for Int16Array */
  signed?: boolean;
  /** @default "MONOCHROME2" */
  photometric?: "MONOCHROME1" | "MONOCHROME2";
  rescaleSlope?: number;
  rescaleIntercept?: number;
  /** One or several values (VM > 1 is written backslash-separated). */
  windowCenter?: number | number[];
  windowWidth?: number | number[];
  /** NumberOfFrames, written when given (the pixel array must hold that many frames). */
  frames?: number;
  /**
   * Transfer syntax UID written in the meta header. Any UID may be given (e.g. a JPEG one to test refusal); the data set
   * is then written explicit little endian with raw pixels. @default explicit VR little endian
   */
  transferSyntax?: string;
  /** Write the 128-byte preamble, "DICM" and the meta group. @default true */
  preamble?: boolean;
}

type Vr = "UI" | "CS" | "US" | "UL" | "IS" | "DS" | "OB" | "OW";

interface Elem {
  group: number;
  element: number;
  vr: Vr;
  value: Uint8Array;
}

const LONG_VRS = new Set<Vr>(["OB", "OW"]);
const encoder = new TextEncoder();

function str(vr: Vr, s: string): Uint8Array {
  const bytes = encoder.encode(s);
  if (bytes.length % 2 === 0) return bytes;
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  out[bytes.length] = vr === "UI" ? 0 : 0x20;
  return out;
}

function us(v: number, little: boolean): Uint8Array {
  const out = new Uint8Array(2);
  new DataView(out.buffer).setUint16(0, v, little);
  return out;
}

function ul(v: number, little: boolean): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, v, little);
  return out;
}

function ds(v: number | number[]): string {
  return (Array.isArray(v) ? v : [v]).map((x) => String(x)).join("\\");
}

function encodeElements(elems: Elem[], explicit: boolean, little: boolean): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of elems) {
    const long = LONG_VRS.has(e.vr);
    const head = new Uint8Array(explicit ? (long ? 12 : 8) : 8);
    const dv = new DataView(head.buffer);
    dv.setUint16(0, e.group, little);
    dv.setUint16(2, e.element, little);
    if (explicit) {
      head[4] = e.vr.charCodeAt(0);
      head[5] = e.vr.charCodeAt(1);
      if (long) dv.setUint32(8, e.value.length, little);
      else dv.setUint16(6, e.value.length, little);
    } else {
      dv.setUint32(4, e.value.length, little);
    }
    parts.push(head, e.value);
  }
  const total = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Writes a DICOM file's bytes for the given pixels and tags (see {@link DicomWriteOptions}). */
export function encodeDicom(opts: DicomWriteOptions): Uint8Array {
  const { width, height, pixels } = opts;
  const bitsAllocated = opts.bitsAllocated ?? (pixels instanceof Uint8Array ? 8 : 16);
  const bitsStored = opts.bitsStored ?? bitsAllocated;
  const highBit = opts.highBit ?? bitsStored - 1;
  const signed = opts.signed ?? pixels instanceof Int16Array;
  const frames = opts.frames ?? 1;
  const syntax = opts.transferSyntax ?? TRANSFER_SYNTAX.explicitLittle;
  const explicit = syntax !== TRANSFER_SYNTAX.implicitLittle;
  const little = syntax !== TRANSFER_SYNTAX.explicitBig;
  if (pixels.length !== width * height * frames) {
    throw new RangeError(`Cannot encode DICOM: ${pixels.length} samples for ${frames}×${width}×${height}`);
  }
  const bytesPer = bitsAllocated / 8;
  const pixelBytes = new Uint8Array(pixels.length * bytesPer + ((pixels.length * bytesPer) % 2));
  const pv = new DataView(pixelBytes.buffer);
  for (let i = 0; i < pixels.length; i++) {
    if (bitsAllocated === 8) pixelBytes[i] = pixels[i] & 0xff;
    else pv.setUint16(i * 2, pixels[i] & 0xffff, little);
  }
  const sopClass = "1.2.840.10008.5.1.4.1.1.1.1"; // Digital X-Ray Image Storage – For Presentation
  const sopInstance = "1.2.826.0.1.3680043.10.1234.1";
  const elems: Elem[] = [
    { group: 0x0008, element: 0x0016, vr: "UI", value: str("UI", sopClass) },
    { group: 0x0008, element: 0x0018, vr: "UI", value: str("UI", sopInstance) },
    { group: 0x0008, element: 0x0060, vr: "CS", value: str("CS", "DX") },
    { group: 0x0028, element: 0x0002, vr: "US", value: us(1, little) },
    { group: 0x0028, element: 0x0004, vr: "CS", value: str("CS", opts.photometric ?? "MONOCHROME2") },
  ];
  if (opts.frames !== undefined) {
    elems.push({ group: 0x0028, element: 0x0008, vr: "IS", value: str("IS", String(frames)) });
  }
  elems.push(
    { group: 0x0028, element: 0x0010, vr: "US", value: us(height, little) },
    { group: 0x0028, element: 0x0011, vr: "US", value: us(width, little) },
    { group: 0x0028, element: 0x0100, vr: "US", value: us(bitsAllocated, little) },
    { group: 0x0028, element: 0x0101, vr: "US", value: us(bitsStored, little) },
    { group: 0x0028, element: 0x0102, vr: "US", value: us(highBit, little) },
    { group: 0x0028, element: 0x0103, vr: "US", value: us(signed ? 1 : 0, little) },
  );
  if (opts.windowCenter !== undefined) {
    elems.push({ group: 0x0028, element: 0x1050, vr: "DS", value: str("DS", ds(opts.windowCenter)) });
  }
  if (opts.windowWidth !== undefined) {
    elems.push({ group: 0x0028, element: 0x1051, vr: "DS", value: str("DS", ds(opts.windowWidth)) });
  }
  if (opts.rescaleIntercept !== undefined) {
    elems.push({ group: 0x0028, element: 0x1052, vr: "DS", value: str("DS", ds(opts.rescaleIntercept)) });
  }
  if (opts.rescaleSlope !== undefined) {
    elems.push({ group: 0x0028, element: 0x1053, vr: "DS", value: str("DS", ds(opts.rescaleSlope)) });
  }
  elems.push({ group: 0x7fe0, element: 0x0010, vr: bitsAllocated === 8 ? "OB" : "OW", value: pixelBytes });
  const body = encodeElements(elems, explicit, little);
  if (opts.preamble === false) return body;

  const metaRest = encodeElements(
    [
      { group: 0x0002, element: 0x0001, vr: "OB", value: new Uint8Array([0, 1]) },
      { group: 0x0002, element: 0x0002, vr: "UI", value: str("UI", sopClass) },
      { group: 0x0002, element: 0x0003, vr: "UI", value: str("UI", sopInstance) },
      { group: 0x0002, element: 0x0010, vr: "UI", value: str("UI", syntax) },
      { group: 0x0002, element: 0x0012, vr: "UI", value: str("UI", "1.2.826.0.1.3680043.10.1234") },
    ],
    true,
    true,
  );
  const metaLength = encodeElements(
    [{ group: 0x0002, element: 0x0000, vr: "UL", value: ul(metaRest.length, true) }],
    true,
    true,
  );
  const out = new Uint8Array(132 + metaLength.length + metaRest.length + body.length);
  out.set(encoder.encode("DICM"), 128);
  out.set(metaLength, 132);
  out.set(metaRest, 132 + metaLength.length);
  out.set(body, 132 + metaLength.length + metaRest.length);
  return out;
}
