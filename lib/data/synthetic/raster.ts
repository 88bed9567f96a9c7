/**
 * Raster primitives for the procedural chest radiograph: separable blurs, anti-aliased tubes, per-column bands and a
 * bilinear rotation warp. Every raster is a row-major `Float32Array` of `[height * width]`; functions write in place.
 * @module
 */

/** Clamps `v` to `[lo, hi]`. */
export function clamp(v: number, lo = 0, hi = 1): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** Hermite smoothstep of `x` between edges `e0` and `e1` (0 below `e0`, 1 above `e1`). */
export function smoothstep(e0: number, e1: number, x: number): number {
  const t = clamp((x - e0) / (e1 - e0));
  return t * t * (3 - 2 * t);
}

/** Horizontal box blur of radius `r` (window `2r+1`, edges clamped): `src` → `dst`, both `[h * w]`. */
function boxBlurH(src: Float32Array, dst: Float32Array, w: number, h: number, r: number): void {
  const inv = 1 / (2 * r + 1);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    const first = src[row];
    const last = src[row + w - 1];
    let acc = (r + 1) * first;
    for (let k = 1; k <= r; k++) acc += src[row + Math.min(k, w - 1)];
    for (let x = 0; x < w; x++) {
      dst[row + x] = acc * inv;
      const add = x + r + 1;
      const sub = x - r;
      acc += (add < w ? src[row + add] : last) - (sub >= 0 ? src[row + sub] : first);
    }
  }
}

/** Vertical box blur of radius `r` (edges clamped): `src` → `dst`, both `[h * w]`; row-major sweeps with per-column sums. */
function boxBlurV(src: Float32Array, dst: Float32Array, w: number, h: number, r: number): void {
  const inv = 1 / (2 * r + 1);
  const acc = new Float64Array(w);
  const lastRow = (h - 1) * w;
  for (let x = 0; x < w; x++) acc[x] = (r + 1) * src[x];
  for (let k = 1; k <= r; k++) {
    const row = Math.min(k, h - 1) * w;
    for (let x = 0; x < w; x++) acc[x] += src[row + x];
  }
  for (let y = 0; y < h; y++) {
    const row = y * w;
    const add = y + r + 1 < h ? (y + r + 1) * w : lastRow;
    const sub = y - r >= 0 ? (y - r) * w : 0;
    for (let x = 0; x < w; x++) {
      dst[row + x] = acc[x] * inv;
      acc[x] += src[add + x] - src[sub + x];
    }
  }
}

/** Three-tap separable blur `[a, 1−2a, a]` matching a Gaussian of `sigma` < 1 in variance (`2a = sigma²`). */
function tapBlur(data: Float32Array, tmp: Float32Array, w: number, h: number, sigma: number): void {
  const a = Math.min(0.3333, (sigma * sigma) / 2);
  const c = 1 - 2 * a;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const l = data[row + (x > 0 ? x - 1 : 0)];
      const r = data[row + (x < w - 1 ? x + 1 : x)];
      tmp[row + x] = c * data[row + x] + a * (l + r);
    }
  }
  for (let y = 0; y < h; y++) {
    const up = (y > 0 ? y - 1 : 0) * w;
    const down = (y < h - 1 ? y + 1 : y) * w;
    const row = y * w;
    for (let x = 0; x < w; x++) data[row + x] = c * tmp[row + x] + a * (tmp[up + x] + tmp[down + x]);
  }
}

/** Box radii whose three successive passes approximate a Gaussian of `sigma` (Kutskir's "boxes for Gauss"). */
export function boxRadii(sigma: number): [number, number, number] {
  const n = 3;
  const wIdeal = Math.sqrt((12 * sigma * sigma) / n + 1);
  let wl = Math.floor(wIdeal);
  if (wl % 2 === 0) wl--;
  const wu = wl + 2;
  const mIdeal = (12 * sigma * sigma - n * wl * wl - 4 * n * wl - 3 * n) / (-4 * wl - 4);
  const m = Math.round(mIdeal);
  const radii: number[] = [];
  for (let i = 0; i < n; i++) radii.push(((i < m ? wl : wu) - 1) / 2);
  return radii as [number, number, number];
}

/**
 * In-place Gaussian blur of `data` `[h * w]` with standard deviation `sigma` pixels: a 3-tap kernel below 1 px,
 * otherwise three box passes per axis (running sums, O(1) per pixel whatever the radius). `tmp` is scratch `[h * w]`.
 */
export function gaussianBlur(data: Float32Array, tmp: Float32Array, w: number, h: number, sigma: number): void {
  if (!(sigma > 0.05)) return;
  if (sigma < 1) {
    tapBlur(data, tmp, w, h, sigma);
    return;
  }
  for (const r of boxRadii(sigma)) {
    if (r <= 0) continue;
    boxBlurH(data, tmp, w, h, r);
    boxBlurV(tmp, data, w, h, r);
  }
}

/**
 * Adds a tapered tube (a vessel or a bone edge seen end-on) from `(x0, y0)` radius `r0` to `(x1, y1)` radius `r1`
 * into `field` `[h * w]`: the added value is `weight · chord`, chord = `2·sqrt(r² − d²)` (the path length through a
 * cylinder), with `d` the distance to the axis. Round caps. Pixels are sampled at their centres. With `max`, each pixel
 * keeps the larger of its value and the tube's (no double density where segments of one tree meet; `weight` > 0).
 */
