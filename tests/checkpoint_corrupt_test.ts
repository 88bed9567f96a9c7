/** Corrupt checkpoints are refused by name: NaN/±Inf weights (.pt and safetensors), and float weights relabelled int. */
import { assert, assertThrows } from "./assert.ts";
import { InputError } from "../lib/util/errors.ts";
import type { StateDict } from "../lib/encoders/state_dict.ts";
import { parseStateDict, serializeSafetensors } from "../lib/encoders/checkpoint/mod.ts";
import { serializePtStateDict } from "../testing/pt_write.ts";

function weights(bad: number): StateDict {
  return new Map([
    ["visual.proj", { shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) }],
    ["text_projection", { shape: [3], data: Float32Array.from([0.5, bad, 1]) }],
  ]);
}

for (const bad of [NaN, Infinity, -Infinity]) {
  Deno.test(`a ${bad} weight is refused, naming the tensor (safetensors and .pt)`, () => {
    for (
      const [kind, bytes] of [
        ["safetensors", serializeSafetensors(weights(bad))],
        ["pt", serializePtStateDict(weights(bad))],
      ] as const
    ) {
      const err = assertThrows(() => parseStateDict(bytes, `model.${kind}`), InputError);
      assert(err.message.includes(`model.${kind}`) && err.message.includes("text_projection"), err.message);
      assert(err.message.includes(String(bad)) && err.message.includes("index 1"), err.message);
    }
  });
}

Deno.test("a safetensors F32 tensor relabelled I32 (same byte count) is refused; integer buffers stay allowed", () => {
  const bytes = serializeSafetensors(weights(0));
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const header = new TextDecoder().decode(bytes.subarray(8, 8 + n));
  const relabelled = header.replace(/("text_projection":\{"dtype":)"F32"/, '$1"I32"');
  assert(relabelled !== header && relabelled.length === header.length);
  const out = bytes.slice();
  out.set(new TextEncoder().encode(relabelled), 8);
  const err = assertThrows(() => parseStateDict(out, "model.safetensors"), InputError);
  assert(err.message.includes("text_projection is stored as I32") && err.message.includes("floating point"));
  // Fine as before: the clean file.
  assert(parseStateDict(bytes, "model.safetensors").has("text_projection"));
});
