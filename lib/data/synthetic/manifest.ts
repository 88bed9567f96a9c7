/**
 * Reading a written benchmark's `manifest.csv` back: as a table, and as finding/side/zone per image id.
 * @module
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { join } from "../../util/mod.ts";

/**
 * The synthetic benchmark's `manifest.csv` in `dir` as a table (`file, split, label, finding, side, zone, bbox, mask,
 * report`), or null when there is none. `bbox` and `mask` stay text: arquero infers a column's type from its first
 * 1,000 values, and they are empty for the training normals listed first.
 */
export async function readBenchmarkManifest(dir: string): Promise<ColumnTable | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(join(dir, "manifest.csv"));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
  return aq.fromCSV(text, { parse: { bbox: String, mask: String, report: String } });
}

/** What the manifest says about one image. */
export interface CaseInfo {
  finding: string;
  side: string;
  zone: string;
}

/** The manifest's finding, side and zone per image id (`file` column), or an empty map when `dir` has no manifest. */
export async function benchmarkCases(dir: string): Promise<Map<string, CaseInfo>> {
  const table = await readBenchmarkManifest(dir);
  const out = new Map<string, CaseInfo>();
  if (!table) return out;
  for (const r of table.objects() as Record<string, unknown>[]) {
    out.set(String(r.file), { finding: String(r.finding), side: String(r.side), zone: String(r.zone) });
  }
  return out;
}
