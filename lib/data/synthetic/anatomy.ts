/**
 * Procedural anatomy of a frontal (PA) chest radiograph: patient parameters drawn from an `Rng`, the geometry they
 * define (lung fields, domes, heart, ribs, spine, clavicles) and its rendering into attenuation rasters.
 *
 * Units: positions are canvas pixels (the output image plus a margin on each side, so a final rotation never samples
 * outside); attenuation is in "water-equivalent centimetres" (about 20 through the mediastinum). The displayed image
 * is a window of the total attenuation, as in a processed digital radiograph (bright = more attenuation).
 *
 * Sides: `side = −1` is the IMAGE left (the patient's right), `side = +1` the image right (the patient's left).
 * @module
 */
import type { Rng } from "../../util/mod.ts";
import { clamp, drawBand, drawTube, smoothstep } from "./raster.ts";
import { fineNoise, NOISE_MASK, NOISE_SIZE, smoothNoise } from "./noise.ts";

/** Image side of a lung: −1 = image left (patient's right), +1 = image right (patient's left). */
export type SideSign = -1 | 1;

/** Patient and acquisition parameters, as fractions of the output size `S` unless stated. */
export interface AnatomyParams {
  /** Thorax midline, fraction of the width. */
  cx: number;
  /** Inner half-width of the rib cage at its widest (patient size / magnification). */
  hw: number;
  /** Row of the lung apices. */
  apexY: number;
  /** Inspiration depth in [0, 1]: deeper → taller lungs, lower domes. */
  inspiration: number;
  /** Apex → costophrenic angle height of the image-right lung. */
  lungHeight: number;
  /** How much higher the image-left (patient right) hemidiaphragm sits. */
  rightDomeRise: number;
  /** Extra elevation of each hemidiaphragm [image left, image right] (volume loss; 0 in normals). */
  domeElevation: [number, number];
  /** Dome height (top of dome above the costophrenic angle), fraction of the lung height, per side [image left, image right]. */
  domeHeight: [number, number];
  /** Dome peak position, fraction of `hw` from the midline, per side. */
  domePeak: [number, number];
  /** Cardiothoracic ratio: heart width / inner thoracic width. */
  ctr: number;
  /** Fraction of the heart's width on the image-left of the midline (the right atrial border). */
  heartRightFrac: number;
  /** Convexity of the left ventricular border (exponent; smaller = rounder). */
  heartRound: number;
  /** Top of the heart's left border, fraction of the lung height below the apex. */
  heartTop: number;
  /** Aortic knob prominence, fraction of `hw`. */
  knob: number;
  /** Soft-tissue thickness outside the rib cage, fraction of `hw`. */
  fat: number;
  /** Body AP depth (attenuation units). */
  bodyDepth: number;
  /** Lung air depth (attenuation units removed at full lung thickness). */
  lungDepth: number;
  /** Posterior rib pitch, fraction of the lung height. */
  ribPitch: number;
  /** Posterior rib half-thickness. */
  ribHalf: number;
  /** Bone density multiplier. */
  boneDensity: number;
  /** Vessel prominence multiplier. */
  vessels: number;
  /** Spinous-process offset from the midline (patient rotation about the vertical axis). */
  spineOffset: number;
  /** In-plane rotation, radians. */
  angle: number;
  /** Clavicle medial-end height below the apex, fraction of the lung height. */
  clavicleDrop: number;
  /** Gastric air bubble under the image-right dome: depth (0 = none). */
  gastric: number;
  /** Breast/pectoral soft-tissue shadow over the lower zones: depth (0 = none). */
  breast: number;
  /** Acquisition: system blur σ, fraction of S/256 pixels. */
  blur: number;
  /** Acquisition: quantum noise σ (display units). */
  noise: number;
  /** Acquisition: dynamic-range compression (unsharp-mask strength of the large-scale component). */
  compression: number;
  /** Acquisition: small-scale detail enhancement (unsharp mask, σ = 2 px at 256²). */
  detail: number;
  /** Acquisition: display gamma (contrast). */
  gamma: number;
  /** Acquisition: window shifts (exposure), display units. */
  windowLow: number;
  windowHigh: number;
  /** Offsets into the precomputed noise textures: [white x, white y, grain x, grain y, texture x, texture y]. */
  noiseOffset: [number, number, number, number, number, number];
}

