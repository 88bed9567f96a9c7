/** Bulk dtype conversions and the zip CRC: exhaustive fp16 checks and known values. */
import { assertEquals } from "./assert.ts";
import {
  decodeToFloat32,
  float16BitsToFloat32,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
} from "../lib/encoders/checkpoint/dtype.ts";
import { crc32 } from "../lib/encoders/checkpoint/zip.ts";

Deno.test("every fp16 bit pattern survives fp16 → fp32 → fp16 (NaNs stay NaN)", () => {
  const all = new Uint16Array(65536).map((_, i) => i);
  const f = float16BitsToFloat32(all);
  const back = float32ToFloat16Bits(f);
  let bad = 0;
  for (let h = 0; h < 65536; h++) {
    const isNaN = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
    if (isNaN ? !Number.isNaN(f[h]) || (back[h] & 0x7c00) !== 0x7c00 || (back[h] & 0x3ff) === 0 : back[h] !== h) bad++;
  }
  assertEquals(bad, 0);
  assertEquals([f[0x3c00], f[0xc000], f[0x0001], f[0x03ff], f[0x7bff], f[0x7c00], f[0x8000]], [
    1,
    -2,
    2 ** -24,
    1023 * 2 ** -24,
    65504,
    Infinity,
    -0,
  ]);
});

Deno.test("fp32 → fp16 rounds to nearest even, at normal, subnormal and overflow boundaries", () => {
  const x = Float32Array.from([
    1 + 2 ** -11, // tie → 1 (even)
    1 + 3 * 2 ** -11, // tie → 1 + 2^-9 (even)
    1 + 2 ** -11 + 2 ** -20, // above tie → up
    2 ** -25, // tie between 0 and the smallest subnormal → 0
    2 ** -25 + 2 ** -35, // above → smallest subnormal
    3 * 2 ** -25, // tie between 1 and 2 subnormal units → 2
    65519, // below the overflow threshold → 65504
    65520, // tie at the top → inf
    -1e-10, // underflow → -0
  ]);
  assertEquals([...float16BitsToFloat32(float32ToFloat16Bits(x))], [
    1,
    1 + 2 ** -9,
    1 + 2 ** -10,
    0,
    2 ** -24,
    2 ** -23,
    65504,
    Infinity,
    -0,
  ]);
});

Deno.test("bf16 encode rounds to nearest even and decodes by shifting", () => {
  const x = Float32Array.from([1, 1 + 2 ** -8, 1 + 3 * 2 ** -8, -2.75, NaN]);
  const bits = float32ToBfloat16Bits(x);
  const back = decodeToFloat32(new Uint8Array(bits.buffer), "BF16", "t");
  assertEquals([...back.subarray(0, 4)], [1, 1, 1 + 2 ** -6, -2.75]);
  assertEquals(Number.isNaN(back[4]), true);
});

Deno.test("CRC-32 matches the standard check value and zlib.crc32", () => {
  assertEquals(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  assertEquals(crc32(new Uint8Array(0)), 0);
  assertEquals(crc32(Uint8Array.of(0, 1, 2)), 0x0854897f);
});
