/**
 * PyTorch zip checkpoints: round trips through the writer, strided views, and every refusal (legacy format,
 * TorchScript, forbidden globals, truncation, CRC damage, missing records, size mismatches, unsupported dtypes).
 * Archives are hand-assembled here: pickle bytes op by op, zipped with fflate (an independent zip writer).
 */
import { zipSync } from "fflate";
import { assert, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { InputError } from "../lib/util/errors.ts";
import { join } from "../lib/util/path.ts";
import type { StateDict } from "../lib/encoders/state_dict.ts";
import { loadStateDict, parsePtStateDict, parseStateDict, readPtStateDict } from "../lib/encoders/checkpoint/mod.ts";
import { serializePtStateDict, writePtStateDict } from "../testing/pt_write.ts";
import { TEST_MODEL_PATH } from "../testing/test_model.ts";
import { readZip } from "../lib/encoders/checkpoint/zip.ts";

const enc = new TextEncoder();
/** The tests' CheXzero-format checkpoint (archive folder `model`, 35 fp16 storages; `testing/test_model.ts`). */
const FIXTURE = TEST_MODEL_PATH;

// ---- a tiny pickle assembler (protocol 2 opcodes, as torch.save writes them) ----
const G = (module: string, name: string) => [0x63, ...enc.encode(`${module}\n${name}\n`)];
const S = (s: string) => {
  const b = enc.encode(s);
  return [0x58, b.length & 0xff, (b.length >> 8) & 0xff, 0, 0, ...b];
};
const I = (n: number) => [0x4a, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
const TUP = (...xs: number[][]) => [0x28, ...xs.flat(), 0x74];
const MARK = 0x28, TUPLE = 0x74, REDUCE = 0x52, SETITEMS = 0x75, STOP = 0x2e, BINPERSID = 0x51, FALSE = 0x89;
const EMPTY_TUPLE = 0x29, EMPTY_DICT = 0x7d;
const ODICT = [...G("collections", "OrderedDict"), EMPTY_TUPLE, REDUCE];

interface TensorSpec {
  key: string;
  storageClass?: string;
  storageKey: string;
  numel: number;
  offset?: number;
  size: number[];
  stride: number[];
}
/** `key → _rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())`. */
function tensorEntry(t: TensorSpec): number[] {
  const pid = TUP(S("storage"), G("torch", t.storageClass ?? "FloatStorage"), S(t.storageKey), S("cpu"), I(t.numel));
  return [
    ...S(t.key),
    ...G("torch._utils", "_rebuild_tensor_v2"),
    MARK,
    ...pid,
    BINPERSID,
    ...I(t.offset ?? 0),
    ...TUP(...t.size.map(I)),
    ...TUP(...t.stride.map(I)),
    FALSE,
    ...ODICT,
    TUPLE,
    REDUCE,
  ];
}
function stateDictPickle(entries: number[][]): Uint8Array {
  return Uint8Array.from([0x80, 0x02, ...ODICT, MARK, ...entries.flat(), SETITEMS, STOP]);
}
function archive(
  pkl: Uint8Array,
  records: Record<string, Uint8Array>,
  extra: Record<string, Uint8Array> = {},
): Uint8Array {
  const files: Record<string, [Uint8Array, { level: 0 }]> = { "m/data.pkl": [pkl, { level: 0 }] };
  for (const [k, v] of Object.entries(records)) files[`m/data/${k}`] = [v, { level: 0 }];
  files["m/version"] = [enc.encode("3\n"), { level: 0 }];
  for (const [k, v] of Object.entries(extra)) files[k] = [v, { level: 0 }];
  return zipSync(files);
}
const f32bytes = (xs: number[]) => new Uint8Array(new Float32Array(xs).buffer);

function tiny(): StateDict {
  return new Map([
    ["a.weight", { shape: [2, 3], data: Float32Array.from([1, -2, 0.5, 3.25, -0, 1e-3]) }],
    ["a.bias", { shape: [3], data: Float32Array.from([0.1, 0.2, -0.3]) }],
    ["scalar", { shape: [], data: Float32Array.from([2.5]) }],
    ["empty", { shape: [0, 4], data: new Float32Array(0) }],
  ]);
}

Deno.test("writer → reader round trip: fp32 exact; fp16 and bf16 exact for representable values", () => {
  const sd = tiny();
  const back = parsePtStateDict(serializePtStateDict(sd), "t.pt");
  assertEquals([...back.keys()], [...sd.keys()]);
  for (const [k, t] of sd) {
    assertEquals(back.get(k)!.shape, t.shape);
    assertEquals(back.get(k)!.data, t.data);
  }
  const half = new Map([["h", { shape: [4], data: Float32Array.from([1, -2.5, 65504, 2 ** -24]) }]]);
  assertEquals(
    parsePtStateDict(serializePtStateDict(half, { dtype: "float16" }), "h.pt").get("h")!.data,
    half.get("h")!.data,
  );
  const bf = new Map([["b", { shape: [3], data: Float32Array.from([1, -3.5, 2 ** 100]) }]]);
  assertEquals(
    parsePtStateDict(serializePtStateDict(bf, { dtype: "bfloat16" }), "b.pt").get("b")!.data,
    bf.get("b")!.data,
  );
  // rounding: 1/3 in fp16 is 0x3555 = 0.333251953125
  const third = parsePtStateDict(
    serializePtStateDict(new Map([["t", { shape: [1], data: Float32Array.of(1 / 3) }]]), {
      dtype: "float16",
    }),
    "t.pt",
  );
  assertEquals(third.get("t")!.data[0], 0.333251953125);
});

Deno.test("written archive is a valid zip to fflate's reader: entries 64-byte aligned, CRCs right", () => {
  const bytes = serializePtStateDict(tiny());
  const zip = readZip(bytes, "t.pt");
  for (const e of zip.entries.values()) {
    assertEquals(e.dataOffset % 64, 0, e.name);
    zip.read(e); // CRC checked
  }
  assertEquals([...zip.entries.keys()].sort(), [
    "archive/byteorder",
    "archive/data.pkl",
    "archive/data/0",
    "archive/data/1",
    "archive/data/2",
    "archive/data/3",
    "archive/version",
  ]);
});

Deno.test("strided views: a transposed view, an offset view, and two tensors sharing one storage (no aliasing)", () => {
  const pkl = stateDictPickle([
    tensorEntry({ key: "t", storageKey: "0", numel: 6, size: [3, 2], stride: [1, 3] }),
    tensorEntry({ key: "tail", storageKey: "0", numel: 6, offset: 2, size: [2], stride: [1] }),
    tensorEntry({ key: "whole", storageKey: "0", numel: 6, size: [2, 3], stride: [3, 1] }),
    tensorEntry({ key: "bcast", storageKey: "1", numel: 2, size: [2, 3], stride: [1, 0] }),
  ]);
  const sd = parsePtStateDict(archive(pkl, { "0": f32bytes([0, 1, 2, 3, 4, 5]), "1": f32bytes([7, 8]) }), "v.pt");
  assertEquals([...sd.get("t")!.data], [0, 3, 1, 4, 2, 5]);
  assertEquals(sd.get("t")!.shape, [3, 2]);
  assertEquals([...sd.get("tail")!.data], [2, 3]);
  assertEquals([...sd.get("whole")!.data], [0, 1, 2, 3, 4, 5]);
  assertEquals([...sd.get("bcast")!.data], [7, 7, 7, 8, 8, 8]);
  sd.get("whole")!.data[2] = 99;
  assertEquals(sd.get("tail")!.data[0], 2);
});

Deno.test("fp16, bf16, fp64, int64 and bool storages decode to fp32; big-endian byteorder is honoured", () => {
  const half = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x0001, 0x7c00]).buffer); // 1, -2, 2^-24, inf
  const bf = new Uint8Array(new Uint16Array([0x3f80, 0xc040]).buffer); // 1, -3
  const f64 = new Uint8Array(new Float64Array([0.25, -1e3]).buffer);
  const i64 = new Uint8Array(new BigInt64Array([-5n, 1n << 40n]).buffer);
  const pkl = stateDictPickle([
    tensorEntry({ key: "h", storageClass: "HalfStorage", storageKey: "0", numel: 4, size: [4], stride: [1] }),
    tensorEntry({ key: "b", storageClass: "BFloat16Storage", storageKey: "1", numel: 2, size: [2], stride: [1] }),
    tensorEntry({ key: "d", storageClass: "DoubleStorage", storageKey: "2", numel: 2, size: [2], stride: [1] }),
    tensorEntry({ key: "l", storageClass: "LongStorage", storageKey: "3", numel: 2, size: [2], stride: [1] }),
    tensorEntry({ key: "q", storageClass: "BoolStorage", storageKey: "4", numel: 3, size: [3], stride: [1] }),
  ]);
  const sd = parsePtStateDict(
    archive(pkl, { "0": half, "1": bf, "2": f64, "3": i64, "4": Uint8Array.of(0, 1, 2) }),
    "d.pt",
  );
  assertEquals([...sd.get("h")!.data], [1, -2, 2 ** -24, Infinity]);
  assertEquals([...sd.get("b")!.data], [1, -3]);
  assertEquals([...sd.get("d")!.data], [0.25, -1000]);
  assertEquals([...sd.get("l")!.data], [-5, 2 ** 40]);
  assertEquals([...sd.get("q")!.data], [0, 1, 1]);
  // big-endian archive: the same floats with bytes swapped
  const be = new Uint8Array(8);
  new DataView(be.buffer).setFloat32(0, 1.5, false);
  new DataView(be.buffer).setFloat32(4, -7, false);
  const bePkl = stateDictPickle([tensorEntry({ key: "x", storageKey: "0", numel: 2, size: [2], stride: [1] })]);
  const beSd = parsePtStateDict(archive(bePkl, { "0": be }, { "m/byteorder": enc.encode("big") }), "be.pt");
  assertEquals([...beSd.get("x")!.data], [1.5, -7]);
});