/** Draws a patient: every parameter in a documented normal range (see docs/benchmark.md). */
export function sampleAnatomyParams(rng: Rng): AnatomyParams {
  const hw = rng.uniform(0.33, 0.4);
  const inspiration = rng.uniform(0, 1);
  const apexY = rng.uniform(0.09, 0.15);
  const lungHeight = Math.min(hw * (1.42 + 0.3 * inspiration), 0.86 - apexY);
  return {
    cx: 0.5 + clamp(rng.normal(0, 0.012), -0.035, 0.035),
    hw,
    apexY,
    inspiration,
    lungHeight,
    rightDomeRise: rng.uniform(0.005, 0.03),
    domeElevation: [0, 0],
    domeHeight: [rng.uniform(0.13, 0.21), rng.uniform(0.12, 0.2)],
    domePeak: [rng.uniform(0.42, 0.55), rng.uniform(0.45, 0.58)],
    ctr: rng.uniform(0.38, 0.49),
    heartRightFrac: rng.uniform(0.3, 0.38),
    heartRound: rng.uniform(0.6, 1.1),
    heartTop: rng.uniform(0.4, 0.48),
    knob: rng.uniform(0.07, 0.13),
    fat: rng.uniform(0.05, 0.2),
    bodyDepth: rng.uniform(19, 23),
    lungDepth: rng.uniform(11, 13),
    ribPitch: rng.uniform(0.095, 0.108),
    ribHalf: rng.uniform(0.0095, 0.0125),
    boneDensity: rng.uniform(0.85, 1.15),
    vessels: rng.uniform(0.8, 1.2),
    spineOffset: clamp(rng.normal(0, 0.006), -0.015, 0.015),
    angle: clamp(rng.normal(0, 0.02), -0.05, 0.05),
    clavicleDrop: rng.uniform(0.08, 0.18),
    gastric: rng.bernoulli(0.7) ? rng.uniform(1.5, 4) : 0,
    breast: rng.bernoulli(0.35) ? rng.uniform(1, 3) : 0,
    blur: rng.uniform(0.45, 1.0),
    noise: rng.uniform(0.006, 0.02),
    compression: rng.uniform(0.05, 0.3),
    detail: rng.uniform(0.3, 0.9),
    gamma: rng.uniform(1.15, 1.45),
    windowLow: rng.uniform(-0.04, 0.05),
    windowHigh: rng.uniform(-0.05, 0.04),
    noiseOffset: [rng.int(0, 511), rng.int(0, 511), rng.int(0, 511), rng.int(0, 511), rng.int(0, 511), rng.int(0, 511)],
  };
}

/** One lung field in canvas pixels. Row/column tables cover the whole canvas. */
export interface LungGeometry {
  side: SideSign;
  /** Apex row. */
  apexY: number;
  /** Costophrenic-angle row (lowest point of the lung). */
  cpY: number;
  /** Dome top row. */
  domeTopY: number;
  /** Per canvas row `[C]`: distance from the midline of the lateral edge (−1 where no lung). */
  lat: Float32Array;
  /** Per canvas row `[C]`: distance from the midline of the medial edge. */
  med: Float32Array;
  /** Per canvas column `[C]`: row of the dome (the lung's lower boundary); −1 on the other side. */
  dome: Float32Array;
}

/** The cardiac silhouette, canvas pixels: per-row borders below its top row. */
export interface HeartGeometry {
  /** Row where the left (image-right) ventricular border leaves the mediastinum. */
  top: number;
  /** Per canvas row `[C]`: x of the image-left (right atrial) border; equal to `rightX` where there is no heart. */
  leftX: Float32Array;
  /** Per canvas row `[C]`: x of the image-right (left ventricular) border. */
  rightX: Float32Array;
  /** Horizontal extent of the visible silhouette (above the domes). */
  left: number;
  right: number;
  /** Measured cardiothoracic ratio: `(right − left) / 2hw`. */
  ctr: number;
}

/** Nominal field of view of the output image, centimetres (a square crop of a 35 × 43 cm detector). */
export const FIELD_CM = 35;

