/**
 * Bulk conversions between the storage dtypes of checkpoint files and fp32: lookup-table fp16 → fp32, bit-shift
 * bf16 → fp32, round-to-nearest-even fp32 → fp16, and widening of the integer and fp64 types.
 * @module
 */
import { InputError } from "../../util/mod.ts";

/** The element types a checkpoint storage can hold, by safetensors name. */
export type StorageDtype = "F64" | "F32" | "F16" | "BF16" | "I64" | "I32" | "I16" | "I8" | "U8" | "BOOL";

/** Bytes per element of each {@link StorageDtype}. */
export const DTYPE_BYTES: Readonly<Record<StorageDtype, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** True when `name` is a {@link StorageDtype}. */
export function isStorageDtype(name: string): name is StorageDtype {
  return Object.hasOwn(DTYPE_BYTES, name);
}

/** True on little-endian hosts (every platform Deno ships for); typed-array views below assume it. */
export const HOST_LITTLE_ENDIAN: boolean = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

let _halfTable: Float32Array | null = null;

/** The 65,536-entry fp16 → fp32 table (built once, 256 KiB). */
function _halfToFloatTable(): Float32Array {
  if (_halfTable) return _halfTable;
  const bits = new Uint32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const exp = (h >> 10) & 0x1f;
    let mant = h & 0x3ff;
    if (exp === 0x1f) bits[h] = sign | 0x7f800000 | (mant << 13); // inf / NaN (payload kept)
    else if (exp !== 0) bits[h] = sign | ((exp + 112) << 23) | (mant << 13); // normal: rebias 15 → 127
    else if (mant === 0) bits[h] = sign; // ±0
    else { // subnormal: normalise
      let e = 113;
      while ((mant & 0x400) === 0) {
        mant <<= 1;
        e--;
      }
      bits[h] = sign | (e << 23) | ((mant & 0x3ff) << 13);
    }
  }
  _halfTable = new Float32Array(bits.buffer);
  return _halfTable;
}

/** Copies `n` little-endian elements of `size` bytes from `bytes` into a fresh, aligned buffer (swapping on big-endian data). */
function _aligned(bytes: Uint8Array, size: number, bigEndian: boolean): ArrayBuffer {
  const out = new Uint8Array(bytes.length);
  if (!bigEndian || size === 1) {
    out.set(bytes);
  } else {
    for (let i = 0; i < bytes.length; i += size) {
      for (let j = 0; j < size; j++) out[i + j] = bytes[i + size - 1 - j];
    }
  }
  return out.buffer;
}

/**
 * Decodes raw storage bytes to fp32. `bytes.length` must be a multiple of the element size (checked).
 * @returns `Float32Array` of `bytes.length / DTYPE_BYTES[dtype]` elements (always a fresh buffer)
 */
export function decodeToFloat32(bytes: Uint8Array, dtype: StorageDtype, what: string, bigEndian = false): Float32Array {
  const size = DTYPE_BYTES[dtype];
  if (bytes.length % size !== 0) {
    throw new InputError(`Cannot decode ${what}: ${bytes.length} bytes is not a whole number of ${dtype} elements`);
  }
  if (!HOST_LITTLE_ENDIAN) throw new Error("Cannot decode checkpoints on a big-endian host: unsupported");
  const buf = _aligned(bytes, size, bigEndian);
  const n = bytes.length / size;
  switch (dtype) {
    case "F32":
      return new Float32Array(buf);
    case "F16": {
      const table = _halfToFloatTable();
      const src = new Uint16Array(buf);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = table[src[i]];
      return out;
    }
    case "BF16": {
      const src = new Uint16Array(buf);
      const out = new Uint32Array(n);
      for (let i = 0; i < n; i++) out[i] = src[i] << 16;
      return new Float32Array(out.buffer);
    }
    case "F64":
      return Float32Array.from(new Float64Array(buf));
    case "I64": {
      const src = new BigInt64Array(buf);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = Number(src[i]);
      return out;
    }
    case "I32":
      return Float32Array.from(new Int32Array(buf));
    case "I16":
      return Float32Array.from(new Int16Array(buf));
    case "I8":
      return Float32Array.from(new Int8Array(buf));
    case "U8":
      return Float32Array.from(new Uint8Array(buf));
    case "BOOL":
      return Float32Array.from(new Uint8Array(buf), (v) => (v !== 0 ? 1 : 0));
  }
}

/**
 * Encodes fp32 values as IEEE fp16 bits with round-to-nearest-even (NaN stays NaN, overflow becomes ±inf).
 * @returns `Uint16Array` of `src.length` elements
 */
export function float32ToFloat16Bits(src: Float32Array): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const x = bits[i];
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    const mant = x & 0x7fffff;
    if (exp === 0xff) { // inf / NaN
      out[i] = sign | 0x7c00 | (mant !== 0 ? 0x200 | (mant >>> 13) : 0);
      continue;
    }
    const e = exp - 112; // rebias 127 → 15
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00; // overflow → inf
    } else if (e <= 0) { // fp16 subnormal or zero
      if (e < -10) {
        out[i] = sign; // underflows to ±0
        continue;
      }
      const m = mant | 0x800000; // implicit bit
      const shift = 14 - e; // 14..24
      const half = m >>> shift;
      const rem = m & ((1 << shift) - 1);
      const mid = 1 << (shift - 1);
      out[i] = sign | (half + (rem > mid || (rem === mid && (half & 1) === 1) ? 1 : 0));
    } else {
      const half = (e << 10) | (mant >>> 13);
      const rem = mant & 0x1fff;
      // a carry out of the mantissa correctly bumps the exponent (and reaches inf at the top)
      out[i] = sign | (half + (rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1) ? 1 : 0));
    }
  }
  return out;
}

/** Decodes IEEE fp16 bits to fp32 (exact). @returns `Float32Array` of `src.length` elements */
export function float16BitsToFloat32(src: Uint16Array): Float32Array {
  const table = _halfToFloatTable();
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = table[src[i]];
  return out;
}

/**
 * Encodes fp32 values as bfloat16 bits (the top 16 bits, rounded to nearest even; NaN stays NaN).
 * @returns `Uint16Array` of `src.length` elements
 */
export function float32ToBfloat16Bits(src: Float32Array): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const x = bits[i];
    if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) out[i] = (x >>> 16) | 0x40; // quiet NaN
    else out[i] = ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
  }
  return out;
}
