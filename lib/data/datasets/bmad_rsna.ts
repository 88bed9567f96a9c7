/**
 * RSNA as released by BMAD: `train/good`, `test/{good,Ungood}`, optional `valid/{good,Ungood}` (or `val/`). Its abnormal
 * class differs from Med-AD's RSNA: results are not comparable.
 * @module
 */
import { join } from "../../util/mod.ts";
import { folderSamples, isDir } from "./fs.ts";
import { type Dataset, makeDataset, type Sample } from "./types.ts";

function ungood(root: string, split: string): string {
  return isDir(join(root, split, "ungood")) && !isDir(join(root, split, "Ungood")) ? "ungood" : "Ungood";
}

/** Loads the BMAD RSNA layout. Throws an `InputError` naming a missing or empty folder. */
export function loadBmadRsna(root: string): Dataset {
  const L = "bmad-rsna";
  const val = isDir(join(root, "valid")) ? "valid" : "val";
  const samples: Sample[] = [
    ...folderSamples(root, "train/good", 0, "train", L),
    ...folderSamples(root, `${val}/good`, 0, "val", L, { required: false }),
    ...folderSamples(root, `${val}/${ungood(root, val)}`, 1, "val", L, { required: false }),
    ...folderSamples(root, "test/good", 0, "test", L),
    ...folderSamples(root, `test/${ungood(root, "test")}`, 1, "test", L),
  ];
  return makeDataset("rsna-bmad", L, root, samples);
}