/** Built geometry for one image. */
export interface Anatomy {
  params: AnatomyParams;
  /** Output size S. */
  size: number;
  /** Margin on each side of the canvas. */
  margin: number;
  /** Canvas side C = S + 2·margin. */
  canvas: number;
  /** Centimetres per pixel (`FIELD_CM / S`): converts tube chords in pixels into attenuation units. */
  pxCm: number;
  /** Midline column. */
  cx: number;
  /** Rib-cage inner half-width, pixels. */
  hw: number;
  /** Apex row. */
  apexY: number;
  /** Lungs: [image left, image right]. */
  lungs: [LungGeometry, LungGeometry];
  heart: HeartGeometry;
  /** Posterior rib pitch, pixels. */
  ribPitch: number;
  /** Spine (spinous-process line) column. */
  spineX: number;
}

/** Quarter-ellipse ease: 0 → 0, 1 → 1, vertical tangent at 0, horizontal at 1. */
function ease(u: number): number {
  const v = clamp(u);
  return Math.sqrt(1 - (1 - v) * (1 - v));
}

function gauss(z: number): number {
  return Math.exp(-z * z);
}

/** Builds canvas-pixel geometry for output size `size` from `params`. */
export function buildAnatomy(params: AnatomyParams, size: number): Anatomy {
  const S = size;
  const margin = Math.max(2, Math.round(0.06 * S));
  const C = S + 2 * margin;
  const cx = margin + params.cx * S;
  const hw = params.hw * S;
  const apexY = margin + params.apexY * S;
  const cpRight = apexY + params.lungHeight * S;
  const cpLeft = cpRight - params.rightDomeRise * S;
  const lungs = [-1, 1].map((s, k) => {
    const side = s as SideSign;
    const cpY = (k === 0 ? cpLeft : cpRight) - params.domeElevation[k] * S;
    const lh = cpY - apexY;
    const dh = params.domeHeight[k] * lh;
    const domeTopY = cpY - dh;
    const xp = params.domePeak[k] * hw;
    const lat = new Float32Array(C).fill(-1);
    const med = new Float32Array(C).fill(1e9);
    const xa = 0.5 * hw;
    for (let y = 0; y < C; y++) {
      const t = (y + 0.5 - apexY) / lh;
      if (t <= 0) continue;
      const taper = t > 0.75 ? 0.025 * hw * ((t - 0.75) / 0.25) ** 2 : 0;
      lat[y] = xa + (hw - xa) * ease(t / 0.72) - taper;
      const mw = side < 0
        ? hw * (0.19 - 0.03 * smoothstep(0.3, 0.6, t))
        : hw * (0.15 + params.knob * gauss((t - 0.2) / 0.075) + 0.06 * gauss((t - 0.36) / 0.06));
      med[y] = xa - (xa - mw) * ease(t / 0.17);
    }
    const dome = new Float32Array(C).fill(-1);
    for (let x = 0; x < C; x++) {
      const dx = x + 0.5 - cx;
      if (Math.sign(dx) !== side) continue;
      const ad = Math.abs(dx);
      dome[x] = ad >= xp ? domeTopY + dh * ((ad - xp) / (hw - xp)) ** 2 : domeTopY + 0.28 * dh * ((xp - ad) / xp) ** 2;
    }
    return { side, apexY, cpY, domeTopY, lat, med, dome } satisfies LungGeometry;
  }) as [LungGeometry, LungGeometry];

  // Heart: per-row borders. The left ventricular border (image right) leaves the mediastinum at `heartTop` and bulges
  // out to its full width just above the dome; the right atrial border (image left) bulges from lower down and tucks
  // back in towards the inferior vena cava. Width = CTR · 2hw, split by `heartRightFrac`.
  const domeAt = (x: number) => {
    const col = Math.max(0, Math.min(C - 1, Math.floor(x)));
    return x < cx ? lungs[0].dome[col] : lungs[1].dome[col];
  };
  const W = params.ctr * 2 * hw;
  const WR = params.heartRightFrac * W;
  const WL = W - WR;
  const m0 = 0.1 * hw;
  const lh1 = lungs[1].cpY - apexY;
  const top = apexY + params.heartTop * lh1;
  const base = top + (domeAt(cx + WL) - top) / 0.9;
  const topR = top + 0.2 * (base - top);
  const leftX = new Float32Array(C).fill(cx);
  const rightX = new Float32Array(C).fill(cx);
  let left = cx;
  let right = cx;
  for (let y = 0; y < C; y++) {
    const py = y + 0.5;
    if (py < top) continue;
    const u = (py - top) / (base - top);
    const xr = cx + m0 + (WL - m0) * Math.pow(Math.sin((Math.PI / 2) * Math.min(1, u / 0.8)), params.heartRound);
    const uR = Math.max(0, (py - topR) / (base - topR));
    const bulge = Math.pow(Math.sin((Math.PI / 2) * Math.min(1, uR / 0.55)), 0.8) -
      (uR > 0.55 ? 0.15 * ((Math.min(uR, 1.3) - 0.55) / 0.45) ** 2 : 0);
    const xl = cx - (m0 + (WR - m0) * bulge);
    leftX[y] = xl;
    rightX[y] = xr;
    if (py < domeAt(xl) && xl < left) left = xl;
    if (py < domeAt(xr) && xr > right) right = xr;
  }
  const heart: HeartGeometry = { top, leftX, rightX, left, right, ctr: (right - left) / (2 * hw) };
  return {
    params,
    size: S,
    margin,
    canvas: C,
    pxCm: FIELD_CM / S,
    cx,
    hw,
    apexY,
    lungs,
    heart,
    ribPitch: params.ribPitch * params.lungHeight * S,
    spineX: cx + params.spineOffset * S,
  };
}