Deno.test("loadStateDict unwraps a {'state_dict': …} checkpoint and strips a DataParallel module. prefix", async () => {
  const inner = [
    MARK,
    ...tensorEntry({ key: "module.w", storageKey: "0", numel: 2, size: [2], stride: [1] }),
    SETITEMS,
  ];
  const pkl = Uint8Array.from([
    0x80,
    0x02,
    EMPTY_DICT,
    MARK,
    ...S("epoch"),
    ...I(3),
    ...S("state_dict"),
    ...ODICT,
    ...inner,
    SETITEMS,
    STOP,
  ]);
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "wrapped.pt");
    await Deno.writeFile(path, archive(pkl, { "0": f32bytes([4, 5]) }));
    const sd = await loadStateDict(path);
    assertEquals([...sd.keys()], ["w"]);
    assertEquals([...sd.get("w")!.data], [4, 5]);
    assertEquals([...(await readPtStateDict(path)).keys()], ["module.w"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a pickle naming os.system (GLOBAL) or builtins.eval (STACK_GLOBAL) is refused, naming the global", async () => {
  const evil = Uint8Array.from([0x80, 0x02, ...G("os", "system"), ...S("echo pwned"), 0x85, REDUCE, STOP]);
  const e1 = assertThrows(() => parsePtStateDict(archive(evil, {}), "model.pt"), InputError);
  assertEquals(e1.message.split("\n").length, 1);
  assert(e1.message.startsWith("Cannot load model.pt: pickle references forbidden global os.system"), e1.message);
  const evil2 = Uint8Array.from([
    0x80,
    0x04,
    0x8c,
    8,
    ...enc.encode("builtins"),
    0x8c,
    4,
    ...enc.encode("eval"),
    0x93,
    STOP,
  ]);
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "evil.pt");
    await Deno.writeFile(path, archive(evil2, {}));
    await assertRejects(() => loadStateDict(path), InputError, "forbidden global builtins.eval");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const loads = Uint8Array.from([0x80, 0x02, ...G("torch.storage", "_load_from_bytes"), STOP]);
  assertThrows(() => parsePtStateDict(archive(loads, {}), "m.pt"), InputError, "torch.storage._load_from_bytes");
});

