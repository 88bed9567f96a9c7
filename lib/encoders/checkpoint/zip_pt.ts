/**
 * Reads PyTorch's zip checkpoints (`torch.save(model.state_dict(), path)`, the format CheXzero publishes) without
 * Python: `<name>/data.pkl` is decoded by the restricted unpickler with only the state-dict globals allowed, and each
 * `<name>/data/<key>` record is a raw little-endian storage that tensors view through (offset, size, stride).
 * Refused with a one-line message: the legacy pre-zip format and TorchScript archives.
 * @module
 */
import { InputError } from "../../util/mod.ts";
import { numel, type StateDict } from "../state_dict.ts";
import { decodeToFloat32, DTYPE_BYTES, type StorageDtype } from "./dtype.ts";
import { type PickleGlobal, PyDict, PyTuple, pyTypeName, unpickle } from "./pickle.ts";
import { readZip, type ReadZipOptions, type ZipArchive } from "./zip.ts";

/** A `torch.<X>Storage` class named by a pickle; `dtype` is null for types this reader cannot decode. */
interface StorageType {
  readonly kind: "storage-type";
  readonly qualname: string;
  readonly dtype: StorageDtype | null;
}

/** The pickle global standing for a storage class (it refuses to be called). */
interface StorageTypeGlobal extends PickleGlobal {
  readonly type: StorageType;
}

/** A storage record referenced by a persistent id: `('storage', type, key, location, numel)`. */
interface StorageRef {
  readonly kind: "storage";
  readonly type: StorageType;
  readonly key: string;
  readonly numel: number;
}

/** A tensor as `_rebuild_tensor_v2` describes it: a strided view into a storage. */
interface TensorRef {
  readonly kind: "tensor";
  readonly storage: StorageRef;
  readonly offset: number;
  readonly size: number[];
  readonly stride: number[];
}

const STORAGE_DTYPES: Record<string, StorageDtype | null> = {
  FloatStorage: "F32",
  HalfStorage: "F16",
  BFloat16Storage: "BF16",
  DoubleStorage: "F64",
  LongStorage: "I64",
  IntStorage: "I32",
  ShortStorage: "I16",
  CharStorage: "I8",
  ByteStorage: "U8",
  BoolStorage: "BOOL",
  // Known to torch, refused here with a clear "unsupported dtype" message when a tensor uses them.
  ComplexFloatStorage: null,
  ComplexDoubleStorage: null,
  QInt8Storage: null,
  QUInt8Storage: null,
  QInt32Storage: null,
  QUInt4x2Storage: null,
  QUInt2x4Storage: null,
  UntypedStorage: null,
};

const LEGACY_MESSAGE = "it is in PyTorch's legacy pre-zip format, which is unsupported; re-save it in Python with " +
  "`torch.save(torch.load(path).state_dict() or the dict, new_path)` (the default zip format since PyTorch 1.6)";
const TORCHSCRIPT_MESSAGE =
  "it is a TorchScript archive (constants.pkl / code/), which is unsupported; in Python run " +
  "`torch.save(torch.jit.load(path).state_dict(), new_path)` and load that";

/** True when `bytes` start like a pickle (PyTorch's legacy format starts with protocol-2 `0x80 0x02`). */
export function isLegacyTorchPickle(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] >= 0x02 && bytes[1] <= 0x05;
}

