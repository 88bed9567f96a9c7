/**
 * Layout auto-detection from the folder structure.
 * @module
 */
import { InputError, join } from "../../util/mod.ts";
import { findManifest } from "./csv.ts";
import { isDir, isFile } from "./fs.ts";
import { findMedadRoot } from "./medad.ts";
import { type DatasetName, type LayoutName, LAYOUTS } from "./types.ts";
import { findKaggleRoot } from "./zhanglab_kaggle.ts";

/** What each layout looks like, for messages. */
export const LAYOUT_HINTS: Readonly<Record<LayoutName, string>> = {
  "zhanglab-kaggle": "chest_xray/{train,val,test}/{NORMAL,PNEUMONIA}",
  "zhanglab-squid": "{train,val,test}/{normal_256,pneumonia_256}",
  "chexpert-squid": "train_256_pa/normal_256 + our_test_256_pa/{normal_256,abnormal_256}",
  "medad": "images/*.png + data.json (VinCXR/ or RSNA/)",
  "bmad-rsna": "train/good + test/{good,Ungood}",
  "csv": "a manifest .csv with path,label[,split]",
};

/** Validates a layout name from a flag; throws an `InputError` listing the known layouts. */
export function parseLayout(value: string, source = "--layout"): LayoutName {
  if ((LAYOUTS as readonly string[]).includes(value)) return value as LayoutName;
  throw new InputError(`Cannot use ${source} ${JSON.stringify(value)}: unknown layout (known: ${LAYOUTS.join(", ")})`);
}

/** Guesses the layout of `root` from its folders; throws an `InputError` describing every known layout when none fits. */
export function detectLayout(root: string, dataset?: DatasetName): LayoutName {
  if (isFile(root)) {
    if (root.toLowerCase().endsWith(".csv")) return "csv";
    throw new InputError(`Cannot load dataset ${root}: it is a file; expected a folder or a .csv manifest`);
  }
  if (!isDir(root)) throw new InputError(`Cannot load dataset ${root}: no such folder`);
  if (findMedadRoot(root, dataset) !== null) return "medad";
  if (findKaggleRoot(root) !== null) return "zhanglab-kaggle";
  if (isDir(join(root, "train", "normal_256")) || isDir(join(root, "test", "normal_256"))) return "zhanglab-squid";
  if (isDir(join(root, "train_256_pa")) || isDir(join(root, "our_test_256_pa"))) return "chexpert-squid";
  if (isDir(join(root, "train", "good")) || isDir(join(root, "test", "good"))) return "bmad-rsna";
  if (findManifest(root) !== null) return "csv";
  const known = LAYOUTS.map((l) => `${l} (${LAYOUT_HINTS[l]})`).join("; ");
  throw new InputError(
    `Cannot detect the layout of ${root}: no known layout matches; expected one of ${known}; or pass --layout`,
  );
}
