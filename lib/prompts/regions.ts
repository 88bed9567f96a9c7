/**
 * Position guidance: image regions as pixel masks with their position words, grouped in named, typed region sets.
 *
 * Sets (all with the whole image LAST, as in the paper's table; the order is stable and is the order of logits):
 * - `ppad5`: the paper's five regions. At 224 px: "left lung" = columns 0–111 (image left = patient's right),
 *   "right lung" = columns 112–223, "upper lung" = rows 0–119, "lower lung" = rows 120–223, "" = whole image.
 *   At another resolution the cuts scale: column cut round(size/2), row cut round(size·120/224).
 * - `whole`: the whole image only (no position guidance).
 * - `lr`: "left lung", "right lung", whole.
 * - `grid3x3`: nine cells, cuts at thirds: round(size/3) and round(2·size/3) (0–74, 75–148, 149–223 at 224 px), words
 *   `<upper|middle|lower> <left|central|right> lung` (the centre cell is "central lung"), then whole.
 * Custom sets come from a config via {@link customRegionSet} (union of inclusive pixel rectangles per region).
 * @module
 */
import { InputError } from "../util/mod.ts";

/** One region: an identifier, its position words for the text prompt ("" for the whole image) and its pixel mask. */
export interface Region {
  /** Identifier, unique in its set, e.g. `left`, `upper-right`, `whole`. */
  name: string;
  /** Position words placed before the learnable context, e.g. `left lung`; "" for the whole image. */
  words: string;
  /** Pixel mask `[H*W]` (row-major, H = W = size), 1 inside the region, 0 outside. */
  mask: Uint8Array;
}

/** A named, ordered list of regions at one square resolution. */
export interface RegionSet {
  name: string;
  /** Image side in pixels (masks are `[size*size]`). */
  size: number;
  regions: readonly Region[];
}

/** An inclusive pixel rectangle: columns x0…x1, rows y0…y1. */
export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** A region of a custom set: the union of its rectangles. */
export interface RegionSpec {
  name: string;
  words: string;
  rects: Rect[];
}

/** A custom region set from a config file. */
export interface CustomRegionSetSpec {
  name: string;
  /** Image side in pixels. @default 224 */
  size?: number;
  regions: RegionSpec[];
}

/**
 * Which side the words "left" and "right" name. `image`: the paper's convention, "left lung" = image columns 0–111
 * (the patient's right on a PA film). `patient`: anatomical sides, as radiology reports (and CheXzero's pretraining
 * text) use them, so image columns 0–111 are called "right lung".
 */
export const SIDES = ["image", "patient"] as const;
/** One of {@link SIDES}. */
export type Sides = typeof SIDES[number];

/** Parses a sides value with a one-line error listing the valid ones. */
export function parseSides(value: string, source = "sides"): Sides {
  if ((SIDES as readonly string[]).includes(value)) return value as Sides;
  throw new InputError(`Cannot use ${source} ${JSON.stringify(value)}: expected one of ${SIDES.join(", ")}`);
}

/** Position words under a sides convention: with `patient`, "left" and "right" are swapped (whole words only). */
export function sideWords(words: string, sides: Sides): string {
  if (sides === "image") return words;
  return words.replace(/\b(left|right)\b/g, (w) => (w === "left" ? "right" : "left"));
}

/** True when some region of the set names a side (so the sides convention changes its prompts). */
export function namesSides(set: RegionSet): boolean {
  return set.regions.some((r) => /\b(left|right)\b/.test(r.words));
}

/** Builds a region set at a given resolution. */
export type RegionSetFactory = (size: number) => RegionSet;

/** Default image side (CLIP ViT-B/32 input). */
export const DEFAULT_SIZE = 224;

/**
 * Side length of a region's square mask.
 * @param region mask `[size*size]`
 */
export function regionSize(region: Region): number {
  const size = Math.round(Math.sqrt(region.mask.length));
  if (size * size !== region.mask.length || size === 0) {
    throw new RangeError(`Cannot use region "${region.name}": mask length ${region.mask.length} is not a square`);
  }
  return size;
}

/**
 * A region whose mask is the union of inclusive rectangles (clipped to the image).
 * @param size image side; the mask is `[size*size]`
 */