function _isNatural(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

/** The globals a state-dict pickle may use, wired to host functions that build descriptors (no code runs). */
function _stateDictGlobals(source: string): Map<string, PickleGlobal> {
  const fail = (state: string): never => {
    throw new InputError(`Cannot load ${source}: ${state}`);
  };
  const g = new Map<string, PickleGlobal>();
  const add = (qualname: string, call: (args: readonly unknown[]) => unknown) => g.set(qualname, { qualname, call });
  const ints = (v: unknown, what: string): number[] => {
    if (!(v instanceof PyTuple) || !v.items.every(_isNatural)) {
      fail(`tensor ${what} is not a tuple of non-negative ints`);
    }
    return [...(v as PyTuple).items] as number[];
  };
  const rebuild = (args: readonly unknown[], name: string): TensorRef => {
    const [storage, offset, size, stride] = args;
    if (args.length < 4) fail(`${name} called with ${args.length} arguments`);
    if (typeof storage !== "object" || storage === null || (storage as StorageRef).kind !== "storage") {
      fail(`${name} got a ${pyTypeName(storage)} where a storage was expected`);
    }
    if (!_isNatural(offset)) fail(`tensor storage offset ${String(offset)} is not a non-negative int`);
    const shape = ints(size, "size");
    const strides = ints(stride, "stride");
    if (shape.length !== strides.length) fail(`tensor size has ${shape.length} dims but stride has ${strides.length}`);
    return { kind: "tensor", storage: storage as StorageRef, offset: offset as number, size: shape, stride: strides };
  };
  add("collections.OrderedDict", (args) => {
    const d = new PyDict();
    const init = args[0];
    if (args.length > 1) fail("OrderedDict called with more than one argument");
    if (Array.isArray(init)) {
      for (const pair of init) {
        if (!(pair instanceof PyTuple) || pair.items.length !== 2 || typeof pair.items[0] !== "string") {
          fail("OrderedDict initialised with something other than (str, value) pairs");
        }
        d.items.set((pair as PyTuple).items[0] as string, (pair as PyTuple).items[1]);
      }
    } else if (init !== undefined) fail(`OrderedDict initialised with a ${pyTypeName(init)}`);
    return d;
  });
  add("torch._utils._rebuild_tensor_v2", (args) => rebuild(args, "_rebuild_tensor_v2"));
  add("torch._utils._rebuild_tensor", (args) => rebuild(args, "_rebuild_tensor"));
  const parameter = (args: readonly unknown[]) => {
    const t = args[0];
    if (typeof t !== "object" || t === null || (t as TensorRef).kind !== "tensor") {
      fail(`_rebuild_parameter got a ${pyTypeName(t)} where a tensor was expected`);
    }
    return t;
  };
  add("torch._utils._rebuild_parameter", parameter);
  add("torch._utils._rebuild_parameter_with_state", parameter);
  for (const [name, dtype] of Object.entries(STORAGE_DTYPES)) {
    const type: StorageType = { kind: "storage-type", qualname: `torch.${name}`, dtype };
    const global: StorageTypeGlobal = {
      qualname: type.qualname,
      call: () => fail(`pickle calls torch.${name}, which a state dict never does`),
      type,
    };
    g.set(type.qualname, global);
  }
  return g;
}

/** Contiguous row-major strides of `shape`. */
function _contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Gathers a strided view into a fresh contiguous array. @returns `Float32Array` of numel(size) elements */
function _gather(src: Float32Array, offset: number, size: readonly number[], stride: readonly number[]): Float32Array {
  const n = numel(size);
  const out = new Float32Array(n);
  const rank = size.length;
  const idx = new Array<number>(rank).fill(0);
  let p = offset;
  for (let i = 0; i < n; i++) {
    out[i] = src[p];
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      p += stride[d];
      if (idx[d] < size[d]) break;
      p -= stride[d] * size[d];
      idx[d] = 0;
    }
  }
  return out;
}

/** Options for {@link parsePtStateDict} / {@link readPtStateDict}. */
export interface ReadPtOptions extends ReadZipOptions {}

/**
 * Decodes a PyTorch zip checkpoint held in memory into fp32 tensors (keys as saved; a top-level `state_dict` entry
 * is unwrapped). Tensors keep their PyTorch shapes; strided views are copied to contiguous arrays.
 * @param bytes the whole `.pt` file
 * @param source the file name, for error messages
 */
