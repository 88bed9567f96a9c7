/**
 * Image galleries as RGB PNGs, with captions in a built-in 5×7 bitmap font (no fonts or canvas needed) and
 * ground-truth masks outlined in red. `syntheticGallery` renders the synthetic benchmark's gallery.
 * @module
 */
import { join, PROJECT_ROOT, Rng, streamSeed, writeFileAtomic } from "../util/mod.ts";
import { encodePng, FINDINGS, generateCase } from "../data/mod.ts";

/** One gallery tile. */
export interface GalleryTile {
  /** Grayscale image `[size * size]` in [0, 1]. */
  image: Float32Array;
  /** Optional mask `[size * size]` (non-zero = inside), drawn as a red outline. */
  mask?: Uint8Array;
  size: number;
  /** Caption lines (upper-cased; characters outside the font render as blanks). */
  caption: string[];
}

/** Options for {@link renderGallery}. */
export interface GalleryOptions {
  /** Tiles per row. @default 4 */
  columns?: number;
  /** Font scale (pixels per font dot). @default 2 */
  fontScale?: number;
  /** Gap between tiles, pixels. @default 4 */
  gap?: number;
}

const GLYPHS: Record<string, string> = {
  A: "01110100011000111111100011000110001",
  B: "11110100011000111110100011000111110",
  C: "01110100011000010000100001000101110",
  D: "11110100011000110001100011000111110",
  E: "11111100001000011110100001000011111",
  F: "11111100001000011110100001000010000",
  G: "01110100011000010111100011000101111",
  H: "10001100011000111111100011000110001",
  I: "01110001000010000100001000010001110",
  J: "00111000100001000010000101001001100",
  K: "10001100101010011000101001001010001",
  L: "10000100001000010000100001000011111",
  M: "10001110111010110101100011000110001",
  N: "10001100011100110101100111000110001",
  O: "01110100011000110001100011000101110",
  P: "11110100011000111110100001000010000",
  Q: "01110100011000110001101011001001101",
  R: "11110100011000111110101001001010001",
  S: "01111100001000001110000010000111110",
  T: "11111001000010000100001000010000100",
  U: "10001100011000110001100011000101110",
  V: "10001100011000110001100010101000100",
  W: "10001100011000110101101011010101010",
  X: "10001100010101000100010101000110001",
  Y: "10001100011000101010001000010000100",
  Z: "11111000010001000100010001000011111",
  "0": "01110100011001110101110011000101110",
  "1": "00100011000010000100001000010001110",
  "2": "01110100010000100010001000100011111",
  "3": "11111000100010000010000011000101110",
  "4": "00010001100101010010111110001000010",
  "5": "11111100001111000001000011000101110",
  "6": "00110010001000011110100011000101110",
  "7": "11111000010001000100010000100001000",
  "8": "01110100011000101110100011000101110",
  "9": "01110100011000101111000010001001100",
  "-": "00000000000000011111000000000000000",
  "/": "00000000010001000100010001000000000",
  ".": "00000000000000000000000000110001100",
  ":": "00000011000110000000011000110000000",
  "(": "00010001000100001000010000010000010",
  ")": "01000001000001000010000100010001000",
  ",": "00000000000000000000011000010001000",
};

/** Draws `text` into RGB `[height * width * 3]` at (x, y) with dots of `scale` px in colour `rgb`. */
export function drawText(
  out: Uint8Array,
  width: number,
  height: number,
  text: string,
  x: number,
  y: number,
  scale: number,
  rgb: [number, number, number],
): void {
  let cx = x;
  for (const ch of text.toUpperCase()) {
    const glyph = GLYPHS[ch];
    if (glyph) {
      for (let gy = 0; gy < 7; gy++) {
        for (let gx = 0; gx < 5; gx++) {
          if (glyph[gy * 5 + gx] !== "1") continue;
          for (let sy = 0; sy < scale; sy++) {
            for (let sx = 0; sx < scale; sx++) {
              const px = cx + gx * scale + sx;
              const py = y + gy * scale + sy;
              if (px < 0 || py < 0 || px >= width || py >= height) continue;
              const i = (py * width + px) * 3;
              out[i] = rgb[0];
              out[i + 1] = rgb[1];
              out[i + 2] = rgb[2];
            }
          }
        }
      }
    }
    cx += 6 * scale;
  }
}

