/**
 * Findings: the benchmark's test anomalies. Each kind is drawn with FIXED parameter ranges (documented in
 * docs/benchmark.md) into the finding layers: `fill` (lung air replaced), `extra` (attenuation added), `ptx` (lung
 * markings absent) and `mask` (ground truth), all on the canvas `[C * C]`.
 *
 * They differ in kind from the training-time synthesis (SAS: a gamma change inside a random convex blob): they are
 * physical changes of the attenuation (air replaced by fluid, added tissue, missing lung), with their own shapes.
 * @module
 */
import type { Rng } from "../../util/mod.ts";
import { type Anatomy, type AnatomyParams, insideLung, type LungGeometry, type SideSign } from "./anatomy.ts";
import { NOISE_MASK, NOISE_SIZE, smoothNoise } from "./noise.ts";
import { clamp, drawTube, smoothstep } from "./raster.ts";
import type { FindingLayers } from "./render.ts";

/** Every finding kind, in the order used to spread them evenly over the abnormal images. */
export const FINDINGS = ["consolidation", "nodule", "effusion", "pneumothorax", "atelectasis", "cardiomegaly"] as const;
/** A finding kind. */
export type FindingKind = typeof FINDINGS[number];
/** A lung zone: thirds of the lung height from apex to costophrenic angle. */
export type Zone = "upper" | "middle" | "lower";
/** The zones, top to bottom. */
export const ZONES: readonly Zone[] = ["upper", "middle", "lower"];

/** Kind-specific facts that the report mentions. */
export interface FindingDetails {
  /** Consolidation: air bronchograms drawn. */
  bronchograms?: boolean;
  /** Nodule/mass: diameter in millimetres (nominal 35 cm field of view). */
  diameterMm?: number;
  /** Nodule/mass: margin. */
  margin?: "smooth" | "lobulated" | "spiculated";
  /** Effusion/pneumothorax: size grade. */
  severity?: "small" | "moderate" | "large";
  /** Atelectasis: hemidiaphragm raised by volume loss. */
  volumeLoss?: boolean;
  /** Cardiomegaly: measured cardiothoracic ratio. */
  ctr?: number;
}

/** A finding decided before the anatomy is built (some findings change the anatomy: heart size, dome height). */
export interface FindingPlan {
  kind: FindingKind;
  /** Image side of the lung involved (−1 image left, +1 image right); 0 for cardiomegaly. */
  side: SideSign | 0;
  /** Zone the finding is centred in when placed (the reported zone is measured from the mask). */
  zone: Zone;
  details: FindingDetails;
  /** Kind-specific numbers drawn up front, in [0, 1) or physical units (see each renderer). */
  values: number[];
}

/** Draws the plan for `kind` and applies its anatomical changes to `params` (mutated). */
export function planFinding(kind: FindingKind, rng: Rng, params: AnatomyParams): FindingPlan {
  const side: SideSign = rng.bernoulli(0.5) ? -1 : 1;
  switch (kind) {
    case "consolidation":
      return {
        kind,
        side,
        zone: rng.pick(ZONES),
        details: { bronchograms: rng.bernoulli(0.5) },
        // radius (fraction of S), fill density, number of lobules
        values: [rng.uniform(0.05, 0.1), rng.uniform(0.45, 0.8), rng.int(3, 6)],
      };
    case "nodule": {
      // Diameter log-uniform in 8–60 mm; ≥ 30 mm is a mass.
      const diameterMm = Math.exp(rng.uniform(Math.log(8), Math.log(60)));
      const mass = diameterMm >= 30;
      const margin = mass ? rng.pick(["lobulated", "spiculated"] as const) : rng.pick(["smooth", "lobulated"] as const);
      return { kind, side, zone: rng.pick(ZONES), details: { diameterMm, margin }, values: [rng.uniform(0.85, 1.1)] };
    }
    case "effusion": {
      const severity = rng.bernoulli(0.5) ? "small" : "moderate";
      // meniscus height (fraction of the lung height), lateral rise
      const h = severity === "small" ? rng.uniform(0.07, 0.13) : rng.uniform(0.15, 0.3);
      return { kind, side, zone: "lower", details: { severity }, values: [h, rng.uniform(0.5, 0.8)] };
    }
    case "pneumothorax": {
      const severity = rng.pick(["small", "moderate", "large"] as const);
      const gap = severity === "small"
        ? rng.uniform(0.018, 0.035)
        : severity === "moderate"
        ? rng.uniform(0.035, 0.06)
        : rng.uniform(0.06, 0.1);
      // apical gap (fraction of S), extent down the lateral wall (fraction of lung height)
      return { kind, side, zone: "upper", details: { severity }, values: [gap, rng.uniform(0.45, 0.9)] };
    }
    case "atelectasis": {
      const volumeLoss = rng.bernoulli(0.4);
      if (volumeLoss) params.domeElevation[side < 0 ? 0 : 1] += rng.uniform(0.012, 0.025);
      return {
        kind,
        side,
        zone: rng.pick(["middle", "lower"] as const),
        details: { volumeLoss },
        // length (fraction of S), thickness (fraction of S), angle (rad), bow, density
        values: [
          rng.uniform(0.08, 0.17),
          rng.uniform(0.006, 0.014),
          rng.uniform(-0.3, 0.3),
          rng.uniform(-0.15, 0.15),
          rng.uniform(0.55, 0.85),
        ],
      };
    }
    case "cardiomegaly":
      params.ctr = rng.uniform(0.55, 0.68);
      params.heartRightFrac = rng.uniform(0.32, 0.4);
      params.heartTop = rng.uniform(0.36, 0.44);
      return { kind, side: 0, zone: "middle", details: {}, values: [] };
  }
}

