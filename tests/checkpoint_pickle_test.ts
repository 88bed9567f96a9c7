/**
 * The restricted unpickler on pickles written by CPython 3.11 (`pickle.dumps(value, protocol=p)`, hex below) and on
 * hand-made hostile or broken streams.
 */
import { assert, assertEquals, assertThrows } from "./assert.ts";
import { InputError } from "../lib/util/errors.ts";
import { type PickleGlobal, PyDict, PySet, PyTuple, unpickle } from "../lib/encoders/checkpoint/pickle.ts";

// value = {"ints": [0, 1, -1, 255, 256, 65535, 65536, -2**31, 2**31 - 1, 2**40, -2**70], "f": [1.5, -0.0, 1e300],
//          "s": ["", "ü€", "x" * 300], "b": b"xy", "t": [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4)],
//          "n": [None, True, False], "d": {"k": {}}}
const P2 = "80027d7100285804000000696e747371015d7102284b004b014affffffff4bff4d00014dffff4a000001004a000000804aff" +
  "ffff7f8a060000000000018a090000000000000000c06558010000006671035d710428473ff8000000000000478000000000" +
  "000000477e37e43c8800759c6558010000007371055d710628580000000071075805000000c3bce282ac7108582c01000078" +
  "7878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878" +
  "7878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878" +
  "7878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878" +
  "7878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878" +
  "7878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878" +
  "7878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787871" +
  "0965580100000062710a635f636f646563730a656e636f64650a710b58020000007879710c58060000006c6174696e31710d" +
  "86710e52710f58010000007471105d711128294b018571124b014b028671134b014b024b03877114284b014b024b034b0474" +
  "71156558010000006e71165d7117284e88896558010000006471187d711958010000006b711a7d711b73752e";
const P3 = "80037d7100285804000000696e747371015d7102284b004b014affffffff4bff4d00014dffff4a000001004a000000804aff" +
  "ffff7f8a060000000000018a090000000000000000c06558010000006671035d710428473ff8000000000000478000000000" +
  "000000477e37e43c8800759c6558010000007371055d710628580000000071075805000000c3bce282ac7108582c01000078" +
  "7878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878" +
  "7878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878" +
  "7878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878" +
  "7878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878" +
  "7878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878" +
  "7878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787871" +
  "0965580100000062710a43027879710b580100000074710c5d710d28294b0185710e4b014b0286710f4b014b024b03877110" +
  "284b014b024b034b047471116558010000006e71125d7113284e88896558010000006471147d711558010000006b71167d71" +
  "1773752e";
const P5 = "800595f2010000000000007d94288c04696e7473945d94284b004b014affffffff4bff4d00014dffff4a000001004a000000" +
  "804affffff7f8a060000000000018a090000000000000000c0658c0166945d9428473ff80000000000004780000000000000" +
  "00477e37e43c8800759c658c0173945d94288c00948c05c3bce282ac94582c01000078787878787878787878787878787878" +
  "7878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878" +
  "7878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878" +
  "7878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878" +
  "7878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878" +
  "7878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878" +
  "7878787878787878787878787878787878787878787878787878787878787878787894658c01629443027879948c0174945d" +
  "9428294b0185944b014b0286944b014b024b038794284b014b024b034b047494658c016e945d94284e8889658c0164947d94" +
  "8c016b947d9473752e";
const SHARED =
  "8004952c000000000000007d94288c0170945d944b07618c01719468028c03736574948f94284b014b02908c02667394284b039194752e";
const SET2 = "8002635f5f6275696c74696e5f5f0a7365740a71005d7101284b014b02658571025271032e";
const ODICT2 = "800263636f6c6c656374696f6e730a4f726465726564446963740a71002952710158010000006171024b01732e";
// SHARED = pickle.dumps({"p": x, "q": x, "set": {1, 2}, "fs": frozenset({3})}, 4) with x = [7];
// SET2 = pickle.dumps({1, 2}, 2); ODICT2 = pickle.dumps(OrderedDict([("a", 1)]), 2)

const hex = (h: string) => Uint8Array.from(h.match(/../g)!.map((b) => parseInt(b, 16)));
const enc = new TextEncoder();
const NONE: ReadonlyMap<string, PickleGlobal> = new Map();
const opts = (globals: ReadonlyMap<string, PickleGlobal> = NONE) => ({ source: "t.pkl", globals });

function plain(v: unknown): unknown {
  if (v instanceof PyDict) return Object.fromEntries([...v.items].map(([k, x]) => [String(k), plain(x)]));
  if (v instanceof PyTuple) return { tuple: v.items.map(plain) };
  if (v instanceof PySet) return { set: [...v.items] };
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof Uint8Array) return { bytes: [...v] };
  return v;
}

