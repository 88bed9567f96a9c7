/**
 * ZhangLab pneumonia, original Kaggle release: `chest_xray/{train,val,test}/{NORMAL,PNEUMONIA}`. The root may be the
 * folder holding `chest_xray` or `chest_xray` itself (also the zip's nested `chest_xray/chest_xray`). `val` is optional.
 * @module
 */
import { join } from "../../util/mod.ts";
import { folderSamples, isDir, layoutError, requireNonEmpty } from "./fs.ts";
import { type Dataset, makeDataset, type Sample } from "./types.ts";

/** The folder that directly holds `train/` and `test/`, or null. */
export function findKaggleRoot(root: string): string | null {
  let dir = root;
  for (let depth = 0; depth < 3; depth++) {
    if (isDir(join(dir, "train", "NORMAL")) || isDir(join(dir, "test", "NORMAL"))) return dir;
    if (!isDir(join(dir, "chest_xray"))) return null;
    dir = join(dir, "chest_xray");
  }
  return null;
}

/** Loads the Kaggle layout. Throws an `InputError` naming the missing folder. */
export function loadZhanglabKaggle(root: string): Dataset {
  const base = findKaggleRoot(root);
  if (base === null) throw layoutError(root, "zhanglab-kaggle", "missing folder chest_xray/test/NORMAL/");
  const L = "zhanglab-kaggle";
  const samples: Sample[] = [
    ...folderSamples(base, "train/NORMAL", 0, "train", L),
    ...folderSamples(base, "train/PNEUMONIA", 1, "train", L, { required: false }),
    ...folderSamples(base, "val/NORMAL", 0, "val", L, { required: false }),
    ...folderSamples(base, "val/PNEUMONIA", 1, "val", L, { required: false }),
    ...folderSamples(base, "test/NORMAL", 0, "test", L),
    ...folderSamples(base, "test/PNEUMONIA", 1, "test", L),
  ];
  requireNonEmpty(base, L, samples, "train", 0);
  return makeDataset("zhanglab", L, base, samples);
}
