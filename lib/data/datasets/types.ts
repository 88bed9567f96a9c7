/**
 * Data set records shared by every layout loader.
 * @module
 */

/** The three splits. Training uses normals only. */
export type Split = "train" | "val" | "test";
/** The splits in order. */
export const SPLITS: readonly Split[] = ["train", "val", "test"];

/** Folder layouts the loaders understand (see `detect.ts`). */
export const LAYOUTS = [
  "zhanglab-kaggle",
  "zhanglab-squid",
  "chexpert-squid",
  "medad",
  "bmad-rsna",
  "csv",
] as const;
/** One of {@link LAYOUTS}. */
export type LayoutName = typeof LAYOUTS[number];

/** Data sets with documented counts (see `documented.ts`); `rsna` is Med-AD's RSNA, `rsna-bmad` BMAD's. */
export type DatasetName = "zhanglab" | "chexpert" | "vindr" | "rsna" | "rsna-bmad" | "custom";

/** One image of a data set. */
export interface Sample {
  /** Absolute path of the image file. */
  path: string;
  /** 0 = normal, 1 = abnormal. */
  label: 0 | 1;
  split: Split;
  /** Stable identifier: the path relative to the data set root, with forward slashes. */
  id: string;
}

/** Normal/abnormal counts of one split. */
export interface SplitCounts {
  normal: number;
  abnormal: number;
}

/** Counts per split. */
export type Counts = Record<Split, SplitCounts>;

/** A loaded data set: where it is, how it is laid out, and its samples (no pixels). */
export interface Dataset {
  name: DatasetName;
  layout: LayoutName;
  /** The resolved root folder (e.g. `…/chest_xray` for the Kaggle layout). */
  root: string;
  samples: Sample[];
  /** The manifest file, for the `csv` layout. */
  manifest?: string;
  /** The policy for undecodable images chosen when loading (used by `loadPrepared` when not given there). */
  onBadImage?: "fail" | "skip";
  /** Normal/abnormal counts per split. */
  counts(): Counts;
}

/** Counts of `samples` per split and label. */
export function countSamples(samples: readonly Sample[]): Counts {
  const c: Counts = {
    train: { normal: 0, abnormal: 0 },
    val: { normal: 0, abnormal: 0 },
    test: { normal: 0, abnormal: 0 },
  };
  for (const s of samples) c[s.split][s.label === 0 ? "normal" : "abnormal"]++;
  return c;
}

/** Builds a {@link Dataset} record. */
export function makeDataset(name: DatasetName, layout: LayoutName, root: string, samples: Sample[]): Dataset {
  return { name, layout, root, samples, counts: () => countSamples(samples) };
}

/** The samples of one split, optionally of one label (e.g. the training normals: `select(ds, "train", 0)`). */
export function select(ds: Dataset, split: Split, label?: 0 | 1): Sample[] {
  return ds.samples.filter((s) => s.split === split && (label === undefined || s.label === label));
}
