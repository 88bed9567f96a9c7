/**
 * One synthetic frontal chest radiograph, in memory: `generateCase(rng, {size, finding})`.
 * @module
 */
import type { Rng } from "../../util/mod.ts";
import { buildAnatomy, sampleAnatomyParams, type SideSign } from "./anatomy.ts";
import {
  type FindingDetails,
  type FindingKind,
  FINDINGS,
  lungOf,
  planFinding,
  renderFinding,
  type Zone,
  zoneOf,
} from "./findings.ts";
import { acquire, composeAttenuation, renderAnatomy, workspaceFor } from "./render.ts";
import { type ImageSide, writeReport } from "./reports.ts";

/**
 * Smallest image side at which every finding reliably covers a pixel. Below it the smallest findings (a small
 * effusion's meniscus, an 8 mm nodule) can fall between pixels and leave an empty mask: sampled, 1 effusion in 7 fails
 * at 32 px, 1 in 50 at 64, 1 in 1,200 at 96, 1 in 4,000 at 112, and none of 26,000 effusions and 26,000 nodules at
 * 128 px. Normal images work down to 32 px. Independently of the size, about 1 consolidation in 10,000 comes out too
 * faint to pass its mask threshold and fails too (`new Rng(102213)` at 160 and 256 px).
 */
export const MIN_FINDING_SIZE = 128;

/** A bounding box in output pixels: top-left corner and size (the mask's extent). */
export interface BBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Options for {@link generateCase}. */
export interface CaseOptions {
  /** Output side in pixels. @default 256 */
  size?: number;
  /** The finding to draw, or "normal". @default "normal" */
  finding?: FindingKind | "normal";
}

/** A generated case. */
export interface SyntheticCase {
  /** Grayscale image `[size * size]`, row-major, in [0, 1] (bright = attenuating, as displayed). */
  image: Float32Array;
  /** Ground-truth mask `[size * size]`: 1 on the finding, 0 elsewhere (all 0 for a normal image). */
  mask: Uint8Array;
  size: number;
  finding: FindingKind | "normal";
  /** IMAGE side of the finding (image left = patient's right); "both" for cardiomegaly, "none" for normals. */
  side: ImageSide;
  /** Lung zone of the mask's centroid; "middle" for cardiomegaly, "none" for normals. */
  zone: Zone | "none";
  /** Extent of the mask; null for normals. */
  bbox: BBox | null;
  /** A short radiology-style report in patient terms. */
  report: string;
  /** Kind-specific facts (nodule diameter, effusion grade, measured CTR…). */
  details: FindingDetails;
}

/** Extent of the non-zero pixels of `mask` `[size * size]`, or null when empty. */
export function maskBBox(mask: Uint8Array, size: number): BBox | null {
  let x0 = size;
  let y0 = size;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < size; y++) {
    const row = y * size;
    for (let x = 0; x < size; x++) {
      if (!mask[row + x]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** Draws of a finding whose mask came out empty (too faint or too small to show) before {@link generateCase} gives up. */
const MAX_FINDING_DRAWS = 10;

/**
 * Generates one frontal chest radiograph with its mask and report. Deterministic in `rng`'s state; uses a fork of
 * it for the report wording, so images do not depend on report templates. Synchronous and allocation-light (the
 * scratch rasters are reused), for pretraining loops. A finding that leaves no visible pixel (about 1 consolidation
 * in 10,000 at 128–256 px) is drawn again from where `rng` then stands, so the cases that come out on the first draw,
 * all but those, are what they always were.
 */
export function generateCase(rng: Rng, opts: CaseOptions = {}): SyntheticCase {
  const size = opts.size ?? 256;
  if (!Number.isInteger(size) || size < 32 || size > 4096) {
    throw new RangeError(`Cannot generate a case: size must be an integer in [32, 4096], got ${size}`);
  }
  const finding = opts.finding ?? "normal";
  if (finding !== "normal" && !(FINDINGS as readonly string[]).includes(finding)) {
    throw new RangeError(`Cannot generate a case: unknown finding ${JSON.stringify(finding)}`);
  }
  for (let draw = 1;; draw++) {
    const drawn = drawCase(rng, size, finding);
    if (drawn) return drawn;
    if (size >= MIN_FINDING_SIZE && draw < MAX_FINDING_DRAWS) continue;
    const article = /^[aeiou]/.test(finding) ? "an" : "a";
    throw new Error(
      size < MIN_FINDING_SIZE
        ? `Cannot generate ${article} ${finding} case at ${size} px: its mask came out empty (findings need images ` +
          `of at least ${MIN_FINDING_SIZE} px)`
        : `Cannot generate ${article} ${finding} case: its mask came out empty ${draw} times (a generator bug)`,
    );
  }
}

/** One draw of {@link generateCase}: the case, or null when its finding left an empty mask. */
function drawCase(rng: Rng, size: number, finding: FindingKind | "normal"): SyntheticCase | null {
  const reportRng = rng.fork();
  const params = sampleAnatomyParams(rng);
  const plan = finding === "normal" ? null : planFinding(finding, rng, params);
  const anat = buildAnatomy(params, size);
  const ws = workspaceFor(size, anat.canvas);
  renderAnatomy(anat, ws, rng);
  let details: FindingDetails = {};
  if (plan) details = renderFinding(plan, anat, ws.layers.lung, ws.layers.heart, ws.finding, ws.tmp, rng);
  composeAttenuation(ws);
  const mask = new Uint8Array(size * size);
  const image = acquire(anat, ws, mask).slice();
  let side: ImageSide = "none";
  let zone: Zone | "none" = "none";
  let bbox: BBox | null = null;
  if (plan) {
    bbox = maskBBox(mask, size);
    if (!bbox) return null;
    if (plan.kind === "cardiomegaly") {
      side = "both";
      zone = "middle";
    } else {
      const s = plan.side as SideSign;
      side = s < 0 ? "left" : "right";
      zone = zoneOf(lungOf(anat, s), canvasCentroidY(ws.finding.mask, anat.canvas));
    }
  }
  const report = writeReport(reportRng, { finding, side, zone, details });
  return { image, mask, size, finding, side, zone, bbox, report, details };
}

/** Row of the centroid of canvas mask `[C * C]` (values ≥ 0.5 count). */
function canvasCentroidY(mask: Float32Array, C: number): number {
  let sum = 0;
  let n = 0;
  for (let y = 0; y < C; y++) {
    const row = y * C;
    for (let x = 0; x < C; x++) {
      if (mask[row + x] >= 0.5) {
        sum += y + 0.5;
        n++;
      }
    }
  }
  return n > 0 ? sum / n : C / 2;
}