/** The lung on image side `side`. */
export function lungOf(anat: Anatomy, side: SideSign): LungGeometry {
  return side < 0 ? anat.lungs[0] : anat.lungs[1];
}

/** Zone of canvas row `y` in `lung` (thirds of apex → costophrenic angle; clamped). */
export function zoneOf(lung: LungGeometry, y: number): Zone {
  const t = (y - lung.apexY) / (lung.cpY - lung.apexY);
  return t < 1 / 3 ? "upper" : t < 2 / 3 ? "middle" : "lower";
}

/** A point inside `lung`, in `zone`, at least `inset` px from the lung edges (relaxed if the zone is too small). */
export function samplePoint(
  anat: Anatomy,
  lung: LungGeometry,
  zone: Zone,
  inset: number,
  rng: Rng,
): [number, number] {
  const z = ZONES.indexOf(zone);
  const lh = lung.cpY - lung.apexY;
  for (let attempt = 0; attempt < 400; attempt++) {
    const relax = attempt < 200 ? 1 : attempt < 300 ? 0.5 : 0;
    const y = lung.apexY + lh * rng.uniform(z / 3, (z + 1) / 3);
    const row = Math.max(0, Math.min(anat.canvas - 1, Math.floor(y)));
    if (!(lung.lat[row] > lung.med[row])) continue;
    const x = anat.cx + lung.side * rng.uniform(lung.med[row], lung.lat[row]);
    if (insideLung(anat, lung, x, y, inset * relax)) return [x, y];
  }
  // Fallback: the middle of the lung at mid-height.
  const row = Math.floor(lung.apexY + 0.5 * lh);
  return [anat.cx + lung.side * 0.5 * (lung.med[row] + lung.lat[row]), row + 0.5];
}

/** Renders `plan` into the finding layers, returning the final details (e.g. a measured CTR). */
export function renderFinding(
  plan: FindingPlan,
  anat: Anatomy,
  lungMask: Float32Array,
  heartMask: Float32Array,
  layers: FindingLayers,
  scratch: Float32Array,
  rng: Rng,
): FindingDetails {
  switch (plan.kind) {
    case "consolidation":
      renderConsolidation(plan, anat, lungMask, layers, scratch, rng);
      break;
    case "nodule":
      renderNodule(plan, anat, layers, rng);
      break;
    case "effusion":
      renderEffusion(plan, anat, lungMask, layers);
      break;
    case "pneumothorax":
      renderPneumothorax(plan, anat, lungMask, layers, scratch);
      break;
    case "atelectasis":
      renderAtelectasis(plan, anat, lungMask, layers, rng);
      break;
    case "cardiomegaly":
      renderCardiomegalyMask(anat, heartMask, layers);
      return { ctr: anat.heart.ctr };
  }
  return plan.details;
}

