/**
 * Writes a state dict as a PyTorch zip checkpoint, laid out as `torch.save(state_dict, path)` lays it out:
 * `<name>/data.pkl` (protocol-2 pickle of an `OrderedDict` of `_rebuild_tensor_v2` calls on persistent storage ids),
 * `<name>/byteorder`, `<name>/data/<i>` (raw little-endian storages, 64-byte aligned), `<name>/version`.
 * Test-only: it builds checkpoints in CheXzero's format for the tests (the library reads `.pt`, it never writes one).
 * @module
 */
import { InputError } from "../lib/util/errors.ts";
import { writeFileAtomic } from "../lib/util/atomic.ts";
import { numel, type StateDict } from "../lib/encoders/state_dict.ts";
import { float32ToBfloat16Bits, float32ToFloat16Bits } from "../lib/encoders/checkpoint/dtype.ts";
import { zipStored } from "./zip_write.ts";

/** A storage element type the writer can produce. */
export type PtDtype = "float32" | "float16" | "bfloat16";

/** Options for {@link serializePtStateDict}. */
export interface WritePtOptions {
  /** Stored element type. @default "float32" */
  dtype?: PtDtype;
  /** Per-tensor element types (state-dict key → type) overriding `dtype`, for mixed fp16/fp32 files. @default {} */
  dtypes?: Readonly<Record<string, PtDtype>>;
  /** The archive's top folder name. @default "archive" */
  archiveName?: string;
}

const STORAGE_CLASS: Readonly<Record<PtDtype, string>> = {
  float32: "FloatStorage",
  float16: "HalfStorage",
  bfloat16: "BFloat16Storage",
};

/** Appends pickle opcodes to a byte list. */
class _Pickler {
  readonly #bytes: number[] = [];
  readonly #enc = new TextEncoder();
  op(...codes: number[]): this {
    this.#bytes.push(...codes);
    return this;
  }
  global(module: string, name: string): this {
    return this.op(0x63, ...this.#enc.encode(`${module}\n${name}\n`));
  }
  str(s: string): this {
    const b = this.#enc.encode(s);
    this.op(0x58, b.length & 0xff, (b.length >>> 8) & 0xff, (b.length >>> 16) & 0xff, b.length >>> 24);
    for (const x of b) this.#bytes.push(x);
    return this;
  }
  int(n: number): this {
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`pickle int ${n} out of range`);
    if (n < 256) return this.op(0x4b, n);
    if (n < 65536) return this.op(0x4d, n & 0xff, n >>> 8);
    if (n < 2 ** 31) return this.op(0x4a, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);
    const b: number[] = [];
    let v = BigInt(n);
    while (v > 0n) {
      b.push(Number(v & 0xffn));
      v >>= 8n;
    }
    if (b[b.length - 1] & 0x80) b.push(0);
    return this.op(0x8a, b.length, ...b);
  }
  ints(ns: readonly number[]): this {
    if (ns.length === 0) return this.op(0x29);
    this.op(0x28);
    for (const n of ns) this.int(n);
    return this.op(0x74);
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }
}

/**
 * Encodes a state dict as PyTorch zip checkpoint bytes (one storage per tensor, contiguous).
 * @returns the `.pt` archive bytes, loadable by `torch.load` and by {@link parsePtStateDict}
 */
export function serializePtStateDict(sd: StateDict, options: WritePtOptions = {}): Uint8Array {
  const dtypes = options.dtypes ?? {};
  for (const d of [options.dtype ?? "float32", ...Object.values(dtypes)]) {
    if (!Object.hasOwn(STORAGE_CLASS, d)) throw new InputError(`Cannot write .pt: unknown dtype ${d}`);
  }
  const name = options.archiveName ?? "archive";
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new InputError(`Cannot write .pt: invalid archive name ${name}`);
  const p = new _Pickler().op(0x80, 0x02).global("collections", "OrderedDict").op(0x29, 0x52, 0x28);
  const records: [string, Uint8Array][] = [];
  let i = 0;
  for (const [key, t] of sd) {
    const n = numel(t.shape);
    if (n !== t.data.length) {
      throw new InputError(`Cannot write tensor ${key}: shape [${t.shape}] ≠ ${t.data.length} values`);
    }
    const dtype = Object.hasOwn(dtypes, key) ? dtypes[key] : options.dtype ?? "float32";
    const storageClass = STORAGE_CLASS[dtype];
    const strides = t.shape.map((_, d) => numel(t.shape.slice(d + 1)));
    p.str(key).global("torch._utils", "_rebuild_tensor_v2").op(0x28);
    p.op(0x28).str("storage").global("torch", storageClass).str(String(i)).str("cpu").int(n).op(0x74, 0x51);
    p.int(0).ints(t.shape).ints(strides).op(0x89).global("collections", "OrderedDict").op(0x29, 0x52);
    p.op(0x74, 0x52);
    let raw: Uint8Array;
    if (dtype === "float32") {
      raw = new Uint8Array(t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + t.data.byteLength));
    } else {raw = new Uint8Array(
        (dtype === "float16" ? float32ToFloat16Bits(t.data) : float32ToBfloat16Bits(t.data)).buffer,
      );}
    records.push([`${name}/data/${i}`, raw]);
    i++;
  }
  p.op(0x75, 0x2e);
  const enc = new TextEncoder();
  return zipStored([
    [`${name}/data.pkl`, p.bytes()],
    [`${name}/byteorder`, enc.encode("little")],
    ...records,
    [`${name}/version`, enc.encode("3\n")],
  ]);
}

/** Writes a state dict as a PyTorch zip checkpoint, atomically. */
export async function writePtStateDict(path: string, sd: StateDict, options: WritePtOptions = {}): Promise<void> {
  await writeFileAtomic(path, serializePtStateDict(sd, options));
}
