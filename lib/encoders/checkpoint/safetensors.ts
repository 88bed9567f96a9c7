/**
 * safetensors read/write: an 8-byte little-endian header length, a JSON header (`dtype`, `shape`, `data_offsets` per
 * tensor, optional `__metadata__` of strings), then the raw little-endian data. The reader checks what the reference
 * implementation checks: a bounded header, known dtypes, offsets that tile the data exactly with no gap or overlap,
 * and each tensor's byte size against shape × dtype. The writer pads the header to 8 bytes and writes atomically.
 * @module
 */
import { InputError, writeFileAtomic } from "../../util/mod.ts";
import { numel, type StateDict } from "../state_dict.ts";
import { decodeToFloat32, DTYPE_BYTES, float32ToFloat16Bits, isStorageDtype, type StorageDtype } from "./dtype.ts";

/** Largest header the reader accepts (the reference implementation's limit is 100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

/** A decoded safetensors file. */
export interface SafetensorsFile {
  /** Tensors as fp32, in file order of their data. */
  tensors: StateDict;
  /** The file's dtype per tensor (`F16`, `F32`, …). */
  dtypes: Map<string, StorageDtype>;
  /** The `__metadata__` block (empty when absent). */
  metadata: Record<string, string>;
}

/** True when `bytes` start like a safetensors file (a plausible header length followed by `{`). */
export function looksLikeSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 10) return false;
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  return n >= 2n && n <= BigInt(MAX_HEADER_BYTES) && bytes[8] === 0x7b;
}

/**
 * Decodes a safetensors file held in memory; every tensor comes back as fp32 (F64/F32/F16/BF16/I64/I32/I16/I8/U8/BOOL).
 * @param source the file name, for error messages
 */
export function parseSafetensors(bytes: Uint8Array, source: string): SafetensorsFile {
  const fail = (state: string): never => {
    throw new InputError(`Cannot read ${source}: ${state}`);
  };
  if (bytes.length < 8) fail(`truncated safetensors file (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = view.getBigUint64(0, true);
  if (headerLen > BigInt(MAX_HEADER_BYTES)) {
    fail(`header length ${headerLen} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  }
  if (headerLen > BigInt(bytes.length - 8)) {
    fail(`header length ${headerLen} runs past the end of the file (truncated?)`);
  }
  const start = 8 + Number(headerLen);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, start)));
  } catch (err) {
    return fail(`header is not valid JSON (${(err as Error).message.split("\n")[0]})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) fail("header is not a JSON object");
  const dataLen = bytes.length - start;
  const metadata: Record<string, string> = {};
  const records: { name: string; dtype: StorageDtype; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (typeof info !== "object" || info === null || Array.isArray(info)) fail("__metadata__ is not an object");
      for (const [k, v] of Object.entries(info as Record<string, unknown>)) {
        if (typeof v !== "string") fail(`__metadata__ value ${k} is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    if (typeof info !== "object" || info === null) fail(`tensor ${name} has no description`);
    const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
    if (typeof dtype !== "string" || !isStorageDtype(dtype)) {
      fail(`tensor ${name} has unknown dtype ${JSON.stringify(dtype)}`);
    }
    const natural = (v: unknown) => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
    if (!Array.isArray(shape) || !shape.every(natural)) {
      fail(`tensor ${name} has an invalid shape ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(natural)) {
      fail(`tensor ${name} has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as number[];
    if (begin > end) fail(`tensor ${name} has out-of-order data_offsets [${begin}, ${end}]`);
    if (end > dataLen) {
      fail(`tensor ${name} data_offsets [${begin}, ${end}] run past the ${dataLen} data bytes (truncated?)`);
    }
    const expected = numel(shape as number[]) * DTYPE_BYTES[dtype as StorageDtype];
    if (end - begin !== expected) {
      fail(`tensor ${name} has ${end - begin} bytes but shape [${shape}] × ${dtype} needs ${expected}`);
    }
    records.push({ name, dtype: dtype as StorageDtype, shape: [...(shape as number[])], begin, end });
  }
  records.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const r of records) {
    if (r.begin < cursor) fail(`tensor ${r.name} data_offsets [${r.begin}, ${r.end}] overlap the previous tensor's`);
    if (r.begin > cursor) fail(`tensor ${r.name} data_offsets [${r.begin}, ${r.end}] leave a gap after byte ${cursor}`);
    cursor = r.end;
  }
  if (cursor !== dataLen) fail(`tensors cover ${cursor} of ${dataLen} data bytes (trailing bytes or truncation)`);
  const tensors: StateDict = new Map();
  const dtypes = new Map<string, StorageDtype>();
  for (const r of records) {
    const raw = bytes.subarray(start + r.begin, start + r.end);
    tensors.set(r.name, { shape: r.shape, data: decodeToFloat32(raw, r.dtype, `${source} tensor ${r.name}`) });
    dtypes.set(r.name, r.dtype);
  }
  return { tensors, dtypes, metadata };
}

/**
 * Reads a safetensors file (a path, or its bytes).
 * @returns fp32 tensors, the stored dtype of each, and `__metadata__`
 */
export async function readSafetensors(
  input: string | Uint8Array,
  source = "safetensors data",
): Promise<SafetensorsFile> {
  if (typeof input !== "string") return parseSafetensors(input, source);
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(input);
  } catch (err) {
    throw new InputError(`Cannot read ${input}: ${(err as Error).message.split("\n")[0]}`);
  }
  return parseSafetensors(bytes, input);
}