/** True when canvas point `(x, y)` lies inside lung `lung` at least `inset` pixels from its edges. */
export function insideLung(anat: Anatomy, lung: LungGeometry, x: number, y: number, inset = 0): boolean {
  const dx = x - anat.cx;
  if (Math.sign(dx) !== lung.side) return false;
  const row = Math.floor(y);
  const col = Math.floor(x);
  if (row < 0 || row >= anat.canvas || col < 0 || col >= anat.canvas) return false;
  const ad = Math.abs(dx);
  return ad - lung.med[row] > inset && lung.lat[row] - ad > inset && lung.dome[col] - y > inset &&
    y - lung.apexY > inset;
}

/** Scratch rasters for one canvas size, reused between images. Each is `[C * C]`. */
export interface AnatomyLayers {
  /** Soft-tissue attenuation. */
  tissue: Float32Array;
  /** Lung air depth (attenuation removed), before findings. */
  air: Float32Array;
  /** Lung membership in [0, 1] (1 inside the lung fields, including behind the heart). */
  lung: Float32Array;
  /** Heart membership in [0, 1]. */
  heart: Float32Array;
  /** Bone attenuation. */
  bone: Float32Array;
  /** Pulmonary vessel attenuation (before masking by the lungs). */
  vessels: Float32Array;
}

/** Allocates zeroed layers for canvas side `C`. */
export function allocateLayers(C: number): AnatomyLayers {
  const n = C * C;
  return {
    tissue: new Float32Array(n),
    air: new Float32Array(n),
    lung: new Float32Array(n),
    heart: new Float32Array(n),
    bone: new Float32Array(n),
    vessels: new Float32Array(n),
  };
}

