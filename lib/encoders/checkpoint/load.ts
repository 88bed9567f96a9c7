/**
 * `loadStateDict`: one call from any supported checkpoint file to an OpenAI-key fp32 state dict, as a visible
 * pipeline: read (PyTorch zip or safetensors, detected from the bytes) → unwrap `state_dict` → strip a `module.`
 * prefix → map HF CLIPModel names onto OpenAI's.
 * @module
 */
import { InputError } from "../../util/mod.ts";
import type { StateDict } from "../state_dict.ts";
import { hfToOpenai, isHfClipStateDict } from "./hf_keys.ts";
import { looksLikeSafetensors, parseSafetensors } from "./safetensors.ts";
import type { StorageDtype } from "./dtype.ts";
import { isLegacyTorchPickle, parsePtStateDict } from "./zip_pt.ts";

/** The file formats {@link detectCheckpointFormat} recognises. */
export type CheckpointFormat = "pytorch-zip" | "safetensors" | "pytorch-legacy" | "unknown";

/** Guesses a checkpoint's format from its first bytes. */
export function detectCheckpointFormat(bytes: Uint8Array): CheckpointFormat {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
    return "pytorch-zip";
  }
  if (looksLikeSafetensors(bytes)) return "safetensors";
  if (isLegacyTorchPickle(bytes)) return "pytorch-legacy";
  return "unknown";
}

/** Removes a `module.` prefix (from `nn.DataParallel`) when every key has it. */
export function stripModulePrefix(sd: StateDict): StateDict {
  const keys = [...sd.keys()];
  if (keys.length === 0 || !keys.every((k) => k.startsWith("module."))) return sd;
  return new Map([...sd].map(([k, v]) => [k.slice("module.".length), v]));
}

/** Normalises raw checkpoint keys to OpenAI CLIP names: strip `module.`, then map HF names if present. */
export function toOpenaiKeys(sd: StateDict): StateDict {
  const stripped = stripModulePrefix(sd);
  return isHfClipStateDict(stripped) ? hfToOpenai(stripped) : stripped;
}

/** Tensors a CLIP checkpoint may hold as integers (OpenAI's JIT scalars, HF's position ids); every other is a float. */
const INTEGER_BUFFERS = /(^|\.)(position_ids|input_resolution|context_length|vocab_size)$/;

const FLOAT_DTYPES: ReadonlySet<StorageDtype> = new Set(["F64", "F32", "F16", "BF16"]);

/**
 * Refuses a checkpoint whose CLIP weights are stored as a non-float dtype (e.g. a relabelled F32 → I32 of the same
 * byte count, which would otherwise load as garbage), naming the tensor.
 */
export function requireFloatDtypes(dtypes: ReadonlyMap<string, StorageDtype>, source: string): void {
  for (const [name, dtype] of dtypes) {
    if (!FLOAT_DTYPES.has(dtype) && !INTEGER_BUFFERS.test(name)) {
      throw new InputError(
        `Cannot load ${source}: tensor ${name} is stored as ${dtype}, but CLIP's weights are floating point ` +
          `(F32, F16, BF16 or F64); the file is corrupt or not a CLIP checkpoint`,
      );
    }
  }
}

/**
 * Refuses a state dict (a checkpoint's, or saved prompts') holding NaN or ±Inf in any tensor, naming the file, the
 * tensor, the first bad index and the count.
 */
export function requireFinite(sd: StateDict, source: string): void {
  for (const [name, t] of sd) {
    const data = t.data;
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v - v !== 0) { // NaN or ±Inf (fast path: finite values give 0)
        let count = 0;
        for (let j = i; j < data.length; j++) if (!Number.isFinite(data[j])) count++;
        throw new InputError(
          `Cannot load ${source}: tensor ${name} holds ${v} at index ${i} (${count} non-finite value${
            count > 1 ? "s" : ""
          }); the file is corrupt`,
        );
      }
    }
  }
}

/**
 * Decodes a checkpoint held in memory (PyTorch zip or safetensors) to an OpenAI-key fp32 state dict.
 * @param source the file name, for error messages
 */
export function parseStateDict(bytes: Uint8Array, source: string): StateDict {
  const format = detectCheckpointFormat(bytes);
  if (format === "safetensors") {
    const file = parseSafetensors(bytes, source);
    requireFloatDtypes(file.dtypes, source);
    requireFinite(file.tensors, source);
    return toOpenaiKeys(file.tensors);
  }
  if (format === "pytorch-zip" || format === "pytorch-legacy") {
    const sd = parsePtStateDict(bytes, source);
    requireFinite(sd, source);
    return toOpenaiKeys(sd);
  }
  throw new InputError(
    `Cannot load ${source}: not a PyTorch zip checkpoint or a safetensors file (${bytes.length} bytes, ` +
      `starting ${[...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, "0")).join(" ")})`,
  );
}

/**
 * Loads a CLIP checkpoint from a PyTorch zip `.pt` or a `.safetensors` file, auto-detected from its bytes; HF
 * CLIPModel keys are mapped onto OpenAI's. Every tensor comes back as fp32 in PyTorch layout.
 * @param path the checkpoint file
 * @returns a map from OpenAI CLIP keys to `{shape, data: Float32Array}`
 */
export async function loadStateDict(path: string): Promise<StateDict> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    throw new InputError(`Cannot read ${path}: ${(err as Error).message.split("\n")[0]}`);
  }
  return parseStateDict(bytes, path);
}

/** Throws an `InputError` naming `source` and the first missing keys when `sd` lacks any of `keys`. */
export function requireKeys(sd: StateDict, keys: Iterable<string>, source: string): void {
  const missing = [...keys].filter((k) => !sd.has(k));
  if (missing.length > 0) {
    const shown = missing.slice(0, 5).join(", ") + (missing.length > 5 ? ` and ${missing.length - 5} more` : "");
    throw new InputError(`Cannot load ${source}: missing key${missing.length > 1 ? "s" : ""} ${shown}`);
  }
}