export function drawTube(
  field: Float32Array,
  w: number,
  h: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  r0: number,
  r1: number,
  weight: number,
  max = false,
): void {
  const rMax = Math.max(r0, r1) + 0.5;
  const xa = Math.max(0, Math.floor(Math.min(x0, x1) - rMax));
  const xb = Math.min(w - 1, Math.ceil(Math.max(x0, x1) + rMax));
  const ya = Math.max(0, Math.floor(Math.min(y0, y1) - rMax));
  const yb = Math.min(h - 1, Math.ceil(Math.max(y0, y1) + rMax));
  if (xa > xb || ya > yb) return;
  const dx = x1 - x0;
  const dy = y1 - y0;
  const len2 = dx * dx + dy * dy;
  const invLen2 = len2 > 1e-9 ? 1 / len2 : 0;
  for (let y = ya; y <= yb; y++) {
    const py = y + 0.5 - y0;
    const row = y * w;
    for (let x = xa; x <= xb; x++) {
      const px = x + 0.5 - x0;
      let t = (px * dx + py * dy) * invLen2;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = px - t * dx;
      const ey = py - t * dy;
      const r = r0 + (r1 - r0) * t;
      // Widen sub-pixel tubes to half a pixel, keeping their integral (area) constant.
      const re = r < 0.5 ? 0.5 : r;
      const q = re * re - (ex * ex + ey * ey);
      if (q <= 0) continue;
      const v = weight * 2 * Math.sqrt(q) * (r / re) * (r / re);
      if (!max) field[row + x] += v;
      else if (v > field[row + x]) field[row + x] = v;
    }
  }
}

/**
 * Adds a band that follows a curve `y = centre[x]` (one value per column, NaN where absent) with vertical half-thickness
 * `half[x]`, shaped like a bone in cross-section: `weight · (core·sqrt(1−u²) + cortex·exp(−((u−0.86)/0.11)²))`,
 * `u = |y − centre| / half`. `field` is `[h * w]`; edges are anti-aliased over one pixel.
 */
export function drawBand(
  field: Float32Array,
  w: number,
  h: number,
  centre: Float32Array,
  half: Float32Array,
  weight: number,
  core: number,
  cortex: number,
): void {
  for (let x = 0; x < w; x++) {
    const c = centre[x];
    const hv = half[x];
    if (!(hv > 0) || Number.isNaN(c)) continue;
    const ya = Math.max(0, Math.floor(c - hv - 1));
    const yb = Math.min(h - 1, Math.ceil(c + hv + 1));
    const inv = 1 / hv;
    for (let y = ya; y <= yb; y++) {
      const u = Math.abs(y + 0.5 - c) * inv;
      if (u >= 1 + inv) continue;
      const edge = u <= 1 ? 1 : 1 - (u - 1) * hv;
      const uu = u > 1 ? 1 : u;
      const cv = (uu - 0.86) / 0.11;
      field[y * w + x] += weight * edge * (core * Math.sqrt(1 - uu * uu) + cortex * Math.exp(-cv * cv));
    }
  }
}

/**
 * Samples `src` `[sh * sw]` into `dst` `[dh * dw]` through a rotation by `angle` radians about the centres, with `src`
 * larger than `dst` by a margin on each side (`(sw − dw) / 2`); bilinear, edges clamped.
 */
export function rotateInto(
  src: Float32Array,
  sw: number,
  sh: number,
  dst: Float32Array,
  dw: number,
  dh: number,
  angle: number,
): void {
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const scx = sw / 2;
  const scy = sh / 2;
  const dcx = dw / 2;
  const dcy = dh / 2;
  for (let y = 0; y < dh; y++) {
    const ry = y + 0.5 - dcy;
    for (let x = 0; x < dw; x++) {
      const rx = x + 0.5 - dcx;
      let sx = cos * rx - sin * ry + scx - 0.5;
      let sy = sin * rx + cos * ry + scy - 0.5;
      sx = sx < 0 ? 0 : sx > sw - 1.001 ? sw - 1.001 : sx;
      sy = sy < 0 ? 0 : sy > sh - 1.001 ? sh - 1.001 : sy;
      const ix = sx | 0;
      const iy = sy | 0;
      const fx = sx - ix;
      const fy = sy - iy;
      const i = iy * sw + ix;
      const top = src[i] + (src[i + 1] - src[i]) * fx;
      const bottom = src[i + sw] + (src[i + sw + 1] - src[i + sw]) * fx;
      dst[y * dw + x] = top + (bottom - top) * fy;
    }
  }
}

/** Quantises a float image `[n]` in [0, 1] to 8 bits (round half up, clamped), e.g. before `encodePng`. */
export function toUint8(image: Float32Array): Uint8Array {
  const out = new Uint8Array(image.length);
  for (let i = 0; i < image.length; i++) {
    const v = image[i] * 255 + 0.5;
    out[i] = v <= 0 ? 0 : v >= 255 ? 255 : v;
  }
  return out;
}
