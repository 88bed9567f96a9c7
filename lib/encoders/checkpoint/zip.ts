/**
 * A bounds-checked zip reader for checkpoint archives: parses the central directory (zip64 included), checks every
 * size and offset against the file, refuses overlapping or encrypted entries, inflates deflated entries with `fflate`
 * and verifies each entry's CRC-32. Stored entries (PyTorch writes only those) come back as zero-copy views.
 * @module
 */
import { inflateSync } from "fflate";
import { InputError } from "../../util/mod.ts";

/** One file in a zip archive, as its central directory describes it. */
export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflate. */
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  /** Offset of the entry's data (after its local header) in the archive. */
  dataOffset: number;
}

/** A parsed archive: its entries by name and a checked reader. */
export interface ZipArchive {
  entries: Map<string, ZipEntry>;
  /** Returns an entry's bytes (a view into the archive when stored), after checking size and CRC-32. */
  read(entry: ZipEntry): Uint8Array;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;

let _crcTable: Uint32Array | null = null;

/** CRC-32 (IEEE, as zip uses it) of `bytes`, slicing-by-4. */
export function crc32(bytes: Uint8Array): number {
  if (!_crcTable) {
    _crcTable = new Uint32Array(1024);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      _crcTable[n] = c >>> 0;
    }
    for (let n = 0; n < 256; n++) {
      for (let t = 1; t < 4; t++) {
        const prev = _crcTable[(t - 1) * 256 + n];
        _crcTable[t * 256 + n] = (_crcTable[prev & 0xff] ^ (prev >>> 8)) >>> 0;
      }
    }
  }
  const t = _crcTable;
  let c = 0xffffffff;
  let i = 0;
  const n4 = bytes.length - (bytes.length % 4);
  for (; i < n4; i += 4) {
    c ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    c = t[768 + (c & 0xff)] ^ t[512 + ((c >>> 8) & 0xff)] ^ t[256 + ((c >>> 16) & 0xff)] ^ t[c >>> 24];
  }
  for (; i < bytes.length; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Reads a little-endian u64 as a safe integer, or throws. */
function _u64(view: DataView, at: number, source: string, what: string): number {
  const v = view.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new InputError(`Cannot read ${source}: zip ${what} ${v} is too large`);
  return Number(v);
}

/** Options for {@link readZip}. */
export interface ReadZipOptions {
  /** Check each entry's CRC-32 on read. @default true */
  verifyCrc?: boolean;
}

/**
 * Parses a zip archive's central directory. Every offset and size is checked against `bytes.length`.
 * @param bytes the whole archive
 * @param source the file name, for error messages
 */
export function readZip(bytes: Uint8Array, source: string, options: ReadZipOptions = {}): ZipArchive {
  const verifyCrc = options.verifyCrc ?? true;
  const fail = (state: string): never => {
    throw new InputError(`Cannot read ${source}: ${state}`);
  };
  const len = bytes.length;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (len < 22) fail(`truncated zip (${len} bytes)`);
  // End of central directory: the last signature within the final 22 + 65,535 bytes.
  let eocd = -1;
  for (let at = len - 22; at >= Math.max(0, len - 22 - 65535); at--) {
    if (view.getUint32(at, true) === EOCD_SIG && at + 22 + view.getUint16(at + 20, true) <= len) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) fail("truncated or corrupt zip (no end-of-central-directory record)");
  let count = view.getUint16(eocd + 10, true);
  let cdSize = view.getUint32(eocd + 12, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  if (view.getUint16(eocd + 4, true) !== 0 || view.getUint16(eocd + 6, true) !== 0) {
    fail("multi-disk zips are unsupported");
  }
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || view.getUint32(loc, true) !== ZIP64_LOCATOR_SIG) fail("corrupt zip64 (no locator)");
    const z = _u64(view, loc + 8, source, "zip64 record offset");
    if (z + 56 > loc || view.getUint32(z, true) !== ZIP64_EOCD_SIG) {
      fail("corrupt zip64 end-of-central-directory record");
    }
    count = _u64(view, z + 32, source, "entry count");
    cdSize = _u64(view, z + 40, source, "central directory size");
    cdOffset = _u64(view, z + 48, source, "central directory offset");
  }
  if (cdOffset + cdSize > eocd) fail(`central directory (offset ${cdOffset}, ${cdSize} bytes) lies beyond the file`);
  if (count > cdSize / 46) fail(`entry count ${count} does not fit the central directory`);

  const entries = new Map<string, ZipEntry>();
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let p = cdOffset;
  const cdEnd = cdOffset + cdSize;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cdEnd || view.getUint32(p, true) !== CENTRAL_SIG) fail(`corrupt central directory entry ${i}`);
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const crc = view.getUint32(p + 16, true);
    let csize = view.getUint32(p + 20, true);
    let usize = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    let local = view.getUint32(p + 42, true);
    const next = p + 46 + nameLen + extraLen + commentLen;
    if (next > cdEnd) fail(`corrupt central directory entry ${i} (runs past the directory)`);
    let name: string;
    try {
      name = decoder.decode(bytes.subarray(p + 46, p + 46 + nameLen));
    } catch {
      return fail(`central directory entry ${i} has an invalid UTF-8 name`);
    }
    // zip64 extra field: the 0xffffffff fields follow in order usize, csize, offset.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = view.getUint16(e, true);
      const size = view.getUint16(e + 2, true);
      if (e + 4 + size > extraEnd) fail(`corrupt extra field in entry ${name}`);
      if (id === 0x0001) {
        let q = e + 4;
        const take = (what: string): number => {
          if (q + 8 > e + 4 + size) fail(`corrupt zip64 field in entry ${name}`);
          const v = _u64(view, q, source, what);
          q += 8;
          return v;
        };
        if (usize === 0xffffffff) usize = take("entry size");
        if (csize === 0xffffffff) csize = take("entry compressed size");
        if (local === 0xffffffff) local = take("entry offset");
      }
      e += 4 + size;
    }
    if (flags & 0x1) fail(`entry ${name} is encrypted`);
    if (method !== 0 && method !== 8) fail(`entry ${name} uses unsupported compression method ${method}`);
    if (method === 0 && csize !== usize) fail(`stored entry ${name} has compressed size ${csize} ≠ size ${usize}`);
    // deflate expands at most ~1032:1; a larger claim is corrupt (or a bomb)
    if (method === 8 && (usize > csize * 1032 + 1024 || usize > 2 ** 32)) {
      fail(`entry ${name} claims an impossible size ${usize}`);
    }
    if (local + 30 > cdOffset || view.getUint32(local, true) !== LOCAL_SIG) {
      fail(`entry ${name}: local header at ${local} is beyond the data or corrupt`);
    }
    const dataOffset = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (dataOffset + csize > cdOffset) {
      fail(
        `entry ${name}: data (offset ${dataOffset}, ${csize} bytes) runs past the end of the archive data (truncated?)`,
      );
    }
    if (entries.has(name)) fail(`duplicate entry ${name}`);
    entries.set(name, { name, method, crc32: crc, compressedSize: csize, size: usize, dataOffset });
    p = next;
  }
  // Entries must not overlap (overlap is how zip bombs amplify).
  const sorted = [...entries.values()].sort((a, b) => a.dataOffset - b.dataOffset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    if (prev.dataOffset + prev.compressedSize > sorted[i].dataOffset - 30) {
      fail(`entries ${prev.name} and ${sorted[i].name} overlap`);
    }
  }

  const read = (entry: ZipEntry): Uint8Array => {
    const raw = bytes.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
    let data: Uint8Array;
    if (entry.method === 0) {
      data = raw;
    } else {
      try {
        data = inflateSync(raw, { out: new Uint8Array(entry.size) });
      } catch (err) {
        return fail(`entry ${entry.name} does not inflate: ${(err as Error).message}`);
      }
      if (data.length !== entry.size) {
        fail(`entry ${entry.name} inflates to ${data.length} bytes, expected ${entry.size}`);
      }
    }
    if (verifyCrc) {
      const got = crc32(data);
      if (got !== entry.crc32) {
        fail(`entry ${entry.name} is corrupt (CRC-32 ${got.toString(16)} ≠ recorded ${entry.crc32.toString(16)})`);
      }
    }
    return data;
  };
  return { entries, read };
}
