/**
 * Checkpoint I/O without Python: PyTorch zip `.pt` files (through a restricted unpickler that never runs code),
 * safetensors read/write, and HF CLIPModel ↔ OpenAI CLIP key maps. Everything yields a {@link StateDict}: OpenAI
 * CLIP key names, PyTorch layout, fp32.
 *
 * ```ts
 * import { loadStateDict } from "./lib/encoders/checkpoint/mod.ts";
 * const sd = await loadStateDict("../shared/fixtures/openai-clip-mini/model.pt");
 * sd.get("visual.conv1.weight"); // { shape: [128, 3, 32, 32], data: Float32Array }
 * ```
 * @module
 */
export type { HostTensor, StateDict } from "../state_dict.ts";
export {
  type CheckpointFormat,
  detectCheckpointFormat,
  loadStateDict,
  parseStateDict,
  requireFinite,
  requireKeys,
  stripModulePrefix,
  toOpenaiKeys,
} from "./load.ts";
export { parsePtStateDict, type ReadPtOptions, readPtStateDict } from "./zip_pt.ts";
export {
  looksLikeSafetensors,
  parseSafetensors,
  readSafetensors,
  type SafetensorsFile,
  serializeSafetensors,
  writeSafetensors,
  type WriteSafetensorsOptions,
} from "./safetensors.ts";
export { hfToOpenai, isHfClipStateDict, openaiToHf } from "./hf_keys.ts";
export { type StorageDtype } from "./dtype.ts";
