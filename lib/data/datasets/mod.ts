/**
 * Chest X-ray data sets: layout loaders (ZhangLab Kaggle/SQUID, CheXpert SQUID, Med-AD VinDr-CXR/RSNA, BMAD RSNA,
 * CSV manifest), auto-detection, documented counts, image loading, and finding the images named on a command line.
 * @module
 */
import { resolve } from "../../util/mod.ts";
import { loadBmadRsna } from "./bmad_rsna.ts";
import { loadChexpertSquid } from "./chexpert_squid.ts";
import { loadCsv } from "./csv.ts";
import { detectLayout, parseLayout } from "./detect.ts";
import { countWarnings } from "./documented.ts";
import { parseBadImagePolicy } from "./load_images.ts";
import { loadMedad } from "./medad.ts";
import type { Dataset, DatasetName, LayoutName } from "./types.ts";
import { loadZhanglabKaggle } from "./zhanglab_kaggle.ts";
import { loadZhanglabSquid } from "./zhanglab_squid.ts";

export * from "./types.ts";
export { countWarnings, DOCUMENTED_COUNTS } from "./documented.ts";
export { detectLayout, LAYOUT_HINTS, parseLayout } from "./detect.ts";
export {
  type BadImagePolicy,
  loadImages,
  type LoadImagesOptions,
  parseBadImagePolicy,
  type SkippedImage,
} from "./load_images.ts";
export { IMAGE_EXTENSIONS, isDir, isFile, listImages } from "./fs.ts";
export { type CountsRow, countsRow, sameCounts } from "./count_rows.ts";
export { collectImagePaths, type CollectImagesOptions } from "./find_images.ts";

/** Options for {@link loadDataset}. */
export interface LoadDatasetOptions {
  /** The folder layout; auto-detected when omitted. */
  layout?: LayoutName | string;
  /** Which data set (for Med-AD folders holding both, and for documented-count checks of CSV manifests). */
  dataset?: DatasetName;
  /** Print count mismatches with the documented splits on stderr. @default true */
  warn?: boolean;
  /**
   * What later decoding does with an undecodable image (listing decodes nothing; recorded on the data set for
   * `loadPrepared`; `loadImages` takes its own). @default "fail"
   */
  onBadImage?: "fail" | "skip";
}

const LOADERS: Readonly<Record<LayoutName, (root: string, dataset?: DatasetName) => Dataset>> = {
  "zhanglab-kaggle": (root) => loadZhanglabKaggle(root),
  "zhanglab-squid": (root) => loadZhanglabSquid(root),
  "chexpert-squid": (root) => loadChexpertSquid(root),
  "medad": loadMedad,
  "bmad-rsna": (root) => loadBmadRsna(root),
  "csv": loadCsv,
};

/**
 * Lists a data set's images and labels (no decoding). Throws a one-line `InputError` for a missing folder, an empty
 * split, a malformed `data.json`, a listed file that is missing, or an unknown layout.
 */
export function loadDatasetSync(root: string, opts: LoadDatasetOptions = {}): Dataset {
  const abs = resolve(root);
  const layout = opts.layout !== undefined ? parseLayout(opts.layout) : detectLayout(abs, opts.dataset);
  const ds = LOADERS[layout](abs, opts.dataset);
  if (opts.dataset && ds.name === "custom") ds.name = opts.dataset;
  if (opts.onBadImage !== undefined) ds.onBadImage = parseBadImagePolicy(opts.onBadImage);
  if (opts.warn !== false) { for (const w of countWarnings(ds)) console.warn(`warning: ${w}`); }
  return ds;
}

/** Async form of {@link loadDatasetSync}. */
export function loadDataset(root: string, opts: LoadDatasetOptions = {}): Promise<Dataset> {
  return Promise.resolve().then(() => loadDatasetSync(root, opts));
}
