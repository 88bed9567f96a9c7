/**
 * Image counts the papers and releases document, to warn when a local copy differs.
 * @module
 */
import { type Dataset, type DatasetName, type Split, type SplitCounts, SPLITS } from "./types.ts";

/** Documented counts per data set and split (only those the sources state). */
export const DOCUMENTED_COUNTS: Readonly<Partial<Record<DatasetName, Partial<Record<Split, Partial<SplitCounts>>>>>> = {
  zhanglab: { test: { normal: 234, abnormal: 390 } },
  chexpert: { test: { normal: 250, abnormal: 250 } },
  vindr: { train: { normal: 4000 }, test: { normal: 1000, abnormal: 1000 } },
  rsna: { train: { normal: 3851 }, test: { normal: 1000, abnormal: 1000 } },
};

/** One message per count that differs from {@link DOCUMENTED_COUNTS} (empty when all match or none is documented). */
export function countWarnings(ds: Dataset): string[] {
  const doc = DOCUMENTED_COUNTS[ds.name];
  if (!doc) return [];
  const counts = ds.counts();
  const out: string[] = [];
  for (const split of SPLITS) {
    const want = doc[split];
    if (!want) continue;
    for (const cls of ["normal", "abnormal"] as const) {
      const w = want[cls];
      if (w !== undefined && counts[split][cls] !== w) {
        out.push(
          `${ds.name} (${ds.layout}) at ${ds.root}: ${split} has ${counts[split][cls]} ${cls} images, ` +
            `the documented split has ${w}; results will not be comparable with the paper`,
        );
      }
    }
  }
  return out;
}