/** Patchy, fuzzy airspace opacity: lobules modulated by smooth noise, optionally with air bronchograms. */
function renderConsolidation(
  plan: FindingPlan,
  anat: Anatomy,
  lungMask: Float32Array,
  layers: FindingLayers,
  scratch: Float32Array,
  rng: Rng,
): void {
  const { canvas: C, size: S } = anat;
  const side = plan.side as SideSign;
  const lung = lungOf(anat, side);
  const [radiusFrac, density, lobules] = plan.values;
  const R = radiusFrac * S;
  const [x0, y0] = samplePoint(anat, lung, plan.zone, 0.5 * R, rng);
  const blobs: [number, number, number][] = [];
  for (let k = 0; k < lobules; k++) {
    const r = R * rng.uniform(0.45, 0.8);
    blobs.push([x0 + rng.normal(0, 0.45 * R), y0 + rng.normal(0, 0.4 * R), 1 / (2 * r * r)]);
  }
  const noise = smoothNoise();
  const ox = rng.int(0, NOISE_MASK);
  const oy = rng.int(0, NOISE_MASK);
  const step = 256 / S;
  const xa = Math.max(0, Math.floor(x0 - 2 * R));
  const xb = Math.min(C - 1, Math.ceil(x0 + 2 * R));
  const ya = Math.max(0, Math.floor(y0 - 2 * R));
  const yb = Math.min(C - 1, Math.ceil(y0 + 2 * R));
  // Air bronchograms: branching lucent tubes inside the opacity, drawn into `scratch` and subtracted from the fill.
  scratch.fill(0, ya * C, (yb + 1) * C);
  if (plan.details.bronchograms) {
    const hilumX = anat.cx + side * 0.25 * anat.hw;
    const hilumY = lung.apexY + 0.42 * (lung.cpY - lung.apexY);
    const base = Math.atan2(y0 - hilumY, x0 - hilumX);
    const grow = (x: number, y: number, a: number, len: number, r: number, depth: number) => {
      const nx = x + len * Math.cos(a);
      const ny = y + len * Math.sin(a);
      drawTube(scratch, C, C, x, y, nx, ny, r, r * 0.8, 1, true);
      if (depth < 2) {
        grow(nx, ny, a + rng.uniform(0.25, 0.5), len * 0.7, r * 0.8, depth + 1);
        grow(nx, ny, a - rng.uniform(0.25, 0.5), len * 0.7, r * 0.8, depth + 1);
      }
    };
    const sx = x0 - 0.6 * R * Math.cos(base);
    const sy = y0 - 0.6 * R * Math.sin(base);
    grow(sx, sy, base + rng.normal(0, 0.2), 0.55 * R, Math.max(0.7, 0.012 * S), 0);
  }
  const maskOut = layers.mask;
  for (let y = ya; y <= yb; y++) {
    const nrow = ((Math.floor(y * step) + oy) & NOISE_MASK) * NOISE_SIZE;
    for (let x = xa; x <= xb; x++) {
      const i = y * C + x;
      const lm = lungMask[i];
      if (lm <= 0) continue;
      let g = 0;
      for (const [bx, by, inv] of blobs) {
        const dx = x + 0.5 - bx;
        const dy = y + 0.5 - by;
        g += Math.exp(-(dx * dx + dy * dy) * inv);
      }
      const n = noise[nrow + ((Math.floor(x * step) + ox) & NOISE_MASK)];
      // Finer patches (the same texture at twice the frequency) make the opacity uneven inside.
      const n2 = noise[
        (((Math.floor(2 * y * step) + ox) & NOISE_MASK) * NOISE_SIZE) + ((Math.floor(2 * x * step) + oy) & NOISE_MASK)
      ];
      const op = smoothstep(0.15, 0.8, g * (0.75 + 0.45 * n)) * lm;
      if (op <= 0) continue;
      // Bronchograms keep their air; scratch holds a chord length in pixels, saturate it at ~1 px.
      const keep = 1 - 0.85 * Math.min(1, scratch[i]);
      const f = density * op * keep * (0.6 + 0.4 * clamp(0.5 + 0.5 * n2));
      if (f > layers.fill[i]) layers.fill[i] = f;
      if (op > 0.35 && lm > 0.5 && op > maskOut[i]) maskOut[i] = 1;
    }
  }
}