/** Renders soft tissue, lung air, lung and heart membership into `layers` (overwriting them). */
export function renderSoftTissue(anat: Anatomy, layers: AnatomyLayers): void {
  const { canvas: C, cx, hw, apexY, heart: h, params: p } = anat;
  const S = anat.size;
  const { tissue, air, lung, heart } = layers;
  const bodyBase = hw * (1.14 + p.fat);
  const shoulder = hw * 0.5;
  const gastricX = cx + 0.5 * hw;
  const gastricY = anat.lungs[1].domeTopY + 0.09 * S;
  const gRx = 0.09 * S;
  const gRy = 0.045 * S;
  const breastY = anat.lungs[1].cpY - 0.16 * S;
  const fine = fineNoise();
  const smooth = smoothNoise();
  const tx = p.noiseOffset[4];
  const ty = p.noiseOffset[5];
  const step = 256 / S;
  for (let y = 0; y < C; y++) {
    const py = y + 0.5;
    const nrow = ((Math.floor(y * step) + ty) & NOISE_MASK) * NOISE_SIZE;
    const hl = h.leftX[y];
    const hrx = h.rightX[y];
    const hmid = 0.5 * (hl + hrx);
    const hinv = hrx - hl > 0.5 ? 2 / (hrx - hl) : 0;
    const bw = bodyBase * (0.92 + 0.08 * smoothstep(apexY, anat.lungs[1].cpY, py)) +
      shoulder * smoothstep(apexY + 0.3 * (anat.lungs[1].cpY - apexY), apexY - 0.04 * S, py);
    const invBw = 1 / bw;
    const row = y * C;
    const depth = p.bodyDepth * (1 + 0.02 * smoothstep(anat.lungs[1].domeTopY, anat.lungs[1].cpY + 0.1 * S, py));
    for (let x = 0; x < C; x++) {
      const px = x + 0.5;
      const dx = px - cx;
      const ad = dx < 0 ? -dx : dx;
      const i = row + x;
      // Soft tissue: an elliptical cross-section, anti-aliased at the skin line.
      // Soft tissue: an elliptical cross-section (chord ∝ sqrt(1 − (x/bw)²)).
      const r2 = (ad * invBw) * (ad * invBw);
      const e = 1 - r2;
      let t = e > 0 ? depth * Math.sqrt(e) : 0;
      if (p.breast > 0 && ad > 0.2 * hw) {
        const bx = (ad - 0.62 * hw) / (0.5 * hw);
        const by = (py - breastY) / (0.13 * S);
        const q = 1 - bx * bx - by * by;
        if (q > 0) t += p.breast * Math.sqrt(q) * smoothstep(-0.9, -0.2, by);
      }
      // Heart: anti-aliased between its row borders; q is the squared offset from the row's centre (depth profile).
      let hm = 0;
      let q = 1;
      if (hinv > 0) {
        const e1 = px - hl + 0.5;
        const e2 = hrx - px + 0.5;
        if (e1 > 0 && e2 > 0) {
          hm = (e1 < 1 ? e1 : 1) * (e2 < 1 ? e2 : 1);
          const z = (px - hmid) * hinv;
          q = z * z;
        }
      }
      heart[i] = hm;
      // Lungs.
      const L = dx < 0 ? anat.lungs[0] : anat.lungs[1];
      const lat = L.lat[y];
      let m = 0;
      if (lat > 0) {
        const med = L.med[y];
        const m1 = ad - med + 0.5;
        const m2 = lat - ad + 0.5;
        const m3 = L.dome[x] - py + 0.5;
        if (m1 > 0 && m2 > 0 && m3 > 0) m = (m1 < 1 ? m1 : 1) * (m2 < 1 ? m2 : 1) * (m3 < 1 ? m3 : 1);
        if (m > 0) {
          const span = lat - med;
          const pp = span > 1 ? clamp((ad - med) / span) : 0.5;
          const tt = (py - L.apexY) / (L.cpY - L.apexY);
          // Air path: deepest medially (paravertebral gutters), thinning to the lateral costal margin.
          const slab = 0.2 + 0.8 * Math.sqrt(Math.max(0, 1 - Math.pow(pp, 2.5)));
          const prof = slab * (0.9 + 0.1 * Math.sqrt(Math.sin(Math.PI * (0.04 + 0.92 * pp)))) *
            (0.55 + 0.45 * smoothstep(-0.02, 0.32, tt));
          // Parenchymal texture: fine mottling plus a slow variation, a few per cent of the air path.
          const nx = (Math.floor(x * step) + tx) & NOISE_MASK;
          const tex = 1 - 0.03 * fine[nrow + nx] - 0.025 * smooth[nrow + nx];
          air[i] = m * p.lungDepth * prof * tex *
            (1 - 0.93 * hm * (0.75 + 0.25 * Math.sqrt(Math.max(0, 1 - q))));
        } else air[i] = 0;
      } else air[i] = 0;
      lung[i] = m;
      // Gastric bubble under the image-right dome.
      if (p.gastric > 0 && dx > 0) {
        const gx = (px - gastricX) / gRx;
        const gy = (py - gastricY) / gRy;
        const gq = 1 - gx * gx - gy * gy;
        if (gq > 0 && py > L.dome[x] + 2) t -= p.gastric * Math.sqrt(gq) * (gy > -0.2 ? 1 : 0.6);
      }
      tissue[i] = t;
    }
  }
}

