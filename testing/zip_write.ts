/**
 * A minimal zip writer for checkpoint archives: stored (uncompressed) entries, CRC-32 filled in, and each entry's
 * data aligned to 64 bytes with an extra-field pad, as PyTorch's own writer does. Deterministic (fixed timestamps).
 * @module
 */
import { InputError } from "../lib/util/errors.ts";
import { crc32 } from "../lib/encoders/checkpoint/zip.ts";

const ALIGN = 64;

/**
 * Builds a zip archive of stored entries, in the order given.
 * @param files entry name → bytes
 * @returns the archive bytes (at most 4 GiB: zip64 is not written)
 */
export function zipStored(files: ReadonlyArray<readonly [string, Uint8Array]>): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data] of files) {
    const nameBytes = enc.encode(name);
    const headerBase = 30 + nameBytes.length;
    const pad = (ALIGN - ((offset + headerBase + 4) % ALIGN)) % ALIGN; // data starts on a 64-byte boundary
    const extraLen = 4 + pad;
    const crc = crc32(data);
    const local = new Uint8Array(headerBase + extraLen);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, 0, true); // stored
    lv.setUint16(12, 0x21, true); // 1980-01-01
    lv.setUint32(14, crc, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, nameBytes.length, true);
    lv.setUint16(28, extraLen, true);
    local.set(nameBytes, 30);
    lv.setUint16(headerBase, 0x4246, true); // "FB": PyTorch's padding field id
    lv.setUint16(headerBase + 2, pad, true);
    const cd = new Uint8Array(46 + nameBytes.length);
    const cv = new DataView(cd.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(14, 0x21, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, nameBytes.length, true);
    cv.setUint32(42, offset, true);
    cd.set(nameBytes, 46);
    parts.push(local, data);
    central.push(cd);
    offset += local.length + data.length;
    if (offset > 0xffffffff) throw new InputError("Cannot write zip: archive exceeds 4 GiB (zip64 is not supported)");
  }
  const cdSize = central.reduce((n, c) => n + c.length, 0);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, files.length, true);
  ev.setUint16(10, files.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  if (files.length > 0xffff) {
    throw new InputError("Cannot write zip: more than 65,535 entries (zip64 is not supported)");
  }
  const out = new Uint8Array(offset + cdSize + 22);
  let p = 0;
  for (const part of [...parts, ...central, eocd]) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}
