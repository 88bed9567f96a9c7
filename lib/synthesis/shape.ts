/**
 * Random lesion shapes for SAS, as the release (`ppad_clip/datasets/mask_generate_anomaly.py`, `mask_generate`) draws
 * them: random integer points → convex hull → a cubic Bézier bulge on every hull edge → hull XOR (union of bulges) →
 * 5×5 dilation, on a max(w, h)² canvas, rasterised by scanline polygon filling.
 * @module
 */
import type { Rng } from "../util/mod.ts";

/** A 2-D point in pixel coordinates (x = column, y = row; pixel (c, r) has its centre at (c + 0.5, r + 0.5)). */
export interface Point {
  x: number;
  y: number;
}

/** An inclusive integer pixel box. */
export interface PixelBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

function _cross(o: Point, a: Point, b: Point): number {
  return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

/**
 * Convex hull by Andrew's monotone chain, without collinear points, counter-clockwise in (x, y) axes.
 * @param points `[n]` points (any order, duplicates allowed)
 * @returns `[h]` hull vertices, h ≤ n (1 or 2 for degenerate input)
 */
export function convexHull(points: readonly Point[]): Point[] {
  const p = points.slice().sort((a, b) => a.x - b.x || a.y - b.y);
  if (p.length <= 2) return p;
  const lower: Point[] = [], upper: Point[] = [];
  for (const q of p) {
    while (lower.length >= 2 && _cross(lower[lower.length - 2], lower[lower.length - 1], q) <= 0) lower.pop();
    lower.push(q);
  }
  for (let i = p.length - 1; i >= 0; i--) {
    const q = p[i];
    while (upper.length >= 2 && _cross(upper[upper.length - 2], upper[upper.length - 1], q) <= 0) upper.pop();
    upper.push(q);
  }
  lower.pop();
  upper.pop();
  return lower.concat(upper);
}

/**
 * One cubic Bézier bulge on the segment a → b, as the release draws it: both control points are the segment's midpoint
 * plus independent N(0, sigma²) offsets (4 normal draws: c1.x, c1.y, c2.x, c2.y), sampled at `samples` values of t
 * evenly spaced over [0, 1] (ends included, as `np.linspace(0, 1, 100)`). Closed by the chord b → a, the samples form
 * the bulge polygon.
 * @param samples curve samples @default 100
 * @returns `[2*samples]` interleaved x, y vertices from a to b
 */
export function bezierBulge(a: Point, b: Point, rng: Rng, sigma = 8, samples = 100): Float64Array {
  const out = new Float64Array(2 * samples);
  const mx = (a.x + b.x) / 2, my = (a.y + b.y) / 2;
  const c1x = mx + rng.normal(0, sigma), c1y = my + rng.normal(0, sigma);
  const c2x = mx + rng.normal(0, sigma), c2y = my + rng.normal(0, sigma);
  for (let s = 0, o = 0; s < samples; s++) {
    const t = samples > 1 ? s / (samples - 1) : 0, u = 1 - t;
    const w1 = 3 * u * u * t, w2 = 3 * u * t * t, w3 = t * t * t;
    // The Bernstein form relative to a (the weights sum to 1): exact on a straight chord, where the absolute form
    // w0·a + … + w3·b wobbles by an ulp and could fill slivers.
    out[o++] = a.x + w1 * (c1x - a.x) + w2 * (c2x - a.x) + w3 * (b.x - a.x);
    out[o++] = a.y + w1 * (c1y - a.y) + w2 * (c2y - a.y) + w3 * (b.y - a.y);
  }
  return out;
}

/**
 * Even-odd scanline fill of a closed polygon: sets to 1 every pixel whose centre (c + 0.5, r + 0.5) is inside by the
 * even-odd rule. Pixels outside the image are clipped.
 * @param poly `[2*k]` interleaved x, y vertices (closed implicitly)
 * @param out `[height*width]` mask; inside pixels are set to 1, others left as they are
 * @param xs scratch for crossings, length ≥ k
 * @returns the filled rows' bounding box, or null when nothing was filled
 */
export function fillPolygon(
  poly: Float64Array,
  width: number,
  height: number,
  out: Uint8Array,
  xs: Float64Array = new Float64Array(poly.length / 2),
): PixelBox | null {
  const k = poly.length / 2;
  let ymin = Infinity, ymax = -Infinity;
  for (let i = 0; i < k; i++) {
    const y = poly[2 * i + 1];
    if (y < ymin) ymin = y;
    if (y > ymax) ymax = y;
  }
  const r0 = Math.max(0, Math.ceil(ymin - 0.5)), r1 = Math.min(height - 1, Math.floor(ymax - 0.5));
  let box: PixelBox | null = null;
  for (let r = r0; r <= r1; r++) {
    const yc = r + 0.5;
    let n = 0;
    for (let i = 0, j = k - 1; i < k; j = i++) {
      const yi = poly[2 * i + 1], yj = poly[2 * j + 1];
      // Half-open rule: an edge counts when yc is in [min, max), so shared vertices are counted once.
      if ((yi <= yc) !== (yj <= yc)) {
        const xi = poly[2 * i], xj = poly[2 * j];
        xs[n++] = xi + ((yc - yi) * (xj - xi)) / (yj - yi);
      }
    }
    if (n < 2) continue;
    // Insertion sort: n is small.
    for (let a = 1; a < n; a++) {
      const v = xs[a];
      let b = a - 1;
      while (b >= 0 && xs[b] > v) {
        xs[b + 1] = xs[b];
        b--;
      }
      xs[b + 1] = v;
    }
    const row = r * width;
    for (let p = 0; p + 1 < n; p += 2) {
      const c0 = Math.max(0, Math.ceil(xs[p] - 0.5)), c1 = Math.min(width - 1, Math.ceil(xs[p + 1] - 0.5) - 1);
      if (c1 < c0) continue;
      out.fill(1, row + c0, row + c1 + 1);
      if (box === null) box = { x0: c0, y0: r, x1: c1, y1: r };
      else {
        if (c0 < box.x0) box.x0 = c0;
        if (c1 > box.x1) box.x1 = c1;
        box.y1 = r;
      }
    }
  }
  return box;
}

/**
 * Binary dilation by a k×k square (k odd), separable, restricted to `box` grown by k/2 (and clipped to the image).
 * @param mask `[height*width]` 0/1, modified in place
 * @param box the bounding box of the 1s in `mask`
 * @returns the grown bounding box
 */
export function dilateSquare(mask: Uint8Array, width: number, height: number, box: PixelBox, k = 5): PixelBox {
  const r = (k - 1) >> 1;
  if (r <= 0) return { ...box };
  const g: PixelBox = {
    x0: Math.max(0, box.x0 - r),
    y0: Math.max(0, box.y0 - r),
    x1: Math.min(width - 1, box.x1 + r),
    y1: Math.min(height - 1, box.y1 + r),
  };
  const bw = g.x1 - g.x0 + 1, bh = g.y1 - g.y0 + 1;
  const tmp = new Uint8Array(bw * bh);
  // Horizontal pass into tmp (running count of 1s in the window).
  for (let y = 0; y < bh; y++) {
    const row = (g.y0 + y) * width;
    let count = 0;
    for (let x = g.x0 - r; x < g.x0 + r && x <= g.x1; x++) if (x >= g.x0 && mask[row + x]) count++;
    for (let x = 0; x < bw; x++) {
      const add = g.x0 + x + r, drop = g.x0 + x - r - 1;
      if (add <= g.x1 && mask[row + add]) count++;
      if (drop >= g.x0 && mask[row + drop]) count--;
      tmp[y * bw + x] = count > 0 ? 1 : 0;
    }
  }
  // Vertical pass back into mask.
  for (let x = 0; x < bw; x++) {
    let count = 0;
    for (let y = -r; y < r && y < bh; y++) if (y >= 0 && tmp[y * bw + x]) count++;
    for (let y = 0; y < bh; y++) {
      const add = y + r, drop = y - r - 1;
      if (add < bh && tmp[add * bw + x]) count++;
      if (drop >= 0 && tmp[drop * bw + x]) count--;
      mask[(g.y0 + y) * width + g.x0 + x] = count > 0 ? 1 : 0;
    }
  }
  return g;
}

/** Parameters of {@link lesionShape}. */
export interface LesionShapeOptions {
  /** Random integer points drawn in the w×h box. @default 10 */
  points?: number;
  /** Standard deviation of the Bézier control-point offsets, px. @default 8 */
  sigma?: number;
  /** Side of the square dilation. @default 5 */
  dilation?: number;
  /** Samples per Bézier curve. @default 100 */
  samples?: number;
}

/** A lesion drawn on its own square canvas (see {@link lesionShape}). */
export interface LesionCanvas {
  /** Canvas side S = max(w, h). */
  side: number;
  /** `[side*side]` row-major 0/1 lesion mask. */
  mask: Uint8Array;
}

/**
 * One random lesion as the release's `mask_generate((w, h), 10)` draws it, on a max(w, h)² canvas: `points` integer
 * points, x uniform in [0, w) (canvas column) then y uniform in [0, h) (canvas row) per point; their convex hull
 * (mask1, pixel (c, r) inside when the point (c, r) is); a cubic Bézier bulge on every hull edge (mask2, the union of
 * the bulge polygons); mask1 XOR mask2; a square dilation clipped to the canvas. So the lesion sits in the canvas's
 * top-left w×h part (bulges and dilation reach a little beyond), and the canvas is what gets placed in the image.
 * Pixel (c, r) is tested at the integer point (c, r) as the release does; points exactly on a polygon edge count as
 * inside on its low side and outside on its high side (the release leaves them to matplotlib's floating point).
 * @param w box width (canvas columns), ≥ 1
 * @param h box height (canvas rows), ≥ 1
 * @returns the canvas, or null when the points are collinear (the release's Qhull would raise) or nothing is filled
 */
export function lesionShape(
  w: number,
  h: number,
  rng: Rng,
  { points = 10, sigma = 8, dilation = 5, samples = 100 }: LesionShapeOptions = {},
): LesionCanvas | null {
  const side = Math.max(w, h);
  const pts: Point[] = [];
  for (let i = 0; i < points; i++) {
    const x = rng.int(0, w - 1);
    pts.push({ x, y: rng.int(0, h - 1) });
  }
  const hull = convexHull(pts);
  if (hull.length < 3) return null;
  // fillPolygon tests pixel centres (c + 0.5, r + 0.5): shifting every vertex by +0.5 tests the integer point (c, r).
  const shift = (poly: Float64Array) => {
    for (let i = 0; i < poly.length; i++) poly[i] += 0.5;
    return poly;
  };
  const hullMask = new Uint8Array(side * side);
  fillPolygon(shift(Float64Array.from(hull.flatMap((p) => [p.x, p.y]))), side, side, hullMask);
  const bulges = new Uint8Array(side * side);
  const xs = new Float64Array(samples);
  for (let e = 0; e < hull.length; e++) {
    fillPolygon(shift(bezierBulge(hull[e], hull[(e + 1) % hull.length], rng, sigma, samples)), side, side, bulges, xs);
  }
  const mask = new Uint8Array(side * side);
  let box: PixelBox | null = null;
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      const i = r * side + c;
      if (!(hullMask[i] ^ bulges[i])) continue;
      mask[i] = 1;
      if (box === null) box = { x0: c, y0: r, x1: c, y1: r };
      else {
        if (c < box.x0) box.x0 = c;
        if (c > box.x1) box.x1 = c;
        box.y1 = r;
      }
    }
  }
  if (box === null) return null;
  dilateSquare(mask, side, side, box, dilation);
  return { side, mask };
}
