/**
 * How large the benchmark's findings are, read from its manifest: each abnormal image's bounding-box area as a
 * percentage of the image.
 * @module
 */
import type { ColumnTable } from "arquero";

/** One abnormal image's finding, its side, and its bounding-box area in % of the image. */
export interface FindingArea {
  finding: string;
  side: string;
  /** Bounding-box area, % of the `size`² image. */
  area: number;
}

/**
 * The finding area of every abnormal image of `manifest` (from `readBenchmarkManifest`; `bbox` is `x y width height`
 * in pixels of the `size`-pixel image), in manifest order; rows without a box are left out.
 */
export function findingAreas(manifest: ColumnTable, size: number): FindingArea[] {
  return (manifest.objects() as Record<string, unknown>[])
    .filter((r) => r.label === 1 && typeof r.bbox === "string" && r.bbox !== "")
    .map((r) => {
      const [, , w, h] = String(r.bbox).split(" ").map(Number);
      return { finding: String(r.finding), side: String(r.side), area: (100 * w * h) / (size * size) };
    });
}
