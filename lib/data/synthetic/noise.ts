/**
 * Precomputed noise textures (built once per process from a fixed seed, so they never depend on the caller's `Rng`):
 * white Gaussian noise and smooth low-frequency noise, each `[512 * 512]`, sampled with a random offset and wrap-around.
 * @module
 */
import { Rng } from "../../util/mod.ts";
import { gaussianBlur } from "./raster.ts";

/** Side of every noise texture, in texels (a power of two, so wrap-around is a bit mask). */
export const NOISE_SIZE = 512;
/** `NOISE_SIZE − 1`, the wrap mask. */
export const NOISE_MASK = NOISE_SIZE - 1;

let white: Float32Array | null = null;
let smooth: Float32Array | null = null;
let fine: Float32Array | null = null;

function normalise(data: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += data[i];
  const mean = sum / data.length;
  let sq = 0;
  for (let i = 0; i < data.length; i++) sq += (data[i] - mean) ** 2;
  const inv = 1 / Math.sqrt(sq / data.length);
  for (let i = 0; i < data.length; i++) data[i] = (data[i] - mean) * inv;
  return data;
}

function blurredNoise(seed: number, sigma: number): Float32Array {
  const data = new Rng(seed).normalArray(NOISE_SIZE * NOISE_SIZE);
  const tmp = new Float32Array(data.length);
  // Blur on a tiled copy would be exact; clamped edges leave a seam of a few texels, invisible after normalising.
  gaussianBlur(data, tmp, NOISE_SIZE, NOISE_SIZE, sigma);
  return normalise(data);
}

/** White N(0, 1) noise `[512 * 512]`. */
export function whiteNoise(): Float32Array {
  white ??= new Rng(0x5eed_0001).normalArray(NOISE_SIZE * NOISE_SIZE);
  return white;
}

/** Low-frequency noise `[512 * 512]` (Gaussian-blurred, σ = 7 texels), unit variance. */
export function smoothNoise(): Float32Array {
  smooth ??= blurredNoise(0x5eed_0002, 7);
  return smooth;
}

/** Fine-grained correlated noise `[512 * 512]` (σ = 1.2 texels), unit variance: film grain, lung texture. */
export function fineNoise(): Float32Array {
  fine ??= blurredNoise(0x5eed_0003, 1.2);
  return fine;
}