/** Fills `centre`/`half` `[C]` for a band `y = f(ad)` on side `side`, columns where `ad ∈ [u0, u1]` (pixels). */
function bandColumns(
  anat: Anatomy,
  side: SideSign,
  centre: Float32Array,
  half: Float32Array,
  u0: number,
  u1: number,
  f: (ad: number) => number,
  thickness: (ad: number) => number,
  x0 = anat.cx,
): void {
  centre.fill(NaN);
  half.fill(0);
  const C = anat.canvas;
  for (let x = 0; x < C; x++) {
    const dx = (x + 0.5 - x0) * side;
    if (dx < u0 || dx > u1) continue;
    const y = f(dx);
    const slope = f(dx + 0.5) - f(dx - 0.5);
    const fade = Math.min(1, (dx - u0) / 2 + 0.5, (u1 - dx) / 2 + 0.5);
    centre[x] = y;
    half[x] = thickness(dx) * Math.sqrt(1 + slope * slope) * fade;
  }
}

/** Renders ribs (posterior and anterior), clavicles, spine, humeral heads into `layers.bone` (overwriting it). */
export function renderBones(anat: Anatomy, layers: AnatomyLayers): void {
  const { canvas: C, cx, hw, apexY, params: p } = anat;
  const S = anat.size;
  const bone = layers.bone;
  bone.fill(0);
  const centre = new Float32Array(C);
  const half = new Float32Array(C);
  const P = anat.ribPitch;
  const d = p.boneDensity;
  const ribHalf = p.ribHalf * S;
  const spineHalf = 0.13 * hw;
  for (const side of [-1, 1] as SideSign[]) {
    const L = side < 0 ? anat.lungs[0] : anat.lungs[1];
    for (let i = 1; i <= 12; i++) {
      const yi = apexY + (i - 1.45) * P * (1 + 0.025 * (i - 1));
      if (yi > C + P) break;
      const upper = Math.max(0, 3 - i) / 3;
      const a = 1.1 + 1.2 * upper;
      const b = 2.0 + 1.6 * upper + 0.05 * i;
      const u1 = (1.03 + 0.02 * i / 12 - 0.1 * upper) * (i === 12 ? 0.55 : i === 11 ? 0.8 : 1);
      const post = (ad: number) => {
        const u = ad / hw;
        return yi + P * (-a * u + b * u * u);
      };
      const yl = post(u1 * hw);
      bandColumns(anat, side, centre, half, spineHalf * 0.9, u1 * hw, post, (ad) => ribHalf * (0.85 + 0.3 * ad / hw));
      drawBand(bone, C, C, centre, half, (i > 10 ? 1.4 : 2.1) * d, 0.5, 0.6);
      // Anterior rib: from the lateral wall down and medially to the costochondral junction (cartilage is invisible).
      const uEnd = 0.3 + 0.1 * ((i * 7) % 3) / 2;
      const drop = P * (1.75 + 0.15 * upper);
      const ant = (ad: number) => yl + drop * Math.pow(clamp((u1 * hw - ad) / ((u1 - uEnd) * hw)), 0.8);
      if (i > 8) continue;
      bandColumns(anat, side, centre, half, uEnd * hw, u1 * hw, ant, () => ribHalf * 1.45);
      drawBand(bone, C, C, centre, half, 1.3 * d, 0.6, 0.3);
    }
    // Clavicle: medial head by the manubrium, rising laterally to the acromion.
    const yMed = apexY + p.clavicleDrop * (L.cpY - apexY);
    const yLat = apexY - 0.055 * S;
    const uMed = 0.14 * hw;
    const uLat = 1.2 * hw;
    const clav = (ad: number) => {
      const w = (ad - uMed) / (uLat - uMed);
      return yMed + (yLat - yMed) * w - 0.03 * S * Math.sin(Math.PI * w) * (1 - w) +
        0.012 * S * Math.sin(2 * Math.PI * w);
    };
    bandColumns(
      anat,
      side,
      centre,
      half,
      uMed,
      uLat,
      clav,
      (ad) => 0.02 * S * (1 + 0.35 * smoothstep(0.12, 0, (ad - uMed) / (uLat - uMed))),
      cx + 0.6 * p.spineOffset * S,
    );
    drawBand(bone, C, C, centre, half, 3.4 * d, 0.6, 0.5);
    // Humeral head and shaft (mostly outside the field).
    const hx = cx + side * 1.34 * hw;
    const hy = apexY + 0.01 * S;
    const w = 0.6 * d * anat.pxCm;
    drawTube(bone, C, C, hx, hy, hx, hy, 0.085 * S, 0.085 * S, w);
    drawTube(bone, C, C, hx, hy + 0.05 * S, hx + side * 0.05 * S, hy + 0.5 * S, 0.045 * S, 0.04 * S, w, true);
  }
  // Below the domes the ribs lie over the thick, scatter-rich upper abdomen: their contrast there is lower.
  for (let x = 0; x < C; x++) {
    const lung = x + 0.5 < cx ? anat.lungs[0] : anat.lungs[1];
    const y0 = Math.max(0, Math.ceil(lung.dome[x] + 2));
    for (let y = y0; y < C; y++) bone[y * C + x] *= 0.55;
  }
  renderSpine(anat, bone);
}