/** A round or lobulated soft-tissue nodule/mass (sphere chord), optionally spiculated. */
function renderNodule(plan: FindingPlan, anat: Anatomy, layers: FindingLayers, rng: Rng): void {
  const { canvas: C, pxCm } = anat;
  const side = plan.side as SideSign;
  const lung = lungOf(anat, side);
  const diameterMm = plan.details.diameterMm ?? 10;
  const [density] = plan.values;
  const r = diameterMm / 10 / 2 / pxCm;
  const [x0, y0] = samplePoint(anat, lung, plan.zone, r + 2, rng);
  const lobe = plan.details.margin === "smooth" ? 0.03 : 0.09;
  const harmonics: [number, number, number][] = [];
  for (let k = 2; k <= 5; k++) harmonics.push([k, rng.uniform(0, lobe), rng.uniform(0, 2 * Math.PI)]);
  const reach = r * (1 + 4 * lobe) + 2;
  const xa = Math.max(0, Math.floor(x0 - reach));
  const xb = Math.min(C - 1, Math.ceil(x0 + reach));
  const ya = Math.max(0, Math.floor(y0 - reach));
  const yb = Math.min(C - 1, Math.ceil(y0 + reach));
  const w = 0.9 * density * pxCm;
  for (let y = ya; y <= yb; y++) {
    for (let x = xa; x <= xb; x++) {
      const dx = x + 0.5 - x0;
      const dy = y + 0.5 - y0;
      const th = Math.atan2(dy, dx);
      let rr = r;
      for (const [k, a, ph] of harmonics) rr += r * a * Math.cos(k * th + ph);
      const rho2 = dx * dx + dy * dy;
      const re = Math.max(rr, 0.5);
      const q = re * re - rho2;
      const i = y * C + x;
      // Anti-aliased edge over half a pixel beyond the rim.
      const edge = clamp(re + 0.5 - Math.sqrt(rho2));
      if (edge <= 0) continue;
      layers.extra[i] += w * 2 * Math.sqrt(Math.max(q, 0) + 0.25) * edge;
      if (rho2 <= rr * rr) layers.mask[i] = 1;
    }
  }
  if (plan.details.margin === "spiculated") {
    const n = rng.int(5, 9);
    for (let k = 0; k < n; k++) {
      const a = rng.uniform(0, 2 * Math.PI);
      const len = r * rng.uniform(0.3, 0.7);
      const sx = x0 + r * 0.9 * Math.cos(a);
      const sy = y0 + r * 0.9 * Math.sin(a);
      drawTube(layers.extra, C, C, sx, sy, sx + len * Math.cos(a), sy + len * Math.sin(a), 0.6, 0.3, w * 0.8);
    }
  }
}

/** Pleural effusion: dependent fluid with a meniscus (higher laterally), blunting the angle and hiding the dome. */
function renderEffusion(plan: FindingPlan, anat: Anatomy, lungMask: Float32Array, layers: FindingLayers): void {
  const { canvas: C, cx, hw, size: S } = anat;
  const side = plan.side as SideSign;
  const lung = lungOf(anat, side);
  const [heightFrac, rise] = plan.values;
  const h = heightFrac * (lung.cpY - lung.apexY);
  const soft = 0.035 * S;
  for (let x = 0; x < C; x++) {
    const dx = (x + 0.5 - cx) * side;
    if (dx <= 0) continue;
    const pl = clamp((dx - 0.15 * hw) / (0.85 * hw));
    // Meniscus: lowest medially, climbing the lateral wall.
    const surface = lung.cpY - h * (1 - rise + rise * Math.pow(pl, 1.6));
    const ya = Math.max(0, Math.floor(surface - soft));
    for (let y = ya; y < C; y++) {
      const i = y * C + x;
      const lm = lungMask[i];
      if (lm <= 0) continue;
      const depth = smoothstep(-0.4 * soft, soft, y + 0.5 - surface);
      const f = 0.95 * depth;
      if (f > layers.fill[i]) layers.fill[i] = f;
      if (depth > 0.3 && lm > 0.5) layers.mask[i] = 1;
    }
  }
}

