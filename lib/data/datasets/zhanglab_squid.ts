/**
 * ZhangLab pneumonia as released by SQUID: `{train,val,test}/{normal_256,pneumonia_256}`; `val` optional, `train` may
 * hold only `normal_256`.
 * @module
 */
import { folderSamples } from "./fs.ts";
import { type Dataset, makeDataset, type Sample } from "./types.ts";

/** Loads the SQUID ZhangLab layout. Throws an `InputError` naming a missing or empty folder. */
export function loadZhanglabSquid(root: string): Dataset {
  const L = "zhanglab-squid";
  const samples: Sample[] = [
    ...folderSamples(root, "train/normal_256", 0, "train", L),
    ...folderSamples(root, "train/pneumonia_256", 1, "train", L, { required: false }),
    ...folderSamples(root, "val/normal_256", 0, "val", L, { required: false }),
    ...folderSamples(root, "val/pneumonia_256", 1, "val", L, { required: false }),
    ...folderSamples(root, "test/normal_256", 0, "test", L),
    ...folderSamples(root, "test/pneumonia_256", 1, "test", L),
  ];
  return makeDataset("zhanglab", L, root, samples);
}