/** Thoracic spine: vertebral bodies with disc spaces, pedicles and spinous processes. */
function renderSpine(anat: Anatomy, bone: Float32Array): void {
  const { canvas: C, hw, apexY, params: p, pxCm } = anat;
  const P = anat.ribPitch;
  const sx = anat.spineX;
  const vw = 0.13 * hw;
  const d = p.boneDensity;
  const x0 = Math.max(0, Math.floor(sx - vw - 1));
  const x1 = Math.min(C - 1, Math.ceil(sx + vw + 1));
  for (let y = 0; y < C; y++) {
    const py = y + 0.5;
    const phase = ((py - (apexY - 1.45 * P)) / P) % 1;
    const ph = phase < 0 ? phase + 1 : phase;
    const disc = 1 - 0.45 * gauss(Math.min(ph, 1 - ph) / 0.1);
    const widen = 1 + 0.25 * smoothstep(apexY, apexY + 9 * P, py);
    const w = vw * widen;
    for (let x = x0; x <= x1; x++) {
      const u = (x + 0.5 - sx) / w;
      const q = 1 - u * u;
      if (q <= 0) continue;
      bone[y * C + x] += 1.6 * d * disc * (0.55 * Math.sqrt(q) + 0.35 * gauss((Math.abs(u) - 0.9) / 0.12));
    }
  }
  for (let i = 0; i < 16; i++) {
    const yi = apexY + (i - 1.45) * P;
    if (yi > C) break;
    for (const s of [-1, 1]) {
      const px = sx + s * 0.68 * vw;
      const py = yi + 0.4 * P;
      // Pedicle: a cortical ring (outer tube minus inner tube).
      drawTube(bone, C, C, px, py - 0.08 * P, px, py + 0.08 * P, 0.2 * vw, 0.2 * vw, 2 * d * pxCm);
      drawTube(bone, C, C, px, py - 0.08 * P, px, py + 0.08 * P, 0.12 * vw, 0.12 * vw, -2 * d * pxCm);
    }
    drawTube(bone, C, C, sx, yi + 0.55 * P, sx, yi + 0.95 * P, 0.1 * vw, 0.05 * vw, 3 * d * pxCm);
  }
}

/**
 * Trachea and main bronchi: their air path length (max-blended, so junctions are not doubled) is subtracted from
 * `field` `[C * C]`; `scratch` `[C * C]` is overwritten.
 */
export function renderAirways(anat: Anatomy, field: Float32Array, scratch: Float32Array): void {
  const { canvas: C, cx, apexY, size: S, pxCm } = anat;
  scratch.fill(0);
  const lh = anat.lungs[1].cpY - apexY;
  const carinaY = apexY + 0.3 * lh;
  const tw = 0.024 * S;
  const knobY = apexY + 0.2 * lh;
  const w = 1.1 * pxCm;
  const trachea = (y: number) => cx - 0.012 * S * gauss((y - knobY) / (0.07 * S));
  const steps = 12;
  for (let k = 0; k < steps; k++) {
    const y0 = (carinaY * k) / steps - (k === 0 ? tw : 0);
    const y1 = (carinaY * (k + 1)) / steps;
    drawTube(scratch, C, C, trachea(y0), y0, trachea(y1), y1, tw, tw, w, true);
  }
  const x = trachea(carinaY);
  const len = 0.075 * S;
  const rightAngle = (90 + 28) * Math.PI / 180; // image-left (patient right) main bronchus: steeper, shorter
  const leftAngle = (90 - 45) * Math.PI / 180;
  const rx = x + len * 0.8 * Math.cos(rightAngle);
  const ry = carinaY + len * 0.8 * Math.sin(rightAngle);
  drawTube(scratch, C, C, x, carinaY, rx, ry, tw * 0.75, tw * 0.6, w, true);
  const lx = x + len * Math.cos(leftAngle);
  const ly = carinaY + len * Math.sin(leftAngle);
  drawTube(scratch, C, C, x, carinaY, lx, ly, tw * 0.7, tw * 0.55, w, true);
  for (let i = 0; i < field.length; i++) field[i] -= scratch[i];
}