Deno.test("legacy pre-zip and TorchScript archives are refused with a how-to-convert message", () => {
  const legacy = Uint8Array.from([
    0x80,
    0x02,
    0x8a,
    0x0a,
    0x6c,
    0xfc,
    0x9c,
    0x46,
    0xf9,
    0x20,
    0x6a,
    0xa8,
    0x50,
    0x19,
    0x2e,
  ]);
  const e = assertThrows(() => parseStateDict(legacy, "old.pt"), InputError, "legacy pre-zip format");
  assert(e.message.includes("torch.save"), e.message);
  const ts = zipSync({
    "m/data.pkl": enc.encode("x"),
    "m/constants.pkl": enc.encode("x"),
    "m/code/__torch__/model.py": enc.encode("x"),
  });
  const e2 = assertThrows(() => parseStateDict(ts, "ViT-B-32.pt"), InputError, "TorchScript archive");
  assert(e2.message.includes("torch.jit.load"), e2.message);
});

Deno.test("missing storage record, size mismatch, unsupported dtype, view past the storage, non-tensor entry", () => {
  const one = (spec: Partial<TensorSpec>) =>
    stateDictPickle([tensorEntry({ key: "w", storageKey: "0", numel: 4, size: [4], stride: [1], ...spec })]);
  assertThrows(
    () => parsePtStateDict(archive(one({ storageKey: "7" }), { "0": f32bytes([1, 2, 3, 4]) }), "m.pt"),
    InputError,
    "Cannot load m.pt: tensor w needs storage record m/data/7, which is missing",
  );
  assertThrows(
    () => parsePtStateDict(archive(one({}), { "0": f32bytes([1, 2, 3, 4, 5]) }), "m.pt"),
    InputError,
    "tensor w: storage record m/data/0 holds 20 bytes but 4 × F32 needs 16",
  );
  assertThrows(
    () => parsePtStateDict(archive(one({ storageClass: "ComplexFloatStorage" }), { "0": new Uint8Array(32) }), "m.pt"),
    InputError,
    "tensor w uses torch.ComplexFloatStorage, an unsupported dtype",
  );
  assertThrows(
    () => parsePtStateDict(archive(one({ offset: 2 }), { "0": f32bytes([1, 2, 3, 4]) }), "m.pt"),
    InputError,
    "reaches element 5 of a 4-element storage",
  );
  const notTensor = Uint8Array.from([0x80, 0x02, ...ODICT, MARK, ...S("w"), ...I(1), SETITEMS, STOP]);
  assertThrows(() => parsePtStateDict(archive(notTensor, {}), "m.pt"), InputError, "entry w is a int, not a tensor");
});