export function rectRegion(name: string, words: string, rects: readonly Rect[], size: number): Region {
  const mask = new Uint8Array(size * size);
  for (const r of rects) {
    const x0 = Math.max(0, r.x0), x1 = Math.min(size - 1, r.x1);
    const y0 = Math.max(0, r.y0), y1 = Math.min(size - 1, r.y1);
    for (let y = y0; y <= y1; y++) mask.fill(1, y * size + x0, y * size + x1 + 1);
  }
  return { name, words, mask };
}

/** The whole-image region (words ""). @param size image side */
export function wholeRegion(size: number): Region {
  return { name: "whole", words: "", mask: new Uint8Array(size * size).fill(1) };
}

/**
 * Tight inclusive bounding box of a region's mask. Throws a RangeError on an empty mask.
 * @param region mask `[size*size]`
 */
export function regionBoundingBox(region: Region): Rect {
  const size = regionSize(region);
  let x0 = size, y0 = size, x1 = -1, y1 = -1;
  const m = region.mask;
  for (let y = 0; y < size; y++) {
    const row = y * size;
    for (let x = 0; x < size; x++) {
      if (m[row + x]) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        y1 = y;
      }
    }
  }
  if (x1 < 0) throw new RangeError(`Cannot take the bounding box of region "${region.name}": its mask is empty`);
  return { x0, y0, x1, y1 };
}

/**
 * Which patch tokens a region keeps: a patch is inside if ANY of its pixels is (patch×patch average pool, then ceil).
 * @param region mask `[size*size]` with size = grid·patch
 * @param grid patches per side @default 7
 * @param patch patch side in pixels @default 32
 * @returns `[grid*grid]` row-major, 1 = keep the image token, 0 = replace it by the learnable prompt
 */
export function patchKeepMask(region: Region, grid = 7, patch = 32): Float32Array {
  const size = regionSize(region);
  if (grid * patch !== size) {
    throw new RangeError(`Cannot pool region "${region.name}": ${grid}×${patch} px patches do not tile ${size} px`);
  }
  const out = new Float32Array(grid * grid);
  const m = region.mask;
  for (let y = 0; y < size; y++) {
    const prow = Math.floor(y / patch) * grid, row = y * size;
    for (let x = 0; x < size; x++) if (m[row + x]) out[prow + Math.floor(x / patch)] = 1;
  }
  return out;
}

/**
 * Patch keep masks of every region in a set, stacked.
 * @returns `[regions*grid*grid]`, i.e. `[R, grid²]` row-major, in the set's order
 */
export function patchKeepMasks(set: RegionSet, grid = 7, patch = 32): Float32Array {
  const g2 = grid * grid, out = new Float32Array(set.regions.length * g2);
  set.regions.forEach((r, i) => out.set(patchKeepMask(r, grid, patch), i * g2));
  return out;
}

function _checkSize(size: number, what: string): void {
  if (!Number.isInteger(size) || size < 2) {
    throw new InputError(`Cannot build ${what}: size must be an integer ≥ 2, got ${size}`);
  }
}

/** `ppad5`: the paper's left, right, upper, lower lung and the whole image (see module doc for the cuts). */
export function ppad5(size = DEFAULT_SIZE): RegionSet {
  _checkSize(size, "region set ppad5");
  const col = Math.round(size / 2), row = Math.round((size * 120) / 224), e = size - 1;
  return {
    name: "ppad5",
    size,
    regions: [
      rectRegion("left", "left lung", [{ x0: 0, y0: 0, x1: col - 1, y1: e }], size),
      rectRegion("right", "right lung", [{ x0: col, y0: 0, x1: e, y1: e }], size),
      rectRegion("upper", "upper lung", [{ x0: 0, y0: 0, x1: e, y1: row - 1 }], size),
      rectRegion("lower", "lower lung", [{ x0: 0, y0: row, x1: e, y1: e }], size),
      wholeRegion(size),
    ],
  };
}

/** `whole`: the whole image only (no position guidance). */
export function wholeOnly(size = DEFAULT_SIZE): RegionSet {
  _checkSize(size, "region set whole");
  return { name: "whole", size, regions: [wholeRegion(size)] };
}

/** `lr`: left lung, right lung (cut at round(size/2)), whole image. */
export function leftRight(size = DEFAULT_SIZE): RegionSet {
  _checkSize(size, "region set lr");
  const [left, right, , , whole] = ppad5(size).regions;
  return { name: "lr", size, regions: [left, right, whole] };
}

