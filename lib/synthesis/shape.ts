/**
 * Random lesion shapes for SAS: random points → convex hull → a cubic Bézier bulge on every hull edge → XOR of hull
 * and bulges → square dilation, rasterised by scanline polygon filling.
 *
 * XOR of the hull polygon with every bulge (the region between a hull edge and its Bézier curve) is, by parity, the
 * even-odd fill of the closed loop made of the Bézier curves alone (each straight hull edge is crossed twice and
 * cancels). The code fills that loop once, which is exact and cheaper than filling 1 + k polygons.
 * @module
 */
import type { Rng } from "../util/rng.ts";

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
 * The closed loop of cubic Bézier bulges around a polygon: each edge pᵢ → pᵢ₊₁ becomes the cubic from pᵢ to pᵢ₊₁ whose
 * two control points are the edge midpoint plus independent N(0, sigma²) offsets in x and y (4 normal draws per edge,
 * in edge order: c1.x, c1.y, c2.x, c2.y).
 * @param polygon `[h]` vertices (h ≥ 2)
 * @param samples line segments per curve @default 16
 * @returns `[2*h*samples]` interleaved x, y vertices of the closed loop
 */
export function bezierLoop(polygon: readonly Point[], rng: Rng, sigma = 8, samples = 16): Float64Array {
  const h = polygon.length;
  const out = new Float64Array(2 * h * samples);
  let o = 0;
  for (let i = 0; i < h; i++) {
    const a = polygon[i], b = polygon[(i + 1) % h];
    const mx = (a.x + b.x) / 2, my = (a.y + b.y) / 2;
    const c1x = mx + rng.normal(0, sigma), c1y = my + rng.normal(0, sigma);
    const c2x = mx + rng.normal(0, sigma), c2y = my + rng.normal(0, sigma);
    for (let s = 0; s < samples; s++) {
      const t = s / samples, u = 1 - t;
      const w0 = u * u * u, w1 = 3 * u * u * t, w2 = 3 * u * t * t, w3 = t * t * t;
      out[o++] = w0 * a.x + w1 * c1x + w2 * c2x + w3 * b.x;
      out[o++] = w0 * a.y + w1 * c1y + w2 * c2y + w3 * b.y;
    }
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
  /** Random points drawn in the w×h box. @default 10 */
  points?: number;
  /** Standard deviation of the Bézier control-point offsets, px. @default 8 */
  sigma?: number;
  /** Side of the square dilation. @default 5 */
  dilation?: number;
  /** Segments per Bézier curve. @default 16 */
  samples?: number;
}

/**
 * Rasterises one random lesion into `out`: `points` uniform points in the box [left, left+w) × [top, top+h) (x then y
 * per point), their convex hull, the Bézier-bulge loop (XOR of hull and bulges), then a square dilation.
 * @param out `[size*size]` zeroed mask; lesion pixels are set to 1
 * @returns bounding box of the lesion pixels, or null if none fell inside the image
 */
export function lesionShape(
  out: Uint8Array,
  size: number,
  left: number,
  top: number,
  w: number,
  h: number,
  rng: Rng,
  { points = 10, sigma = 8, dilation = 5, samples = 16 }: LesionShapeOptions = {},
): PixelBox | null {
  const pts: Point[] = [];
  for (let i = 0; i < points; i++) pts.push({ x: left + rng.next() * w, y: top + rng.next() * h });
  const hull = convexHull(pts);
  if (hull.length < 2) return null;
  const loop = bezierLoop(hull, rng, sigma, samples);
  const box = fillPolygon(loop, size, size, out);
  if (box === null) return null;
  return dilateSquare(out, size, size, box, dilation);
}
