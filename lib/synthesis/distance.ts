/**
 * Exact Euclidean distance transform (Felzenszwalb & Huttenlocher 2012, "Distance Transforms of Sampled Functions"):
 * two passes of the 1-D lower-envelope-of-parabolas algorithm, O(N) for N pixels.
 * @module
 */

/** Stands for "no background pixel yet" in the squared-distance passes (finite so that arithmetic stays exact). */
const FAR = 1e20;

/** Reusable scratch buffers for {@link edtSquaredInto}, sized for lines up to `n` pixels. */
export class EdtScratch {
  f: Float64Array;
  d: Float64Array;
  v: Int32Array;
  z: Float64Array;
  constructor(n: number) {
    this.f = new Float64Array(n);
    this.d = new Float64Array(n);
    this.v = new Int32Array(n);
    this.z = new Float64Array(n + 1);
  }
}

/** 1-D squared distance transform of `f[0..n)` into `d[0..n)` (lower envelope of parabolas). */
function _edt1d(s: EdtScratch, n: number): void {
  const { f, d, v, z } = s;
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    const fq = f[q] + q * q;
    let sx = (fq - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    while (sx <= z[k]) {
      k--;
      sx = (fq - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    }
    k++;
    v[k] = q;
    z[k] = sx;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    const dq = q - v[k];
    d[q] = dq * dq + f[v[k]];
  }
}

/**
 * Squared Euclidean distance from every pixel to the nearest background pixel (`mask == 0`), written into `out`.
 * Background pixels get 0. Pixels beyond the array are not background (as scipy's `distance_transform_edt`).
 * Where the array has no background at all, the value is ≥ 1e20.
 * @param mask `[height*width]` row-major, nonzero = foreground
 * @param out `[height*width]` squared distances
 * @param scratch buffers for lines of max(width, height) pixels
 */
export function edtSquaredInto(
  mask: ArrayLike<number>,
  width: number,
  height: number,
  out: Float64Array,
  scratch: EdtScratch = new EdtScratch(Math.max(width, height)),
): Float64Array {
  if (mask.length !== width * height || out.length < width * height) {
    throw new RangeError(`Cannot run edt: mask has ${mask.length} pixels, expected ${width}×${height}`);
  }
  // Columns first: 1-D transform of the 0 / FAR indicator along y.
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) scratch.f[y] = mask[y * width + x] ? FAR : 0;
    _edt1d(scratch, height);
    for (let y = 0; y < height; y++) out[y * width + x] = scratch.d[y];
  }
  // Then rows, on the column results.
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) scratch.f[x] = out[row + x];
    _edt1d(scratch, width);
    for (let x = 0; x < width; x++) out[row + x] = scratch.d[x];
  }
  return out;
}

/**
 * Euclidean distance from every foreground pixel to the nearest background pixel; 0 on the background.
 * Equal to scipy's `distance_transform_edt(mask)`; `Infinity` everywhere when the mask has no background.
 * @param mask `[height*width]` row-major, nonzero = foreground
 * @returns `[height*width]` distances in pixels
 * @example
 * ```ts
 * const d = edt(Uint8Array.from([0, 1, 1, 1, 0]), 5, 1);
 * if (d.join() !== "0,1,2,1,0") throw new Error(`got ${d.join()}`);
 * ```
 */
export function edt(mask: ArrayLike<number>, width: number, height: number): Float64Array {
  const out = edtSquaredInto(mask, width, height, new Float64Array(width * height));
  for (let i = 0; i < out.length; i++) out[i] = out[i] >= FAR ? Infinity : Math.sqrt(out[i]);
  return out;
}