/** Lays `tiles` out in a grid with captions under each; returns RGB pixels `[height * width * 3]`. */
export function renderGallery(
  tiles: GalleryTile[],
  { columns = 4, fontScale = 2, gap = 4 }: GalleryOptions = {},
): { width: number; height: number; rgb: Uint8Array } {
  if (tiles.length === 0) throw new RangeError("Cannot render a gallery: no tiles");
  const size = Math.max(...tiles.map((t) => t.size));
  const lines = Math.max(...tiles.map((t) => t.caption.length));
  const captionH = lines * 9 * fontScale + 4;
  const cols = Math.min(columns, tiles.length);
  const rows = Math.ceil(tiles.length / cols);
  const cellW = size + gap;
  const cellH = size + captionH + gap;
  const width = cols * cellW + gap;
  const height = rows * cellH + gap;
  const rgb = new Uint8Array(width * height * 3).fill(24);
  tiles.forEach((tile, k) => {
    const ox = gap + (k % cols) * cellW;
    const oy = gap + Math.floor(k / cols) * cellH;
    const s = tile.size;
    for (let y = 0; y < s; y++) {
      for (let x = 0; x < s; x++) {
        const v = Math.max(0, Math.min(255, Math.round(tile.image[y * s + x] * 255)));
        const i = ((oy + y) * width + ox + x) * 3;
        rgb[i] = rgb[i + 1] = rgb[i + 2] = v;
      }
    }
    const m = tile.mask;
    if (m) {
      for (let y = 0; y < s; y++) {
        for (let x = 0; x < s; x++) {
          if (!m[y * s + x]) continue;
          const edge = x === 0 || y === 0 || x === s - 1 || y === s - 1 || !m[y * s + x - 1] || !m[y * s + x + 1] ||
            !m[(y - 1) * s + x] || !m[(y + 1) * s + x];
          if (!edge) continue;
          const i = ((oy + y) * width + ox + x) * 3;
          rgb[i] = 255;
          rgb[i + 1] = 40;
          rgb[i + 2] = 40;
        }
      }
    }
    tile.caption.forEach((line, j) => {
      drawText(rgb, width, height, line, ox + 2, oy + s + 3 + j * 9 * fontScale, fontScale, [235, 235, 235]);
    });
  });
  return { width, height, rgb };
}

/** Options for {@link syntheticGallery}. */
export interface SyntheticGalleryOptions {
  /** Seed of the cases. @default 7 */
  seed?: number;
  /** Image size. @default 256 */
  size?: number;
  /** Normal images shown first. @default 4 */
  normals?: number;
  /** Examples of each finding. @default 2 */
  perFinding?: number;
}

/** The synthetic benchmark's gallery as PNG bytes: normals, then each finding, masks outlined, captioned. */
export function syntheticGallery(
  { seed = 7, size = 256, normals = 4, perFinding = 2 }: SyntheticGalleryOptions = {},
): Uint8Array {
  const rng = new Rng(streamSeed(seed, "benchmarkGallery"));
  const tiles: GalleryTile[] = [];
  for (let k = 0; k < normals; k++) {
    const c = generateCase(rng.fork(), { size });
    tiles.push({ image: c.image, size, caption: ["NORMAL", "-"] });
  }
  for (const kind of FINDINGS) {
    for (let k = 0; k < perFinding; k++) {
      const c = generateCase(rng.fork(), { size, finding: kind });
      const where = c.side === "both" ? "CENTRAL" : `IMAGE ${c.side} / ${c.zone}`;
      const extra = c.details.diameterMm
        ? ` ${Math.round(c.details.diameterMm)}MM`
        : c.details.ctr
        ? ` CTR ${c.details.ctr.toFixed(2)}`
        : c.details.severity
        ? ` ${c.details.severity}`
        : "";
      tiles.push({ image: c.image, mask: c.mask, size, caption: [`${kind}${extra}`, where] });
    }
  }
  const { width, height, rgb } = renderGallery(tiles, { columns: 4 });
  return encodePng({ width, height, channels: 3, data: rgb });
}

/** Writes {@link syntheticGallery} to `path` (default `results/gallery/synthetic-cxr.png`) atomically; returns the path. */
export async function writeSyntheticGallery(
  path: string = join(PROJECT_ROOT, "results", "gallery", "synthetic-cxr.png"),
  opts: SyntheticGalleryOptions = {},
): Promise<string> {
  await writeFileAtomic(path, syntheticGallery(opts));
  return path;
}
