/**
 * Composition and acquisition: sums the anatomy and finding layers into a total attenuation, then simulates the
 * detector and display chain (system blur, in-plane rotation, dynamic-range compression, windowing, gamma, quantum
 * noise) to give a `[size * size]` image in [0, 1].
 * @module
 */
import {
  allocateLayers,
  type Anatomy,
  type AnatomyLayers,
  renderAirways,
  renderBones,
  renderSoftTissue,
  renderVessels,
} from "./anatomy.ts";
import type { Rng } from "../../util/mod.ts";
import { fineNoise, NOISE_MASK, NOISE_SIZE, whiteNoise } from "./noise.ts";
import { gaussianBlur, rotateInto } from "./raster.ts";

/** Finding rasters on the canvas `[C * C]`, all zero for a normal image. */
export interface FindingLayers {
  /** Fraction of lung air replaced by fluid or collapsed tissue, [0, 1] (consolidation, atelectasis, effusion). */
  fill: Float32Array;
  /** Attenuation added (nodules, masses, pleural line). */
  extra: Float32Array;
  /** Pneumothorax space, [0, 1]: lung markings absent, slightly more air. */
  ptx: Float32Array;
  /** Ground-truth mask, [0, 1] (thresholded at 0.5 after the final rotation). */
  mask: Float32Array;
}

/** All scratch memory for one canvas size. */
export interface Workspace {
  size: number;
  canvas: number;
  layers: AnatomyLayers;
  finding: FindingLayers;
  total: Float32Array;
  tmp: Float32Array;
  out: Float32Array;
  outTmp: Float32Array;
  outTmp2: Float32Array;
  large: Float32Array;
  hist: Uint32Array;
  gamma: Float32Array;
}

const workspaces = new Map<number, Workspace>();

/** The (reused) workspace for output size `size` and canvas side `canvas`. Not re-entrant: one image at a time. */
export function workspaceFor(size: number, canvas: number): Workspace {
  let ws = workspaces.get(size);
  if (!ws || ws.canvas !== canvas) {
    const n = canvas * canvas;
    ws = {
      size,
      canvas,
      layers: allocateLayers(canvas),
      finding: {
        fill: new Float32Array(n),
        extra: new Float32Array(n),
        ptx: new Float32Array(n),
        mask: new Float32Array(n),
      },
      total: new Float32Array(n),
      tmp: new Float32Array(n),
      out: new Float32Array(size * size),
      outTmp: new Float32Array(size * size),
      outTmp2: new Float32Array(size * size),
      large: new Float32Array(size * size),
      hist: new Uint32Array(4096),
      gamma: new Float32Array(GAMMA_BINS + 1),
    };
    workspaces.set(size, ws);
  }
  return ws;
}

/** Renders the anatomy layers of `anat` into `ws` and clears the finding layers. Draws vessel branching from `rng`. */
export function renderAnatomy(anat: Anatomy, ws: Workspace, rng: Rng): void {
  renderSoftTissue(anat, ws.layers);
  renderVessels(anat, ws.layers, rng);
  renderBones(anat, ws.layers);
  renderAirways(anat, ws.layers.bone, ws.tmp);
  ws.finding.fill.fill(0);
  ws.finding.extra.fill(0);
  ws.finding.ptx.fill(0);
  ws.finding.mask.fill(0);
}

/**
 * Sums layers into `ws.total` `[C * C]`:
 * tissue − air·(1−fill)·(1+0.25·ptx) + vessels·lung·(1−fill)·(1−ptx)·(1−0.7·heart) + bone + extra.
 */
export function composeAttenuation(ws: Workspace): void {
  const { tissue, air, lung, heart, bone, vessels } = ws.layers;
  const { fill, extra, ptx } = ws.finding;
  const total = ws.total;
  for (let i = 0; i < total.length; i++) {
    const keep = 1 - fill[i];
    const p = ptx[i];
    total[i] = tissue[i] - air[i] * keep * (1 + 0.25 * p) +
      vessels[i] * lung[i] * keep * (1 - p) * (1 - 0.7 * heart[i]) + bone[i] +
      extra[i];
  }
}

