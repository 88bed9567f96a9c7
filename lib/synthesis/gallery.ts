/**
 * A visual check of the syntheses: one row per input image, five panels per row —
 * original | SAS | SAS with its mask outline (red) | SAS γ map (jet: dark red = γ 1, blue = the core) | FPI with its
 * patch outline (green). Encoded as an 8-bit RGB PNG.
 * @module
 */
import { encode } from "fast-png";
import { ppad5, type Region } from "../prompts/mod.ts";
import type { Rng } from "../util/mod.ts";
import { fpi } from "./fpi.ts";
import { lesionGamma, sas } from "./sas.ts";

/** Options of {@link sasGallery}. */
export interface GalleryOptions {
  /** Regions drawn uniformly per image for the lesion centre. @default ppad5(size).regions */
  regions?: readonly Region[];
  /** Gap between panels, px. @default 4 */
  gap?: number;
}

const PANELS = 5;

/** Jet colour map: t in [0, 1] → [r, g, b] bytes (0 = dark blue, 1 = dark red). */
function _jet(t: number): [number, number, number] {
  const c = (x: number) => Math.round(255 * Math.min(1, Math.max(0, x)));
  return [c(1.5 - Math.abs(4 * t - 3)), c(1.5 - Math.abs(4 * t - 2)), c(1.5 - Math.abs(4 * t - 1))];
}

/** True when a mask pixel has a 4-neighbour outside the mask (or sits on the image edge). */
function _isEdge(mask: Uint8Array, size: number, x: number, y: number): boolean {
  const i = y * size + x;
  if (!mask[i]) return false;
  return x === 0 || y === 0 || x === size - 1 || y === size - 1 || !mask[i - 1] || !mask[i + 1] ||
    !mask[i - size] || !mask[i + size];
}

/**
 * Renders SAS and FPI on each image (FPI's patch source is the next image, cyclically; a single image is its own
 * mirror image) as a PNG grid.
 * @param images `[n][size*size]` grey images in [0, 1]
 * @param size image side
 * @returns PNG bytes, width 5·size + 6·gap, height n·size + (n+1)·gap
 */
export function sasGallery(images: Float32Array[], size: number, rng: Rng, options: GalleryOptions = {}): Uint8Array {
  if (images.length === 0) throw new RangeError("Cannot render a synthesis gallery: no images");
  const regions = options.regions ?? ppad5(size).regions;
  const gap = options.gap ?? 4;
  const width = PANELS * size + (PANELS + 1) * gap, height = images.length * size + (images.length + 1) * gap;
  const rgb = new Uint8Array(width * height * 3).fill(255);
  const put = (panel: number, row: number, x: number, y: number, c: [number, number, number]) => {
    const px = gap + panel * (size + gap) + x, py = gap + row * (size + gap) + y;
    rgb.set(c, (py * width + px) * 3);
  };
  const grey = (v: number): [number, number, number] => {
    const b = Math.round(255 * Math.min(1, Math.max(0, v)));
    return [b, b, b];
  };
  images.forEach((image, row) => {
    let other = images[(row + 1) % images.length];
    if (other === image) {
      other = new Float32Array(size * size);
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) other[y * size + x] = image[y * size + size - 1 - x];
      }
    }
    const s = sas(image, size, rng.pick(regions), rng);
    const g = lesionGamma(s.mask, size, s.box, s.weight);
    const f = fpi(image, other, size, rng.pick(regions), rng);
    const bw = s.box.x1 - s.box.x0 + 1;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const i = y * size + x;
        put(0, row, x, y, grey(image[i]));
        put(1, row, x, y, grey(s.image[i]));
        put(2, row, x, y, _isEdge(s.mask, size, x, y) ? [255, 0, 0] : grey(s.image[i]));
        const inBox = x >= s.box.x0 && x <= s.box.x1 && y >= s.box.y0 && y <= s.box.y1;
        const gamma = inBox ? g.gamma[(y - s.box.y0) * bw + (x - s.box.x0)] : 1;
        put(3, row, x, y, _jet(1 - (gamma - 1) / s.weight));
        put(4, row, x, y, _isEdge(f.mask, size, x, y) ? [0, 255, 0] : grey(f.image[i]));
      }
    }
  });
  return encode({ width, height, data: rgb, channels: 3, depth: 8 });
}