Deno.test({
  name: "a truncated or bit-flipped CheXzero-format checkpoint fails with a one-line InputError, never garbage",
  fn: () => {
    const bytes = Deno.readFileSync(FIXTURE);
    for (const cut of [10, 1000, bytes.length >> 1, bytes.length - 30]) {
      const e = assertThrows(() => parseStateDict(bytes.subarray(0, cut), "model.pt"), InputError, "Cannot ");
      assertEquals(e.message.split("\n").length, 1);
      assert(/truncated|corrupt|beyond|past/.test(e.message), e.message);
    }
    const flipped = bytes.slice();
    const zip = readZip(flipped, "model.pt");
    const entry = zip.entries.get("model/data/11")!;
    flipped[entry.dataOffset + 5] ^= 0x10;
    assertThrows(() => parseStateDict(flipped, "model.pt"), InputError, "entry model/data/11 is corrupt (CRC-32");
  },
});

Deno.test({
  name: "CheXzero-format .pt → writePtStateDict (fp16) → loadStateDict reproduces every fp16-origin tensor exactly",
  fn: async () => {
    const sd = await loadStateDict(FIXTURE);
    const dir = await Deno.makeTempDir();
    try {
      const path = join(dir, "re.pt");
      await writePtStateDict(path, sd, { dtype: "float16" });
      const back = await loadStateDict(path);
      // CLIP's convert_weights stores conv/linear/in_proj/projections in fp16 (35 tensors here); the rest stay fp32.
      let exact = 0;
      for (const [k, t] of sd) {
        const b = back.get(k)!;
        assertEquals(b.shape, t.shape);
        let same = true;
        let worst = 0;
        for (let i = 0; i < t.data.length; i++) {
          if (b.data[i] !== t.data[i]) same = false;
          worst = Math.max(worst, Math.abs(b.data[i] - t.data[i]) - Math.abs(t.data[i]) * 2 ** -11 - 2 ** -25);
        }
        assert(worst <= 0, `${k} differs by more than fp16 rounding`);
        if (same) exact++;
      }
      assert(exact >= 35, `only ${exact} of ${sd.size} tensors were exact`);
      for (const k of ["visual.conv1.weight", "text_projection", "transformer.resblocks.1.attn.in_proj_weight"]) {
        assertEquals(back.get(k)!.data, sd.get(k)!.data, k);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
