/**
 * The in-memory form of a checkpoint, shared by every reader, writer and model: a flat map from OpenAI CLIP key names
 * (`visual.conv1.weight`, `transformer.resblocks.0.attn.in_proj_weight`, …) to fp32 host arrays in PyTorch layout.
 * @module
 */

/** A tensor held on the host: row-major fp32 data and its PyTorch shape. */
export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

/** A checkpoint's tensors by OpenAI key name. */
export type StateDict = Map<string, HostTensor>;

/** Number of elements of a shape. */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