/** Percentiles `qs` (ascending, in [0, 1]) of `data` via one histogram of `hist.length` bins between `lo` and `hi`. */
function percentiles(data: Float32Array, hist: Uint32Array, lo: number, hi: number, qs: number[]): number[] {
  hist.fill(0);
  const bins = hist.length;
  const scale = (bins - 1) / Math.max(hi - lo, 1e-6);
  for (let i = 0; i < data.length; i++) hist[((data[i] - lo) * scale) | 0]++;
  const out: number[] = [];
  let acc = 0;
  let b = 0;
  for (const q of qs) {
    const target = q * data.length;
    while (b < bins - 1 && acc + hist[b] < target) acc += hist[b++];
    out.push(lo + (b + 0.5) / scale);
  }
  return out;
}

const GAMMA_BINS = 2048;

/**
 * Simulates acquisition and display of `ws.total` into `ws.out` `[S * S]` in [0, 1], using the acquisition
 * parameters of `anat.params`. Also warps `ws.finding.mask` into `mask` `[S * S]` (0/1).
 */
export function acquire(anat: Anatomy, ws: Workspace, mask: Uint8Array): Float32Array {
  const { canvas: C, size: S, params: p } = anat;
  const scale = S / 256;
  gaussianBlur(ws.total, ws.tmp, C, C, p.blur * scale);
  const out = ws.out;
  rotateInto(ws.total, C, C, out, S, S, p.angle);
  // Dynamic-range compression, as in processed digital radiographs: subtract part of the large-scale component.
  const large = ws.large;
  large.set(out);
  gaussianBlur(large, ws.outTmp, S, S, 0.08 * S);
  const c = p.compression;
  // Detail enhancement (unsharp mask at a small scale) sharpens rib cortices and vessels, as clinical processing does.
  const small = ws.outTmp2;
  small.set(out);
  gaussianBlur(small, ws.outTmp, S, S, 2 * scale);
  const k = p.detail;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < out.length; i++) {
    const v = out[i] + k * (out[i] - small[i]) - c * large[i];
    out[i] = v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const [lo0, hi0] = percentiles(out, ws.hist, min, max, [0.005, 0.998]);
  const range = hi0 - lo0;
  const lo = lo0 + p.windowLow * range;
  const hi = hi0 + p.windowHigh * range;
  const inv = 1 / Math.max(hi - lo, 1e-6);
  const white = whiteNoise();
  const fine = fineNoise();
  const [ox, oy, gx, gy] = p.noiseOffset;
  const sigma = p.noise;
  const step = 256 / S;
  const curve = ws.gamma;
  for (let b = 0; b <= GAMMA_BINS; b++) curve[b] = Math.pow(b / GAMMA_BINS, p.gamma);
  for (let y = 0; y < S; y++) {
    const nrow = ((y + oy) & NOISE_MASK) * NOISE_SIZE;
    const grow = ((Math.floor(y * step) + gy) & NOISE_MASK) * NOISE_SIZE;
    for (let x = 0; x < S; x++) {
      const i = y * S + x;
      let v = (out[i] - lo) * inv;
      if (v <= 0) v = 0;
      else if (v >= 1) v = 1;
      else {
        const f = v * GAMMA_BINS;
        const b = f | 0;
        v = curve[b] + (curve[b + 1] - curve[b]) * (f - b);
      }
      // Quantum noise: in the log domain its σ grows where fewer photons arrive (bright, attenuating regions).
      v += sigma * (0.5 + 0.9 * v) * white[nrow + ((x + ox) & NOISE_MASK)] +
        0.5 * sigma * fine[grow + ((Math.floor(x * step) + gx) & NOISE_MASK)];
      out[i] = v <= 0 ? 0 : v >= 1 ? 1 : v;
    }
  }
  // Mask: same rotation, bilinear then thresholded.
  const mTmp = ws.outTmp;
  rotateInto(ws.finding.mask, C, C, mTmp, S, S, p.angle);
  for (let i = 0; i < mask.length; i++) mask[i] = mTmp[i] >= 0.5 ? 1 : 0;
  return out;
}
