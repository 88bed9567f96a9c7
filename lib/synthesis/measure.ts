/**
 * Measuring what a synthesis did to an image: the changed pixels, the lesion's area and its mean grey-level change,
 * over one draw or many draws of SAS and FPI.
 * @module
 */
import type { Region } from "../prompts/mod.ts";
import type { Rng } from "../util/mod.ts";
import { fpi } from "./fpi.ts";
import { sas } from "./sas.ts";

/**
 * How a synthesis changed an image inside its mask: `before`, `after` and `mask` are `[size*size]` (mask > 0.5 inside).
 * Returns the mask's area as a percentage of the image and the mean change of the grey values inside it, in 8-bit
 * grey levels (positive = brighter); 0 for an empty mask.
 */
export function changeInside(
  before: ArrayLike<number>,
  after: ArrayLike<number>,
  mask: ArrayLike<number>,
): { areaPercent: number; meanChange: number } {
  if (before.length !== after.length || before.length !== mask.length) {
    throw new RangeError(
      `Cannot compare images of ${before.length} and ${after.length} pixels with a mask of ${mask.length}`,
    );
  }
  let n = 0, sum = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] > 0.5) {
      n++;
      sum += after[i] - before[i];
    }
  }
  return { areaPercent: mask.length ? (100 * n) / mask.length : 0, meanChange: n ? (255 * sum) / n : 0 };
}

/** `[size*size]` 1 where `after` differs from `before` by more than `tolerance`, else 0. */
export function changedPixels(before: ArrayLike<number>, after: ArrayLike<number>, tolerance = 1e-6): Uint8Array {
  if (before.length !== after.length) {
    throw new RangeError(`Cannot compare images of ${before.length} and ${after.length} pixels`);
  }
  const out = new Uint8Array(after.length);
  for (let p = 0; p < after.length; p++) out[p] = Math.abs(after[p] - before[p]) > tolerance ? 1 : 0;
  return out;
}

/** One synthesised anomaly: its area (% of the image), mean change inside it (grey levels), and how it was drawn. */
export interface SynthesisDraw {
  area: number;
  change: number;
  /** `w = <weight>` for SAS, `FPI patch` for FPI. */
  w: string;
  method: "SAS" | "FPI";
}

/** Options for {@link synthesisDraws}. */
export interface SynthesisDrawsOptions {
  /** `[size*size]` grey image to synthesise on. */
  image: Float32Array;
  /** `[size*size]` grey image FPI takes its patch from. */
  source: Float32Array;
  size: number;
  /** The regions each draw picks from. */
  regions: readonly Region[];
  /** Draws per method. */
  draws: number;
}

/**
 * `draws` SAS anomalies, then `draws` FPI anomalies on the same image, each in a region picked with `rng` (in that
 * order, so a seed gives the same draws), measured with {@link changeInside}.
 */
export function synthesisDraws(options: SynthesisDrawsOptions, rng: Rng): SynthesisDraw[] {
  const { image, source, size, regions, draws } = options;
  const sasDraws = Array.from({ length: draws }, (): SynthesisDraw => {
    const s = sas(image, size, rng.pick(regions), rng);
    const c = changeInside(image, s.image, s.mask);
    return { area: c.areaPercent, change: c.meanChange, w: `w = ${s.weight}`, method: "SAS" };
  });
  const fpiDraws = Array.from({ length: draws }, (): SynthesisDraw => {
    const f = fpi(image, source, size, rng.pick(regions), rng);
    const c = changeInside(image, f.image, f.mask);
    return { area: c.areaPercent, change: c.meanChange, w: "FPI patch", method: "FPI" };
  });
  return [...sasDraws, ...fpiDraws];
}

/** The lower median (the middle element of the sorted values; NaN for none). */
function _median(values: readonly number[]): number {
  return values.length ? [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] : NaN;
}

/** One line per method of `draws`: median area (% of the image) and median |mean change| (grey levels). */
export function describeSynthesisDraws(draws: readonly SynthesisDraw[]): string[] {
  const methods = [...new Set(draws.map((d) => d.method))];
  return methods.map((method) => {
    const d = draws.filter((x) => x.method === method);
    return `${method}: median area ${_median(d.map((x) => x.area)).toFixed(1)} % of the image, ` +
      `median |mean change| ${_median(d.map((x) => Math.abs(x.change))).toFixed(1)} grey levels (${d.length} draws)`;
  });
}