/**
 * Grows the pulmonary vessel trees from both hila into `layers.vessels` (overwriting it): tapering, bifurcating tubes
 * that fan out and stop at the lung edge. Uses `layers.lung` (from {@link renderSoftTissue}) to stop growth.
 */
export function renderVessels(anat: Anatomy, layers: AnatomyLayers, rng: Rng): void {
  const { canvas: C, cx, hw, size: S, params: p } = anat;
  const out = layers.vessels;
  out.fill(0);
  const lung = layers.lung;
  const scale = S / 256;
  const rMin = 0.55 * scale;
  const weight = 2.0 * p.vessels * anat.pxCm;
  const inLung = (x: number, y: number) => {
    const xi = Math.floor(x);
    const yi = Math.floor(y);
    return xi >= 0 && yi >= 0 && xi < C && yi < C && lung[yi * C + xi] > 0.5;
  };
  const grow = (x: number, y: number, ang: number, r: number, len: number, depth: number, outside: number) => {
    const n = 2;
    let px = x;
    let py = y;
    let a = ang;
    const bend = rng.normal(0, 0.08);
    for (let k = 0; k < n; k++) {
      a += bend / n;
      const nx = px + (len / n) * Math.cos(a);
      const ny = py + (len / n) * Math.sin(a);
      const r0 = r * (1 - 0.08 * k / n);
      drawTube(out, C, C, px, py, nx, ny, r0, r0 * 0.97, weight, true);
      px = nx;
      py = ny;
    }
    const inside = inLung(px, py);
    const miss = inside ? 0 : outside + 1;
    if (depth >= 7 || r * 0.8 < rMin || miss > 1) return;
    const split = rng.uniform(0.3, 0.6);
    const major = Math.sqrt(1 - split * 0.6) * 0.94;
    const spread = rng.uniform(0.22, 0.42);
    const first = rng.bernoulli(0.5) ? 1 : -1;
    grow(px, py, a + first * spread * (1 - major) * 1.2, r * major, len * rng.uniform(0.72, 0.88), depth + 1, miss);
    grow(px, py, a - first * spread, r * Math.sqrt(split) * 0.85, len * rng.uniform(0.6, 0.8), depth + 1, miss);
  };
  for (const side of [-1, 1] as SideSign[]) {
    const L = side < 0 ? anat.lungs[0] : anat.lungs[1];
    const lh = L.cpY - L.apexY;
    const hx = cx + side * (side < 0 ? 0.27 : 0.25) * hw;
    const hy = L.apexY + (side < 0 ? 0.44 : 0.4) * lh;
    // Hilar density: the overlapping proximal pulmonary arteries and veins.
    drawTube(
      out,
      C,
      C,
      hx - side * 0.01 * S,
      hy - 0.03 * S,
      hx + side * 0.01 * S,
      hy + 0.03 * S,
      0.022 * S,
      0.018 * S,
      weight * 0.8,
    );
    // Main branches: angles from the lateral direction (negative = upwards), degrees.
    const trunks = [-85, -50, -15, 20, 50, 80];
    for (const deg of trunks) {
      const a0 = (deg + rng.normal(0, 8)) * Math.PI / 180;
      const ang = side > 0 ? a0 : Math.PI - a0;
      const lower = deg > 0 ? 1.15 : 0.9;
      grow(hx, hy, ang, 0.016 * S * lower, 0.07 * S * rng.uniform(0.85, 1.15), 0, 0);
    }
  }
}