export function parsePtStateDict(bytes: Uint8Array, source: string, options: ReadPtOptions = {}): StateDict {
  const fail = (state: string): never => {
    throw new InputError(`Cannot load ${source}: ${state}`);
  };
  if (!(bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b)) {
    if (isLegacyTorchPickle(bytes)) fail(LEGACY_MESSAGE);
    fail("not a PyTorch zip checkpoint (no zip signature)");
  }
  const zip: ZipArchive = readZip(bytes, source, options);
  const names = [...zip.entries.keys()];
  if (names.some((n) => /^[^/]+\/constants\.pkl$/.test(n) || /^[^/]+\/code\//.test(n))) fail(TORCHSCRIPT_MESSAGE);
  const pkls = names.filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pkls.length !== 1) fail(`expected one <name>/data.pkl record, found ${pkls.length} (not a torch.save archive)`);
  const prefix = pkls[0].slice(0, -"data.pkl".length);
  const byteorderEntry = zip.entries.get(`${prefix}byteorder`);
  let bigEndian = false;
  if (byteorderEntry) {
    const order = new TextDecoder().decode(zip.read(byteorderEntry)).trim();
    if (order !== "little" && order !== "big") fail(`unknown byteorder record ${JSON.stringify(order)}`);
    bigEndian = order === "big";
  }

  const storages = new Map<string, StorageRef>();
  const root = unpickle(zip.read(zip.entries.get(pkls[0])!), {
    source,
    globals: _stateDictGlobals(source),
    persistentLoad: (pid) => {
      if (!(pid instanceof PyTuple) || pid.items.length !== 5 || pid.items[0] !== "storage") {
        fail(`unsupported persistent id ${pyTypeName(pid)} (expected ('storage', type, key, location, numel))`);
      }
      const [, typeRef, key, , count] = (pid as PyTuple).items;
      const type = (typeRef as Partial<StorageTypeGlobal> | null)?.type;
      if (!type || type.kind !== "storage-type") {
        fail(`persistent id names a ${pyTypeName(typeRef)}, not a storage type`);
      }
      if (typeof key !== "string" || !/^[A-Za-z0-9_.-]+$/.test(key)) fail(`persistent id has an invalid storage key`);
      if (!_isNatural(count)) fail(`storage ${key} has an invalid element count`);
      const prev = storages.get(key as string);
      if (prev && (prev.type !== type || prev.numel !== count)) fail(`storage ${key} is declared twice, differently`);
      const ref: StorageRef = prev ?? { kind: "storage", type: type!, key: key as string, numel: count as number };
      storages.set(ref.key, ref);
      return ref;
    },
  });

  let dict = root;
  if (dict instanceof PyDict && dict.items.get("state_dict") instanceof PyDict) dict = dict.items.get("state_dict");
  if (!(dict instanceof PyDict)) fail(`the pickle holds a ${pyTypeName(root)}, not a state dict`);
  const entries: [string, TensorRef][] = [];
  for (const [k, v] of (dict as PyDict).items) {
    if (typeof k !== "string") fail(`state dict key ${String(k)} is not a string`);
    if (typeof v !== "object" || v === null || (v as TensorRef).kind !== "tensor") {
      fail(`state dict entry ${k} is a ${pyTypeName(v)}, not a tensor`);
    }
    entries.push([k as string, v as TensorRef]);
  }

  // Decode each storage once; a tensor that is the sole, whole, contiguous user of its storage takes the array.
  const uses = new Map<string, number>();
  for (const [, t] of entries) uses.set(t.storage.key, (uses.get(t.storage.key) ?? 0) + 1);
  const decoded = new Map<string, Float32Array>();
  const out: StateDict = new Map();
  for (const [name, t] of entries) {
    const { storage } = t;
    const dtype = storage.type.dtype;
    if (dtype === null) fail(`tensor ${name} uses ${storage.type.qualname}, an unsupported dtype`);
    let data = decoded.get(storage.key);
    if (!data) {
      const record = `${prefix}data/${storage.key}`;
      const entry = zip.entries.get(record);
      if (!entry) fail(`tensor ${name} needs storage record ${record}, which is missing`);
      const raw = zip.read(entry!);
      const expected = storage.numel * DTYPE_BYTES[dtype!];
      if (raw.length !== expected) {
        fail(
          `tensor ${name}: storage record ${record} holds ${raw.length} bytes but ${storage.numel} × ${dtype} ` +
            `needs ${expected}`,
        );
      }
      data = decodeToFloat32(raw, dtype!, `${source} tensor ${name}`, bigEndian);
      decoded.set(storage.key, data);
    }
    const n = numel(t.size);
    if (n > 0) {
      let last = t.offset;
      for (let d = 0; d < t.size.length; d++) last += (t.size[d] - 1) * t.stride[d];
      if (last >= storage.numel) {
        fail(
          `tensor ${name} (offset ${t.offset}, size [${t.size}], stride [${t.stride}]) reaches element ${last} ` +
            `of a ${storage.numel}-element storage`,
        );
      }
    }
    const dense = _contiguousStrides(t.size);
    const contiguous = t.size.every((s, d) => s === 1 || t.stride[d] === dense[d]);
    const remaining = uses.get(storage.key)! - 1;
    uses.set(storage.key, remaining);
    let values: Float32Array;
    if (contiguous && t.offset === 0 && n === data.length && remaining === 0 && !out.has(name)) values = data;
    else if (contiguous) values = data.slice(t.offset, t.offset + n);
    else values = _gather(data, t.offset, t.size, t.stride);
    if (remaining === 0) decoded.delete(storage.key);
    out.set(name, { shape: [...t.size], data: values });
  }
  return out;
}

/**
 * Reads a PyTorch zip checkpoint (`.pt`/`.pth`/`.bin` written by `torch.save`) as fp32 tensors, keys as saved.
 * @param path the checkpoint file
 */
export async function readPtStateDict(path: string, options: ReadPtOptions = {}): Promise<StateDict> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    throw new InputError(`Cannot read ${path}: ${(err as Error).message.split("\n")[0]}`);
  }
  return parsePtStateDict(bytes, path, options);
}