/** Options for {@link serializeSafetensors} / {@link writeSafetensors}. */
export interface WriteSafetensorsOptions {
  /** Stored element type. @default "float32" */
  dtype?: "float32" | "float16";
  /** String pairs written as `__metadata__`. @default {} */
  metadata?: Record<string, string>;
}

/**
 * Encodes a state dict as safetensors bytes (tensors in map order, header padded with spaces to a multiple of 8).
 * fp16 rounds to nearest even; a finite value beyond fp16's range is an error naming the tensor.
 */
export function serializeSafetensors(sd: StateDict, options: WriteSafetensorsOptions = {}): Uint8Array {
  const dtype = options.dtype ?? "float32";
  if (dtype !== "float32" && dtype !== "float16") {
    throw new InputError(`Cannot write safetensors: unknown dtype ${dtype}`);
  }
  const code: StorageDtype = dtype === "float16" ? "F16" : "F32";
  const size = DTYPE_BYTES[code];
  const header: Record<string, unknown> = {};
  if (options.metadata && Object.keys(options.metadata).length > 0) {
    for (const [k, v] of Object.entries(options.metadata)) {
      if (typeof v !== "string") throw new InputError(`Cannot write safetensors: metadata ${k} is not a string`);
    }
    header.__metadata__ = options.metadata;
  }
  let offset = 0;
  for (const [name, t] of sd) {
    if (name === "__metadata__") {
      throw new InputError("Cannot write safetensors: a tensor may not be named __metadata__");
    }
    if (numel(t.shape) !== t.data.length) {
      throw new InputError(`Cannot write tensor ${name}: shape [${t.shape}] does not match ${t.data.length} values`);
    }
    const bytes = t.data.length * size;
    header[name] = { dtype: code, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLen = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLen + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLen), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen);
  let p = 8 + headerLen;
  for (const [name, t] of sd) {
    if (code === "F32") {
      out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), p);
    } else {
      const half = float32ToFloat16Bits(t.data);
      for (let i = 0; i < half.length; i++) {
        if ((half[i] & 0x7fff) === 0x7c00 && Number.isFinite(t.data[i])) {
          throw new InputError(`Cannot write tensor ${name} as float16: value ${t.data[i]} is beyond float16's range`);
        }
      }
      out.set(new Uint8Array(half.buffer), p);
    }
    p += t.data.length * size;
  }
  return out;
}

/**
 * Writes a state dict as a safetensors file, atomically (a killed run never leaves a partial file at `path`).
 * @param sd tensors in PyTorch layout
 */
export async function writeSafetensors(
  path: string,
  sd: StateDict,
  options: WriteSafetensorsOptions = {},
): Promise<void> {
  await writeFileAtomic(path, serializeSafetensors(sd, options));
}
