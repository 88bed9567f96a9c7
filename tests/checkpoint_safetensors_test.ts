/** safetensors reading and writing: round trips, every dtype the reader accepts, and each malformed-file refusal. */
import { assert, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { InputError } from "../lib/util/errors.ts";
import { join } from "../lib/util/path.ts";
import type { StateDict } from "../lib/encoders/state_dict.ts";
import {
  loadStateDict,
  parseSafetensors,
  readSafetensors,
  serializeSafetensors,
  writeSafetensors,
} from "../lib/encoders/checkpoint/mod.ts";

const enc = new TextEncoder();

/** Hand-assembles a safetensors file: 8-byte header length, the header as given, then `data`. */
function st(header: unknown, data: Uint8Array = new Uint8Array(0), headerLen?: bigint): Uint8Array {
  const json = enc.encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, headerLen ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}
const f32 = (xs: number[]) => new Uint8Array(new Float32Array(xs).buffer);

function sample(): StateDict {
  return new Map([
    ["w", { shape: [2, 2], data: Float32Array.from([1, -2, 0.25, 1e-8]) }],
    ["s", { shape: [], data: Float32Array.from([3]) }],
    ["e", { shape: [0], data: new Float32Array(0) }],
    ["odd", { shape: [3], data: Float32Array.from([5, 6, 7]) }],
  ]);
}

Deno.test("fp32 round trip is exact, metadata survives, the header is 8-byte padded and tiles the data", () => {
  const bytes = serializeSafetensors(sample(), { metadata: { format: "pt", note: "ü" } });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assertEquals(n % 8, 0);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  assertEquals(header.w, { dtype: "F32", shape: [2, 2], data_offsets: [0, 16] });
  assertEquals(header.odd.data_offsets, [20, 32]);
  const back = parseSafetensors(bytes, "x.safetensors");
  assertEquals(back.metadata, { format: "pt", note: "ü" });
  for (const [k, t] of sample()) {
    assertEquals(back.tensors.get(k)!.shape, t.shape);
    assertEquals(back.tensors.get(k)!.data, t.data);
    assertEquals(back.dtypes.get(k), "F32");
  }
});

Deno.test("fp16 write rounds to nearest even; fp16-representable values come back exactly", () => {
  const sd: StateDict = new Map([
    ["h", { shape: [6], data: Float32Array.from([1, -0.5, 65504, 2 ** -24, 1 / 3, 1 + 2 ** -11]) }],
  ]);
  const back = parseSafetensors(serializeSafetensors(sd, { dtype: "float16" }), "h.safetensors");
  assertEquals(back.dtypes.get("h"), "F16");
  // 1/3 → 0x3555; 1 + 2^-11 is a tie between 1 and 1 + 2^-10 → even mantissa → 1
  assertEquals([...back.tensors.get("h")!.data], [1, -0.5, 65504, 2 ** -24, 0.333251953125, 1]);
});

Deno.test("BF16, F64, I64, I32, I16, I8, U8 and BOOL tensors decode to fp32", () => {
  const parts: [string, string, number[], Uint8Array][] = [
    ["bf", "BF16", [2], new Uint8Array(new Uint16Array([0x3f80, 0xbfc0]).buffer)],
    ["d", "F64", [1], new Uint8Array(new Float64Array([-2.5]).buffer)],
    ["l", "I64", [2], new Uint8Array(new BigInt64Array([-3n, 77n]).buffer)],
    ["i", "I32", [1], new Uint8Array(new Int32Array([-9]).buffer)],
    ["sh", "I16", [1], new Uint8Array(new Int16Array([-300]).buffer)],
    ["c", "I8", [1], Uint8Array.of(0xff)],
    ["u", "U8", [1], Uint8Array.of(200)],
    ["q", "BOOL", [2], Uint8Array.of(0, 1)],
  ];
  const header: Record<string, unknown> = {};
  let at = 0;
  for (const [name, dtype, shape, b] of parts) {
    header[name] = { dtype, shape, data_offsets: [at, at + b.length] };
    at += b.length;
  }
  const data = new Uint8Array(at);
  at = 0;
  for (const [, , , b] of parts) {
    data.set(b, at);
    at += b.length;
  }
  const { tensors } = parseSafetensors(st(header, data), "all.safetensors");
  const got = Object.fromEntries([...tensors].map(([k, t]) => [k, [...t.data]]));
  assertEquals(got, { bf: [1, -1.5], d: [-2.5], l: [-3, 77], i: [-9], sh: [-300], c: [-1], u: [200], q: [0, 1] });
});

Deno.test("malformed files are refused with one-line InputErrors naming the file and tensor", () => {
  const ok = { w: { dtype: "F32", shape: [2], data_offsets: [0, 8] } };
  const cases: [Uint8Array, string][] = [
    [Uint8Array.of(1, 2, 3), "truncated safetensors file (3 bytes)"],
    [st(ok, f32([1, 2]), 10_000n), "header length 10000 runs past the end of the file"],
    [st(ok, f32([1, 2]), 1n << 40n), "exceeds the 100000000-byte limit"],
    [st({ w: { dtype: "Q9", shape: [2], data_offsets: [0, 8] } }, f32([1, 2])), 'tensor w has unknown dtype "Q9"'],
    [
      st({ w: { dtype: "F32", shape: [2], data_offsets: [0, 16] } }, f32([1, 2])),
      "data_offsets [0, 16] run past the 8",
    ],
    [st({ w: { dtype: "F32", shape: [2], data_offsets: [8, 0] } }, f32([1, 2])), "out-of-order data_offsets [8, 0]"],
    [
      st({ w: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, f32([1, 2])),
      "has 8 bytes but shape [3] × F32 needs 12",
    ],
    [st({ w: { dtype: "F32", shape: [-2], data_offsets: [0, 8] } }, f32([1, 2])), "invalid shape [-2]"],
    [
      st({
        a: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
        b: { dtype: "F32", shape: [2], data_offsets: [4, 12] },
      }, f32([1, 2, 3])),
      "tensor b data_offsets [4, 12] overlap",
    ],
    [st({ a: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, f32([1, 2])), "leave a gap after byte 0"],
    [st(ok, f32([1, 2, 3])), "tensors cover 8 of 12 data bytes"],
    [st({ __metadata__: { n: 1 } }), "__metadata__ value n is not a string"],
    [st([1, 2]), "header is not a JSON object"],
    [Uint8Array.of(3, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7b, 0x7b), "header is not valid JSON"],
  ];
  for (const [bytes, message] of cases) {
    const e = assertThrows(() => parseSafetensors(bytes, "bad.safetensors"), InputError, message);
    assert(e.message.startsWith("Cannot read bad.safetensors: "), e.message);
    assertEquals(e.message.split("\n").length, 1);
  }
});

Deno.test("out-of-order JSON keys are fine when the offsets tile the data", () => {
  const header = {
    b: { dtype: "F32", shape: [1], data_offsets: [4, 8] },
    a: { dtype: "F32", shape: [1], data_offsets: [0, 4] },
  };
  const { tensors } = parseSafetensors(st(header, f32([1, 2])), "x.safetensors");
  assertEquals([...tensors.keys()], ["a", "b"]);
  assertEquals([tensors.get("a")!.data[0], tensors.get("b")!.data[0]], [1, 2]);
});

Deno.test("writeSafetensors is atomic: a failed fp16 write leaves the previous file and no temp file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "out.safetensors");
    await writeSafetensors(path, sample(), { metadata: { v: "1" } });
    const before = await Deno.readFile(path);
    const huge: StateDict = new Map([["big", { shape: [1], data: Float32Array.of(1e6) }]]);
    await assertRejects(
      () => writeSafetensors(path, huge, { dtype: "float16" }),
      InputError,
      "Cannot write tensor big as float16: value 1000000 is beyond float16's range",
    );
    assertEquals(await Deno.readFile(path), before);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["out.safetensors"]);
    const viaPath = await readSafetensors(path);
    const viaBytes = await readSafetensors(before, "mem");
    assertEquals(viaPath.metadata, { v: "1" });
    assertEquals(viaBytes.tensors.get("w")!.data, viaPath.tensors.get("w")!.data);
    // loadStateDict detects safetensors by content, whatever the extension
    const renamed = join(dir, "weights.bin");
    await Deno.rename(path, renamed);
    assertEquals((await loadStateDict(renamed)).get("odd")!.data, Float32Array.from([5, 6, 7]));
    await assertRejects(() => readSafetensors(join(dir, "nope.safetensors")), InputError, "Cannot read");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