const EXPECTED = {
  ints: [0, 1, -1, 255, 256, 65535, 65536, -(2 ** 31), 2 ** 31 - 1, 2 ** 40, -(2n ** 70n)],
  f: [1.5, -0, 1e300],
  s: ["", "ü€", "x".repeat(300)],
  b: { bytes: [0x78, 0x79] },
  t: [{ tuple: [] }, { tuple: [1] }, { tuple: [1, 2] }, { tuple: [1, 2, 3] }, { tuple: [1, 2, 3, 4] }],
  n: [null, true, false],
  d: { k: {} },
};

Deno.test("CPython protocol 3 and 5 pickles decode to the same values (ints, bigints, floats, str, bytes, tuples)", () => {
  for (const p of [P3, P5]) assertEquals(plain(unpickle(hex(p), opts())), EXPECTED);
});

Deno.test("protocol 2 bytes need _codecs.encode, which is refused by name", () => {
  assertThrows(
    () => unpickle(hex(P2), opts()),
    InputError,
    "Cannot load t.pkl: pickle references forbidden global _codecs.encode",
  );
  assertThrows(() => unpickle(hex(SET2), opts()), InputError, "forbidden global __builtin__.set");
});

Deno.test("memo keeps shared references shared; sets and frozensets decode", () => {
  const v = unpickle(hex(SHARED), opts()) as PyDict;
  assert(v.items.get("p") === v.items.get("q"));
  assertEquals([...(v.items.get("set") as PySet).items], [1, 2]);
  assertEquals([...(v.items.get("fs") as PySet).items], [3]);
});

Deno.test("an allowed global is called with the argument tuple; nothing else is reachable", () => {
  const calls: unknown[][] = [];
  const od: PickleGlobal = {
    qualname: "collections.OrderedDict",
    call: (args) => {
      calls.push([...args]);
      return new PyDict();
    },
  };
  const v = unpickle(hex(ODICT2), opts(new Map([["collections.OrderedDict", od]]))) as PyDict;
  assertEquals(calls, [[]]);
  assertEquals(v.items.get("a"), 1);
});

Deno.test("hostile streams: os.system via GLOBAL and via STACK_GLOBAL, INST, EXT1, persistent ids without a loader", () => {
  const g = [0x80, 0x02, 0x63, ...enc.encode("os\nsystem\n"), 0x58, 2, 0, 0, 0, 0x6c, 0x73, 0x85, 0x52, 0x2e];
  assertThrows(() => unpickle(Uint8Array.from(g), opts()), InputError, "pickle references forbidden global os.system");
  const sg = [0x80, 0x04, 0x8c, 2, ...enc.encode("os"), 0x8c, 6, ...enc.encode("system"), 0x93, 0x2e];
  assertThrows(() => unpickle(Uint8Array.from(sg), opts()), InputError, "pickle references forbidden global os.system");
  const inst = [0x28, 0x69, ...enc.encode("os\nsystem\n"), 0x2e];
  assertThrows(() => unpickle(Uint8Array.from(inst), opts()), InputError, "opcode INST at offset 1 is unsupported");
  assertThrows(() => unpickle(Uint8Array.of(0x82, 1, 0x2e), opts()), InputError, "opcode EXT1");
  assertThrows(() => unpickle(Uint8Array.of(0x4b, 1, 0x51, 0x2e), opts()), InputError, "persistent ids");
  // REDUCE on a plain value is refused (no implicit callables)
  assertThrows(
    () => unpickle(Uint8Array.of(0x4b, 1, 0x29, 0x52, 0x2e), opts()),
    InputError,
    "REDUCE on a non-callable int",
  );
});

Deno.test("broken streams: truncation, huge lengths, unset memo, stray marks, extra values at STOP", () => {
  const p5 = hex(P5);
  for (const cut of [1, 20, 100, p5.length - 1]) {
    const e = assertThrows(() => unpickle(p5.subarray(0, cut), opts()), InputError, "Cannot load t.pkl: pickle");
    assertEquals(e.message.split("\n").length, 1);
  }
  // BINUNICODE claiming 4 GB
  assertThrows(
    () => unpickle(Uint8Array.of(0x58, 0xff, 0xff, 0xff, 0xff, 0x61, 0x2e), opts()),
    InputError,
    "truncated",
  );
  // BINUNICODE8 claiming 2^63
  assertThrows(
    () => unpickle(Uint8Array.of(0x8d, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x2e), opts()),
    InputError,
    "BINUNICODE8 length",
  );
  assertThrows(() => unpickle(Uint8Array.of(0x68, 3, 0x2e), opts()), InputError, "memo 3 unset");
  assertThrows(() => unpickle(Uint8Array.of(0x4b, 1, 0x4b, 2, 0x2e), opts()), InputError, "STOP with 2 values");
  assertThrows(() => unpickle(Uint8Array.of(0x74, 0x2e), opts()), InputError, "TUPLE without a mark");
  assertThrows(
    () => unpickle(Uint8Array.of(0x58, 2, 0, 0, 0, 0xc3, 0x28, 0x2e), opts()),
    InputError,
    "not valid UTF-8",
  );
  assertThrows(() => unpickle(Uint8Array.of(0x80, 0x09, 0x2e), opts()), InputError, "protocol 9 is unsupported");
});