/** `grid3x3`: nine cells cut at thirds (round(size/3), round(2·size/3)), row-major from the upper left, then whole. */
export function grid3x3(size = DEFAULT_SIZE): RegionSet {
  _checkSize(size, "region set grid3x3");
  const cuts = [0, Math.round(size / 3), Math.round((2 * size) / 3), size];
  const rowWords = ["upper", "middle", "lower"], colWords = ["left", "central", "right"];
  const regions: Region[] = [];
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      const words = r === 1 && c === 1 ? "central lung" : `${rowWords[r]} ${colWords[c]} lung`;
      const rect = { x0: cuts[c], y0: cuts[r], x1: cuts[c + 1] - 1, y1: cuts[r + 1] - 1 };
      regions.push(rectRegion(`${rowWords[r]}-${colWords[c]}`, words, [rect], size));
    }
  }
  regions.push(wholeRegion(size));
  return { name: "grid3x3", size, regions };
}

/**
 * A region set from a config: each region is the union of inclusive pixel rectangles. Validates everything and throws
 * an `InputError` naming the set, the region and the field.
 */
export function customRegionSet(spec: CustomRegionSetSpec): RegionSet {
  const setName = typeof spec?.name === "string" && spec.name.trim() !== "" ? spec.name : null;
  if (setName === null) throw new InputError(`Cannot build region set: "name" must be a non-empty string`);
  const what = `region set "${setName}"`;
  const size = spec.size ?? DEFAULT_SIZE;
  _checkSize(size, what);
  if (!Array.isArray(spec.regions) || spec.regions.length === 0) {
    throw new InputError(`Cannot build ${what}: "regions" must be a non-empty array`);
  }
  const names = new Set<string>();
  const regions = spec.regions.map((r, i) => {
    const where = `Cannot build ${what}: region ${i}`;
    if (typeof r?.name !== "string" || r.name.trim() === "") {
      throw new InputError(`${where}: "name" must be a non-empty string`);
    }
    if (names.has(r.name)) throw new InputError(`${where}: duplicate name "${r.name}"`);
    names.add(r.name);
    if (typeof r.words !== "string") {
      throw new InputError(`${where} ("${r.name}"): "words" must be a string ("" for none)`);
    }
    if (!Array.isArray(r.rects) || r.rects.length === 0) {
      throw new InputError(`${where} ("${r.name}"): "rects" must be a non-empty array of {x0, y0, x1, y1}`);
    }
    r.rects.forEach((rect, k) => {
      for (const key of ["x0", "y0", "x1", "y1"] as const) {
        const v = rect?.[key];
        if (!Number.isInteger(v) || v < 0 || v >= size) {
          throw new InputError(
            `${where} ("${r.name}") rect ${k}: ${key} must be an integer in 0…${size - 1}, got ${v}`,
          );
        }
      }
      if (rect.x1 < rect.x0 || rect.y1 < rect.y0) {
        throw new InputError(`${where} ("${r.name}") rect ${k}: needs x0 ≤ x1 and y0 ≤ y1 (inclusive bounds)`);
      }
    });
    return rectRegion(r.name, r.words, r.rects, size);
  });
  return { name: setName, size, regions };
}

const REGISTRY = new Map<string, RegionSetFactory>();

/**
 * Registers a named region-set factory. Refuses to redefine a name unless `override` is set.
 * @throws Error when the name is taken
 */
export function registerRegionSet(name: string, factory: RegionSetFactory, { override = false } = {}): void {
  if (REGISTRY.has(name) && !override) {
    throw new Error(`Cannot register region set "${name}": already defined (pass { override: true } to replace it)`);
  }
  REGISTRY.set(name, factory);
}

/** Names of the registered region sets, in registration order. */
export function regionSetNames(): string[] {
  return [...REGISTRY.keys()];
}

/**
 * A registered region set at a resolution. Unknown names throw an `InputError` listing the known ones.
 * @param size image side @default 224
 */
export function regionSet(name: string, size = DEFAULT_SIZE): RegionSet {
  const factory = REGISTRY.get(name);
  if (!factory) throw new InputError(`Cannot find region set "${name}": known sets are ${regionSetNames().join(", ")}`);
  return factory(size);
}

registerRegionSet("ppad5", ppad5);
registerRegionSet("whole", wholeOnly);
registerRegionSet("lr", leftRight);
registerRegionSet("grid3x3", grid3x3);