/** Pneumothorax: the lung edge retracts from the apex and lateral wall; no markings beyond a thin pleural line. */
function renderPneumothorax(
  plan: FindingPlan,
  anat: Anatomy,
  lungMask: Float32Array,
  layers: FindingLayers,
  scratch: Float32Array,
): void {
  const { canvas: C, cx, size: S, pxCm } = anat;
  const side = plan.side as SideSign;
  const lung = lungOf(anat, side);
  const [gapFrac, extent] = plan.values;
  const g0 = gapFrac * S;
  const lh = lung.cpY - lung.apexY;
  const gapAt = (y: number) => {
    const t = (y - lung.apexY) / lh;
    return t >= extent ? 0 : g0 * Math.pow(1 - Math.max(t, 0) / extent, 0.6);
  };
  // Pleural line along the collapsed lung's edge.
  scratch.fill(0);
  let prev: [number, number] | null = null;
  let topPoint: [number, number] | null = null;
  for (let y = Math.floor(lung.apexY); y < C; y++) {
    const py = y + 0.5;
    const g = gapAt(py);
    if (g < 0.5 && prev) break;
    const edge = lung.lat[y] - g;
    if (!(edge > lung.med[y] + 1)) {
      prev = null;
      continue;
    }
    const pt: [number, number] = [cx + side * edge, py];
    topPoint ??= [cx + side * (lung.med[y] + 1), py];
    if (prev) drawTube(scratch, C, C, prev[0], prev[1], pt[0], pt[1], 0.45 * S / 256, 0.45 * S / 256, 1, true);
    else if (topPoint) drawTube(scratch, C, C, topPoint[0], py, pt[0], py, 0.45 * S / 256, 0.45 * S / 256, 1, true);
    prev = pt;
  }
  const lineWeight = 14 * pxCm;
  for (let y = 0; y < C; y++) {
    const py = y + 0.5;
    const g = gapAt(py);
    const row = y * C;
    for (let x = 0; x < C; x++) {
      const i = row + x;
      if (scratch[i] > 0) layers.extra[i] += lineWeight * scratch[i] * lungMask[i];
      if (g <= 0) continue;
      const dx = (x + 0.5 - cx) * side;
      if (dx <= 0) continue;
      const lm = lungMask[i];
      if (lm <= 0) continue;
      const inGap = clamp(dx - (lung.lat[y] - g) + 0.5);
      // Near the apex the whole row can lie inside the gap (collapsed lung's top below it).
      const p = lung.lat[y] - g <= lung.med[y] + 1 ? 1 : inGap;
      if (p <= 0) continue;
      layers.ptx[i] = Math.max(layers.ptx[i], p);
      if (p >= 0.5 && lm > 0.5) layers.mask[i] = 1;
    }
  }
}

/** Plate-like (discoid) atelectasis: a thin, slightly bowed, near-horizontal band of collapsed lung. */
function renderAtelectasis(
  plan: FindingPlan,
  anat: Anatomy,
  lungMask: Float32Array,
  layers: FindingLayers,
  rng: Rng,
): void {
  const { canvas: C, size: S } = anat;
  const side = plan.side as SideSign;
  const lung = lungOf(anat, side);
  const [lenFrac, thickFrac, angle, bow, density] = plan.values;
  const L = lenFrac * S;
  const half = Math.max(0.6, 0.5 * thickFrac * S);
  const [x0, y0] = samplePoint(anat, lung, plan.zone, 0.35 * L, rng);
  const ca = Math.cos(angle);
  const sa = Math.sin(angle);
  const reach = 0.5 * L + half + Math.abs(bow) * L + 2;
  const xa = Math.max(0, Math.floor(x0 - reach));
  const xb = Math.min(C - 1, Math.ceil(x0 + reach));
  const ya = Math.max(0, Math.floor(y0 - reach));
  const yb = Math.min(C - 1, Math.ceil(y0 + reach));
  for (let y = ya; y <= yb; y++) {
    for (let x = xa; x <= xb; x++) {
      const dx = x + 0.5 - x0;
      const dy = y + 0.5 - y0;
      const u = (dx * ca + dy * sa) / (0.5 * L); // along the band, −1…1
      if (u < -1.1 || u > 1.1) continue;
      const v = -dx * sa + dy * ca - bow * L * (1 - u * u); // across, pixels from the bowed centre line
      const taper = half * Math.sqrt(Math.max(0, 1 - Math.pow(Math.abs(u), 4)));
      const op = clamp(taper - Math.abs(v) + 0.5);
      if (op <= 0) continue;
      const i = y * C + x;
      const lm = lungMask[i];
      const f = density * op * lm;
      if (f > layers.fill[i]) layers.fill[i] = f;
      if (op >= 0.5 && lm > 0.5) layers.mask[i] = 1;
    }
  }
}

/** Cardiomegaly's mask: the cardiac silhouette above the domes. */
function renderCardiomegalyMask(anat: Anatomy, heartMask: Float32Array, layers: FindingLayers): void {
  const { canvas: C, cx } = anat;
  for (let y = 0; y < C; y++) {
    const py = y + 0.5;
    for (let x = 0; x < C; x++) {
      const i = y * C + x;
      if (heartMask[i] < 0.5) continue;
      const lung = x + 0.5 < cx ? anat.lungs[0] : anat.lungs[1];
      if (py < lung.dome[x]) layers.mask[i] = 1;
    }
  }
}
